// The monitor's fast path against the codecs it stands for. The specialised
// checks of src/interfaces/validators.ts must be the codecs' `is`, exactly:
// on random IDL types of every kind (nested, aliased) and random io-ts
// parameter lists (the combinators the kernel's services and a manifest's
// methods use), with right, spoilt and junk values (src/properties/messages.ts),
// a specialised check and its codec accept the same values, reject the same
// values and throw on the same values, and read a value the same way (the
// same property reads in the same order, seen through a proxy); a value the
// check rejects is one the codec's decode explains. And the monitor built
// on them decides every event — verdict, rules, reason (the codec's own
// errors), next state — as the generic codec walk did (`genericDecide`
// below: the monitor as it was before the fast path).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect, isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import * as t from 'io-ts';
import { describeErrors, paramsCodec, typeCodec } from '../src/interfaces/codecs.ts';
import type { ResolvedType } from '../src/interfaces/types.ts';
import { checkOf, compileCheck } from '../src/interfaces/validators.ts';
import { SERVICE_ARGS } from '../src/kernel/kernel-api.ts';
import { compileSolution, type MethodDecl, type SolutionTables } from '../src/kernel/tables.ts';
import { createMonitor } from '../src/monitor/monitor.ts';
import {
  EVENT_KINDS,
  STRUCTURE_RULES,
  type CompiledPolicy,
  type Decision,
  type MonitorState,
  type SecurityEvent,
} from '../src/monitor/types.ts';
import {
  FIELD_NAMES,
  arbIdlType,
  arbIoMessage,
  arbIoShape,
  arbIoValue,
  arbMessage,
  arbValue,
  ioCodec,
} from '../src/properties/messages.ts';
import { SERVICES, arbServicePayload } from '../src/properties/payloads.ts';
import { banner, check, runs } from './harness.ts';

banner(import.meta.filename);
const FILE = import.meta.filename;

type Outcome = 'accept' | 'reject' | 'throw';
const outcome = (f: (u: unknown) => boolean, u: unknown): Outcome => {
  try {
    return f(u) ? 'accept' : 'reject';
  } catch {
    return 'throw';
  }
};

/**
 * A value seen through proxies, each read written to `log` (trap, path,
 * key), so two functions reading it can be compared read by read. A value a
 * proxy must hand out as it is (a non-configurable, non-writable property)
 * stays unwrapped.
 */
function traced(v: unknown, log: string[], path = '$'): unknown {
  if (typeof v !== 'object' || v === null) return v;
  const note = (trap: string, key?: PropertyKey) =>
    log.push(`${trap} ${path}${key === undefined ? '' : ` ${String(key)}`}`);
  return new Proxy(v, {
    get(target, key, receiver) {
      note('get', key);
      const d = Reflect.getOwnPropertyDescriptor(target, key);
      const x: unknown = Reflect.get(target, key, receiver);
      return d !== undefined && d.configurable === false && d.writable === false
        ? x
        : traced(x, log, `${path}.${String(key)}`);
    },
    has(target, key) {
      note('has', key);
      return Reflect.has(target, key);
    },
    ownKeys(target) {
      note('ownKeys');
      return Reflect.ownKeys(target);
    },
    getOwnPropertyDescriptor(target, key) {
      note('getOwnPropertyDescriptor', key);
      return Reflect.getOwnPropertyDescriptor(target, key);
    },
    getPrototypeOf(target) {
      note('getPrototypeOf');
      return Reflect.getPrototypeOf(target);
    },
  });
}

/**
 * The check and the codec agree on `u` and read it alike; with `explained`, a
 * rejection is one the codec's decode explains (true of the IDL codecs; io-ts's
 * own `t.type` decodes a missing field of `t.unknown` that its `is` refuses,
 * and the monitor then says "rejected", as it always did).
 */
function agree(codec: t.Mixed, u: unknown, explained: boolean): void {
  const fast = checkOf(codec);
  const mine = outcome(fast, u);
  const theirs = outcome((x) => codec.is(x), u);
  assert.equal(mine, theirs, `${codec.name}: the specialised check says ${mine}, the codec ${theirs}`);
  const a: string[] = [];
  const b: string[] = [];
  const tracedMine = outcome(fast, traced(u, a));
  const tracedTheirs = outcome((x) => codec.is(x), traced(u, b));
  assert.equal(tracedMine, tracedTheirs, `${codec.name}: through a proxy, ${tracedMine} vs ${tracedTheirs}`);
  assert.deepEqual(a, b, `${codec.name}: the specialised check reads the value differently`);
  if (explained && theirs === 'reject') {
    // decode may throw where is did not get to the unreadable part: the monitor says it cannot be read
    let d: ReturnType<typeof codec.decode> | undefined;
    try {
      d = codec.decode(u);
    } catch {
      d = undefined;
    }
    if (d !== undefined) {
      assert.equal(d._tag, 'Left', `${codec.name}: is rejects a value decode accepts: ${show(u)}`);
      if (d._tag === 'Left') assert.ok(describeErrors(d.left).length > 0);
    }
  }
}

