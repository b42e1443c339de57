// `cordon check`: a solution's model under TLC; the one-way property of a
// diode holds, and a leaky policy yields a counterexample replayed in the
// kernel and written as a replay file; PSL policies are tabulated over their
// monitor states (Flow, message checks), and a stateful flaw is found; the
// policy's reference interpreter, tabulated on its own, is DefaultDeny's
// oracle: compiled = interpreted on every cell, and a planted compiled-policy
// bug fails DefaultDeny under TLC.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isRight } from 'fp-ts/lib/Either.js';
import { ReplayFileC, type ReplayFile } from '../src/check/counterexample.ts';
import { readAuditLog } from '../src/audit/log.ts';
import { loadSolution } from '../src/solution/load.ts';
import { checkLoaded, modelOptions, modelPolicy, solutionModel } from '../src/check/check.ts';
import { checkSolution, solutionModelDef } from '../src/check/solution-model.ts';
import { isDeepStrictEqual } from 'node:util';
import { canonicalKey } from '../src/conformance/monitor-model.ts';
import { bool, int, rec } from '../src/conformance/tla.ts';
import { createMonitor } from '../src/monitor/monitor.ts';
import { rulesKey, type CompiledPolicy } from '../src/monitor/types.ts';
import { compileModel } from '../src/conformance/model.ts';
import { TabulationError, type PolicyTable } from '../src/conformance/monitor-model.ts';

const root = join(import.meta.dirname, '..');
const cordon = (...args: string[]) =>
  spawnSync(process.execPath, [join(root, 'bin', 'cordon.mjs'), ...args], {
    cwd: root,
    encoding: 'utf8',
    timeout: 300_000,
  });

test('the diode keeps its one-way property under TLC', () => {
  const r = cordon('check', 'examples/diode-rules', '--workers', '1', '--progress-interval', '1');
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const m = /DiodeRules of examples\/diode-rules: success, (\d+) distinct states/.exec(r.stdout);
  assert.ok(m, r.stdout);
  // stderr is a pipe, not a terminal: progress lines, not a bar, and a final line with TLC's count
  const done = /^TLC diode-rules: done, ([\d,]+) distinct states, 0 on the queue, [\d,]+ states\/s, \d+ s$/m.exec(
    r.stderr,
  );
  assert.ok(done, r.stderr);
  assert.equal(done[1]!.replaceAll(',', ''), m[1]);
  assert.doesNotMatch(r.stderr, /\|[\u2591\u2588]/);
});

test('a leaky diode policy: the counterexample is printed in the kernel vocabulary and written as a replay file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cordon-check-'));
  const text = readFileSync(join(root, 'examples', 'diode-rules', 'solution.yaml'), 'utf8').replace(
    'properties:\n',
    '  - { id: cloud acks, kind: response, src: Cloud, dst: Gateway }\nproperties:\n',
  );
  writeFileSync(join(dir, 'solution.yaml'), text);
  const replay = join(dir, 'leak.replay.json');
  const audit = join(dir, 'audit.jsonl');
  const r = cordon('check', dir, '--workers', '1', '--replay', replay, '--audit-log', audit);
  assert.equal(r.status, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /invariant OneWay is violated/);
  assert.match(
    r.stdout,
    /GRANT response src=Cloud\(sid \d\) dst=Gateway\(sid \d\) endpoint=up method=Push by cloud acks/,
  );
  assert.ok(existsSync(replay));
  const file = JSON.parse(readFileSync(replay, 'utf8')) as ReplayFile;
  assert.ok(isRight(ReplayFileC.decode(file)));
  // beside it, the diagram: one arrow per Call/Recv/Reply step, a note per decision printed
  const diagram = readFileSync(join(dir, 'leak.replay.mmd'), 'utf8');
  assert.match(r.stdout, /its sequence diagram to .*leak\.replay\.mmd/);
  assert.ok(diagram.startsWith('sequenceDiagram\n'));
  const syscalls = file.events.filter((e) => e.kind === 'syscall').length;
  assert.equal(diagram.split('\n').filter((l) => /^ {2}P\d+(->>|-->>|-x|--x)P\d+: /.test(l)).length, syscalls);
  assert.match(diagram, /Note over P\d+,P\d+: GRANT response up\.Push by cloud acks/);
  // the audit log of the replay: boot's decisions (step 0), then exactly the decisions printed for the steps
  const records = readAuditLog(audit);
  const printed = r.stdout.split('\n').filter((l) => l.startsWith('   monitor: ')).length;
  assert.equal(records.filter((x) => x.step > 0).length, printed);
  assert.ok(records.some((x) => x.step === 0) && records.every((x) => x.step <= file.events.length));
  assert.ok(records.some((x) => x.verdict === 'grant' && x.rules.some((y) => y.id === 'cloud acks')));
});

