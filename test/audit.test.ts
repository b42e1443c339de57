// `cordon audit explain | query`: the event syntax round-trips; the explained
// verdict is the monitor's on the examples' policies over random events and
// reachable states; query never omits a grant that random kernel runs make;
// the text output on examples is as committed (test/fixtures/audit/).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { loadSolution, type Loaded } from '../src/solution/load.ts';
import { parseEvent, printEvent } from '../src/audit/event.ts';
import { audited, explain, explainEvent, explanationText, situation } from '../src/audit/explain.ts';
import { query, queryText, tabulateSolution, type Tabulated } from '../src/audit/query.ts';
import { solutionModelDef } from '../src/check/solution-model.ts';
import { modelOptions, modelPolicy } from '../src/check/check.ts';
import { alphabetEvents, compileModel } from '../src/conformance/model.ts';
import { running } from '../src/conformance/explorer.ts';
import { canonicalKey } from '../src/conformance/monitor-model.ts';
import { step } from '../src/kernel/step.ts';
import { securityEvent } from '../src/kernel/ipc.ts';
import { rulesKey, type SecurityEvent } from '../src/monitor/types.ts';
import { ParseError } from '../src/syntax/errors.ts';
import { runCli } from './helpers/run-cli.ts';
import { solutionModel } from '../src/check/check.ts';
import { replayFile, writeReplayFile } from '../src/check/counterexample.ts';
import { projector } from '../src/conformance/projection.ts';
import type { KernelEvent } from '../src/kernel/types.ts';

const root = join(import.meta.dirname, '..');
const fixtures = join(root, 'test', 'fixtures', 'audit');
const EXAMPLES = ['ping', 'echo', 'diode', 'gateway', 'ping-rules', 'diode-rules'] as const;
const SEED = 20261206;

const cache = new Map<string, { loaded: Loaded; tab: Tabulated }>();
function example(name: string) {
  let c = cache.get(name);
  if (c === undefined) {
    const loaded = loadSolution(join(root, 'examples', name));
    c = { loaded, tab: tabulateSolution(loaded) };
    cache.set(name, c);
  }
  return c;
}

const json = (v: unknown) => JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x));

/** Random messages: JSON-like values with integers beyond 2^53 (bigints). */
const arbMessage: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    fc.integer(),
    fc.bigInt({ min: 2n ** 53n, max: 2n ** 64n }),
    fc.bigInt({ min: -1000n, max: 1000n }),
    fc.string(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('v'), { maxLength: 3 }),
    fc.dictionary(fc.string({ maxLength: 6 }), tie('v'), { maxKeys: 3, noNullPrototype: true }),
  ),
})).v;

/** Events of an example: those of its alphabet, with a random message, or a random method number. */
function arbEvent(name: string): fc.Arbitrary<SecurityEvent> {
  const { loaded, tab } = example(name);
  const events = tab.table.events;
  return fc
    .tuple(fc.constantFrom(...events), fc.option(arbMessage, { freq: 2 }), fc.option(fc.nat(5), { freq: 4 }))
    .map(([e, m, mid]) =>
      e.kind === 'execute'
        ? e
        : securityEvent(loaded.tables, {
            kind: e.kind,
            src: e.src,
            srcClass: e.srcClass,
            dst: e.dst,
            dstClass: e.dstClass,
            riid: e.riid,
            mid: mid ?? e.mid,
            payload: m === null ? e.message : m,
            rights: e.transfers,
          }),
    );
}

test("events: parse(print(e)) is e, for the examples' events with random messages", () => {
  for (const name of EXAMPLES) {
    const { loaded, tab } = example(name);
    const processes = tab.a.boot.processes;
    fc.assert(
      fc.property(arbEvent(name), (e) => {
        const text = printEvent(loaded.tables, e);
        const back = parseEvent(text, loaded.tables, processes);
        assert.ok(isDeepStrictEqual(back, e), `${text}\nparsed as ${json(back)}\nwas ${json(e)}`);
      }),
      { seed: SEED, numRuns: 150 },
    );
  }
});

