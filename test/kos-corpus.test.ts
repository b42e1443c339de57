// The corpus: every solution under test/fixtures/kos/ that holds a
// cordon-fixture.json (at any depth, so a tree with several einit
// configurations gives one fixture per configuration) loads as it is, boots,
// passes its PAL tests, makes a TLC model whose alphabet holds every method
// its servers offer, verifies (every check passes or is skipped, none fails)
// and passes `cordon test`. One small fixture is also model-checked
// with TLC through `cordon check`, which needs no cordon.yaml.
//
// cordon-fixture.json (io-ts codec below):
//   imitates     the public KasperskyOS example or project kind it imitates
//   load         loader options: sdk (a directory relative to the fixture),
//                includes (directories, relative to the fixture), defines
//   expect       palCases: the number of PAL tests (sequences) it holds;
//                added: the SDK system programs the loader adds to it;
//                notModelled: how many bindings the loader reports as not
//                modelled

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import * as t from 'io-ts';
import { isLeft } from 'fp-ts/lib/Either.js';
import { PathReporter } from 'io-ts/lib/PathReporter.js';
import { loadKosSolution, type KosSolution } from '../src/solution/kos.ts';
import type { ImportOptions, LoadOptions } from '../src/solution/load.ts';
import { bootWith } from '../src/kernel/boot.ts';
import { createMonitor } from '../src/monitor/monitor.ts';
import { runPalTests } from '../src/policy/pal/run.ts';
import { testCommand } from '../src/cli/test.ts';
import { verify } from '../src/verify/verify.ts';
import { solutionModelDef } from '../src/check/solution-model.ts';
import { compileModel } from '../src/conformance/model.ts';
import { modelOptions } from '../src/check/check.ts';
import { DEFAULT_BOARD, getBoard } from '../boards/index.ts';

const root = join(import.meta.dirname, '..');
const CORPUS = join(root, 'test', 'fixtures', 'kos');
const FIXTURE_FILE = 'cordon-fixture.json';
/** the fixture `cordon check` model-checks with TLC (small: no policy objects) */
const TLC_FIXTURE = 'secure-logger';

export const CordonFixture = t.exact(
  t.intersection([
    t.type({
      imitates: t.string,
      expect: t.exact(
        t.intersection([
          t.type({ palCases: t.number }),
          t.partial({ added: t.array(t.string), notModelled: t.number }),
        ]),
      ),
    }),
    t.partial({
      load: t.exact(t.partial({ sdk: t.string, includes: t.array(t.string), defines: t.record(t.string, t.string) })),
    }),
  ]),
  'CordonFixture',
);
export type CordonFixture = t.TypeOf<typeof CordonFixture>;

/** Every directory under `dir` holding a cordon-fixture.json, at any depth. */
function fixtureDirs(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    if (existsSync(join(d, FIXTURE_FILE))) out.push(d);
    for (const e of readdirSync(d, { withFileTypes: true })) if (e.isDirectory()) walk(join(d, e.name));
  };
  if (existsSync(dir)) walk(dir);
  return out.sort();
}

function readFixture(dir: string): CordonFixture {
  const file = join(dir, FIXTURE_FILE);
  const decoded = CordonFixture.decode(JSON.parse(readFileSync(file, 'utf8')));
  if (isLeft(decoded)) throw new Error(`${relative(root, file)}: ${PathReporter.report(decoded).join('; ')}`);
  return decoded.right;
}

/** The fixture's `load` as loader options (`--sdk`, `--include`, `--define`), relative paths resolved against the fixture. */
function loadOptions(dir: string, f: CordonFixture): LoadOptions {
  const l = f.load ?? {};
  return {
    ...(l.sdk === undefined ? {} : { sdkRoot: resolve(dir, l.sdk) }),
    ...(l.includes === undefined ? {} : { includes: l.includes.map((i) => resolve(dir, i)) }),
    ...(l.defines === undefined ? {} : { defines: l.defines }),
  };
}

/** The same options as `verify` and `cordon test` take them. */
function commandOptions(o: LoadOptions): { defines?: Readonly<Record<string, string>>; imports: ImportOptions } {
  return {
    ...(o.defines === undefined ? {} : { defines: o.defines }),
    imports: {
      ...(o.sdkRoot === undefined ? {} : { sdkRoot: o.sdkRoot }),
      ...(o.includes === undefined ? {} : { includes: o.includes }),
    },
  };
}

const fixtures = fixtureDirs(CORPUS);
const out = mkdtempSync(join(tmpdir(), 'cordon-corpus-'));
const timings: { name: string; parseMs: number; compileMs: number; files: number }[] = [];

