/**
 * IDL types as io-ts codecs (src/interfaces/codecs.ts): every type accepts
 * its values and rejects others with the path into the message; the monitor
 * denies a message that does not match its method, before the policy runs.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inspect } from 'node:util';
import { isLeft, isRight } from 'fp-ts/lib/Either.js';
import { describeErrors, interfaceDecl, paramsCodec, typeCodec } from '../src/interfaces/codecs.ts';
import { resolveTaskClasses } from '../src/interfaces/resolve.ts';
import { compileCheck } from '../src/interfaces/validators.ts';
import { INTEGER_TYPES, type ResolvedType } from '../src/interfaces/types.ts';
import { compileSolution } from '../src/kernel/tables.ts';
import { createMonitor } from '../src/monitor/monitor.ts';
import { rulesKey, type CompiledPolicy, SecurityEvent } from '../src/monitor/types.ts';

const accepts = (type: ResolvedType, ...values: unknown[]) => {
  const c = typeCodec(type);
  for (const v of values) {
    assert.ok(c.is(v), `${c.name} should accept ${inspect(v)}`);
    const d = c.decode(v);
    assert.ok(isRight(d), `${c.name} should decode ${inspect(v)}`);
    assert.equal(d.right, v, 'decoding returns the value as given');
  }
};
/** The codec rejects the value; the single error message is returned. */
const rejects = (type: ResolvedType, value: unknown): string[] => {
  const c = typeCodec(type);
  assert.equal(c.is(value), false, `${c.name} should reject ${inspect(value)}`);
  const d = c.decode(value);
  assert.ok(isLeft(d));
  return describeErrors(d.left);
};

describe('integers: exact ranges', () => {
  const cases: [keyof typeof INTEGER_TYPES, bigint, bigint][] = [
    ['SInt8', -128n, 127n],
    ['SInt16', -32768n, 32767n],
    ['SInt32', -2147483648n, 2147483647n],
    ['SInt64', -9223372036854775808n, 9223372036854775807n],
    ['UInt8', 0n, 255n],
    ['UInt16', 0n, 65535n],
    ['UInt32', 0n, 4294967295n],
    ['UInt64', 0n, 18446744073709551615n],
    ['UIntSize', 0n, 18446744073709551615n],
    ['UIntPtr', 0n, 18446744073709551615n],
  ];
  for (const [name, min, max] of cases) {
    it(`${name}: ${min}..${max}`, () => {
      const type = INTEGER_TYPES[name];
      accepts(type, min, max, 0n);
      // numbers too, where they are exact
      const safe = (v: bigint) => v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER);
      if (safe(min)) accepts(type, Number(min));
      if (safe(max)) accepts(type, Number(max));
      assert.deepEqual(rejects(type, max + 1n), [`message: expected ${name} (${min}..${max}), got ${max + 1n}n`]);
      assert.match(rejects(type, min - 1n)[0]!, new RegExp(`expected ${name} \\(${min}\\.\\.${max}\\)`));
      if (safe(max + 1n)) assert.match(rejects(type, Number(max + 1n))[0]!, /got \d+$/);
      for (const bad of [1.5, Number.NaN, Infinity, '1', true, null, undefined, [], {}]) rejects(type, bad);
    });
  }
  it('64-bit numbers beyond 2^53 - 1 must be bigints', () => {
    const [msg] = rejects(INTEGER_TYPES.UInt64, 2 ** 60);
    assert.match(msg!, /not exact: write it as a bigint/);
    accepts(INTEGER_TYPES.UInt64, 2n ** 60n, Number.MAX_SAFE_INTEGER);
  });
});

