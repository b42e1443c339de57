// Default deny (requirement `default-deny`) in the rule form of a policy
// (src/monitor/rules.ts): only an explicit allow rule grants, each rule only
// the events it names (any other class, endpoint or method falls into the
// "other" slot, where only wildcards apply), a limited rule grants at most its
// limit, and a policy naming anything the solution does not declare is
// refused. These kill the Stryker survivors of rules.ts: each dimension of the
// table and each edge of its encoding is probed on both sides.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as t from 'io-ts';
import { compileSolution, type SolutionDecl, type SolutionTables } from '../src/kernel/tables.ts';
import { MAX_DENSE, compileRules, ruleId, type AllowRule } from '../src/monitor/rules.ts';
import {
  DEFAULT_DENY_RULES,
  type CompiledPolicy,
  type MonitorState,
  type SecurityEvent,
} from '../src/monitor/types.ts';

const m = (name: string) => ({ name, request: t.unknown, response: t.unknown, error: t.unknown });
const decl: SolutionDecl = {
  name: 'r',
  interfaces: [{ name: 'r.I', methods: [m('Get'), m('Put')] }],
  classes: [
    { name: 'A', endpoints: [{ name: 'ep', interface: 'r.I' }] },
    { name: 'B', endpoints: [{ name: 'other', interface: 'r.I' }] },
    { name: 'C', endpoints: [] },
  ],
  processes: [],
  connections: [],
};
function tablesOf(d: SolutionDecl): SolutionTables {
  const r = compileSolution(d);
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.value;
}
const T = tablesOf(decl);
const cls = (n: string) => T.classByName.get(n)!;
const epId = (n: string) => T.endpointNames.indexOf(n);
const mId = (n: string) => T.methodNames.indexOf(n);

function policy(rules: readonly AllowRule[], tables: SolutionTables = T): CompiledPolicy {
  const r = compileRules(tables, { name: 'p', rules });
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.value;
}
type Ev = { kind?: SecurityEvent['kind']; src?: string; dst?: string; ep?: string | null; m?: string | null };
function ev(e: Ev): SecurityEvent {
  const kind = e.kind ?? 'request';
  const ep = e.ep === undefined ? (kind === 'execute' ? null : 'ep') : e.ep;
  const me = e.m === undefined ? (kind === 'execute' ? null : 'Get') : e.m;
  return {
    kind,
    src: 2,
    srcClass: cls(e.src ?? 'A'),
    dst: 3,
    dstClass: cls(e.dst ?? 'B'),
    endpoint: ep === null ? -1 : epId(ep),
    method: me === null ? -1 : mId(me),
    iface: -1,
    riid: 0,
    mid: 0,
    message: null,
    transfers: [],
  };
}
const verdict = (p: CompiledPolicy, e: Ev, state: MonitorState = p.initial) => p.decide(state, ev(e)).verdict;

test('default-deny: no rule, no grant; the deny names default-deny, gives a reason and keeps the state', () => {
  const p = policy([]);
  assert.equal(p.initial, null, 'a policy without limits has no state');
  for (const kind of ['execute', 'request', 'response', 'error', 'security'] as const)
    assert.deepEqual(p.decide(null, ev({ kind })), {
      verdict: 'deny',
      rules: DEFAULT_DENY_RULES,
      reason: 'no rule grants this event',
      next: null,
    });
  // a state other than the initial one is kept as it is
  const other: MonitorState = Object.freeze([9]);
  assert.equal(p.decide(other, ev({})).next, other);
  assert.equal(p.decide(other, ev({})).reason, 'no rule grants this event');
});

test('default-deny: a rule grants only its own event kind', () => {
  for (const kind of ['execute', 'request', 'response', 'error', 'security'] as const) {
    const p = policy([{ kind }]);
    for (const k of ['execute', 'request', 'response', 'error', 'security'] as const)
      assert.equal(verdict(p, { kind: k }), k === kind ? 'grant' : 'deny', `rule ${kind}, event ${k}`);
  }
});

