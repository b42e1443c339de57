// `cordon audit diff` on the examples and on edited copies of them: a Flow
// transition added, a Mic level changed, a rule's limit raised, a process or a
// method added, a rule removed; the witnesses replay through `audit explain
// --after` to the two decisions diff reports; the bounds never give
// "equivalent"; the exit codes follow --fail-on; SARIF is valid 2.1.0 and
// located at the bindings; the text output is as committed
// (test/fixtures/audit/).

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { loadSolution, type Loaded } from '../src/solution/load.ts';
import { diff, diffExit, diffSarif, diffText, type DiffResult, type Difference } from '../src/audit/diff.ts';
import { audited, explain, situation } from '../src/audit/explain.ts';
import { runCli } from './helpers/run-cli.ts';
import { sarifErrors } from './helpers/schemas.ts';

const root = join(import.meta.dirname, '..');
const fixtures = join(root, 'test', 'fixtures', 'audit');
const EXAMPLES = ['ping', 'echo', 'diode', 'gateway', 'ping-rules', 'diode-rules'] as const;
const work = mkdtempSync(join(tmpdir(), 'cordon-diff-'));
after(() => rmSync(work, { recursive: true, force: true }));

const example = (name: string): Loaded => loadSolution(join(root, 'examples', name));

/** A copy of an example with one file edited (the edit must change it). */
function edited(name: string, file: string, edit: (text: string) => string, as = name): Loaded {
  const dir = join(work, `${as}-${Math.random().toString(36).slice(2, 8)}`);
  cpSync(join(root, 'examples', name), dir, { recursive: true });
  const path = join(dir, file);
  const before = readFileSync(path, 'utf8');
  const text = edit(before);
  assert.notEqual(text, before, `the edit of ${name}/${file} changed nothing`);
  writeFileSync(path, text);
  return loadSolution(dir);
}

const PING_PSL = 'einit/src/security.psl';
/** examples/ping with "idle" added to the "idle" transitions of its Flow object */
const pingIdle = () =>
  edited('ping', PING_PSL, (t) => t.replace('"idle"   : ["pinged"]', '"idle"   : ["pinged", "idle"]'), 'ping-idle');
/** examples/ping with "pinged" added to the "pinged" transitions: a second Ping in a row */
const pingTwice = () =>
  edited('ping', PING_PSL, (t) => t.replace('"pinged" : ["idle"]', '"pinged" : ["idle", "pinged"]'), 'ping-twice');
/** examples/gateway with the broker at HIGH instead of MEDIUM */
const gatewayMic = () =>
  edited(
    'gateway',
    'einit/src/security.psl.in',
    (t) =>
      t.replace(
        'match dst = gw.Broker { integrity.execute {image : (), target : dst_sid, level : "MEDIUM"',
        'match dst = gw.Broker { integrity.execute {image : (), target : dst_sid, level : "HIGH"',
      ),
    'gateway-mic',
  );
/** examples/ping-rules with its pong rule limited to `n` grants */
const pongLimit = (n: number) =>
  edited(
    'ping-rules',
    'solution.yaml',
    (t) => t.replace('method: Pong }', `method: Pong, limit: ${n} }`),
    `ping-rules-limit${n}`,
  );

/** examples/ping-rules with a second client process, spare, connected to the server */
const withSpare = () =>
  edited('ping-rules', 'solution.yaml', (t) =>
    t
      .replace(
        '  - { name: server, class: ping.Server }',
        '  - { name: server, class: ping.Server }\n  - { name: spare, class: ping.Client }',
      )
      .replace(
        '  - { client: client, server: server, id: ping }',
        '  - { client: client, server: server, id: ping }\n  - { client: spare, server: server, id: ping2 }',
      ),
  );

const all = (r: DiffResult): Difference[] => r.groups.flatMap((g) => g.differences);

