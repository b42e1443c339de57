// The rule form's table (src/monitor/rules.ts) is indexed by the ids the
// rules name, with one shared "other" slot per dimension. Requirement
// protected: default deny — the compact table must decide every event
// exactly as a direct reading of the rules does (RuleOracle), wildcards,
// unnamed classes, the kernel's own endpoints, "none" endpoints of execute
// events and limits included; and its size follows the policy, not the
// solution.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import * as t from 'io-ts';
import { compileSolution, type SolutionDecl } from '../src/kernel/tables.ts';
import { Nat } from '../src/kernel/kernel-api.ts';
import { compileRules, type AllowRule } from '../src/monitor/rules.ts';
import { EVENT_KINDS, type SecurityEvent } from '../src/monitor/types.ts';
import { RuleOracle } from '../src/properties/oracle.ts';
import { suiteEnv } from '../src/properties/env.ts';

const ENV = suiteEnv();
const SEED = ENV.seedGiven ? ENV.seed : 20261207;

const solution: SolutionDecl = {
  name: 'table',
  interfaces: [
    {
      name: 't.I',
      methods: ['A', 'B', 'C'].map((name) => ({
        name,
        request: t.type({ v: Nat }),
        response: t.unknown,
        error: t.unknown,
      })),
    },
  ],
  classes: ['t.X', 't.Y', 't.Z', 't.W'].map((name) => ({ name, endpoints: [{ name: 'e', interface: 't.I' }] })),
  processes: [],
  connections: [],
};
const compiled = compileSolution(solution);
if (!compiled.ok) throw new Error(compiled.errors.join('\n'));
const T = compiled.value;
const classNames = T.classes.map((c) => c.name);

const opt = <A>(arb: fc.Arbitrary<A>) => fc.option(arb, { nil: undefined, freq: 2 });
const rule: fc.Arbitrary<AllowRule> = fc
  .record({
    kind: fc.constantFrom(...EVENT_KINDS),
    src: opt(fc.constantFrom(...classNames)),
    dst: opt(fc.constantFrom(...classNames)),
    endpoint: opt(fc.constantFrom(...T.endpointNames)),
    method: opt(fc.constantFrom(...T.methodNames)),
    limit: opt(fc.nat(2)),
  })
  .map((r) => {
    const out: { -readonly [K in keyof AllowRule]: AllowRule[K] } = { kind: r.kind };
    if (r.src !== undefined) out.src = r.src;
    if (r.dst !== undefined) out.dst = r.dst;
    if (r.kind !== 'execute' && r.endpoint !== undefined) out.endpoint = r.endpoint;
    if (r.kind !== 'execute' && r.method !== undefined) out.method = r.method;
    if (r.limit !== undefined) out.limit = r.limit;
    return out;
  });

const iface = T.interfaces.findIndex((x) => x.name === 't.I');
const event: fc.Arbitrary<SecurityEvent> = fc
  .record({
    kind: fc.constantFrom(...EVENT_KINDS),
    srcClass: fc.nat(T.classes.length - 1),
    dstClass: fc.nat(T.classes.length - 1),
    endpoint: fc.integer({ min: -1, max: T.endpointNames.length - 1 }),
    method: fc.integer({ min: -1, max: T.methodNames.length - 1 }),
    mid: fc.nat(2),
  })
  .map((e): SecurityEvent => ({
    kind: e.kind,
    src: 2,
    srcClass: e.srcClass,
    dst: 3,
    dstClass: e.dstClass,
    endpoint: e.kind === 'execute' ? -1 : e.endpoint,
    method: e.kind === 'execute' ? -1 : e.method,
    iface: e.kind === 'execute' ? -1 : iface,
    riid: e.kind === 'execute' ? -1 : 0,
    mid: e.kind === 'execute' ? -1 : e.mid,
    message: e.kind === 'execute' ? null : { v: 1 },
    transfers: [],
  }));

describe('rule form table', () => {
  it('decides every event as the direct reading of the rules does (default deny, first rule, limits)', () => {
    fc.assert(
      fc.property(fc.array(rule, { maxLength: 8 }), fc.array(event, { maxLength: 40 }), (rules, events) => {
        const policy = { name: 'p', rules };
        const c = compileRules(T, policy);
        assert.ok(c.ok);
        const oracle = new RuleOracle(T, policy);
        let state = c.value.initial;
        for (const e of events) {
          const d = c.value.decide(state, e);
          const why = oracle.judge(e, d);
          assert.equal(why, null, why ?? '');
          if (d.verdict === 'grant') state = d.next;
        }
      }),
      { seed: SEED, numRuns: Math.round(300 * ENV.scale), ...(ENV.path === undefined ? {} : { path: ENV.path }) },
    );
  });

  it('the table grows with the classes the rules name, not with the solution', () => {
    const big: SolutionDecl = {
      ...solution,
      classes: Array.from({ length: 300 }, (_, i) => ({
        name: `t.C${i}`,
        endpoints: [{ name: 'e', interface: 't.I' }],
      })),
    };
    const bt = compileSolution(big);
    assert.ok(bt.ok);
    const one = compileRules(bt.value, { name: 'one', rules: [{ kind: 'request', src: 't.C1', dst: 't.C2' }] });
    assert.ok(one.ok);
    const e = (s: number, d: number): SecurityEvent => ({
      kind: 'request',
      src: 2,
      srcClass: bt.value.classByName.get(`t.C${s}`)!,
      dst: 3,
      dstClass: bt.value.classByName.get(`t.C${d}`)!,
      endpoint: bt.value.endpointNames.indexOf('e'),
      method: bt.value.methodNames.indexOf('A'),
      iface: bt.value.interfaces.findIndex((x) => x.name === 't.I'),
      riid: 0,
      mid: 0,
      message: { v: 1 },
      transfers: [],
    });
    assert.equal(one.value.decide(one.value.initial, e(1, 2)).verdict, 'grant');
    assert.equal(one.value.decide(one.value.initial, e(2, 1)).verdict, 'deny');
    assert.equal(
      one.value.decide(one.value.initial, e(7, 2)).verdict,
      'deny',
      'an unnamed class shares the other slot',
    );
  });
});