test('default-deny: a rule naming a source, destination, endpoint or method grants only that one; the others are "other"', () => {
  const bySrc = policy([{ kind: 'request', src: 'B' }]);
  assert.equal(verdict(bySrc, { src: 'B' }), 'grant');
  assert.equal(verdict(bySrc, { src: 'A' }), 'deny');
  assert.equal(verdict(bySrc, { src: 'C' }), 'deny');
  assert.equal(verdict(bySrc, { src: 'kl.core.Core' }), 'deny');
  const byDst = policy([{ kind: 'request', dst: 'A' }]);
  assert.equal(verdict(byDst, { dst: 'A' }), 'grant');
  assert.equal(verdict(byDst, { dst: 'B' }), 'deny');
  assert.equal(verdict(byDst, { dst: 'Einit' }), 'deny');
  const byEp = policy([{ kind: 'request', endpoint: 'other' }]);
  assert.equal(verdict(byEp, { ep: 'other' }), 'grant');
  assert.equal(verdict(byEp, { ep: 'ep' }), 'deny');
  assert.equal(verdict(byEp, { ep: 'task' }), 'deny', 'a kernel endpoint is "other" too');
  assert.equal(verdict(byEp, { ep: null }), 'deny', 'no endpoint is not a named endpoint');
  const byM = policy([{ kind: 'request', method: 'Put' }]);
  assert.equal(verdict(byM, { m: 'Put' }), 'grant');
  assert.equal(verdict(byM, { m: 'Get' }), 'deny');
  assert.equal(verdict(byM, { m: null }), 'deny');
  // all four at once: only the exact cell
  const all = policy([{ kind: 'request', src: 'A', dst: 'B', endpoint: 'other', method: 'Put' }]);
  assert.equal(verdict(all, { src: 'A', dst: 'B', ep: 'other', m: 'Put' }), 'grant');
  for (const e of [
    { src: 'B', dst: 'B', ep: 'other', m: 'Put' },
    { src: 'A', dst: 'A', ep: 'other', m: 'Put' },
    { src: 'A', dst: 'B', ep: 'ep', m: 'Put' },
    { src: 'A', dst: 'B', ep: 'other', m: 'Get' },
  ])
    assert.equal(verdict(all, e), 'deny', JSON.stringify(e));
  // wildcards match the named and the other slots alike, and "none" (an execute event has no endpoint / method)
  const wild = policy([{ kind: 'request', src: 'A' }, { kind: 'execute' }]);
  assert.equal(verdict(wild, { src: 'A', ep: 'task', m: 'Put' }), 'grant');
  assert.equal(verdict(wild, { src: 'A', ep: null, m: null }), 'grant');
  assert.equal(verdict(wild, { kind: 'execute', src: 'C', dst: 'C' }), 'grant');
});

test('default-deny: an event whose class, endpoint or method lies outside the tables is denied, never looked up elsewhere', () => {
  const p = policy([{ kind: 'request' }, { kind: 'execute' }]);
  const base = ev({});
  assert.equal(p.decide(null, base).verdict, 'grant');
  const C = T.classes.length;
  for (const bad of [
    { srcClass: -1 },
    { srcClass: C },
    { dstClass: -1 },
    { dstClass: C },
    { endpoint: T.endpointNames.length },
    { method: T.methodNames.length },
    { endpoint: -2 },
    { method: -2 },
    { srcClass: 0.5 },
    { endpoint: 0.5 },
    { method: 1.5 },
    { kind: 'reboot' as SecurityEvent['kind'] },
    // a kind no rule names, and names that an object inherits, read no slab of the table
    { kind: 'security' as SecurityEvent['kind'] },
    { kind: 'toString' as SecurityEvent['kind'] },
    { kind: 'constructor' as SecurityEvent['kind'] },
  ]) {
    const d = p.decide(null, { ...base, ...bad });
    assert.deepEqual(
      [d.verdict, d.rules, d.reason],
      ['deny', DEFAULT_DENY_RULES, 'no rule grants this event'],
      JSON.stringify(bad),
    );
  }
  // the last valid ids are looked up
  assert.equal(p.decide(null, { ...base, srcClass: C - 1, dstClass: C - 1 }).verdict, 'grant');
  assert.equal(
    p.decide(null, { ...base, endpoint: T.endpointNames.length - 1, method: T.methodNames.length - 1 }).verdict,
    'grant',
  );
});

