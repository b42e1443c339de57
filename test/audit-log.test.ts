// The monitor's audit log (out/audit.jsonl) and `cordon log`: the records of
// a run are its decisions (count, order, verdicts and rules, against the
// kernel's own decisions of the same seeded run); the policy's audit
// profiles decide what is logged, at the runtime level asked; the codec
// refuses what is not a record; `cordon log` filters by verdict, class and
// method. And `cordon test` writes the log of its PAL run.

import { runCli } from './helpers/run-cli.ts';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { loadSolution } from '../src/solution/load.ts';
import { getBoard, DEFAULT_BOARD } from '../boards/index.ts';
import { driverOp, scenarioChecks } from '../src/verify/scenario.ts';
import { bootWith } from '../src/kernel/boot.ts';
import { createMonitor } from '../src/monitor/monitor.ts';
import { run } from '../src/driver/index.ts';
import { printEvent } from '../src/audit/event.ts';
import {
  AuditLog,
  AuditLogError,
  eventHead,
  filterLog,
  parseAuditLog,
  readAuditLog,
  type AuditRecord,
} from '../src/audit/log.ts';
import { auditMark, policyAudit } from '../src/monitor/audit.ts';
import { testCommand } from '../src/cli/test.ts';
import { both, ev, HEAD, TABLES } from './psl-compile-helpers.ts';

const root = join(import.meta.dirname, '..');
const SEED = 20261207;

test('verify: the audit log of the scenario run is its decisions, in order, with the rules that decided', () => {
  // ping-rules: a rule-form policy, no audit profiles, so every decision is logged
  const loaded = loadSolution(join(root, 'examples', 'ping-rules'));
  const board = getBoard(DEFAULT_BOARD);
  const log = new AuditLog(loaded.tables, loaded.policy);
  const [check] = scenarioChecks(loaded, board, SEED, 300, log);
  assert.equal(check!.status, 'pass', check!.counterexample);
  // the same seeded run, its decisions collected independently
  const boot = bootWith(loaded.tables, createMonitor(loaded.tables, loaded.policy), board.toMachine());
  const want: { step: number; event: string; verdict: string; rules: unknown }[] = boot.decisions.map((d) => ({
    step: 0,
    event: printEvent(loaded.tables, d.event),
    verdict: d.decision.verdict,
    rules: d.decision.rules,
  }));
  const programs = Object.fromEntries(
    Object.entries(loaded.manifest?.programs ?? {}).map(([n, ops]) => [n, { ops: ops.map(driverOp), loopFrom: 0 }]),
  );
  run({
    boot,
    board,
    programs,
    adversaries: loaded.manifest?.untrusted ?? [],
    seed: SEED,
    steps: 300,
    onStep: ({ index, result }) => {
      for (const d of result.decisions)
        want.push({
          step: index + 1,
          event: printEvent(loaded.tables, d.event),
          verdict: d.decision.verdict,
          rules: d.decision.rules,
        });
    },
  });
  const details = check!.details as { grants: number; denies: number };
  assert.ok(want.length > boot.decisions.length + 10, `the run decided ${want.length} events`);
  assert.equal(log.records.length, boot.decisions.length + details.grants + details.denies);
  assert.equal(log.decided, log.records.length);
  assert.deepEqual(
    log.records.map((r) => ({ step: r.step, event: r.event, verdict: r.verdict, rules: r.rules })),
    want,
  );
  assert.ok(log.records.every((r) => r.audit === undefined && r.rules.length > 0));
  // what is written reads back as the same records
  assert.deepEqual(parseAuditLog(log.text(), 'audit.jsonl'), JSON.parse(JSON.stringify(log.records)));
});

