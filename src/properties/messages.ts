// Message payloads for the monitor's structural check, by declared type
// shape: random IDL types (every kind of codecs.ts, nested, aliased) and
// random io-ts parameter lists (the kernel's and a manifest's combinators),
// each with values of the type and values a hostile or broken process would
// send — the right value corrupted at one place (a field missing, an extra
// or non-enumerable or symbol key, a getter, another prototype, a hole, one
// element too many, a number out of range or inexact, a text too long or
// with a NUL or a lone surrogate) or junk of another type altogether.
// property-tests/fast-path.test.ts compares the specialised checks
// (src/interfaces/validators.ts) with the codecs on them.

import fc from 'fast-check';
import * as t from 'io-ts';
import { INTEGER_TYPES, integerRange, type ResolvedField, type ResolvedType } from '../interfaces/types.ts';
import { Nat, RightsMask } from '../kernel/kernel-api.ts';
import { ALL_RIGHTS } from '../kernel/types.ts';

/** Field names: plain ones, and ones Object.prototype has (an own field must shadow them). */
export const FIELD_NAMES = ['a', 'b', 'value', 'handle', 'rights', 'constructor', 'toString', 'hasOwnProperty'];

const arbFields = (type: fc.Arbitrary<ResolvedType>, minLength: number): fc.Arbitrary<ResolvedField[]> =>
  fc
    .uniqueArray(fc.constantFrom(...FIELD_NAMES), { minLength, maxLength: 3 })
    .chain((names) => fc.tuple(...names.map(() => type)).map((ts) => names.map((name, i) => ({ name, type: ts[i]! }))));

const withAlias = (a: fc.Arbitrary<ResolvedType>): fc.Arbitrary<ResolvedType> =>
  fc.tuple(a, fc.boolean()).map(([type, aliased]) => (aliased ? { ...type, alias: 'demo.Alias' } : type));

/** A resolved IDL type of any kind, nested up to a small depth. */
export const arbIdlType: fc.Arbitrary<ResolvedType> = fc.letrec<{ type: ResolvedType }>((tie) => ({
  type: withAlias(
    fc.oneof(
      { depthSize: 'small', maxDepth: 3 },
      fc.constantFrom(...Object.values(INTEGER_TYPES)),
      fc.constant({ kind: 'boolean' } as const),
      fc.constant({ kind: 'handle' } as const),
      fc.constant({ kind: 'callableHandle', interface: 'demo.Door' } as const),
      fc.nat(6).map((maxLength) => ({ kind: 'string', maxLength }) as const),
      fc.nat(4).map((maxLength) => ({ kind: 'bytes', maxLength }) as const),
      fc
        .tuple(tie('type'), fc.nat(3))
        .map(([element, maxLength]) => ({ kind: 'sequence', element, maxLength }) as const),
      fc.tuple(tie('type'), fc.nat(3)).map(([element, length]) => ({ kind: 'array', element, length }) as const),
      arbFields(tie('type'), 0).map((fields) => ({ kind: 'struct', name: 'demo.S', fields }) as const),
      arbFields(tie('type'), 1).map((members) => ({ kind: 'union', name: 'demo.U', members }) as const),
    ),
  ),
})).type;

/** UTF-8 length of a text made of the units below. */
const utf8 = (s: string) => new TextEncoder().encode(s).length;
const TEXT_UNITS = ['a', 'Z', ' ', 'é', '€', '\u{1F600}'];

/** A record as a process would build it: a fresh plain object, fields in the given order. */
function plain(entries: readonly (readonly [string, unknown])[]): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const [k, v] of entries) o[k] = v;
  return o;
}

/** A value of the type (the codec must accept every one). */
export function arbValue(type: ResolvedType): fc.Arbitrary<unknown> {
  switch (type.kind) {
    case 'integer': {
      const { min, max } = integerRange(type);
      const safe = (v: bigint) => v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER);
      return fc
        .tuple(fc.oneof(fc.constantFrom(min, max, 0n), fc.bigInt({ min, max })), fc.boolean())
        .map(([v, asNumber]) => (asNumber && safe(v) ? Number(v) : v));
    }
    case 'boolean':
      return fc.boolean();
    case 'handle':
    case 'callableHandle':
      return fc.tuple(fc.oneof(fc.nat(8), fc.maxSafeNat()), fc.nat(ALL_RIGHTS)).map(([handle, rights]) =>
        plain([
          ['handle', handle],
          ['rights', rights],
        ]),
      );
    case 'string':
      return fc.array(fc.constantFrom(...TEXT_UNITS), { maxLength: type.maxLength }).map((units) => {
        let s = '';
        for (const u of units) if (utf8(s + u) <= type.maxLength) s += u;
        return s;
      });
    case 'bytes':
      return fc.array(fc.oneof(fc.nat(255), fc.bigInt({ min: 0n, max: 255n })), { maxLength: type.maxLength });
    case 'sequence':
      return fc.array(arbValue(type.element), { maxLength: type.maxLength });
    case 'array':
      return fc.array(arbValue(type.element), { minLength: type.length, maxLength: type.length });
    case 'struct':
      return fc
        .tuple(...type.fields.map((f) => arbValue(f.type)))
        .map((vs) => plain(type.fields.map((f, i) => [f.name, vs[i]] as const)));
    case 'union':
      return fc.constantFrom(...type.members).chain((m) => arbValue(m.type).map((v) => plain([[m.name, v]])));
  }
}

