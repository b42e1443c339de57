// Requirements default-deny and typed-interfaces at the decision point
// (src/monitor/monitor.ts): a message is checked against the method it names
// before any rule sees it, and a policy that throws, or answers anything but a
// well-formed verdict, is read as deny with the state unchanged. These kill
// Stryker's survivors and uncovered mutants of monitor.ts.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as t from 'io-ts';
import { compileSolution, type SolutionTables } from '../src/kernel/tables.ts';
import { securityEvent } from '../src/kernel/ipc.ts';
import { createMonitor } from '../src/monitor/monitor.ts';
import { compileRules } from '../src/monitor/rules.ts';
import {
  checkedDecision,
  isCheckedDecision,
  restate,
  rulesKey,
  type CompiledPolicy,
  type Decision,
  type MonitorState,
  type SecurityEvent,
} from '../src/monitor/types.ts';

const hostile = new t.Type<unknown>(
  'Hostile',
  (u): u is unknown => {
    if (u === 'boom') throw new Error('unreadable');
    return typeof u === 'number';
  },
  (u, c) => (typeof u === 'number' ? t.success(u) : t.failure(u, c)),
  t.identity,
);
const FIVE = t.type({ a: t.number, b: t.number, c: t.number, d: t.number, e: t.number });

function tables(): SolutionTables {
  const r = compileSolution({
    name: 'm',
    interfaces: [
      {
        name: 'x.X',
        methods: [
          { name: 'Five', request: FIVE, response: FIVE, error: FIVE },
          { name: 'Odd', request: hostile, response: hostile, error: hostile },
        ],
      },
    ],
    classes: [
      { name: 'Client', endpoints: [] },
      { name: 'Server', endpoints: [{ name: 'x', interface: 'x.X' }] },
    ],
    processes: [
      { name: 'client', taskClass: 'Client' },
      { name: 'server', taskClass: 'Server' },
    ],
    connections: [{ client: 'client', server: 'server', id: 'x' }],
  });
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.value;
}
const T = tables();
const request = (mid: number, payload: unknown): SecurityEvent =>
  securityEvent(T, { kind: 'request', src: 2, srcClass: 2, dst: 3, dstClass: 3, riid: 0, mid, payload, rights: [] });
const STATE: MonitorState = Object.freeze([7]);
const grantAll: CompiledPolicy = {
  name: 'all',
  initial: STATE,
  decide: (s) => ({ verdict: 'grant', rules: [{ id: 'all' }], next: s }),
};
const policy = (name: string, decide: (s: MonitorState, e: SecurityEvent) => unknown): CompiledPolicy => ({
  name,
  initial: STATE,
  decide: decide as (s: MonitorState, e: SecurityEvent) => Decision,
});

test('default-deny: a policy that throws, or answers no well-formed verdict, is read as deny with the state unchanged', () => {
  const ok = request(1, 3);
  const cases: [CompiledPolicy, RegExp][] = [
    [
      policy('err', () => {
        throw new Error('bad rule');
      }),
      /^policy "err" failed: bad rule$/,
    ],
    [
      policy('text', () => {
        throw 'a text';
      }),
      /^policy "text" failed: a text$/,
    ],
    [
      policy('num', () => {
        throw 42;
      }),
      /^policy "num" failed: it threw a non-error value$/,
    ],
    // a decision whose fields cannot be read (a getter throws, at the first read or the second)
    [
      policy('getter', () => ({
        get verdict(): string {
          throw new Error('no verdict today');
        },
      })),
      /^policy "getter" failed: no verdict today$/,
    ],
    [
      policy('second-read', () => {
        let reads = 0;
        return {
          get verdict(): string {
            if (reads++ > 0) throw new Error('read twice');
            return 'maybe';
          },
        };
      }),
      /^policy "second-read" failed: read twice$/,
    ],
    [policy('null', () => null), /^policy "null" returned no verdict$/],
    [policy('undefined', () => undefined), /^policy "undefined" returned no verdict$/],
    [policy('str', () => 'grant'), /^policy "str" returned no verdict$/],
    [
      policy('maybe', (s) => ({ verdict: 'maybe', rules: [{ id: 'r' }], next: s })),
      /^policy "maybe" returned no verdict$/,
    ],
    // a verdict needs at least one rule that gave it
    [
      policy('empty', (s) => ({ verdict: 'grant', rules: [], next: s })),
      /^policy "empty" named no rule for its grant$/,
    ],
    [policy('norules', (s) => ({ verdict: 'grant', next: s })), /^policy "norules" named no rule for its grant$/],
    [
      policy('text-rules', (s) => ({ verdict: 'deny', rules: 'r', reason: 'x', next: s })),
      /^policy "text-rules" named no rule for its deny$/,
    ],
    [
      policy('array-like', (s) => ({ verdict: 'grant', rules: { length: 1, 0: { id: 'r' } }, next: s })),
      /^policy "array-like" named no rule for its grant$/,
    ],
  ];
  for (const [p, reason] of cases) {
    const d = createMonitor(T, p).decide(STATE, ok);
    assert.equal(d.verdict, 'deny', `${p.name}: ${JSON.stringify(d)}`);
    assert.equal(rulesKey(d), 'policy-error');
    assert.match((d as { reason: string }).reason, reason);
    assert.equal(d.next, STATE, `${p.name}: a failed policy changed the monitor state`);
  }
  // and a well-formed answer, grant or deny, is passed through as it is
  assert.deepEqual(createMonitor(T, grantAll).decide(STATE, ok), {
    verdict: 'grant',
    rules: [{ id: 'all' }],
    next: STATE,
  });
  const no = { verdict: 'deny', rules: [{ id: 'no' }], reason: 'the policy says no', next: STATE };
  assert.equal(
    createMonitor(
      T,
      policy('no', () => no),
    ).decide(STATE, ok),
    no,
  );
});