test("the audit profiles decide what is logged, at the runtime level asked, as the KSM's kss lists say", () => {
  const text = `${HEAD}
audit profile loud = { 0 : { base : { kss : ["denied"] } }, 1 : { base : { kss : ["granted", "denied"] } } }
audit profile quiet = { 0 : { base : { kss : [] } }, 1 : { base : { kss : [] } } }
audit default = loud 0
request method = Turn { grant () }
request method = Hold { audit quiet  deny () }
`;
  const b = both(text);
  const turn = ev('request', { from: 'demo.Door', endpoint: 'front.bolt', method: 'Turn' });
  const hold = ev('request', { from: 'demo.Door', endpoint: 'front.bolt', method: 'Hold' });
  const none = ev('request', { from: 'demo.Door', endpoint: 'front.bolt', method: 'Release' });
  const logAt = (level?: number) => {
    const log = new AuditLog(TABLES, b.compiled, level);
    [turn, hold, none].forEach((e, i) => log.decision(i + 1, e, b.compiled.decide(b.compiled.initial, e)));
    return log;
  };
  // level 0 (audit default's): loud logs denials only; quiet's deny is not logged; the default deny always is
  const at0 = logAt();
  assert.equal(at0.decided, 3);
  assert.deepEqual(
    at0.records.map((r) => [r.step, r.verdict, r.rules[0]!.id, r.audit]),
    [[3, 'deny', 'default-deny', { profile: 'loud', level: 0 }]],
  );
  // level 1: loud logs the grant too; quiet still logs nothing
  const at1 = logAt(1);
  assert.deepEqual(
    at1.records.map((r) => [r.step, r.verdict, r.audit]),
    [
      [1, 'grant', { profile: 'loud', level: 1 }],
      [3, 'deny', { profile: 'loud', level: 1 }],
    ],
  );
  // each record is exactly a decision its mark says is logged
  const a = policyAudit(b.compiled)!;
  for (const level of [0, 1])
    assert.deepEqual(
      logAt(level).records.map((r) => r.step),
      [turn, hold, none]
        .map((e, i) => ({ i, m: auditMark(a, b.compiled.decide(b.compiled.initial, e), level) }))
        .filter((x) => x.m.logged)
        .map((x) => x.i + 1),
    );
});