/** Values of no IDL type, or of the wrong one: edges of every integer type, inexact numbers, odd objects. */
export const JUNK: readonly unknown[] = [
  -1,
  -0,
  0.5,
  -1.5,
  128,
  256,
  2 ** 15,
  65536,
  2 ** 31,
  -(2 ** 31) - 1,
  2 ** 32,
  2 ** 53,
  2 ** 60,
  2 ** 64,
  Number.MAX_SAFE_INTEGER + 2,
  Number.NaN,
  Infinity,
  -Infinity,
  -1n,
  256n,
  2n ** 63n,
  2n ** 64n,
  -(2n ** 63n) - 1n,
  '',
  'x',
  'a\0b',
  '\uD800',
  true,
  false,
  null,
  undefined,
  [],
  [1],
  [1, 2, 3, 4, 5],
  {},
  { handle: 1, rights: 1 },
  { handle: 1, rights: 128 },
  { a: 1 },
  new Uint8Array(2),
  new Date(0),
  Symbol('x'),
  () => 1,
];

const freshJunk = (i: number): unknown => {
  const v = JUNK[i % JUNK.length];
  // a fresh copy of an object, so no two values share one
  if (Array.isArray(v)) return [...(v as unknown[])];
  if (v instanceof Uint8Array) return new Uint8Array(v);
  if (v instanceof Date) return new Date(0);
  if (typeof v === 'object' && v !== null) return { ...v };
  return v;
};

/** The ways to spoil a record (a struct, a handle description, a parameter list). */
function spoilRecord(o: Record<string, unknown>, how: number, pick: number, junk: unknown): unknown {
  const keys = Object.keys(o);
  const k = keys.length === 0 ? 'a' : keys[pick % keys.length]!;
  switch (how % 13) {
    case 0: {
      const r = { ...o };
      delete r[k];
      return r;
    }
    case 1:
      return { ...o, [FIELD_NAMES[pick % FIELD_NAMES.length]!]: junk };
    case 2:
      return Object.defineProperty({ ...o }, 'hidden', { value: 1, enumerable: false });
    case 3:
      return Object.assign({ ...o }, { [Symbol('s')]: 1 });
    case 4: {
      // the field is there, but not enumerable
      const r = { ...o };
      if (k in r) Object.defineProperty(r, k, { value: r[k], enumerable: false });
      return r;
    }
    case 5: {
      // a getter returning the right value
      const r = { ...o };
      const v = r[k];
      if (keys.length > 0) Object.defineProperty(r, k, { get: () => v, enumerable: true });
      return r;
    }
    case 6: {
      // a getter that throws
      const r = { ...o };
      Object.defineProperty(r, k, {
        get: () => {
          throw new Error('unreadable');
        },
        enumerable: true,
      });
      return r;
    }
    case 7:
      return Object.assign(Object.create(null) as object, o);
    case 8:
      return Object.assign(Object.create({ inherited: 1 }) as object, o);
    case 9:
      return Object.assign(new (class Message {})(), o);
    case 10:
      return Object.assign([], o);
    case 11: {
      // one field missing, another in its place (same number of keys)
      const r = { ...o };
      delete r[k];
      r[`${k}_`] = junk;
      return r;
    }
    default:
      return { ...o, [k]: undefined };
  }
}

function spoilList(a: readonly unknown[], how: number, pick: number, junk: unknown): unknown {
  switch (how % 7) {
    case 0:
      return [...a, a.length > 0 ? a[0] : junk];
    case 1:
      return a.slice(1);
    case 2: {
      // a hole
      const r = [...a];
      if (r.length === 0) r.length = 1;
      else delete r[pick % r.length];
      return r;
    }
    case 3:
      return a.length === 0 ? [junk] : a.map((x, i) => (i === pick % a.length ? junk : x));
    case 4:
      return Object.assign([...a], { extra: 1 });
    case 5:
      return Object.assign({}, a);
    default:
      return new Uint8Array(a.length);
  }
}