describe('other scalars', () => {
  it('Boolean', () => {
    accepts({ kind: 'boolean' }, true, false);
    assert.deepEqual(rejects({ kind: 'boolean' }, 1), ['message: expected Boolean (true or false), got 1']);
  });
  it('string<N>: at most N UTF-8 bytes, no NUL, well-formed', () => {
    const s4: ResolvedType = { kind: 'string', maxLength: 4 };
    accepts(s4, '', 'abcd', 'é€'.slice(0, 1) + 'ab', '\u{1F600}');
    assert.deepEqual(rejects(s4, 'abcde'), [
      'message: expected string<4> (at most 4 UTF-8 bytes), got a text of 5 bytes',
    ]);
    assert.match(rejects(s4, 'ab€')[0]!, /got a text of 5 bytes/); // € is 3 bytes
    assert.match(rejects(s4, 'a\0b')[0]!, /without NUL/);
    assert.match(rejects(s4, '\uD800')[0]!, /lone surrogates/);
    assert.match(rejects(s4, 12)[0]!, /expected string<4> \(a text\), got 12/);
  });
  it('bytes<N>: a list of at most N bytes', () => {
    const b3: ResolvedType = { kind: 'bytes', maxLength: 3 };
    accepts(b3, [], [0, 255, 7], [1n]);
    assert.match(rejects(b3, [1, 2, 3, 4])[0]!, /at most 3 bytes\), got 4/);
    assert.deepEqual(rejects(b3, [1, 256]), ['[1]: expected a byte (0..255), got 256']);
    assert.match(rejects(b3, new Uint8Array(2))[0]!, /a list of integers 0\.\.255/);
    rejects(b3, 'abc');
  });
  it('Handle and handle<I>: a handle description { handle, rights }', () => {
    accepts({ kind: 'handle' }, { handle: 3, rights: 127 }, { handle: 3, rights: 0 });
    accepts({ kind: 'callableHandle', interface: 'demo.Bolt' }, { handle: 0, rights: 1 });
    assert.deepEqual(rejects({ kind: 'handle' }, { handle: -1, rights: 1 }), [
      'handle: expected a handle (a non-negative integer), got -1',
    ]);
    assert.deepEqual(rejects({ kind: 'handle' }, { handle: 1 }), ['rights: missing (expected rights mask (0..127))']);
  });
  it('Handle rights: exactly 0..127 (ALL_RIGHTS), as the kernel reads a transfer', () => {
    // 2^32 + 127 has the low 7 bits of every right; a 32-bit mask would read it as 127
    for (const rights of [2 ** 32 + 127, 128, 0xffffffff, -1, -0.5, 1.5, 127.0000001, Number.NaN, Infinity, 1n, '1'])
      assert.deepEqual(rejects({ kind: 'handle' }, { handle: 1, rights }), [
        `rights: expected a rights mask, an integer 0..127, got ${typeof rights === 'bigint' ? '1n' : typeof rights === 'string' ? 'the text "1"' : String(rights)}`,
      ]);
    assert.match(rejects({ kind: 'handle' }, 5)[0]!, /a record \{ handle, rights \}/);
  });
});