test('diff of every example against itself: equivalent, complete, exit 0', () => {
  for (const name of EXAMPLES) {
    const r = diff(example(name), example(name));
    assert.equal(r.verdict, 'equivalent', name);
    assert.ok(r.complete, name);
    assert.equal(all(r).length, 0, name);
    assert.equal(diffExit(r), 0, name);
  }
});

test('a Flow transition added ("idle" to the "idle" transitions of ping): more permissive, the witness a Pong sent first', () => {
  const r = diff(example('ping'), pingIdle());
  assert.equal(r.verdict, 'more-permissive');
  assert.ok(r.complete);
  assert.deepEqual(
    r.groups.map((g) => `${g.kind} ${g.src} ${g.dst} ${g.method}`),
    ['request ping.Client ping.Server Pong'],
  );
  for (const d of all(r)) {
    assert.equal(d.direction, 'more');
    assert.match(d.event, /^request src=ping\.Client\(sid 2\) dst=ping\.Server\(sid 3\) endpoint=pinger method=Pong /);
    assert.deepEqual(d.trace, [d.event], 'the Pong is the first event after boot');
    assert.equal(d.old.verdict, 'deny');
    assert.match(d.old.reason ?? '', /transition idle → idle is not permitted/);
    assert.equal(d.new.verdict, 'grant');
    assert.deepEqual(
      d.new.sites.map((s) => `${s.file}:${s.line}`),
      [`${PING_PSL}:35`],
    );
  }
  assert.equal(diffExit(r, 'more-permissive'), 1);
  assert.equal(diffExit(r, 'less-permissive'), 0);
  assert.equal(diffExit(r, 'any'), 1);
  // the other way round
  const back = diff(pingIdle(), example('ping'));
  assert.equal(back.verdict, 'less-permissive');
  assert.equal(diffExit(back, 'more-permissive'), 0);
  assert.equal(diffExit(back, 'less-permissive'), 1);
});

test('a deeper witness replays through `audit explain --after` to the two decisions diff reports', () => {
  const old = example('ping');
  const neu = pingTwice();
  const r = diff(old, neu);
  assert.equal(r.verdict, 'more-permissive');
  const pings = all(r);
  assert.ok(pings.length > 0);
  for (const d of pings) {
    assert.match(d.event, /method=Ping /);
    assert.equal(d.trace.length, 2, 'one Ping both grant, then the second');
    assert.match(d.trace[0]!, /method=Ping /);
    const file = join(work, 'witness.txt');
    writeFileSync(file, `${d.trace.slice(0, -1).join('\n')}\n`);
    for (const [v, want] of [
      [old, 'deny'],
      [neu, 'grant'],
    ] as const) {
      const a = audited(v);
      const x = explain(a, situation(a, file), d.event);
      assert.equal(x.verdict, want, `${want} in the ${v === old ? 'old' : 'new'} version after the witness`);
      assert.deepEqual(
        x.after.map((s) => s.verdict),
        ['grant'],
      );
    }
  }
});

test('a Mic level changed (the gateway broker MEDIUM -> HIGH): more permissive, writes to the controller and reads of the broker', () => {
  const r = diff(example('gateway'), gatewayMic());
  assert.equal(r.verdict, 'more-permissive');
  assert.deepEqual(
    r.groups.map((g) => `${g.kind} ${g.src} -> ${g.dst} ${g.method}`),
    [
      'request gw.Broker -> gw.Plc WriteSetpoint',
      'request gw.Hmi -> gw.Broker Read',
      'request gw.Plc -> gw.Broker Read',
    ],
  );
  // the set-point range still holds: the payload classes from the policy's constants reach both sides of it
  const writes = r.groups[0]!.differences.map(
    (d) => JSON.parse(d.event.replace(/^.* message=/, '')) as { address: number },
  );
  const addresses = new Set(writes.map((w) => w.address));
  assert.deepEqual([...addresses].sort(), [256, 257, 510, 511]);
  for (const d of r.groups[0]!.differences) assert.match(d.old.reason ?? '', /source MEDIUM, target HIGH/);
});