test('events: a bad event is refused naming the token and what was expected', () => {
  const { loaded, tab } = example('ping');
  const ps = tab.a.boot.processes;
  const error = (text: string) => {
    try {
      parseEvent(text, loaded.tables, ps, '--event');
    } catch (e) {
      assert.ok(e instanceof ParseError);
      return e.message;
    }
    assert.fail(`${text} was accepted`);
  };
  assert.equal(
    error('reqest src=ping.Client'),
    '--event:1:1: expected an event kind (request, response, error, execute, security) but found "reqest"',
  );
  assert.match(
    error('request src=ping.Client dst=ping.Servr endpoint=pinger method=Ping'),
    /^--event:1:29: unknown task class "ping.Servr" as the destination \(classes: .*ping.Server\)$/,
  );
  assert.match(
    error('request src=ping.Client dst=ping.Server endpoint=pinger method=Pang'),
    /^--event:1:64: interface ping.Pinger declares no method "Pang" \(methods: Ping, Pong;/,
  );
  assert.match(
    error('request src=ping.Client dst=ping.Server endpoint=ponger method=Ping'),
    /^--event:1:50: class ping.Server has no endpoint "ponger" \(endpoints: pinger;/,
  );
  assert.match(
    error('request src=ping.Client dst=ping.Server endpoint=pinger method=Ping message={"value":1'),
    /^--event:1:87: expected .*",".* or "}" but found end of input$/,
  );
  assert.match(
    error('request src=ping.Client(sid 3) dst=ping.Server endpoint=pinger method=Ping'),
    /SID 3 is a process of class ping.Server, not ping.Client/,
  );
});

test("explain: the explained verdict and rule are the monitor's, on every example, over random events and reachable states", () => {
  let n = 0;
  for (const name of EXAMPLES) {
    const { tab } = example(name);
    const states = tab.table.states;
    fc.assert(
      fc.property(fc.nat(states.length - 1), arbEvent(name), (s, e) => {
        const state = states[s];
        const d = tab.a.monitor.decide(state, e);
        const x = explainEvent(tab.a, { state, reached: `state #${s}`, steps: [] }, e);
        explanationText(x);
        n++;
        assert.equal(
          `${x.verdict} ${rulesKey(x)} ${x.reason ?? ''}`,
          `${d.verdict} ${rulesKey(d)} ${d.reason ?? ''}`,
          printEvent(tab.a.tables, e),
        );
      }),
      { seed: SEED, numRuns: 300 },
    );
  }
  assert.equal(n, 300 * EXAMPLES.length);
});

test('query: every grant of random kernel runs through the real monitor is listed, in the state it was made in', () => {
  for (const name of EXAMPLES) {
    const { loaded, tab } = example(name);
    const q = query(loaded, {}, tab);
    const granted = new Map<string, ReadonlySet<number>>();
    for (const g of q.groups) for (const e of g.events) granted.set(e.event, new Set(e.states));
    const stateIds = new Map(tab.table.states.map((s, i) => [canonicalKey(s), i]));
    const m = compileModel(solutionModelDef(loaded.tables, modelPolicy(loaded), modelOptions(loaded)));
    let grants = 0;
    fc.assert(
      fc.property(fc.array(fc.nat(), { minLength: 20, maxLength: 60 }), (picks) => {
        let s = m.boot.state;
        for (const p of picks) {
          const options = alphabetEvents(m.def, running(s));
          const r = step(s, options[p % options.length]!);
          if (r.rejected !== undefined) continue;
          let monitor = s.monitor;
          for (const d of r.decisions) {
            if (d.decision.verdict === 'grant') {
              grants++;
              const text = printEvent(loaded.tables, d.event);
              const at = stateIds.get(canonicalKey(monitor));
              assert.ok(at !== undefined, `${name}: a monitor state query does not list, before ${text}`);
              assert.ok(granted.get(text)?.has(at) === true, `${name}: query omits ${text} in state #${at}`);
              monitor = d.decision.next;
            }
          }
          s = r.state;
        }
      }),
      { seed: SEED, numRuns: 40 },
    );
    assert.ok(grants > 0, `${name}: the runs granted nothing`);
  }
});

/** The golden outputs: explain and query as text, compared exactly. */
const GOLDEN: readonly { file: string; solution: string; run: (l: Loaded, t: Tabulated) => string }[] = [
  {
    file: 'ping.explain-grant.txt',
    solution: 'ping',
    run: (_l, t) =>
      explanationText(
        explain(
          t.a,
          situation(t.a),
          'request src=ping.Client dst=ping.Server endpoint=pinger method=Ping message={"value":1}',
        ),
      ),
  },
  {
    file: 'ping.explain-deny-flow.txt',
    solution: 'ping',
    run: (_l, t) =>
      explanationText(
        explain(
          t.a,
          situation(t.a),
          'request src=ping.Client dst=ping.Server endpoint=pinger method=Pong message={"value":2}',
        ),
      ),
  },
  {
    file: 'ping.explain-malformed.txt',
    solution: 'ping',
    run: (_l, t) =>
      explanationText(
        explain(
          t.a,
          situation(t.a),
          'request src=ping.Client dst=ping.Server endpoint=pinger method=Ping message={"count":1}',
        ),
      ),
  },
  {
    file: 'ping.explain-undeclared.txt',
    solution: 'ping',
    run: (_l, t) =>
      explanationText(
        explain(
          t.a,
          situation(t.a),
          'request src=ping.Client dst=ping.Server endpoint=pinger method=mid 5 message={"value":1}',
        ),
      ),
  },
  { file: 'ping.query.txt', solution: 'ping', run: (l, t) => queryText(query(l, {}, t)) },
  {
    file: 'diode-rules.explain-grant.txt',
    solution: 'diode-rules',
    run: (_l, t) =>
      explanationText(
        explain(t.a, situation(t.a), 'request src=Plc dst=Gateway endpoint=in method=Push message={"value":7}'),
      ),
  },
  {
    file: 'diode-rules.explain-deny.txt',
    solution: 'diode-rules',
    run: (_l, t) =>
      explanationText(
        explain(t.a, situation(t.a), 'request src=Cloud dst=Gateway endpoint=in method=Push message={"value":7}'),
      ),
  },
  { file: 'diode-rules.query.txt', solution: 'diode-rules', run: (l, t) => queryText(query(l, {}, t)) },
];

test('golden: explain and query print what test/fixtures/audit/ holds', () => {
  for (const g of GOLDEN) {
    const { loaded, tab } = example(g.solution);
    const got = `${g.run(loaded, tab)}\n`;
    if (process.env.CORDON_UPDATE_GOLDEN === '1') writeFileSync(join(fixtures, g.file), got);
    assert.equal(got, readFileSync(join(fixtures, g.file), 'utf8'), g.file);
  }
});

test('explain --after a replay file: asked in the state the replayed kernel steps reach', async () => {
  const { loaded, tab } = example('ping');
  const m = solutionModel(loaded);
  const conn = m.boot.connections[0]!;
  const ping = m.def.alphabet.calls.find(
    (c) => c.riid === 0 && c.mid === 0 && (c.payload as { value?: unknown }).value !== undefined,
  )!;
  let s = m.boot.state;
  let last = { decisions: m.boot.decisions, effects: m.boot.effects };
  const events: KernelEvent[] = [];
  while (canonicalKey(s.monitor) === canonicalKey(m.boot.state.monitor) && events.length < 20) {
    const tid = running(s).find((t) => s.threads.get(t)!.sid === conn.client);
    const ev: KernelEvent =
      tid === undefined
        ? { kind: 'schedule', cpu: 0 }
        : { kind: 'syscall', tid, call: { op: 'Call', handle: conn.clientHandle, message: ping } };
    const r = step(s, ev);
    events.push(ev);
    s = r.state;
    last = r;
  }
  const steps = events.map((event, i) => ({
    number: i + 1,
    event,
    action: null,
    description: '',
    decisions: [],
    records: [],
    actor: null,
  }));
  const file = replayFile(
    { kind: 'solution', path: 'examples/ping', model: m.def.name },
    'a ping',
    { model: m.def.name, boot: m.boot.decisions, steps, final: s, loopTo: null },
    projector(m.monitor).state(s, last.decisions, last.effects),
  );
  const dir = mkdtempSync(join(tmpdir(), 'cordon-audit-'));
  try {
    const path = join(dir, 'ping.replay.json');
    await writeReplayFile(path, file);
    const where = situation(tab.a, path);
    const x = explain(
      tab.a,
      where,
      'request src=ping.Client dst=ping.Server endpoint=pinger method=Pong message={"value":2}',
    );
    assert.equal(x.objects.map((o) => `${o.name} = ${o.state}`).join(), 'turns = {2: "pinged"}');
    assert.equal(x.verdict, 'grant');
    assert.match(x.reached, new RegExp(`after the replay file .* \\(${events.length} kernel steps from boot\\)`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('cli: exit codes, --after with a file of events, --json', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cordon-audit-'));
  let out = '';
  let err = '';
  const main = async (argv: string[]) => {
    const r = runCli(argv.slice(2));
    out += r.stdout;
    err += r.stderr;
    return r.code;
  };
  try {
    const ping = join(root, 'examples', 'ping');
    const events = join(dir, 'events.txt');
    writeFileSync(
      events,
      '# one ping\nrequest src=ping.Client dst=ping.Server endpoint=pinger method=Ping message={"value":1}\n',
    );
    const pong = 'request src=ping.Client dst=ping.Server endpoint=pinger method=Pong message={"value":2}';
    assert.equal(
      await main(['node', 'cordon', 'audit', 'explain', ping, '--event', pong, '--after', events, '--json']),
      0,
    );
    const x = JSON.parse(out) as {
      verdict: string;
      after: { verdict: string }[];
      objects: { state: string }[];
    };
    assert.equal(x.verdict, 'grant', 'after a ping, a pong is granted');
    assert.deepEqual(
      x.after.map((s) => s.verdict),
      ['grant'],
    );
    assert.equal(x.objects[0]!.state, '{2: "pinged"}');
    out = '';
    assert.equal(
      await main([
        'node',
        'cordon',
        'audit',
        'explain',
        ping,
        '--event',
        'request src=ping.Client dst=ping.Server endpoint=pinger method=Pung',
      ]),
      2,
    );
    assert.match(err, /cordon audit: --event:1:64: interface ping.Pinger declares no method "Pung"/);
    assert.equal(
      await main(['node', 'cordon', 'audit', 'query', join(root, 'examples', 'ping-rules'), '--src', 'Nobody']),
      2,
    );
    assert.match(err, /--src Nobody: no such task class/);
    assert.equal(
      await main([
        'node',
        'cordon',
        'audit',
        'query',
        join(root, 'examples', 'ping-rules'),
        '--kind',
        'request',
        '--src',
        'ping.Client',
        '--method',
        'Pong',
        '--json',
      ]),
      0,
    );
    const q = JSON.parse(out) as { groups: { granted: string; method: string }[] };
    assert.deepEqual(
      q.groups.map((g) => `${g.method} ${g.granted}`),
      ['Pong always'],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