/** A value in words, without running its getters. */
const show = (v: unknown) => inspect(v, { depth: 8, breakLength: Infinity });

test('IDL types: the specialised check is the codec, on right, spoilt and junk values', () => {
  let accepted = 0;
  let rejected = 0;
  check(
    FILE,
    'IDL types: the specialised check is the codec, on right, spoilt and junk values',
    arbIdlType.chain((type) =>
      fc.tuple(
        fc.constant(type),
        fc.array(arbValue(type), { minLength: 1, maxLength: 3 }),
        fc.array(arbMessage(type), { minLength: 1, maxLength: 12 }),
      ),
    ),
    ([type, right, values]) => {
      const codec = typeCodec(type);
      for (const v of right) assert.ok(codec.is(v), `${codec.name} refuses a value of its type: ${show(v)}`);
      for (const v of [...right, ...values]) {
        agree(codec, v, true);
        const o = outcome((x) => codec.is(x), v);
        if (o === 'accept') accepted++;
        else if (o === 'reject') rejected++;
      }
    },
    runs(400),
    show,
  );
  // both sides of the check were exercised, not only one
  assert.ok(accepted > 100 && rejected > 100, `accepted ${accepted}, rejected ${rejected}`);
});

test('io-ts parameter lists: the specialised check is the codec, on right, spoilt and junk values', () => {
  let accepted = 0;
  let rejected = 0;
  check(
    FILE,
    'io-ts parameter lists: the specialised check is the codec, on right, spoilt and junk values',
    arbIoShape.chain((shape) =>
      fc.tuple(
        fc.constant(shape),
        fc.array(arbIoValue(shape), { minLength: 1, maxLength: 3 }),
        fc.array(arbIoMessage(shape), { minLength: 1, maxLength: 12 }),
      ),
    ),
    ([shape, right, values]) => {
      const codec = ioCodec(shape);
      for (const v of right) assert.ok(codec.is(v), `${codec.name} refuses a value of its type: ${show(v)}`);
      for (const v of [...right, ...values]) {
        agree(codec, v, false);
        const o = outcome((x) => codec.is(x), v);
        if (o === 'accept') accepted++;
        else if (o === 'reject') rejected++;
      }
    },
    runs(400),
    show,
  );
  assert.ok(accepted > 100 && rejected > 100, `accepted ${accepted}, rejected ${rejected}`);
});

test("kernel services: the specialised check of every service's arguments is its codec", () => {
  check(
    FILE,
    "kernel services: the specialised check of every service's arguments is its codec",
    fc
      .constantFrom(...SERVICES)
      .chain((name) =>
        fc.tuple(fc.constant(name), fc.array(arbServicePayload(name, ['Client', 'Server']), { maxLength: 10 })),
      ),
    ([name, payloads]) => {
      for (const p of payloads) agree(SERVICE_ARGS[name], p, true);
    },
    runs(300),
    show,
  );
});

test('a codec that accepts every value has no check; every other codec has one', () => {
  assert.equal(compileCheck(t.unknown), null);
  assert.equal(compileCheck(t.any), null);
  for (const c of [t.string, t.type({}), paramsCodec('x.X.M in', []), typeCodec({ kind: 'boolean' })])
    assert.equal(typeof compileCheck(c), 'function', c.name);
  // a t.type of unknown fields still checks that it is a record with those fields
  const f = checkOf(t.type({ a: t.unknown }));
  assert.equal(f({ a: undefined }), true);
  assert.equal(f({}), false);
  assert.equal(f(null), false);
});

/* ------------------------------------------------------------ the monitor */

/**
 * The monitor's decision as the generic codec walk made it (src/monitor/monitor.ts
 * before its fast path): the codec's `is`, its `decode` for the errors.
 */
function genericDecide(tables: SolutionTables, policy: CompiledPolicy, state: MonitorState, event: SecurityEvent) {
  const deny = (rules: Decision['rules'], reason: string): Decision => ({
    verdict: 'deny',
    rules,
    reason,
    next: state,
  });
  if (event.kind !== 'execute') {
    const iface = tables.interfaces[event.iface];
    const method = iface?.methods[event.mid];
    if (iface === undefined || method === undefined)
      return deny(
        STRUCTURE_RULES,
        `RIID ${event.riid} / MID ${event.mid} name no method declared by the destination's class`,
      );
    const codec = event.kind === 'response' ? method.response : event.kind === 'error' ? method.error : method.request;
    const what = `message does not match ${iface.name}.${method.name} (${event.kind})`;
    try {
      if (!codec.is(event.message)) {
        const d = codec.decode(event.message);
        return deny(
          STRUCTURE_RULES,
          `${what}: ${d._tag === 'Left' ? describeErrors(d.left).slice(0, 3).join('; ') : 'rejected'}`,
        );
      }
    } catch {
      return deny(STRUCTURE_RULES, `${what}: it cannot be read`);
    }
  }
  // (the policies below answer well-formed decisions: monitor-decide.test.ts tests the others)
  return policy.decide(state, event);
}