test('a counter bound raised (a rule limit 1 -> 2): more permissive, the witness a Pong granted by both, then the second', () => {
  const r = diff(pongLimit(1), pongLimit(2));
  assert.equal(r.verdict, 'more-permissive');
  const ds = all(r);
  assert.ok(ds.length > 0);
  for (const d of ds) {
    assert.match(d.event, /method=Pong /);
    assert.equal(d.trace.length, 2);
    assert.match(d.trace[0]!, /method=Pong /);
    assert.match(d.old.reason ?? '', /limit/);
  }
  assert.match(diffText(r), /old: pong used 1 of 1 \| new: pong used 1 of 2/);
});

test("processes started in another order (other SIDs) are aligned by name: equivalent; a difference then has both versions' words", () => {
  const swap = (t: string) =>
    t.replace(
      '  - { name: client, class: ping.Client }\n  - { name: server, class: ping.Server }',
      '  - { name: server, class: ping.Server }\n  - { name: client, class: ping.Client }',
    );
  const swapped = edited('ping-rules', 'solution.yaml', swap);
  const same = diff(example('ping-rules'), swapped);
  assert.equal(same.verdict, 'equivalent');
  assert.ok(same.complete);
  const r = diff(
    pongLimit(1),
    edited('ping-rules', 'solution.yaml', (t) => swap(t).replace('method: Pong }', 'method: Pong, limit: 2 }')),
  );
  assert.equal(r.verdict, 'more-permissive');
  for (const d of all(r)) {
    assert.match(d.event, /src=ping\.Client\(sid 3\) dst=ping\.Server\(sid 2\)/, "in the new version's SIDs");
    assert.ok(d.traceOld !== undefined);
    for (const t of d.traceOld) assert.match(t, /src=ping\.Client\(sid 2\) dst=ping\.Server\(sid 3\)/);
  }
});

test('a process only in the new version: said what could not be compared, its grants counted as more permissive', () => {
  const neu = withSpare();
  const r = diff(example('ping-rules'), neu);
  assert.equal(r.verdict, 'more-permissive');
  assert.ok(r.notCompared.some((n) => /process spare \(class ping.Client\) is only in the new version/.test(n)));
  assert.ok(r.boot.some((b) => b.process === 'spare' && b.direction === 'more'));
  const spare = all(r).filter((d) => d.notCompared !== undefined);
  assert.ok(spare.length > 0);
  for (const d of spare)
    assert.match(d.notCompared!, /process spare runs only in the new version|process spare is not in the old/);
  // nothing else differs: every difference involves the spare process
  for (const d of all(r)) assert.match(d.event, /sid 4/);
});

test('a process refused at boot by the new version: a boot difference, located at its execute binding; its events not compared', () => {
  const neu = edited('ping', PING_PSL, (t) =>
    t.replace('match dst = ping.Server  { grant () }', 'match dst = ping.Server  { deny (true) }'),
  );
  const r = diff(example('ping'), neu);
  assert.equal(r.verdict, 'less-permissive');
  assert.deepEqual(
    r.boot.map((b) => `${b.process} ${b.direction}`),
    ['ping.Server less'],
  );
  assert.match(r.boot[0]!.new, /^refused by security\.psl:31:36: deny: the deny condition is true/);
  const notCompared = all(r).filter((d) => d.notCompared !== undefined);
  assert.ok(notCompared.length > 0);
  for (const d of notCompared) assert.match(d.notCompared!, /process ping\.Server runs only in the old version/);
  const log = diffSarif(r);
  assert.deepEqual(sarifErrors(log), []);
  const boot = log.runs[0]!.results!.find((x) => /^at boot, process ping\.Server/.test(x.message.text ?? ''));
  assert.ok(boot !== undefined, 'a result for the boot difference');
  assert.equal(boot.locations![0]!.physicalLocation!.region!.startLine, 24);
});