test('a PSL policy is tabulated over its reachable monitor states: Flow states, message checks, rule names', () => {
  const m = solutionModel(loadSolution(join(root, 'examples', 'ping')));
  assert.equal(m.monitor.form, 'table');
  const table = m.monitor as PolicyTable;
  // the Flow object: no machine before boot, "idle" after Einit starts the client, and "pinged"
  assert.equal(table.states.length, 3);
  // every cell is the monitor's own decision on that state and event
  const monitor = m.boot.state.config.monitor;
  table.states.forEach((st, i) =>
    table.events.forEach((ev, j) => {
      const d = monitor.decide(st, ev);
      const [g, rule, next] = table.cells[i]![j]!;
      assert.equal(g === 1, d.verdict === 'grant');
      assert.equal(rule, table.rule(rulesKey(d)));
      // the spec's monitor state: the kernel's table state, the oracle's (the same state, numbered in its own table), agreed
      assert.deepEqual(
        table.monitor(g === 1 ? d.next : st),
        rec({ kernel: int(next), oracle: int(next), agreed: bool(true) }),
      );
    }),
  );
  // a message check: the diode's empty record is denied, the programs' record granted
  const diode = solutionModel(loadSolution(join(root, 'examples', 'diode'))).monitor as PolicyTable;
  const pushes = diode.events
    .map((e, j) => [e, diode.cells[0]![j]!] as const)
    .filter(([e]) => e.kind === 'request' && e.src === 2 && e.dst === 3);
  assert.ok(
    pushes.some(([, c]) => c[0] === 1) && pushes.some(([, c]) => c[0] === 0),
    'both a granted and a denied Push',
  );
});

test('the reference interpreter, tabulated on its own, is the oracle: compiled = interpreted on every cell', () => {
  for (const name of ['ping', 'echo', 'diode', 'gateway']) {
    const loaded = loadSolution(join(root, 'examples', name));
    const table = solutionModel(loaded).monitor as PolicyTable;
    assert.ok(table.oracle !== null, `${name}: the model has an oracle`);
    assert.match(table.oracle.name, /\(interpreted\)$/);
    // the interpreter reaches the same monitor states, and decides every (state, event) cell as the compiled policy does
    assert.deepEqual(
      table.oracle.states.map(canonicalKey),
      table.states.map(canonicalKey),
      `${name}: the same monitor states`,
    );
    assert.deepEqual(table.oracle.cells, table.cells, `${name}: the same cells`);
    const compiled = createMonitor(loaded.tables, loaded.policy);
    const interpreted = createMonitor(loaded.tables, loaded.oracle!);
    table.states.forEach((st, i) =>
      table.events.forEach((ev, j) => {
        const a = compiled.decide(st, ev);
        const b = interpreted.decide(st, ev);
        const where = `${name}: state ${i}, event ${j}`;
        assert.deepEqual([a.verdict, rulesKey(a), a.reason], [b.verdict, rulesKey(b), b.reason], where);
        assert.ok(isDeepStrictEqual(a.next, b.next), `${where}: next states differ`);
      }),
    );
  }
});

/**
 * Ping's compiled policy with one planted bug, a stateful one: it grants a Ping its Flow object
 * forbids (a second Ping before the Pong), by the very rule that grants a Ping in the right state, so
 * that only the interpreter's own state, not the set of (event, rule) grants, tells it from a true grant.
 */
