// Every model of the spec runs under TLC with its expected distinct-state
// count and depth; the committed model files are the generated ones; the
// liveness property holds under fairness and fails without it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CATALOG, HangupLive, PingLive, REACHABLE_COMPARED } from '../src/conformance/catalog.ts';
import { Diode } from '../src/models/registry.ts';
import { compileModel, renderModel } from '../src/conformance/model.ts';
import { committedModel, modelFiles, runModel, runModels, withModelsTable } from '../src/models/models.ts';
import { KERNEL_ENDPOINTS, KERNEL_INTERFACES } from '../src/kernel/kernel-api.ts';
import { readFile, writeFile } from 'node:fs/promises';
import { MODELS_DIR, SPEC_DIR, describeResult, runStaged, stageModel } from '../src/conformance/run.ts';
import { runTlc } from '../src/tlc/index.ts';
import { join } from 'node:path';

test('the committed models are the generated ones', async () => {
  for (const def of [...CATALOG, Diode]) {
    const files = modelFiles(def);
    const committed = await committedModel(def);
    assert.ok(committed !== null, `models/MC${def.name}.tla or models/${def.name}.cfg is missing`);
    assert.equal(committed.tla, files.tla, `models/MC${def.name}.tla is stale: regenerate it with writeModels()`);
    assert.equal(committed.cfg, files.cfg, `models/${def.name}.cfg is stale: regenerate it with writeModels()`);
  }
});

test('the table of models/README.md is the one generated from the catalog', async () => {
  const readme = await readFile(join(MODELS_DIR, 'README.md'), 'utf8');
  assert.equal(
    readme,
    withModelsTable(readme),
    'the table in models/README.md is stale: regenerate it with writeModels()',
  );
  for (const def of CATALOG)
    assert.ok(readme.includes(`| ${def.name} |`), `models/README.md has no row for ${def.name}`);
});

test('the spec names the kernel services as kernel-api.ts does', async () => {
  const kernel = await readFile(join(SPEC_DIR, 'Kernel.tla'), 'utf8');
  const block = kernel.slice(kernel.indexOf('ServiceNames == <<'), kernel.indexOf('SECURITY_RIID =='));
  const names = [...block.matchAll(/"([a-z]+\.[A-Za-z]+)"/g)].map((m) => m[1]);
  const ts = KERNEL_ENDPOINTS.flatMap((ep, i) => KERNEL_INTERFACES[i]!.methods.map((m) => `${ep}.${m.name}`));
  assert.deepEqual(names, ts);
});

test(
  'every model runs under TLC with its expected distinct-state count and depth',
  { timeout: 15 * 60_000 },
  async () => {
    // the models whose reachable sets are compared are checked, with the same figures, by that TLC run
    // (test/conformance-reachable.test.ts); here the others, so that together every model of the catalog runs
    const rest = CATALOG.filter((d) => !REACHABLE_COMPARED.includes(d));
    assert.ok(rest.length > 0 && rest.length + REACHABLE_COMPARED.length === CATALOG.length);
    const results = await runModels(rest);
    const table = results
      .map(
        (r) =>
          `${r.model.padEnd(10)} ${String(r.distinct).padStart(8)} distinct  depth ${String(r.depth).padStart(3)}  ${r.tlcSeconds?.toFixed(1)} s TLC`,
      )
      .join('\n');
    console.log(table);
    for (const r of results) {
      assert.equal(r.verdict, 'success', `${r.model}: ${r.problem}`);
      assert.equal(r.distinct, r.expected.distinct, `${r.model}: distinct states`);
      assert.equal(r.depth, r.expected.depth, `${r.model}: depth`);
      assert.ok(r.tlcSeconds !== null && r.tlcSeconds > 0);
    }
    assert.deepEqual(
      results.map((r) => r.model),
      rest.map((d) => d.name),
    );
  },
);

test(
  "liveness: a granted call is answered under fairness, and not without the server's fairness",
  { timeout: 5 * 60_000 },
  async () => {
    const fair = await runModel(PingLive);
    assert.equal(fair.verdict, 'success', fair.problem ?? '');
    // the same model where the server is an ordinary (adversarial, unfair) thread
    const unfair = { ...PingLive, name: 'PingUnfair', liveness: { servers: [], watched: [0] } };
    const { result } = await runStaged(renderModel(compileModel(unfair)), { timeoutMs: 5 * 60_000 });
    assert.equal(result.kind, 'liveness-violation', `expected a liveness violation, got ${result.kind}`);
    if (result.kind === 'liveness-violation') {
      assert.ok(result.trace.length > 1);
      assert.match(result.property ?? result.properties.join(' '), /GrantedCallAnswered/);
    }
  },
);

test(
  'liveness without assuming the server lives: a call waiting on a server that exits or closes its server end is answered, and not by a kernel that leaves it waiting',
  { timeout: 5 * 60_000 },
  async () => {
    // HangupLive itself (GrantedCallAnswered holds) runs with the catalog above; here the kernel of
    // the spec forgets to answer the callers of a channel nobody can receive on any more
    const staged = await stageModel(modelFiles(HangupLive));
    try {
      const path = join(staged.dir, 'Kernel.tla');
      const kernel = await readFile(path, 'utf8');
      const mute = kernel.replace(
        '    IF Obj(s, o).kind # "channel" \\/ receivable(s, o) THEN s\n',
        '    IF TRUE THEN s\n',
      );
      assert.notEqual(mute, kernel, 'the kernel mutation did not apply');
      await writeFile(path, mute);
      const result = await runTlc({
        workers: 1,
        maxHeap: '1g',
        timeoutMs: 4 * 60_000,
        spec: staged.spec,
        config: staged.config,
      });
      assert.equal(result.kind, 'liveness-violation', `expected a liveness violation, got ${describeResult(result)}`);
      if (result.kind === 'liveness-violation')
        assert.match(result.property ?? result.properties.join(' '), /GrantedCallAnswered/);
    } finally {
      await staged.cleanup();
    }
  },
);