test('a method only the new version declares (and grants): more permissive, the old version denies it as undeclared', () => {
  const neu = edited('ping-rules', 'solution.yaml', (t) =>
    t
      .replace(
        '      - name: Pong\n',
        '      - name: Reset\n        in: { value: UInt32 }\n        out: { value: UInt32 }\n      - name: Pong\n',
      )
      .replace(
        '  - { id: answer,',
        '  - { id: reset, kind: request, src: ping.Client, dst: ping.Server, endpoint: pinger, method: Reset }\n  - { id: answer,',
      ),
  );
  const r = diff(example('ping-rules'), neu);
  assert.equal(r.verdict, 'more-permissive');
  // the request by the new rule, and its response by the rule that answers every method of the endpoint
  assert.deepEqual(
    r.groups.map((g) => `${g.kind} ${g.src} ${g.method}`),
    ['request ping.Client Reset', 'response ping.Server Reset'],
  );
  for (const d of all(r)) {
    assert.equal(d.old.rule, 'structure');
    assert.match(d.old.reason ?? '', /declares no method Reset in the old version/);
    assert.equal(d.notCompared, undefined);
  }
  assert.deepEqual(
    r.groups.map((g) => [...new Set(g.differences.map((d) => d.new.rule))].join()),
    ['reset', 'answer'],
  );
});

test('bounds: a product larger than --max-states is never called equivalent, and says what it covered', () => {
  const r = diff(example('ping'), example('ping'), { states: 1 });
  assert.equal(r.verdict, 'undecided');
  assert.equal(r.complete, false);
  assert.equal(r.bound?.which, 'states');
  assert.match(r.bound!.covered, /1 product state was asked all 41 events; every trace of up to 0 events/);
  assert.equal(diffExit(r), 2);
  assert.doesNotMatch(diffText(r), /EQUIVALENT/);
  // differences found before the bound are still differences
  const d = diff(example('ping'), pingIdle(), { decisions: 41 });
  assert.equal(d.complete, false);
  assert.equal(d.bound?.which, 'decisions');
  assert.equal(d.verdict, 'more-permissive');
  assert.equal(diffExit(d, 'more-permissive'), 1);
  assert.equal(diffExit(d, 'less-permissive'), 2);
  assert.match(diffText(d), /in the part explored/);
});

test('SARIF: valid 2.1.0, one result per event and direction, at the binding that decides in the new version (or the old one)', () => {
  const more = diffSarif(diff(example('ping'), pingIdle()));
  assert.deepEqual(sarifErrors(more), []);
  const results = more.runs[0]!.results!;
  assert.equal(results.length, 3);
  for (const res of results) {
    assert.equal(res.ruleId, 'cordon.diff.more-permissive');
    assert.equal(res.level, 'warning');
    const loc = res.locations![0]!.physicalLocation!;
    assert.equal(loc.artifactLocation!.uri, PING_PSL);
    assert.equal(loc.artifactLocation!.uriBaseId, 'SOLUTION');
    assert.equal(loc.region!.startLine, 35);
  }
  // the new version denies by default (the rule is gone): located at the old version's rule
  const removed = edited('ping-rules', 'solution.yaml', (t) =>
    t.replace(
      '  - { id: pong, kind: request, src: ping.Client, dst: ping.Server, endpoint: pinger, method: Pong }\n',
      '',
    ),
  );
  const less = diffSarif(diff(example('ping-rules'), removed));
  assert.deepEqual(sarifErrors(less), []);
  const rs = less.runs[0]!.results!;
  assert.ok(rs.length > 0);
  const manifest = readFileSync(join(root, 'examples', 'ping-rules', 'solution.yaml'), 'utf8').split('\n');
  for (const res of rs) {
    assert.equal(res.ruleId, 'cordon.diff.less-permissive');
    const loc = res.locations![0]!.physicalLocation!;
    assert.equal(loc.artifactLocation!.uri, 'solution.yaml');
    assert.match(manifest[loc.region!.startLine! - 1]!, /id: pong,/);
    assert.equal((res.properties as { version: string }).version, 'old');
  }
});

