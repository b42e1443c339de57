/**
 * The monitor's fast path: a specialised check per message codec, compiled
 * once per solution (src/monitor/monitor.ts compiles one per method and kind).
 *
 * The codecs (codecs.ts, kernel-api.ts, a manifest's parameter lists) stay
 * the definition of a well-formed message; a check here is only a faster way
 * of computing the same `codec.is(u)`. A codec's `is` walks a tree of codec
 * objects, calling each child through a method that every kind of node
 * shares, so that call site sees every node class at once and V8 cannot
 * specialise it. `compileCheck` turns the tree into closures instead: one
 * closure per node, holding its constants (a range, a bound, the field names)
 * and its children's closures, so each call site sees one shape.
 *
 * Equivalence rules, which property-tests/fast-path.test.ts checks against
 * the codecs on generated valid and invalid messages of every type shape:
 *
 * - every specialised node does the same reads of the value in the same
 *   order as its codec's `check` or `is` (so a getter that throws, or a
 *   proxy, is read alike: the monitor reports "it cannot be read" for both);
 * - a node is specialised only when its codec is known to be what it seems:
 *   one of the IDL node classes of codecs.ts, io-ts's own primitive
 *   instances (`t.string`, `t.number`, `t.boolean`, `t.unknown`), an io-ts
 *   `InterfaceType` whose `is` is the one `t.type` builds, an `ExactType`
 *   that kept its inner codec's `is`. Any other codec (a custom `t.Type`, a
 *   new IDL node class such as a labelled handle) is called through its own
 *   `is`: correct by definition, only not specialised;
 * - `null` means the codec accepts every value (`t.unknown`, `t.any`): the
 *   monitor then skips the check.
 *
 * A message a check refuses is explained by the codec itself (`decode`), so
 * the errors are the codec's, word for word.
 */
import * as t from 'io-ts';
import {
  BooleanCodec,
  BytesCodec,
  IntegerCodec,
  isByte,
  isRecord,
  ListCodec,
  RecordCodec,
  StringCodec,
  UnionCodec,
  utf8Length,
} from './codecs.ts';

/** Whether a value is well formed; it may throw where the codec's own `is` would (a getter, a proxy). */
export type Check = (u: unknown) => boolean;

const hasOwnProperty = Object.prototype.hasOwnProperty;

/** The `is` that io-ts's `t.type` gives every InterfaceType it builds (one function text for all of them). */
const TYPE_IS_SOURCE = String(t.type({}).is);

const memo = new WeakMap<t.Mixed, Check | null>();

/**
 * The specialised check of a codec: a function equal to `codec.is` on every
 * value, or `null` when the codec accepts every value. Memoised per codec.
 */
export function compileCheck(codec: t.Mixed): Check | null {
  if (memo.has(codec)) return memo.get(codec)!;
  const check = build(codec);
  memo.set(codec, check);
  return check;
}

/** The specialised check of a codec as a function (an accept-all codec gives a function that accepts). */
export function checkOf(codec: t.Mixed): Check {
  return compileCheck(codec) ?? acceptAll;
}

const acceptAll: Check = () => true;

function build(codec: t.Mixed): Check | null {
  if (codec === t.unknown || codec instanceof t.AnyType) return null;
  if (codec === t.string) return isString;
  if (codec === t.number) return isNumber;
  if (codec === t.boolean) return isBoolean;
  if (codec instanceof IntegerCodec) return integer(codec.lo, codec.hi, codec.loBig, codec.hiBig);
  if (codec instanceof BooleanCodec) return isBoolean;
  if (codec instanceof StringCodec) return string(codec.maxLength);
  if (codec instanceof BytesCodec) return bytes(codec.maxLength);
  if (codec instanceof ListCodec) return list(compileCheck(codec.element), codec.min, codec.max);
  if (codec instanceof RecordCodec)
    return record(
      codec.keys,
      codec.fields.map((f) => compileCheck(f.codec)),
    );
  if (codec instanceof UnionCodec)
    return union(new Map(codec.members.map((m) => [m.name, compileCheck(m.codec)] as const)));
  if (codec instanceof t.InterfaceType && String(codec.is) === TYPE_IS_SOURCE) {
    const props = codec.props as Record<string, t.Mixed>;
    const keys = Object.keys(props);
    return ioRecord(
      keys,
      keys.map((k) => compileCheck(props[k]!)),
    );
  }
  if (codec instanceof t.ExactType && codec.is === (codec.type as t.Mixed).is)
    return compileCheck(codec.type as t.Mixed);
  return own(codec);
}