test('default-deny: a grant names the first rule that matches (its id, or "rule N"), and carries the state', () => {
  const p = policy([{ kind: 'request', src: 'B' }, { kind: 'request', id: 'named', dst: 'B' }, { kind: 'request' }]);
  assert.deepEqual(p.decide(null, ev({ src: 'A', dst: 'B' })), {
    verdict: 'grant',
    rules: [{ id: 'named' }],
    next: null,
  });
  assert.deepEqual(p.decide(null, ev({ src: 'B', dst: 'B' })).rules, [{ id: 'rule 1' }]);
  assert.deepEqual(p.decide(null, ev({ src: 'A', dst: 'A' })).rules, [{ id: 'rule 3' }]);
  const other: MonitorState = Object.freeze(['s']);
  assert.equal(p.decide(other, ev({})).next, other, 'an unlimited grant keeps the state it was given');
  assert.equal(ruleId({ kind: 'request' }, 4), 'rule 5');
  assert.equal(ruleId({ kind: 'request', id: 'x' }, 4), 'x');
});

test('default-deny: a limited rule grants at most its limit; then a later rule may, else a deny says why', () => {
  const p = policy([
    { kind: 'request', id: 'two', src: 'A', limit: 2 },
    { kind: 'request', id: 'one', limit: 1 },
    { kind: 'execute', id: 'never', limit: 0 },
  ]);
  assert.deepEqual(p.initial, [0, 0, 0]);
  assert.ok(Object.isFrozen(p.initial));
  let s: MonitorState = p.initial;
  const seen: string[] = [];
  for (let i = 0; i < 4; i++) {
    const d = p.decide(s, ev({ src: 'A' }));
    seen.push(d.verdict === 'grant' ? d.rules[0]!.id : `deny: ${d.reason}`);
    if (d.verdict === 'grant') {
      assert.ok(Object.isFrozen(d.next));
      assert.notEqual(d.next, s);
    } else assert.equal(d.next, s, 'a deny keeps the state');
    s = d.next;
  }
  assert.deepEqual(seen, ['two', 'two', 'one', 'deny: every matching rule has used up its limit']);
  assert.deepEqual(s, [2, 1, 0]);
  assert.deepEqual(p.initial, [0, 0, 0], 'the initial state is not mutated');
  // the counters are per rule: B's requests only match "one", which is used up in s
  assert.equal(p.decide(s, ev({ src: 'B' })).verdict, 'deny');
  assert.deepEqual(p.decide(p.initial, ev({ src: 'B' })), {
    verdict: 'grant',
    rules: [{ id: 'one' }],
    next: [0, 1, 0],
  });
  // a limit of 0 never grants
  assert.equal(p.decide(p.initial, ev({ kind: 'execute' })).verdict, 'deny');
  assert.equal(p.decide(p.initial, ev({ kind: 'execute' })).reason, 'every matching rule has used up its limit');
});

test('default-deny: an unlimited rule after a limited one in the same cell grants once the limit is used up', () => {
  const p = policy([
    { kind: 'request', id: 'lim', limit: 1 },
    { kind: 'request', id: 'free' },
    { kind: 'request', id: 'shadowed', limit: 5 },
  ]);
  assert.deepEqual(p.initial, [0, 0]);
  const first = p.decide(p.initial, ev({}));
  assert.deepEqual(first, { verdict: 'grant', rules: [{ id: 'lim' }], next: [1, 0] });
  const second = p.decide(first.next, ev({}));
  assert.deepEqual(second.rules, [{ id: 'free' }]);
  assert.equal(second.next, first.next, 'an unlimited grant does not count');
  // an unlimited rule first shadows every later one
  const q = policy([
    { kind: 'request', id: 'free' },
    { kind: 'request', id: 'lim', limit: 1 },
  ]);
  for (let i = 0, s = q.initial; i < 3; i++) {
    const d = q.decide(s, ev({}));
    assert.deepEqual([d.verdict, d.rules], ['grant', [{ id: 'free' }]]);
    assert.deepEqual(d.next, [0]);
    s = d.next;
  }
});