test('cli: exit codes by --fail-on, --json, --sarif, an unknown solution', async () => {
  let out = '';
  let err = '';
  try {
    const ping = join(root, 'examples', 'ping');
    const idle = pingIdle().dir;
    const run = async (...args: string[]) => {
      const r = runCli(['audit', 'diff', ...args]);
      out += r.stdout;
      err += r.stderr;
      return r.code;
    };
    assert.equal(await run(ping, ping), 0);
    assert.match(out, /EQUIVALENT/);
    assert.equal(await run(ping, idle), 1);
    assert.equal(await run(ping, idle, '--fail-on', 'more-permissive'), 1);
    assert.equal(await run(ping, idle, '--fail-on', 'less-permissive'), 0);
    assert.equal(await run(idle, ping, '--fail-on', 'more-permissive'), 0);
    assert.equal(await run(idle, ping, '--fail-on', 'less-permissive'), 1);
    out = '';
    const sarif = join(work, 'diff.sarif');
    assert.equal(await run(ping, idle, '--json', '--sarif', sarif), 1);
    const j = JSON.parse(out) as DiffResult;
    assert.equal(j.verdict, 'more-permissive');
    assert.deepEqual(sarifErrors(JSON.parse(readFileSync(sarif, 'utf8'))), []);
    // the witnesses replay through `audit explain --after` to the two decisions
    const twice = pingTwice().dir;
    const witnesses = join(work, 'witnesses');
    out = '';
    assert.equal(await run(ping, twice, '--json', '--witnesses', witnesses), 1);
    const first = (JSON.parse(out) as DiffResult).groups[0]!.differences[0]!;
    const file = join(witnesses, '001-more.events');
    assert.match(readFileSync(file, 'utf8'), /^# cordon audit diff ping -> ping: granted by the new version only\n/);
    for (const [dir, want] of [
      [ping, 'deny'],
      [twice, 'grant'],
    ] as const) {
      out = '';
      assert.equal(
        await (async () => {
          const r = runCli(['audit', 'explain', dir, '--after', file, '--event', first.event, '--json']);
          out += r.stdout;
          return r.code;
        })(),
        0,
      );
      assert.equal((JSON.parse(out) as { verdict: string }).verdict, want);
    }
    assert.equal(await run(ping, ping, '--max-states', '1'), 2);
    assert.match(err, /undecided: the exploration stopped at its bound \(states\)/);
    assert.equal(await run(ping, join(work, 'nothing-here')), 2);
    assert.match(err, /no solution at/);
  } finally {
  }
});

/** The golden outputs: diff as text, compared exactly. */
test('golden: diff prints what test/fixtures/audit/ holds', () => {
  const golden: readonly { file: string; run: () => string }[] = [
    { file: 'ping.diff-self.txt', run: () => diffText(diff(example('ping'), example('ping'))) },
    { file: 'ping.diff-idle.txt', run: () => diffText(diff(example('ping'), pingIdle())) },
    { file: 'ping.diff-twice.txt', run: () => diffText(diff(example('ping'), pingTwice())) },
    { file: 'gateway.diff-mic.txt', run: () => diffText(diff(example('gateway'), gatewayMic())) },
    { file: 'ping-rules.diff-limit.txt', run: () => diffText(diff(pongLimit(1), pongLimit(2))) },
    { file: 'ping-rules.diff-spare.txt', run: () => diffText(diff(example('ping-rules'), withSpare())) },
    { file: 'diode-rules.diff-self.txt', run: () => diffText(diff(example('diode-rules'), example('diode-rules'))) },
  ];
  for (const g of golden) {
    const got = `${g.run()}\n`;
    if (process.env.CORDON_UPDATE_GOLDEN === '1') writeFileSync(join(fixtures, g.file), got);
    assert.equal(got, readFileSync(join(fixtures, g.file), 'utf8'), g.file);
  }
});