test('typed-interfaces: a message its codec refuses but decodes is denied as rejected; an unknown method is undeclared', () => {
  const refuses = new t.Type<unknown>(
    'Refuses',
    (u): u is unknown => false,
    (u) => t.success(u),
    t.identity,
  );
  const r = compileSolution({
    name: 'r',
    interfaces: [{ name: 'y.Y', methods: [{ name: 'No', request: refuses, response: t.unknown, error: t.unknown }] }],
    classes: [
      { name: 'Client', endpoints: [] },
      { name: 'Server', endpoints: [{ name: 'y', interface: 'y.Y' }] },
    ],
    processes: [
      { name: 'client', taskClass: 'Client' },
      { name: 'server', taskClass: 'Server' },
    ],
    connections: [{ client: 'client', server: 'server', id: 'y' }],
  });
  if (!r.ok) throw new Error(r.errors.join('\n'));
  const R = r.value;
  const m = createMonitor(R, grantAll);
  const ev = securityEvent(R, {
    kind: 'request',
    src: 2,
    srcClass: 2,
    dst: 3,
    dstClass: 3,
    riid: 0,
    mid: 0,
    payload: 1,
    rights: [],
  });
  assert.deepEqual(m.decide(STATE, ev), {
    verdict: 'deny',
    rules: [{ id: 'structure' }],
    reason: 'message does not match y.Y.No (request): rejected',
    next: STATE,
  });
  for (const [iface, mid] of [
    [-1, 0],
    [ev.iface, -1],
    [ev.iface, 1],
    [R.interfaces.length, 0],
  ] as const)
    assert.deepEqual(
      m.decide(STATE, { ...ev, iface, mid, riid: 4 }),
      {
        verdict: 'deny',
        rules: [{ id: 'structure' }],
        reason: `RIID 4 / MID ${mid} name no method declared by the destination's class`,
        next: STATE,
      },
      `iface ${iface} mid ${mid}`,
    );
  // an execute event names no method: no message check, the policy decides
  assert.equal(m.decide(STATE, { ...ev, kind: 'execute', iface: -1, mid: -1 }).verdict, 'grant');
});

test('typed-interfaces: a message is checked against its method before any rule; one that cannot be read is denied', () => {
  const m = createMonitor(T, grantAll);
  const unreadable = m.decide(STATE, request(1, 'boom'));
  assert.deepEqual(unreadable, {
    verdict: 'deny',
    rules: [{ id: 'structure' }],
    reason: 'message does not match x.X.Odd (request): it cannot be read',
    next: STATE,
  });
  // at most three reasons are named, whatever the number of errors
  const d = m.decide(STATE, request(0, {}));
  assert.equal(d.verdict, 'deny');
  assert.equal(rulesKey(d), 'structure');
  const reasons = (d as { reason: string }).reason.replace(/^message does not match x\.X\.Five \(request\): /, '');
  assert.equal(reasons.split('; ').length, 3, reasons);
  assert.equal(d.next, STATE);
  // the codec of the kind: a response is checked against the response codec
  const resp = securityEvent(T, {
    kind: 'response',
    src: 3,
    srcClass: 3,
    dst: 2,
    dstClass: 2,
    riid: 0,
    mid: 1,
    payload: 'not a number',
    rights: [],
  });
  assert.equal(m.decide(STATE, resp).verdict, 'deny');
  assert.equal(m.decide(STATE, { ...resp, message: 5 }).verdict, 'grant');
});