describe('the KasperskyOS corpus', () => {
  it('has fixtures, each with a valid cordon-fixture.json', () => {
    assert.ok(fixtures.length >= 4, `fixtures under ${relative(root, CORPUS)}: ${fixtures.length}`);
    for (const d of fixtures) readFixture(d);
  });

  for (const dir of fixtures) {
    const name = relative(CORPUS, dir);
    describe(name, () => {
      const fixture = readFixture(dir);
      const options = loadOptions(dir, fixture);

      it(`loads, boots and passes its PAL tests (imitates ${fixture.imitates})`, () => {
        const k = loadKosSolution(dir, options);
        timings.push({ name, parseMs: k.timings.parseMs, compileMs: k.timings.compileMs, files: k.files.length });
        const board = getBoard(DEFAULT_BOARD);
        const b = bootWith(k.tables, createMonitor(k.tables, k.policy), board.toMachine());
        assert.deepEqual(b.denied, [], 'Einit may start every process');
        for (const p of k.decl.processes) assert.ok(b.sids[p.name] !== undefined, `process ${p.name} started`);
        assert.equal(b.connections.length, k.decl.connections.length, 'every init.yaml channel made');
        const pal = runPalTests(k.tables, k.policy, k.tests);
        const failures = pal.tests.flatMap((x) =>
          x.cases
            .filter((c) => c.status !== 'pass')
            .map((c) => `${x.suite} / ${x.name}: ${c.title}: ${c.failure ?? c.status}`),
        );
        assert.deepEqual(failures, []);
        assert.equal(pal.tests.length, fixture.expect.palCases, 'PAL tests (sequences)');
        if (fixture.expect.added !== undefined)
          assert.deepEqual(
            k.added.map((a) => a.name),
            fixture.expect.added,
            'SDK system programs added',
          );
        if (fixture.expect.notModelled !== undefined) {
          const n = (k as KosSolution & { readonly notModelled?: readonly string[] }).notModelled;
          assert.equal(n?.length, fixture.expect.notModelled, 'bindings not modelled');
        }
      });

      it('makes a TLC model: every method of every endpoint its servers offer, with a payload its declaration accepts', () => {
        const k = loadKosSolution(dir, options);
        const def = solutionModelDef(
          k.tables,
          k.policy,
          modelOptions({ manifest: null, properties: [], oracle: null }),
        );
        const servers = new Set(k.tables.connections.map((c) => k.tables.processes[c.server]!.taskClass));
        const missing: string[] = [];
        for (const cls of servers)
          for (const ep of k.tables.classes[cls]!.endpoints)
            for (const m of k.tables.interfaces[ep.iface]!.methods)
              if (!def.alphabet.calls.some((c) => c.riid === ep.riid && c.mid === m.mid && m.request.is(c.payload)))
                missing.push(`${ep.name}.${m.name}`);
        assert.deepEqual(missing, [], 'methods without a well-formed call in the alphabet');
        // the policy tabulates over the model's events (what cordon check gives TLC)
        const model = compileModel(def);
        assert.equal(model.monitor.form, 'table');
      });

      it('verifies: every check passes or is skipped', () => {
        const report = verify({
          solution: dir,
          seed: 9,
          runs: 8,
          steps: 30,
          scenarioSteps: 300,
          ...commandOptions(options),
        });
        const bad = report.checks.filter((c) => c.status !== 'pass' && c.status !== 'skipped');
        assert.deepEqual(
          bad.map((c) => `${c.id}: ${c.status}: ${c.counterexample ?? ''}`),
          [],
        );
        for (const kind of ['boot', 'pal', 'property'])
          assert.ok(
            report.checks.some((c) => c.kind === kind && c.status === 'pass'),
            `a passing ${kind} check`,
          );
        if (!existsSync(join(dir, 'cordon.yaml'))) {
          const scenario = report.checks.find((c) => c.id === 'scenario.programs');
          assert.equal(scenario?.status, 'skipped');
          assert.deepEqual(scenario?.details, { reason: 'no cordon.yaml' });
        }
      });

      it('cordon test exits 0', () => {
        const lines: string[] = [];
        const r = testCommand(
          { solution: dir, junit: join(out, `${name.replaceAll('/', '_')}.xml`), ...commandOptions(options) },
          (l) => lines.push(l),
        );
        assert.equal(r.code, 0, lines.join('\n'));
        assert.equal(r.result.tests.length, fixture.expect.palCases);
      });
    });
  }

  it(`cordon check model-checks ${TLC_FIXTURE}, a solution without cordon.yaml, with TLC`, { timeout: 120_000 }, () => {
    const dir = join(CORPUS, TLC_FIXTURE);
    assert.ok(!existsSync(join(dir, 'cordon.yaml')));
    const r = spawnSync(
      process.execPath,
      [
        join(root, 'bin', 'cordon.mjs'),
        'check',
        relative(root, dir),
        '--workers',
        '1',
        '--replay',
        join(out, 'check.replay.json'),
      ],
      { cwd: root, encoding: 'utf8', timeout: 120_000 },
    );
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const m = /: success, (\d+) distinct states, depth (\d+)/.exec(r.stdout);
    assert.ok(m !== null, r.stdout);
    assert.ok(Number(m[1]) > 10, `distinct states: ${m[1]}`);
    console.log(`# ${TLC_FIXTURE} under TLC: ${m[1]} distinct states, depth ${m[2]}`);
  });

  it('reports the load time of every fixture', () => {
    for (const x of timings)
      console.log(
        `# ${x.name}: parse ${x.parseMs.toFixed(1)} ms, compile ${x.compileMs.toFixed(1)} ms, ${x.files} files`,
      );
    assert.equal(timings.length, fixtures.length, 'every fixture was loaded and timed');
  });
});