test('default-deny: a policy naming an unknown class, endpoint, method or kind, or a bad limit, is refused by rule', () => {
  const r = compileRules(T, {
    name: 'bad',
    rules: [
      { kind: 'request', src: 'Nope' },
      { kind: 'request', id: 'd', dst: 'Gone' },
      { kind: 'request', endpoint: 'nowhere' },
      { kind: 'request', method: 'Nothing' },
      { kind: 'reboot' as AllowRule['kind'] },
      { kind: 'execute', endpoint: 'ep' },
      { kind: 'execute', method: 'Get' },
      { kind: 'request', limit: -1 },
      { kind: 'request', limit: 1.5 },
      { kind: 'request', limit: 0 },
    ],
  });
  assert.deepEqual(r, {
    ok: false,
    errors: [
      'policy "bad": rule 1: unknown source class "Nope"',
      'policy "bad": d: unknown destination class "Gone"',
      'policy "bad": rule 3: unknown endpoint "nowhere"',
      'policy "bad": rule 4: unknown method "Nothing"',
      'policy "bad": rule 5: unknown event kind "reboot"',
      'policy "bad": rule 6: an execute rule cannot name an endpoint or method',
      'policy "bad": rule 7: an execute rule cannot name an endpoint or method',
      'policy "bad": rule 8: limit must be a non-negative integer',
      'policy "bad": rule 9: limit must be a non-negative integer',
    ],
  });
  assert.equal(compileRules(T, { name: 'ok', rules: [{ kind: 'execute', src: 'A', dst: 'C' }] }).ok, true);
});

test('default-deny: a policy too large for the dense table (keyed through a Map) decides exactly as the dense one', () => {
  // 45 endpoints and methods, 311 classes; rule i names class K<i> to K<i+1> on endpoint and method i mod 45:
  // 45 slabs (one per endpoint and method a rule names) of 311 x 311 (310 named sources and destinations, and
  // "other") cells, more than a dense table holds
  const N = 45;
  const C = 311;
  const R = C - 1;
  const big: SolutionDecl = {
    name: 'big',
    interfaces: [{ name: 'b.I', methods: Array.from({ length: N }, (_, i) => m(`M${i}`)) }],
    classes: Array.from({ length: C }, (_, i) => ({
      name: `K${i}`,
      endpoints: i < N ? [{ name: `e${i}`, interface: 'b.I' }] : [],
    })),
    processes: [],
    connections: [],
  };
  assert.ok(N * C * C > MAX_DENSE, `${N * C * C} cells must not fit the dense table (${MAX_DENSE})`);
  const bt = tablesOf(big);
  const rules = (n: number): AllowRule[] =>
    Array.from({ length: n }, (_, i) => ({
      kind: 'request',
      src: `K${i}`,
      dst: `K${i + 1}`,
      endpoint: `e${i % N}`,
      method: `M${i % N}`,
    }));
  const sparse = policy(rules(R), bt);
  const dense = policy(rules(10), bt);
  const e = (s: number, d: number, ep: number, me: number): SecurityEvent => ({
    kind: 'request',
    src: 2,
    srcClass: bt.classByName.get(`K${s}`)!,
    dst: 3,
    dstClass: bt.classByName.get(`K${d}`)!,
    endpoint: bt.endpointNames.indexOf(`e${ep}`),
    method: bt.methodNames.indexOf(`M${me}`),
    iface: -1,
    riid: 0,
    mid: 0,
    message: null,
    transfers: [],
  });
  for (const p of [sparse, dense]) {
    assert.deepEqual(p.decide(null, e(3, 4, 3, 3)), { verdict: 'grant', rules: [{ id: 'rule 4' }], next: null });
    assert.equal(p.decide(null, e(3, 4, 3, 2)).verdict, 'deny');
    assert.equal(p.decide(null, e(4, 3, 3, 3)).verdict, 'deny');
    assert.equal(p.decide(null, e(3, 4, 4, 3)).verdict, 'deny');
    assert.deepEqual(p.decide(null, e(3, 3, 3, 3)).rules, DEFAULT_DENY_RULES);
    // an id outside the tables reads no cell of either
    assert.equal(p.decide(null, { ...e(3, 4, 3, 3), srcClass: -1 }).verdict, 'deny');
    assert.equal(p.decide(null, { ...e(3, 4, 3, 3), dstClass: C + 5 }).verdict, 'deny');
  }
  // every rule of the sparse policy grants its own event, and only it
  for (let i = 0; i < R; i++) {
    const d = sparse.decide(null, e(i, i + 1, i % N, i % N));
    assert.deepEqual([d.verdict, d.rules], ['grant', [{ id: `rule ${i + 1}` }]], `rule ${i + 1}`);
    assert.equal(sparse.decide(null, e(i + 1, i, i % N, i % N)).verdict, 'deny', `rule ${i + 1} reversed`);
    assert.equal(sparse.decide(null, e(i, i + 1, (i + 1) % N, i % N)).verdict, 'deny', `rule ${i + 1}, endpoint`);
  }
  assert.equal(dense.decide(null, e(44, 45, 44, 44)).verdict, 'deny', 'the dense policy has no rule 45');
});