function plantedPing(loaded: ReturnType<typeof loadSolution>): CompiledPolicy {
  const policy = loaded.policy;
  return {
    ...policy,
    name: 'ping with a planted grant',
    decide(state, event) {
      const d = policy.decide(state, event);
      const ping = event.kind === 'request' && loaded.tables.methodNames[event.method] === 'Ping';
      return d.verdict === 'deny' && rulesKey(d) !== 'structure' && ping
        ? { verdict: 'grant', rules: d.rules, next: state }
        : d;
    },
  };
}

test(
  'a planted compiled-policy bug (a grant the interpreter does not give in its state) fails DefaultDeny under TLC',
  { timeout: 5 * 60_000 },
  async () => {
    const loaded = loadSolution(join(root, 'examples', 'ping'));
    const r = await checkSolution(loaded.tables, plantedPing(loaded), {
      ...modelOptions(loaded),
      name: 'PingPlanted',
      run: { workers: 1 },
    });
    assert.equal(r.verdict, 'invariant-violation', r.problem ?? '');
    assert.match(r.problem ?? '', /DefaultDeny/);
    assert.match(r.result.kind === 'invariant-violation' ? JSON.stringify(r.result) : '', /agreed \|-> FALSE/);
  },
);

test('a policy with more monitor states than the table allows is refused with the counts', () => {
  const loaded = loadSolution(join(root, 'examples', 'ping'));
  const def = solutionModelDef(loaded.tables, modelPolicy(loaded), { ...modelOptions(loaded), name: 'PingSmall' });
  assert.throws(
    () => compileModel({ ...def, tableLimits: { states: 2 } }),
    (e: unknown) =>
      e instanceof TabulationError && /more than 2 monitor states over the model's \d+ events/.test(e.message),
  );
});

test('a stateful PSL policy: the one-way property holds only because of its Flow object, and TLC finds the flaw of the leaky variant', () => {
  const ok = cordon('check', 'test/fixtures/ack-window', '--workers', '1');
  assert.equal(ok.status, 0, ok.stdout + ok.stderr);
  assert.match(ok.stdout, /AckWindow of test\/fixtures\/ack-window: success/);
  const dir = mkdtempSync(join(tmpdir(), 'cordon-check-'));
  const replay = join(dir, 'leak.replay.json');
  const r = cordon('check', 'test/fixtures/ack-window-leaky', '--workers', '1', '--replay', replay);
  assert.equal(r.status, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /invariant OneWay is violated/);
  // the leak needs the window's state to move: a Store forwarded, the writer's answer, then the ack
  const store = r.stdout.search(/GRANT request src=diode\.Diode\(sid 3\) dst=diode\.Writer/);
  const answer = r.stdout.search(/GRANT response src=diode\.Writer\(sid 4\) dst=diode\.Diode/);
  const ack = r.stdout.search(/GRANT response src=diode\.Diode\(sid 3\) dst=diode\.Reader/);
  assert.ok(store >= 0 && store < answer && answer < ack, r.stdout);
  assert.ok(isRight(ReplayFileC.decode(JSON.parse(readFileSync(replay, 'utf8')))));
});

test(
  'every bundled KasperskyOS example model-checks under TLC with its PSL policy',
  { timeout: 10 * 60_000 },
  async () => {
    for (const name of ['ping', 'echo', 'diode', 'gateway']) {
      const r = await checkLoaded(loadSolution(join(root, 'examples', name)), { workers: 1 });
      assert.equal(r.verdict, 'success', `${name}: ${r.problem}`);
      assert.ok(r.distinct !== null && r.distinct > 10);
      assert.match(r.files.cfg, /PolicyForm <- MC_PolicyForm/);
      assert.match(r.files.tla, /MC_PolicyForm_ ==\s+"table"/);
      console.log(`# ${name}: ${r.distinct} distinct states, depth ${r.depth}, TLC ${r.tlcSeconds} s`);
    }
  },
);