/** A codec not specialised: its own `is`. */
const own =
  (codec: t.Mixed): Check =>
  (u) =>
    codec.is(u);

const isString: Check = (u) => typeof u === 'string';
const isNumber: Check = (u) => typeof u === 'number';
const isBoolean: Check = (u) => typeof u === 'boolean';

/** IntegerCodec.check */
const integer =
  (lo: number, hi: number, loBig: bigint, hiBig: bigint): Check =>
  (u) =>
    typeof u === 'number'
      ? Number.isSafeInteger(u) && u >= lo && u <= hi
      : typeof u === 'bigint' && u >= loBig && u <= hiBig;

/** StringCodec.check */
const string =
  (max: number): Check =>
  (u) => {
    if (typeof u !== 'string' || u.length > max) return false;
    const n = utf8Length(u);
    return n >= 0 && n <= max;
  };

/** BytesCodec.check */
const bytes =
  (max: number): Check =>
  (u) => {
    if (!Array.isArray(u) || u.length > max) return false;
    for (let i = 0; i < u.length; i++) if (!(i in u) || !isByte(u[i])) return false;
    return true;
  };

/** ListCodec.check (sequence and array) */
const list =
  (element: Check | null, min: number, max: number): Check =>
  (u) => {
    if (!Array.isArray(u) || u.length < min || u.length > max) return false;
    for (let i = 0; i < u.length; i++) if (!(i in u) || (element !== null && !element(u[i]))) return false;
    return true;
  };

/** RecordCodec.check: a plain object with exactly these own properties (none hidden, no symbol keys), each of its type. */
function record(keys: readonly string[], checks: readonly (Check | null)[]): Check {
  const n = keys.length;
  const shaped = (u: unknown): u is Record<string, unknown> =>
    isRecord(u) && Object.getOwnPropertyNames(u).length === n && Object.getOwnPropertySymbols(u).length === 0;
  const field = (u: Record<string, unknown>, k: string, c: Check | null) =>
    Object.hasOwn(u, k) && (c === null || c(u[k]));
  // the common arities unrolled, so no loop reads the field arrays
  if (n === 0) return shaped;
  if (n === 1) {
    const [k0] = keys as [string];
    const [c0] = checks as [Check | null];
    return (u) => shaped(u) && field(u, k0, c0);
  }
  if (n === 2) {
    const [k0, k1] = keys as [string, string];
    const [c0, c1] = checks as [Check | null, Check | null];
    return (u) => shaped(u) && field(u, k0, c0) && field(u, k1, c1);
  }
  return (u) => {
    if (!shaped(u)) return false;
    for (let i = 0; i < n; i++) if (!field(u, keys[i]!, checks[i]!)) return false;
    return true;
  };
}

/** UnionCodec.check: a plain object with exactly one own property (none hidden, no symbol keys), a member, holding that member's type. */
function union(members: ReadonlyMap<string, Check | null>): Check {
  return (u) => {
    if (!isRecord(u) || Object.getOwnPropertySymbols(u).length > 0) return false;
    const keys = Object.getOwnPropertyNames(u);
    if (keys.length !== 1 || !members.has(keys[0]!)) return false;
    const c = members.get(keys[0]!)!;
    return c === null || c(u[keys[0]!]);
  };
}

/** io-ts `t.type(props).is`: a non-null, non-array object whose every prop is present (or defined) and of its type. */
function ioRecord(keys: readonly string[], checks: readonly (Check | null)[]): Check {
  const n = keys.length;
  const object = (u: unknown): u is Record<string, unknown> => u !== null && typeof u === 'object' && !Array.isArray(u);
  const prop = (u: Record<string, unknown>, k: string, c: Check | null) => {
    const uk = u[k];
    return !(uk === undefined && !hasOwnProperty.call(u, k)) && (c === null || c(uk));
  };
  if (n === 0) return object;
  if (n === 1) {
    const [k0] = keys as [string];
    const [c0] = checks as [Check | null];
    return (u) => object(u) && prop(u, k0, c0);
  }
  if (n === 2) {
    const [k0, k1] = keys as [string, string];
    const [c0, c1] = checks as [Check | null, Check | null];
    return (u) => object(u) && prop(u, k0, c0) && prop(u, k1, c1);
  }
  return (u) => {
    if (!object(u)) return false;
    for (let i = 0; i < n; i++) if (!prop(u, keys[i]!, checks[i]!)) return false;
    return true;
  };
}