test('default-deny: a prepared decision with another monitor state keeps its verdict, rules and reason, as the spread it replaced', () => {
  const rules = Object.freeze([{ id: 'r1' }]);
  const grant: Decision = Object.freeze({ verdict: 'grant', rules, next: 0 });
  const deny: Decision = Object.freeze({ verdict: 'deny', rules, reason: 'no', next: 0 });
  for (const d of [grant, deny]) {
    const next = Object.freeze([1, 2]);
    const r = restate(d, next);
    assert.deepStrictEqual(r, { ...d, next }, `${d.verdict}: the spread's value`);
    assert.deepEqual(Object.keys(r), Object.keys({ ...d, next }), `${d.verdict}: the spread's keys in its order`);
    assert.equal(r.rules, d.rules, 'the rule list is shared');
    assert.equal(d.next, 0, 'the prepared decision is unchanged');
  }
  assert.ok(!('reason' in restate(grant, 1)), 'a grant gets no reason key');
});

test('default-deny: a decision checked where it is made is passed on by identity; a malformed one stays checked on every answer', () => {
  const ok = request(1, 3);
  const through = (d: unknown) =>
    createMonitor(
      T,
      policy('p', () => d),
    ).decide(STATE, ok);
  const rules = [{ id: 'r' }];
  const grant = checkedDecision({ verdict: 'grant', rules, next: STATE });
  assert.equal(isCheckedDecision(grant), true);
  assert.ok(Object.isFrozen(grant) && Object.isFrozen(grant.rules));
  // the mark is no key and no prototype: the decision compares and serialises as the literal it was made from
  assert.deepStrictEqual(grant, { verdict: 'grant', rules: [{ id: 'r' }], next: STATE });
  assert.equal(JSON.stringify(grant), JSON.stringify({ verdict: 'grant', rules: [{ id: 'r' }], next: STATE }));
  assert.equal(through(grant), grant);
  // an unfrozen rule list is copied: changing it afterwards changes nothing the mark vouches for
  rules.length = 0;
  assert.equal(grant.rules.length, 1);
  assert.throws(() => ((grant as { verdict: string }).verdict = 'maybe'), TypeError);
  const deny = checkedDecision({ verdict: 'deny', rules: [{ id: 'no' }], reason: 'says no', next: STATE });
  assert.equal(isCheckedDecision(deny), true);
  assert.deepStrictEqual(through(deny), { verdict: 'deny', rules: [{ id: 'no' }], reason: 'says no', next: STATE });

  // malformed: no mark, so the monitor checks it as any other answer and denies it
  const malformed: [unknown, RegExp][] = [
    [{ verdict: 'maybe', rules: [{ id: 'r' }], next: STATE }, /returned no verdict$/],
    [{ verdict: 'grant', rules: [], next: STATE }, /named no rule for its grant$/],
    [{ verdict: 'grant', next: STATE }, /named no rule for its grant$/],
    [{ verdict: 'deny', rules: 'r', reason: 'x', next: STATE }, /named no rule for its deny$/],
    [{ verdict: 'grant', rules: { length: 1, 0: { id: 'r' } }, next: STATE }, /named no rule for its grant$/],
  ];
  for (const [d, reason] of malformed) {
    const c = checkedDecision(d as Decision);
    assert.equal(isCheckedDecision(c), false, JSON.stringify(d));
    const out = through(c);
    assert.equal(rulesKey(out), 'policy-error', JSON.stringify(d));
    assert.match(out.reason!, reason);
  }
  // a Proxy cannot carry the mark (and over a frozen decision cannot answer other values than its own)
  const forged = new Proxy(grant, { get: (o, k) => (k === 'verdict' ? 'maybe' : Reflect.get(o, k)) });
  assert.equal(isCheckedDecision(forged), false);
  assert.match(through(forged).reason!, /^policy "p" failed: 'get' on proxy/);
  assert.equal(isCheckedDecision(new Proxy({ ...grant }, {})), false);
  assert.equal(rulesKey(through(new Proxy({ ...grant, verdict: 'maybe' }, {}))), 'policy-error');
});

test('default-deny: the rule form answers with checked decisions, so the monitor passes its grants and default denies on as they are', () => {
  const ok = request(1, 3);
  const r = compileRules(T, { name: 'one', rules: [{ kind: 'request', src: 'Client', dst: 'Server' }] });
  if (!r.ok) throw new Error(r.errors.join('\n'));
  const m = createMonitor(T, r.value);
  const granted = m.decide(r.value.initial, ok);
  assert.equal(granted.verdict, 'grant');
  assert.equal(isCheckedDecision(granted), true);
  assert.equal(granted, r.value.decide(r.value.initial, ok));
  const back = { ...ok, src: 3, srcClass: 3, dst: 2, dstClass: 2 };
  const denied = m.decide(r.value.initial, back);
  assert.equal(rulesKey(denied), 'default-deny');
  assert.equal(isCheckedDecision(denied), true);
});
