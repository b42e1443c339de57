// The kernel spec refines the abstract spec/Mediation.tla (complete mediation and default deny on
// their own): TLC checks models/MCPingMediation.tla's RefinesMediation on the Ping model. And the
// check can fail: wrong refinement mappings (denied events counted as delivered; the decisions
// forgotten) and a kernel that delivers a denied request all violate it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MEDIATION, mediationCfg, mediationFiles } from '../src/models/models.ts';
import { MODELS_DIR, describeResult, stageModel } from '../src/conformance/run.ts';
import { runTlc, type TlcResult } from '../src/tlc/index.ts';

/** TLC on the refinement model, with the module text and the staged Kernel.tla rewritten by `edit`. */
async function check(
  edit: { module?: (tla: string) => string; kernel?: (tla: string) => string } = {},
): Promise<{ result: TlcResult; seconds: number }> {
  const { files, extends: base } = await mediationFiles();
  const staged = await stageModel({ ...files, tla: (edit.module ?? ((s) => s))(files.tla) }, [base]);
  try {
    if (edit.kernel !== undefined) {
      const path = join(staged.dir, 'Kernel.tla');
      const before = await readFile(path, 'utf8');
      const after = edit.kernel(before);
      assert.notEqual(after, before, 'the kernel mutation did not apply');
      await writeFile(path, after);
    }
    const t0 = performance.now();
    const result = await runTlc({
      workers: 1,
      maxHeap: '1g',
      timeoutMs: 120_000,
      spec: staged.spec,
      config: staged.config,
    });
    return { result, seconds: (performance.now() - t0) / 1000 };
  } finally {
    await staged.cleanup();
  }
}

/** RefinesMediation is violated: a step (TLC names the action of module Mediation) or the initial state (TLC names the conjunct). */
function assertRefinementFails(
  result: TlcResult,
  conjunct = /of module Mediation is violated|Property (CompleteMediation|DefaultDeny) is violated by the initial state/,
): void {
  assert.equal(
    result.kind,
    'liveness-violation',
    `expected RefinesMediation to be violated, got ${describeResult(result)}`,
  );
  if (result.kind === 'liveness-violation') {
    assert.match(result.message, conjunct);
    // a step's violation comes with its trace; the initial state's is in the message
    assert.ok(
      result.trace.length >= 1 || /initial state:\n(?:\/\\ [^\n]*\n)*?\/\\ effects = /.test(result.message),
      `no trace and no state: ${result.message.slice(0, 600)}`,
    );
    console.log(`${result.message.split('\n')[0]} (a trace of ${result.trace.length} states)`);
  }
}

test('the committed cfg of the refinement check is the generated one', async () => {
  assert.equal(
    await readFile(join(MODELS_DIR, `${MEDIATION.config}.cfg`), 'utf8'),
    mediationCfg(),
    `models/${MEDIATION.config}.cfg is stale: regenerate it with writeModels()`,
  );
  assert.match(mediationCfg(), /^PROPERTIES RefinesMediation$/m);
});

test('Kernel.tla refines Mediation.tla on the Ping model', { timeout: 180_000 }, async () => {
  const { result, seconds } = await check();
  assert.equal(result.kind, 'success', describeResult(result));
  if (result.kind === 'success') {
    console.log(
      `RefinesMediation on ${MEDIATION.model.name}: ${result.stats.distinct} distinct states, depth ${result.stats.depth}, ${((result.tlcDurationMs ?? 0) / 1000).toFixed(1)} s TLC, ${seconds.toFixed(1)} s with the JVM`,
    );
    // the mapping adds no variable: the same states as the Ping model
    assert.equal(result.stats.distinct, MEDIATION.model.expected?.distinct);
  }
});

test(
  'a wrong refinement mapping (denied events counted as delivered) fails the check',
  { timeout: 180_000 },
  async () => {
    const { result } = await check({
      module: (tla) => {
        const wrong = tla.replace(
          'KernelDelivered == {e.event : e \\in Range(effects)}',
          'KernelDelivered == {e.event : e \\in Range(effects)} \\cup {d.event : d \\in Range(decisions)}',
        );
        assert.notEqual(wrong, tla, 'the mapping mutation did not apply');
        return wrong;
      },
    });
    assertRefinementFails(result);
  },
);

test(
  'a wrong refinement mapping (the decisions forgotten: deliveries undecided) fails the check',
  { timeout: 180_000 },
  async () => {
    const { result } = await check({
      module: (tla) => {
        const wrong = tla.replace(
          'KernelDecisions == {[event |-> d.event, verdict |-> d.verdict] : d \\in Range(decisions)}',
          'KernelDecisions == {}',
        );
        assert.notEqual(wrong, tla, 'the mapping mutation did not apply');
        return wrong;
      },
    });
    // already the boot's execute events are delivered undecided
    assertRefinementFails(result, /Property CompleteMediation is violated by the initial state/);
  },
);

test('a kernel that delivers a denied request fails the check', { timeout: 180_000 }, async () => {
  // Kernel.tla's call: drop the grant test before the request enters the server's domain
  const { result } = await check({
    kernel: (tla) =>
      tla.replace(
        '       ELSE IF ~granted(s1) THEN s1\n       ELSE IF ~receivable(s1, e.object) THEN s1\n',
        '       ELSE IF ~receivable(s1, e.object) THEN s1\n',
      ),
  });
  assertRefinementFails(result);
});