test('cordon test writes the audit log of its PAL run; a profile that logs only denials leaves grants out', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cordon-audit-log-'));
  try {
    const lines: string[] = [];
    const r = testCommand(
      {
        solution: join(root, 'test', 'fixtures', 'kos', 'secure-logger-psl'),
        junit: join(dir, 'junit.xml'),
        auditLog: join(dir, 'audit.jsonl'),
      },
      (l) => lines.push(l),
    );
    assert.equal(r.code, 0, lines.join('\n'));
    const decided = r.result.tests.flatMap((t) => t.cases).filter((c) => c.verdict !== null);
    assert.equal(r.auditLog!.decided, decided.length);
    const records = readAuditLog(join(dir, 'audit.jsonl'));
    assert.deepEqual(records, JSON.parse(JSON.stringify(r.auditLog!.records)));
    // `audit default = writes 0`: only denials at level 0 (grants are logged at level 1 only)
    assert.ok(records.length > 0 && records.length < decided.length, `${records.length} of ${decided.length}`);
    assert.ok(records.every((x) => x.verdict === 'deny' && x.audit?.level === 0));
    // the records are denials of the run, each its event as the PAL run described it (plus the message) and its rule
    const denials = decided.filter((c) => c.verdict === 'deny');
    assert.ok(records.length <= denials.length);
    for (const x of records)
      assert.ok(denials.some((c) => x.event.startsWith(c.event!) && c.rules[0]?.id === x.rules[0]?.id));
    // at level 1 every decision is logged (base lists granted and denied there)
    const all = testCommand(
      {
        solution: join(root, 'test', 'fixtures', 'kos', 'secure-logger-psl'),
        junit: join(dir, 'junit.xml'),
        auditLog: join(dir, 'audit1.jsonl'),
        auditLevel: 1,
      },
      () => {},
    );
    const at1 = readAuditLog(join(dir, 'audit1.jsonl'));
    assert.ok(at1.length > records.length);
    assert.equal(at1.filter((x) => x.verdict === 'grant').length, decided.filter((c) => c.verdict === 'grant').length);
    assert.equal(all.auditLog!.decided, decided.length);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const REC = (over: Partial<AuditRecord>): AuditRecord => ({
  step: 1,
  event: 'request src=ping.Client(sid 2) dst=ping.Server(sid 3) endpoint=pinger method=Ping message={"value":1}',
  verdict: 'grant',
  rules: [{ id: 'security.psl:36:27', loc: { file: 'security.psl', line: 36, col: 27 } }],
  ...over,
});

test('the codec refuses what is not a record, naming the file and line; filters by verdict, class and method', () => {
  assert.throws(
    () => parseAuditLog('{"step":1}\n', 'a.jsonl'),
    (e: unknown) => {
      assert.ok(e instanceof AuditLogError);
      assert.match(e.message, /^a\.jsonl:1: not an audit record/);
      return true;
    },
  );
  assert.throws(() => parseAuditLog(`${JSON.stringify(REC({}))}\nnope\n`, 'a.jsonl'), /a\.jsonl:2: not JSON/);
  assert.throws(
    () => parseAuditLog(JSON.stringify({ ...REC({}), verdict: 'maybe' }), 'a.jsonl'),
    /a\.jsonl:1: not an audit record/,
  );
  assert.deepEqual(eventHead(REC({}).event), {
    kind: 'request',
    src: 'ping.Client',
    dst: 'ping.Server',
    endpoint: 'pinger',
    method: 'Ping',
  });
  assert.deepEqual(eventHead('execute src=Einit(sid 1) dst=ping.Client(sid 2)'), {
    kind: 'execute',
    src: 'Einit',
    dst: 'ping.Client',
    endpoint: null,
    method: null,
  });
  const rs = [
    REC({ step: 1 }),
    REC({ step: 2, verdict: 'deny', rules: [{ id: 'default-deny' }], reason: 'no rule applies to this event' }),
    REC({ step: 3, event: 'execute src=Einit(sid 1) dst=ping.Client(sid 2)' }),
    REC({
      step: 4,
      event: 'response src=ping.Server(sid 3) dst=ping.Client(sid 2) endpoint=pinger method=Pong message={}',
    }),
  ];
  const steps = (f: Parameters<typeof filterLog>[1]) => filterLog(rs, f).map((r) => r.step);
  assert.deepEqual(steps({}), [1, 2, 3, 4]);
  assert.deepEqual(steps({ verdict: 'deny' }), [2]);
  assert.deepEqual(steps({ verdict: 'grant' }), [1, 3, 4]);
  assert.deepEqual(steps({ class: 'Einit' }), [3]);
  assert.deepEqual(steps({ class: 'ping.Server' }), [1, 2, 4]);
  assert.deepEqual(steps({ method: 'Pong' }), [4]);
  assert.deepEqual(steps({ class: 'ping.Client', method: 'Ping', verdict: 'grant' }), [1]);
});

test('cordon log: text, --json, filters, and exit 2 on a file that is no audit log', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cordon-audit-log-'));
  let out = '';
  let err = '';
  const main = async (argv: string[]) => {
    const r = runCli(argv.slice(2));
    out += r.stdout;
    err += r.stderr;
    return r.code;
  };
  try {
    const file = join(dir, 'audit.jsonl');
    const rs = [
      REC({
        step: 1,
        rules: [
          {
            id: 'a.psl:1:1',
            loc: { file: 'a.psl', line: 1, col: 1 },
            binding: { head: 'request', loc: { file: 'a.psl', line: 1, col: 1 } },
          },
          { id: 'b.psl:2:3', loc: { file: 'b.psl', line: 2, col: 3 } },
        ],
      }),
      REC({ step: 2, verdict: 'deny', rules: [{ id: 'default-deny' }], reason: 'no rule applies to this event' }),
    ];
    writeFileSync(file, rs.map((r) => `${JSON.stringify(r)}\n`).join(''));
    assert.equal(await main(['node', 'cordon', 'log', file]), 0);
    const lines = out.trim().split('\n');
    assert.equal(lines.length, 3);
    // a record names each rule that decided, with its binding
    assert.match(lines[0]!, /GRANT .* by a\.psl:1:1 \(binding request at a\.psl:1:1\); b\.psl:2:3$/);
    assert.match(lines[1]!, /DENY .* by default-deny: no rule applies to this event$/);
    assert.equal(lines[2], '2 of 2 records');
    out = '';
    assert.equal(await main(['node', 'cordon', 'log', file, '--verdict', 'deny', '--json']), 0);
    assert.deepEqual((JSON.parse(out) as { records: unknown[] }).records, [rs[1]]);
    out = '';
    assert.equal(await main(['node', 'cordon', 'log', file, '--method', 'Pong']), 0);
    assert.equal(out, '0 of 2 records\n');
    writeFileSync(file, '{"step":"one"}\n');
    assert.equal(await main(['node', 'cordon', 'log', file]), 2);
    assert.match(err, /audit\.jsonl:1: not an audit record/);
    assert.equal(await main(['node', 'cordon', 'log', join(dir, 'missing.jsonl')]), 2);
    assert.equal(await main(['node', 'cordon', 'log', file, '--verdict', 'maybe']), 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