test('default-deny: id 0 of each dimension (the kernel class, its first endpoint and method) is a real id, not "none"', () => {
  // the kernel's class, first endpoint and first method have id 0; a rule may name them
  assert.deepEqual([T.classes[0]!.name, T.endpointNames[0], T.methodNames[0]], ['kl.core.Core', 'task', 'Execute']);
  const p = policy([
    { kind: 'request', src: 'kl.core.Core', dst: 'kl.core.Core', endpoint: 'task', method: 'Execute' },
  ]);
  const zero = { src: 'kl.core.Core', dst: 'kl.core.Core', ep: 'task', m: 'Execute' };
  assert.equal(verdict(p, zero), 'grant', 'the exact cell of the ids 0 is granted');
  assert.equal(verdict(p, { ...zero, src: 'A' }), 'deny');
  assert.equal(verdict(p, { ...zero, dst: 'A' }), 'deny');
  assert.equal(verdict(p, { ...zero, ep: 'thread' }), 'deny');
  assert.equal(verdict(p, { ...zero, ep: null }), 'deny', 'endpoint id 0 is not "no endpoint"');
  assert.equal(verdict(p, { ...zero, m: 'Exit' }), 'deny');
  assert.equal(verdict(p, { ...zero, m: null }), 'deny', 'method id 0 is not "no method"');
  // and a rule naming "none" (a wildcard execute rule) does not grant id 0's request
  const ex = policy([{ kind: 'request', src: 'kl.core.Core', endpoint: 'thread', method: 'Exit' }]);
  assert.equal(verdict(ex, { src: 'kl.core.Core', ep: 'thread', m: 'Exit' }), 'grant');
  assert.equal(verdict(ex, { src: 'kl.core.Core', ep: 'task', m: 'Exit' }), 'deny');
  assert.equal(verdict(ex, { src: 'kl.core.Core', ep: 'thread', m: 'Execute' }), 'deny');
});

test('default-deny: a class named by several rules keeps one slot; a class named later gets its own', () => {
  // A is named twice (two kinds), then B: B must not share A's slot
  const p = policy([
    { kind: 'request', src: 'A', dst: 'A', endpoint: 'ep', method: 'Get' },
    { kind: 'execute', src: 'A', dst: 'A' },
    { kind: 'response', src: 'B', dst: 'B', endpoint: 'other', method: 'Put' },
  ]);
  assert.equal(verdict(p, { src: 'A', dst: 'A', ep: 'ep', m: 'Get' }), 'grant');
  assert.equal(verdict(p, { src: 'B', dst: 'A', ep: 'ep', m: 'Get' }), 'deny', 'B is not A');
  assert.equal(verdict(p, { src: 'A', dst: 'B', ep: 'ep', m: 'Get' }), 'deny', 'B is not A');
  assert.equal(verdict(p, { kind: 'execute', src: 'B', dst: 'B' }), 'deny', 'B is not A');
  assert.equal(verdict(p, { kind: 'response', src: 'B', dst: 'B', ep: 'other', m: 'Put' }), 'grant');
  assert.equal(verdict(p, { kind: 'response', src: 'A', dst: 'A', ep: 'other', m: 'Put' }), 'deny', 'A is not B');
  // the same for endpoints and methods named twice
  const q = policy([
    { kind: 'request', endpoint: 'ep', method: 'Get' },
    { kind: 'error', endpoint: 'ep', method: 'Get' },
    { kind: 'response', endpoint: 'other', method: 'Put' },
  ]);
  assert.equal(verdict(q, { kind: 'request', ep: 'ep', m: 'Get' }), 'grant');
  assert.equal(verdict(q, { kind: 'request', ep: 'other', m: 'Get' }), 'deny');
  assert.equal(verdict(q, { kind: 'request', ep: 'ep', m: 'Put' }), 'deny');
  assert.equal(verdict(q, { kind: 'response', ep: 'other', m: 'Put' }), 'grant');
  assert.equal(verdict(q, { kind: 'response', ep: 'ep', m: 'Get' }), 'deny');
});