describe('containers and records', () => {
  const u8 = INTEGER_TYPES.UInt8;
  it('sequence<T, N>: at most N elements, each checked with its index', () => {
    const seq: ResolvedType = { kind: 'sequence', element: u8, maxLength: 2 };
    accepts(seq, [], [1], [1, 2]);
    assert.match(rejects(seq, [1, 2, 3])[0]!, /sequence<UInt8, 2> \(at most 2 elements\), got 3/);
    assert.deepEqual(rejects(seq, [1, -1]), ['[1]: expected UInt8 (0..255), got -1']);
    rejects(seq, { 0: 1 });
  });
  it('array<T, N>: exactly N elements', () => {
    const arr: ResolvedType = { kind: 'array', element: u8, length: 2 };
    accepts(arr, [1, 2]);
    assert.match(rejects(arr, [1])[0]!, /exactly 2 elements\), got 1/);
    // eslint-disable-next-line no-sparse-arrays
    rejects(arr, [1, ,]);
  });
  const point: ResolvedType = {
    kind: 'struct',
    name: 'demo.Geo.Point',
    fields: [
      { name: 'x', type: u8 },
      { name: 'tags', type: { kind: 'sequence', element: { kind: 'string', maxLength: 3 }, maxLength: 2 } },
    ],
  };
  it('struct: exactly its fields; missing, extra and nested errors name the path', () => {
    accepts(point, { x: 1, tags: ['a'] }, Object.assign(Object.create(null) as object, { x: 1, tags: [] }));
    assert.deepEqual(rejects(point, { x: 1 }), ['tags: missing (expected sequence<string<3>, 2>)']);
    assert.deepEqual(rejects(point, { x: 1, tags: [], z: 0 }), ['z: is not one of x, tags (struct demo.Geo.Point)']);
    assert.deepEqual(rejects(point, { x: 1, tags: ['ok', 'long'] }), [
      'tags[1]: expected string<3> (at most 3 UTF-8 bytes), got a text of 4 bytes',
    ]);
    assert.match(rejects(point, [1, []])[0]!, /struct demo\.Geo\.Point \(a record with x, tags\), got a list of 2/);
    // not plain objects, and inherited fields do not count
    rejects(point, new Date());
    rejects(point, Object.assign(Object.create({ x: 1 }) as object, { tags: [] }));
  });
  it('union: exactly one member, named', () => {
    const result: ResolvedType = {
      kind: 'union',
      name: 'demo.Bolt.TurnResult',
      members: [
        { name: 'done', type: INTEGER_TYPES.UInt16 },
        { name: 'code', type: INTEGER_TYPES.SInt32 },
      ],
    };
    accepts(result, { done: 90 }, { code: -1 });
    assert.match(rejects(result, {})[0]!, /exactly one of done, code, got no member/);
    assert.match(rejects(result, { done: 1, code: 2 })[0]!, /got the keys done, code/);
    assert.deepEqual(rejects(result, { done: -5 }), ['done: expected UInt16 (0..65535), got -5']);
  });
  it('complete mediation: a hidden (non-enumerable) property is a field the policy would not see, refused and named', () => {
    const hidden = (o: object, k: string, v: unknown) => Object.defineProperty(o, k, { value: v, enumerable: false });
    const smuggler = hidden({ x: 1, tags: [] }, 'secret', 'for the receiver only');
    assert.deepEqual(rejects(point, smuggler), ['secret: is not one of x, tags (struct demo.Geo.Point)']);
    // a declared field that is hidden is still the field: present, checked, delivered
    accepts(point, hidden({ tags: [] }, 'x', 1));
    const result: ResolvedType = { kind: 'union', name: 'demo.U', members: [{ name: 'done', type: u8 }] };
    assert.match(rejects(result, hidden({ done: 1 }, 'code', 2))[0]!, /got the keys done, code/);
    // the monitor's compiled check (src/interfaces/validators.ts) refuses what the codec refuses
    for (const [type, v] of [
      [point, smuggler],
      [result, hidden({ done: 1 }, 'code', 2)],
    ] as const) {
      const check = compileCheck(typeCodec(type));
      assert.ok(check !== null && check(v) === false, `the compiled check of ${typeCodec(type).name} refuses it`);
    }
  });
  it('a typedef name appears in the message', () => {
    const line: ResolvedType = { kind: 'string', maxLength: 2, alias: 'demo.Log.Line' };
    assert.match(rejects(line, 'abc')[0]!, /expected demo\.Log\.Line = string<2>/);
  });
  it('parameter lists: exactly the declared parameters', () => {
    const loc = { file: 'x.idl', line: 1, column: 1 };
    const c = paramsCodec('demo.P.M in', [{ name: 'a', type: u8, loc }]);
    assert.ok(c.is({ a: 1 }));
    assert.equal(c.is({ a: 1, b: 2 }), false);
    assert.equal(c.is({}), false);
    assert.ok(paramsCodec('demo.P.N in', []).is({}));
    assert.equal(paramsCodec('demo.P.N in', []).is({ x: 1 }), false);
  });
});