/** The value with one thing wrong at (or below) some place; `picks` chooses where and what. */
export function spoil(type: ResolvedType, v: unknown, picks: readonly number[], depth = 0): unknown {
  const p = (i: number) => picks[(depth * 3 + i) % picks.length]!;
  const junk = freshJunk(p(2));
  const descend = p(0) % 3 !== 0;
  switch (type.kind) {
    case 'integer': {
      const { min, max } = integerRange(type);
      return [max + 1n, min - 1n, Number(max) + 1, Number(min) - 1, 1.5, 2 ** 60, junk][p(1) % 7];
    }
    case 'boolean':
      return [0, 1, 'true', junk][p(1) % 4];
    case 'string': {
      const n = type.maxLength;
      return [
        'x'.repeat(n + 1),
        'é'.repeat(Math.ceil((n + 1) / 2)),
        `${'a'.repeat(Math.max(0, n - 1))}\0`,
        '\uDC00',
        junk,
      ][p(1) % 5];
    }
    case 'handle':
    case 'callableHandle':
    case 'struct':
    case 'union': {
      const o = v as Record<string, unknown>;
      const keys = Object.keys(o);
      if (descend && keys.length > 0) {
        const k = keys[p(1) % keys.length]!;
        const fields: readonly ResolvedField[] =
          type.kind === 'struct'
            ? type.fields
            : type.kind === 'union'
              ? type.members
              : [
                  { name: 'handle', type: INTEGER_TYPES.UInt32 },
                  { name: 'rights', type: INTEGER_TYPES.UInt8 },
                ];
        const f = fields.find((x) => x.name === k);
        if (f !== undefined) return { ...o, [k]: spoil(f.type, o[k], picks, depth + 1) };
      }
      if (type.kind === 'union' && p(1) % 4 === 0) return { ...o, [FIELD_NAMES[p(2) % FIELD_NAMES.length]!]: junk };
      return spoilRecord(o, p(1), p(2), junk);
    }
    case 'bytes':
    case 'sequence':
    case 'array': {
      const a = v as unknown[];
      if (descend && a.length > 0) {
        const i = p(1) % a.length;
        const el = type.kind === 'bytes' ? INTEGER_TYPES.UInt8 : type.element;
        return a.map((x, j) => (j === i ? spoil(el, x, picks, depth + 1) : x));
      }
      return spoilList(a, p(1), p(2), junk);
    }
  }
}

/** Values for a type: right ones, spoilt ones, junk. */
export function arbMessage(type: ResolvedType): fc.Arbitrary<unknown> {
  const value = arbValue(type);
  return fc.oneof(
    { weight: 3, arbitrary: value },
    {
      weight: 6,
      arbitrary: fc
        .tuple(value, fc.array(fc.nat(), { minLength: 3, maxLength: 12 }))
        .map(([v, picks]) => spoil(type, v, picks)),
    },
    { weight: 1, arbitrary: fc.nat().map(freshJunk) },
    { weight: 1, arbitrary: fc.anything({ maxDepth: 2, withNullPrototype: true, withBigInt: true }) },
  );
}

/* ------------------------------------------------------------ io-ts parameter lists */

/** An io-ts codec shape as the kernel's service arguments and a manifest's parameter lists use them. */
export type IoShape =
  | { readonly kind: 'string' | 'number' | 'boolean' | 'unknown' | 'nat' | 'rights' | 'clock' | 'int8' }
  | { readonly kind: 'type' | 'exact'; readonly props: readonly (readonly [string, IoShape])[] }
  | { readonly kind: 'array'; readonly element: IoShape }
  | { readonly kind: 'union'; readonly members: readonly IoShape[] };

const isInt8 = (u: unknown): u is number => typeof u === 'number' && Number.isInteger(u) && u >= -128 && u <= 127;
/** A custom scalar, as a manifest builds its integer types (src/solution/manifest.ts). */
const Int8 = new t.Type<number, number, unknown>(
  'SInt8',
  isInt8,
  (u, c) => (isInt8(u) ? t.success(u) : t.failure(u, c)),
  t.identity,
);
const Clock = t.keyof({ monotonic: null, realtime: null });

const arbProps = (shape: fc.Arbitrary<IoShape>) =>
  fc
    .uniqueArray(fc.constantFrom(...FIELD_NAMES), { maxLength: 3 })
    .chain((names) => fc.tuple(...names.map(() => shape)).map((ss) => names.map((n, i) => [n, ss[i]!] as const)));