interface Method {
  readonly name: string;
  readonly types: readonly [ResolvedType, ResolvedType, ResolvedType];
}

const arbParams: fc.Arbitrary<ResolvedType> = fc
  .uniqueArray(fc.constantFrom(...FIELD_NAMES), { maxLength: 3 })
  .chain((names) =>
    fc.tuple(...names.map(() => arbIdlType)).map((ts): ResolvedType => ({
      kind: 'struct',
      name: 'params',
      fields: names.map((name, i) => ({ name, type: ts[i]! })),
    })),
  );

const arbMethods: fc.Arbitrary<Method[]> = fc
  .array(fc.tuple(arbParams, arbParams, arbParams), { minLength: 1, maxLength: 3 })
  .map((ms) => ms.map((types, i) => ({ name: `M${i}`, types })));

const LOC = { file: 'gen.idl', line: 1, column: 1 };
const params = (type: ResolvedType) =>
  type.kind === 'struct' ? type.fields.map((f) => ({ name: f.name, type: f.type, loc: LOC })) : [];

function solution(methods: readonly Method[]): SolutionTables {
  const decls: MethodDecl[] = methods.map((m) => ({
    name: m.name,
    request: paramsCodec(`gen.I.${m.name} in`, params(m.types[0])),
    response: paramsCodec(`gen.I.${m.name} out`, params(m.types[1])),
    error: paramsCodec(`gen.I.${m.name} error`, params(m.types[2])),
  }));
  const r = compileSolution({
    name: 'gen',
    interfaces: [{ name: 'gen.I', methods: decls }],
    classes: [
      { name: 'C', endpoints: [] },
      { name: 'S', endpoints: [{ name: 'e', interface: 'gen.I' }] },
    ],
    processes: [],
    connections: [],
  });
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.value;
}

const STATE: MonitorState = Object.freeze({ n: 1 });
const POLICIES: readonly CompiledPolicy[] = [
  { name: 'grant', initial: STATE, decide: (s) => Object.freeze({ verdict: 'grant', rules: [{ id: 'g' }], next: s }) },
  {
    name: 'deny',
    initial: STATE,
    decide: (s) => ({ verdict: 'deny', rules: [{ id: 'default-deny' }], reason: 'no rule', next: s }),
  },
];

test('the monitor decides every event as the generic codec walk did: verdict, rules, reason, next state', () => {
  let structural = 0;
  check(
    FILE,
    'the monitor decides every event as the generic codec walk did: verdict, rules, reason, next state',
    arbMethods.chain((methods) => {
      const T = solution(methods);
      const gen = T.interfaces.findIndex((i) => i.name === 'gen.I');
      const event = fc
        .record({
          kind: fc.constantFrom(...EVENT_KINDS),
          // mostly the generated interface, sometimes a kernel one or none
          iface: fc.oneof(
            { weight: 6, arbitrary: fc.constant(gen) },
            fc.integer({ min: -1, max: T.interfaces.length }),
          ),
          mid: fc.integer({ min: -1, max: methods.length }),
          which: fc.nat(methods.length - 1),
          part: fc.nat(2),
        })
        .chain((e) => {
          const m = methods[e.which]!;
          const type = m.types[e.part]!;
          // a message for the method the event names (when it names one of ours), else for another
          const own = e.iface === gen && e.mid >= 0 && e.mid < methods.length ? methods[e.mid]!.types : m.types;
          const aimed = own[e.kind === 'response' ? 1 : e.kind === 'error' ? 2 : 0];
          return fc.tuple(fc.constant(e), fc.oneof(arbMessage(aimed), arbMessage(type)), fc.nat(POLICIES.length - 1));
        })
        .map(([e, message, p]): [SecurityEvent, number] => [
          {
            kind: e.kind,
            src: 2,
            srcClass: 2,
            dst: 3,
            dstClass: 3,
            endpoint: 0,
            method: 0,
            iface: e.iface,
            riid: 0,
            mid: e.mid,
            message,
            transfers: [],
          },
          p,
        ]);
      return fc.tuple(fc.constant(T), fc.array(event, { minLength: 1, maxLength: 15 }));
    }),
    ([T, events]) => {
      const monitors = POLICIES.map((p) => createMonitor(T, p));
      for (const [e, p] of events) {
        const got = monitors[p]!.decide(STATE, e);
        const want = genericDecide(T, POLICIES[p]!, STATE, e);
        if (!isDeepStrictEqual(got, want))
          assert.fail(`event ${show(e)}\nfast path: ${show(got)}\ngeneric:   ${show(want)}`);
        if (got.rules === STRUCTURE_RULES) structural++;
      }
    },
    runs(200),
    ([, events]) => show(events),
  );
  assert.ok(structural > 100, `only ${structural} structural denials: the messages barely test the check`);
});