describe('from IDL files to the monitor', () => {
  const files: Record<string, string> = {
    '/x/demo/Bolt.idl': `package demo.Bolt
import kl.core.Types
const UInt8 Max = 2 + 1;
struct TurnRequest { UInt16 angle; UInt8 repeats; }
union TurnResult { UInt16 done; SInt32 code; }
typedef sequence<string<8>, Max> Names;
interface {
    Turn(in TurnRequest request, out TurnResult result, error SInt32 rc);
    Name(in Names names, in Boolean loud, in Handle key, in array<UInt8, 2> pair, in bytes<4> raw);
}`,
    '/x/demo/Lock.edl': 'task class demo.Lock\nendpoints { bolt : demo.Bolt }\n',
    '/x/demo/Door.edl': 'task class demo.Door\n',
  };
  const specs = resolveTaskClasses(['demo.Lock', 'demo.Door'], { searchPath: ['/x'], readFile: (p) => files[p] });
  const iface = interfaceDecl(specs.interfaces.get('demo.Bolt')!);

  it('each method has in / out / error codecs', () => {
    const [turn, name] = iface.methods;
    assert.ok(turn!.request.is({ request: { angle: 90, repeats: 3 } }));
    assert.ok(turn!.response.is({ result: { done: 90 } }));
    assert.ok(turn!.error.is({ rc: -1 }));
    assert.equal(turn!.error.is({ result: { done: 90 } }), false);
    assert.ok(
      name!.request.is({
        names: ['a', 'b', 'c'],
        loud: true,
        key: { handle: 2, rights: 3 },
        pair: [1, 2],
        raw: [0, 1, 2, 3],
      }),
    );
    assert.equal(
      name!.request.is({
        names: ['a', 'b', 'c', 'd'],
        loud: true,
        key: { handle: 2, rights: 3 },
        pair: [1, 2],
        raw: [],
      }),
      false,
    );
    assert.ok(name!.response.is({}));
  });

  it('the monitor denies an invalid message with the io-ts path, before the policy', () => {
    const tables = compileSolution({
      name: 'codecs',
      interfaces: [iface],
      classes: [
        { name: 'demo.Lock', endpoints: [{ name: 'bolt', interface: 'demo.Bolt' }] },
        { name: 'demo.Door', endpoints: [] },
      ],
      processes: [],
      connections: [],
    });
    assert.ok(tables.ok);
    let asked = 0;
    const grantAll: CompiledPolicy = {
      name: 'grant-all',
      initial: null,
      decide: (s) => (asked++, { verdict: 'grant', rules: [{ id: 'all' }], next: s }),
    };
    const m = createMonitor(tables.value, grantAll);
    const t = tables.value;
    const ifaceId = t.interfaces.findIndex((i) => i.name === 'demo.Bolt');
    const ev = (message: unknown): SecurityEvent => ({
      kind: 'request',
      src: 3,
      srcClass: t.classByName.get('demo.Door')!,
      dst: 2,
      dstClass: t.classByName.get('demo.Lock')!,
      endpoint: t.endpointNames.indexOf('bolt'),
      method: t.methodNames.indexOf('Turn'),
      iface: ifaceId,
      riid: 0,
      mid: 0,
      message,
      transfers: [],
    });
    assert.equal(m.decide(null, ev({ request: { angle: 90, repeats: 1 } })).verdict, 'grant');
    assert.equal(asked, 1);
    const d = m.decide(null, ev({ request: { angle: 70000, repeats: 1 } }));
    assert.equal(d.verdict, 'deny');
    assert.equal(rulesKey(d), 'structure');
    assert.match(d.reason!, /demo\.Bolt\.Turn \(request\): request\.angle: expected UInt16 \(0\.\.65535\), got 70000/);
    const big = m.decide(null, ev({ request: { angle: 2n ** 70n, repeats: 1 } }));
    assert.match(big.reason!, /request\.angle: expected UInt16 \(0\.\.65535\), got 1180591620717411303424n/);
    assert.equal(asked, 1, 'the policy never saw the invalid messages');
    // a grant that names no rule is no well-formed decision: the monitor denies it as a policy error
    const nameless = createMonitor(t, { ...grantAll, decide: (s) => ({ verdict: 'grant', rules: [], next: s }) });
    const n = nameless.decide(null, ev({ request: { angle: 90, repeats: 1 } }));
    assert.deepEqual(
      [n.verdict, n.rules, n.reason],
      ['deny', [{ id: 'policy-error' }], 'policy "grant-all" named no rule for its grant'],
    );
  });
});