test('default-deny: on a state a limited rule has counted, a grant names the unlimited rule that matched and keeps that state', () => {
  const p = policy([
    { kind: 'request', id: 'lim', src: 'A', dst: 'A', limit: 1 },
    { kind: 'request', id: 'from-a', src: 'A' },
    { kind: 'request', id: 'from-b', src: 'B' },
    { kind: 'execute', id: 'exec' },
  ]);
  const first = p.decide(p.initial, ev({ src: 'A', dst: 'A' }));
  assert.deepEqual([first.verdict, first.rules.map((r) => r.id), first.next], ['grant', ['lim'], [1]]);
  const counted = first.next;
  for (const [e, id] of [
    [ev({ src: 'A', dst: 'B' }), 'from-a'],
    [ev({ src: 'B', dst: 'A' }), 'from-b'],
    [ev({ kind: 'execute', src: 'C', dst: 'C' }), 'exec'],
    [ev({ src: 'A', dst: 'A' }), 'from-a'], // the limit is used up: the next rule of the cell
  ] as const) {
    const d = p.decide(counted, e);
    assert.deepEqual([d.verdict, d.rules.map((r) => r.id)], ['grant', [id]], JSON.stringify(e));
    assert.equal(d.next, counted, 'an unlimited grant keeps the state it was given');
  }
  assert.equal(p.decide(counted, ev({ src: 'C', dst: 'A' })).verdict, 'deny');
});

test('default-deny: at the initial state a decision that changes nothing is one shared frozen value (the monitor allocates nothing per step)', () => {
  // Cost in O(changed) (issue 15, part 2): a step whose decision leaves the
  // monitor state as it was builds no new decision. Both the stateless and
  // the stateful form are checked, since their initial states differ (null,
  // and a frozen array of counts).
  for (const rules of [
    [{ kind: 'request', id: 'any' }] as AllowRule[],
    [
      { kind: 'request', id: 'any' },
      { kind: 'execute', id: 'lim', limit: 2 },
    ] as AllowRule[],
  ]) {
    const p = policy(rules);
    const grant = p.decide(p.initial, ev({}));
    assert.deepEqual([grant.verdict, grant.rules.map((r) => r.id), grant.next], ['grant', ['any'], p.initial]);
    assert.equal(p.decide(p.initial, ev({ src: 'B' })), grant, 'the same grant object, not a copy');
    assert.ok(Object.isFrozen(grant));
    const deny = p.decide(p.initial, ev({ kind: 'error' }));
    assert.deepEqual([deny.verdict, deny.next], ['deny', p.initial]);
    assert.equal(p.decide(p.initial, ev({ kind: 'response' })), deny, 'the same deny object, not a copy');
    assert.ok(Object.isFrozen(deny));
  }
  // on any other state the decision carries that state, so it is built for it
  const p = policy([
    { kind: 'request', id: 'any' },
    { kind: 'execute', id: 'lim', limit: 2 },
  ]);
  const counted = p.decide(p.initial, ev({ kind: 'execute', src: 'C', dst: 'C' })).next;
  assert.deepEqual(counted, [1]);
  assert.equal(p.decide(counted, ev({})).next, counted);
  assert.equal(p.decide(counted, ev({ kind: 'error' })).next, counted);
});