export const arbIoShape: fc.Arbitrary<IoShape> = fc.letrec<{ shape: IoShape }>((tie) => ({
  shape: fc.oneof(
    { depthSize: 'small', maxDepth: 3 },
    fc.constantFrom(
      ...(['string', 'number', 'boolean', 'unknown', 'nat', 'rights', 'clock', 'int8'] as const).map((kind) => ({
        kind,
      })),
    ),
    fc
      .tuple(fc.constantFrom('type', 'exact') as fc.Arbitrary<'type' | 'exact'>, arbProps(tie('shape')))
      .map(([kind, props]) => ({ kind, props })),
    tie('shape').map((element) => ({ kind: 'array', element }) as const),
    fc.array(tie('shape'), { minLength: 1, maxLength: 2 }).map((members) => ({ kind: 'union', members }) as const),
  ),
})).shape;

/** The codec of a shape. */
export function ioCodec(s: IoShape): t.Mixed {
  switch (s.kind) {
    case 'string':
      return t.string;
    case 'number':
      return t.number;
    case 'boolean':
      return t.boolean;
    case 'unknown':
      return t.unknown;
    case 'nat':
      return Nat;
    case 'rights':
      return RightsMask;
    case 'clock':
      return Clock;
    case 'int8':
      return Int8;
    case 'type':
    case 'exact': {
      const c = t.type(Object.fromEntries(s.props.map(([k, p]) => [k, ioCodec(p)])));
      return s.kind === 'exact' ? t.exact(c) : c;
    }
    case 'array':
      return t.array(ioCodec(s.element));
    case 'union': {
      const [a, b] = s.members.map(ioCodec);
      return b === undefined ? t.union([a!, a!]) : t.union([a!, b]);
    }
  }
}

/** A value the shape's codec accepts. */
export function arbIoValue(s: IoShape): fc.Arbitrary<unknown> {
  switch (s.kind) {
    case 'string':
      return fc.string({ maxLength: 4 });
    case 'number':
      return fc.double();
    case 'boolean':
      return fc.boolean();
    case 'unknown':
      return fc.anything({ maxDepth: 1 });
    case 'nat':
      return fc.oneof(fc.nat(8), fc.maxSafeNat());
    case 'rights':
      return fc.nat(ALL_RIGHTS);
    case 'clock':
      return fc.constantFrom('monotonic', 'realtime');
    case 'int8':
      return fc.integer({ min: -128, max: 127 });
    case 'type':
    case 'exact':
      return fc
        .tuple(...s.props.map(([, p]) => arbIoValue(p)))
        .map((vs) => plain(s.props.map(([k], i) => [k, vs[i]] as const)));
    case 'array':
      return fc.array(arbIoValue(s.element), { maxLength: 3 });
    case 'union':
      return fc.oneof(...s.members.map(arbIoValue));
  }
}

/** The value spoilt at (or below) one place. */
export function spoilIo(s: IoShape, v: unknown, picks: readonly number[], depth = 0): unknown {
  const p = (i: number) => picks[(depth * 3 + i) % picks.length]!;
  const junk = freshJunk(p(2));
  if (s.kind === 'type' || s.kind === 'exact') {
    const o = v as Record<string, unknown>;
    if (p(0) % 3 !== 0 && s.props.length > 0) {
      const [k, ps] = s.props[p(1) % s.props.length]!;
      return { ...o, [k]: spoilIo(ps, o[k], picks, depth + 1) };
    }
    return spoilRecord(o, p(1), p(2), junk);
  }
  if (s.kind === 'array') {
    const a = v as unknown[];
    if (p(0) % 3 !== 0 && a.length > 0) {
      const i = p(1) % a.length;
      return a.map((x, j) => (j === i ? spoilIo(s.element, x, picks, depth + 1) : x));
    }
    return spoilList(a, p(1), p(2), junk);
  }
  return junk;
}

/** Values for a shape: right ones, spoilt ones, junk. */
export function arbIoMessage(s: IoShape): fc.Arbitrary<unknown> {
  const value = arbIoValue(s);
  return fc.oneof(
    { weight: 3, arbitrary: value },
    {
      weight: 6,
      arbitrary: fc
        .tuple(value, fc.array(fc.nat(), { minLength: 3, maxLength: 12 }))
        .map(([v, picks]) => spoilIo(s, v, picks)),
    },
    { weight: 1, arbitrary: fc.anything({ maxDepth: 2, withNullPrototype: true, withBigInt: true }) },
  );
}
