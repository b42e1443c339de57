/**
 * io-ts codecs for IDL types: what a message parameter may hold, checked
 * before any policy rule sees the message (the monitor validates every
 * request, response and error against the codecs of the method it names).
 *
 * Value representation (Cordon's definition; the wire format of the real
 * system is a C struct plus an arena, which a model does not need):
 *
 * - Integers (`SInt8` … `UInt64`, `UIntSize`, `UIntPtr`): a JS `number` that
 *   is a safe integer, or a `bigint`; either is accepted when it lies in the
 *   type's exact range. Values of 64-bit types beyond ±(2^53 − 1) must be
 *   bigints: a `number` there has already lost precision, so it is refused
 *   even when it happens to be in range. Decoding does not convert: the
 *   value comes out as it went in.
 * - `Boolean` (from `kl.core.Types`): `true` or `false`.
 * - `string<N>`: a well-formed Unicode text without NUL whose UTF-8
 *   encoding has at most N bytes (the buffer holds N + 1 bytes with the
 *   terminator).
 * - `bytes<N>`: an array of at most N integers 0..255 (a list of bytes, as
 *   PSL reads it).
 * - `sequence<T, N>`: an array of at most N values of T; `array<T, N>`: an
 *   array of exactly N values of T.
 * - `struct S { … }`: a plain object (prototype `Object.prototype` or null)
 *   with exactly the declared fields as own properties (a missing or an
 *   extra field is an error).
 * - `union U { … }`: an object with exactly one own property, named after a
 *   member, holding a value of that member's type (the tag is the name).
 * - `Handle` and `handle<I>`: a handle description `{ handle, rights }` —
 *   the handle (the security module sees a SID there) as a non-negative
 *   safe integer, and the rights mask as a number 0..127 (the kernel's
 *   ALL_RIGHTS; any other value, 2^32 + 127 or a fraction or a bigint, is
 *   malformed, as it is in a transfer: src/kernel/types.ts isRights).
 *
 * A method's request codec checks its `in` parameters, its response codec
 * the `out` parameters and its error codec the `error` parameters: an object
 * with exactly those parameters.
 *
 * Every failure carries a message naming the path into the message and
 * what was expected in the words of IDL, e.g.
 * `request.angle: expected UInt16 (0..65535), got 70000`.
 */
import * as t from 'io-ts';
import type { InterfaceDecl, MethodDecl } from '../kernel/tables.ts';
import { ALL_RIGHTS, isRights, type HandleCarrier, type HandleDesc } from '../kernel/types.ts';
import {
  integerRange,
  type IntegerType,
  type ResolvedField,
  type ResolvedInterface,
  type ResolvedMethod,
  type ResolvedParam,
  type ResolvedType,
} from './types.ts';

/* ------------------------------------------------------------- the nodes */

/** A codec of an IDL type. `check` is the fast test; `explain` lists why a value fails. */
export abstract class IdlCodec extends t.Type<unknown, unknown, unknown> implements HandleCarrier {
  /** Whether a value can hold a handle descriptor (`Handle`, `handle<I>`, or a type built from one). */
  carriesHandles = false;
  constructor(name: string) {
    super(
      name,
      (u): u is unknown => this.check(u),
      (u, c) => {
        if (this.check(u)) return t.success(u);
        const errors: t.ValidationError[] = [];
        this.explain(u, c, errors);
        return errors.length > 0 ? t.failures(errors) : t.failure(u, c, `${pathOf(c)}: expected ${this.name}`);
      },
      t.identity,
    );
  }
  /** Whether `u` is a value of this type. */
  abstract check(u: unknown): boolean;
  /** Pushes one error per reason `u` is not a value of this type (called only when `check(u)` is false). */
  abstract explain(u: unknown, c: t.Context, errors: t.ValidationError[]): void;
  /** Pushes the handle descriptors of `u` (a value of this type), in order: none for a scalar. */
  handleFields(_u: unknown, _out: HandleDesc[]): void {}
  /** `u` with its descriptors' handles replaced by `values` in the order of handleFields: `u` itself for a scalar. */
  withHandles(u: unknown, _values: readonly number[], _at: { next: number }): unknown {
    return u;
  }
}

/** `a.b[2].c` for a context; the root (the message) is written `message`. */
export function pathOf(c: t.Context): string {
  let out = '';
  for (let i = 1; i < c.length; i++) {
    const key = c[i]!.key;
    out += /^\d+$/.test(key) ? `[${key}]` : out === '' ? key : `.${key}`;
  }
  return out === '' ? 'message' : out;
}

/** A short description of a value for an error message (never throws, never prints a whole payload). */
export function describeValue(u: unknown): string {
  switch (typeof u) {
    case 'number':
      return String(u);
    case 'bigint':
      return `${u}n`;
    case 'boolean':
      return String(u);
    case 'string':
      return `the text ${JSON.stringify(u.length > 40 ? `${u.slice(0, 40)}…` : u)}`;
    case 'undefined':
      return 'nothing';
    case 'object':
      if (u === null) return 'null';
      if (Array.isArray(u)) return `a list of ${u.length}`;
      return 'a record';
    default:
      return `a ${typeof u}`;
  }
}

function failAt(errors: t.ValidationError[], u: unknown, c: t.Context, what: string): void {
  errors.push({ value: u, context: c, message: `${pathOf(c)}: ${what}` });
}

/** A plain object: what PSL reads as a dictionary (src/policy/models/value.ts). */
export const isRecord = (u: unknown): u is Record<string, unknown> => {
  if (typeof u !== 'object' || u === null || Array.isArray(u)) return false;
  const proto = Object.getPrototypeOf(u) as unknown;
  return proto === Object.prototype || proto === null;
};

export class IntegerCodec extends IdlCodec {
  /** the range as exact numbers (clamped to the safe integers) and as bigints */
  readonly lo: number;
  readonly hi: number;
  readonly loBig: bigint;
  readonly hiBig: bigint;
  constructor(
    readonly type: IntegerType,
    alias?: string,
  ) {
    const { min, max } = integerRange(type);
    super(`${alias === undefined ? '' : `${alias} = `}${type.name} (${min}..${max})`);
    this.loBig = min;
    this.hiBig = max;
    this.lo = Math.max(Number(min), Number.MIN_SAFE_INTEGER);
    this.hi = Math.min(Number(max), Number.MAX_SAFE_INTEGER);
  }
  check(u: unknown): boolean {
    if (typeof u === 'number') return Number.isSafeInteger(u) && u >= this.lo && u <= this.hi;
    return typeof u === 'bigint' && u >= this.loBig && u <= this.hiBig;
  }
  explain(u: unknown, c: t.Context, errors: t.ValidationError[]): void {
    let why = '';
    if (
      typeof u === 'number' &&
      Number.isInteger(u) &&
      !Number.isSafeInteger(u) &&
      BigInt(u) >= this.loBig &&
      BigInt(u) <= this.hiBig
    )
      why = ' (a number beyond 2^53 - 1 is not exact: write it as a bigint)';
    failAt(errors, u, c, `expected ${this.name}, got ${describeValue(u)}${why}`);
  }
}

export class BooleanCodec extends IdlCodec {
  constructor(alias?: string) {
    super(alias === undefined ? 'Boolean' : `${alias} = Boolean`);
  }
  check(u: unknown): boolean {
    return typeof u === 'boolean';
  }
  explain(u: unknown, c: t.Context, errors: t.ValidationError[]): void {
    failAt(errors, u, c, `expected ${this.name} (true or false), got ${describeValue(u)}`);
  }
}

/** UTF-8 length of a well-formed text, or -1 when it has a lone surrogate or a NUL. */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0) return -1;
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (!(d >= 0xdc00 && d <= 0xdfff)) return -1;
      n += 4;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) return -1;
    else n += 3;
  }
  return n;
}

export class StringCodec extends IdlCodec {
  constructor(
    readonly maxLength: number,
    alias?: string,
  ) {
    super(`${alias === undefined ? '' : `${alias} = `}string<${maxLength}>`);
  }
  check(u: unknown): boolean {
    if (typeof u !== 'string') return false;
    // every UTF-16 unit takes at least one byte
    if (u.length > this.maxLength) return false;
    const n = utf8Length(u);
    return n >= 0 && n <= this.maxLength;
  }
  explain(u: unknown, c: t.Context, errors: t.ValidationError[]): void {
    if (typeof u !== 'string') return failAt(errors, u, c, `expected ${this.name} (a text), got ${describeValue(u)}`);
    const n = utf8Length(u);
    if (n < 0) return failAt(errors, u, c, `expected ${this.name}: a text without NUL and without lone surrogates`);
    failAt(errors, u, c, `expected ${this.name} (at most ${this.maxLength} UTF-8 bytes), got a text of ${n} bytes`);
  }
}

export const isByte = (x: unknown): boolean =>
  (typeof x === 'number' && Number.isInteger(x) && x >= 0 && x <= 255) ||
  (typeof x === 'bigint' && x >= 0n && x <= 255n);

export class BytesCodec extends IdlCodec {
  constructor(
    readonly maxLength: number,
    alias?: string,
  ) {
    super(`${alias === undefined ? '' : `${alias} = `}bytes<${maxLength}>`);
  }
  check(u: unknown): boolean {
    if (!Array.isArray(u) || u.length > this.maxLength) return false;
    for (let i = 0; i < u.length; i++) if (!(i in u) || !isByte(u[i])) return false;
    return true;
  }
  explain(u: unknown, c: t.Context, errors: t.ValidationError[]): void {
    if (!Array.isArray(u))
      return failAt(errors, u, c, `expected ${this.name} (a list of integers 0..255), got ${describeValue(u)}`);
    if (u.length > this.maxLength)
      return failAt(errors, u, c, `expected ${this.name} (at most ${this.maxLength} bytes), got ${u.length}`);
    for (let i = 0; i < u.length; i++) {
      const x: unknown = u[i];
      if (!isByte(x))
        failAt(errors, x, t.appendContext(c, String(i), this, x), `expected a byte (0..255), got ${describeValue(x)}`);
    }
  }
}

export class ListCodec extends IdlCodec {
  constructor(
    readonly element: IdlCodec,
    readonly min: number,
    readonly max: number,
    name: string,
  ) {
    super(name);
    this.carriesHandles = element.carriesHandles;
  }
  override handleFields(u: unknown, out: HandleDesc[]): void {
    if (this.carriesHandles) for (const x of u as unknown[]) this.element.handleFields(x, out);
  }
  override withHandles(u: unknown, values: readonly number[], at: { next: number }): unknown {
    if (!this.carriesHandles) return u;
    const xs = u as unknown[];
    const out: unknown[] = new Array(xs.length);
    for (let i = 0; i < xs.length; i++) out[i] = this.element.withHandles(xs[i], values, at);
    return out;
  }
  check(u: unknown): boolean {
    if (!Array.isArray(u) || u.length < this.min || u.length > this.max) return false;
    for (let i = 0; i < u.length; i++) if (!(i in u) || !this.element.check(u[i])) return false;
    return true;
  }
  explain(u: unknown, c: t.Context, errors: t.ValidationError[]): void {
    if (!Array.isArray(u)) return failAt(errors, u, c, `expected ${this.name} (a list), got ${describeValue(u)}`);
    if (u.length < this.min || u.length > this.max)
      return failAt(
        errors,
        u,
        c,
        `expected ${this.name} (${this.min === this.max ? `exactly ${this.max}` : `at most ${this.max}`} elements), got ${u.length}`,
      );
    for (let i = 0; i < u.length; i++) {
      const x: unknown = u[i];
      if (!this.element.check(x)) this.element.explain(x, t.appendContext(c, String(i), this.element, x), errors);
    }
  }
}

/** Exactly the given fields, each of its type (structs, handle descriptions, parameter lists). */
export class RecordCodec extends IdlCodec {
  readonly keys: readonly string[];
  constructor(
    readonly fields: readonly { readonly name: string; readonly codec: IdlCodec }[],
    name: string,
    private readonly what: string,
  ) {
    super(name);
    this.keys = fields.map((f) => f.name);
    this.carriesHandles = fields.some((f) => f.codec.carriesHandles);
  }
  override handleFields(u: unknown, out: HandleDesc[]): void {
    if (!this.carriesHandles) return;
    for (const f of this.fields) f.codec.handleFields((u as Record<string, unknown>)[f.name], out);
  }
  override withHandles(u: unknown, values: readonly number[], at: { next: number }): unknown {
    if (!this.carriesHandles) return u;
    const r = u as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const f of this.fields) out[f.name] = f.codec.withHandles(r[f.name], values, at);
    return out;
  }
  check(u: unknown): boolean {
    if (!isRecord(u)) return false;
    // every own property counts, enumerable or not: a hidden one would reach the receiver unseen by the policy
    if (Object.getOwnPropertyNames(u).length !== this.fields.length || Object.getOwnPropertySymbols(u).length > 0)
      return false;
    for (const f of this.fields) if (!Object.hasOwn(u, f.name) || !f.codec.check(u[f.name])) return false;
    return true;
  }
  explain(u: unknown, c: t.Context, errors: t.ValidationError[]): void {
    if (!isRecord(u)) return failAt(errors, u, c, `expected ${this.what}, got ${describeValue(u)}`);
    for (const f of this.fields) {
      const x = Object.hasOwn(u, f.name) ? u[f.name] : undefined;
      const inner = t.appendContext(c, f.name, f.codec, x);
      if (!Object.hasOwn(u, f.name)) failAt(errors, undefined, inner, `missing (expected ${f.codec.name})`);
      else if (!f.codec.check(x)) f.codec.explain(x, inner, errors);
    }
    for (const k of Object.getOwnPropertyNames(u)) {
      if (!this.keys.includes(k))
        failAt(
          errors,
          u[k],
          t.appendContext(c, k, t.never, u[k]),
          `is not ${this.keys.length === 0 ? 'expected: there are no fields' : `one of ${this.keys.join(', ')}`} (${this.name})`,
        );
    }
    if (Object.getOwnPropertySymbols(u).length > 0) failAt(errors, u, c, `symbol keys are not part of ${this.name}`);
  }
}

export class UnionCodec extends IdlCodec {
  private readonly byName: ReadonlyMap<string, IdlCodec>;
  constructor(
    readonly members: readonly { readonly name: string; readonly codec: IdlCodec }[],
    name: string,
  ) {
    super(name);
    this.byName = new Map(members.map((m) => [m.name, m.codec]));
    this.carriesHandles = members.some((m) => m.codec.carriesHandles);
  }
  override handleFields(u: unknown, out: HandleDesc[]): void {
    if (!this.carriesHandles) return;
    const k = this.single(u)!;
    this.byName.get(k)!.handleFields((u as Record<string, unknown>)[k], out);
  }
  override withHandles(u: unknown, values: readonly number[], at: { next: number }): unknown {
    if (!this.carriesHandles) return u;
    const k = this.single(u)!;
    return { [k]: this.byName.get(k)!.withHandles((u as Record<string, unknown>)[k], values, at) };
  }
  private single(u: unknown): string | undefined {
    if (!isRecord(u) || Object.getOwnPropertySymbols(u).length > 0) return undefined;
    const keys = Object.getOwnPropertyNames(u);
    return keys.length === 1 && this.byName.has(keys[0]!) ? keys[0] : undefined;
  }
  check(u: unknown): boolean {
    const k = this.single(u);
    return k !== undefined && this.byName.get(k)!.check((u as Record<string, unknown>)[k]);
  }
  explain(u: unknown, c: t.Context, errors: t.ValidationError[]): void {
    const names = this.members.map((m) => m.name).join(', ');
    const k = this.single(u);
    if (k === undefined) {
      const own = isRecord(u) ? Object.getOwnPropertyNames(u) : [];
      const got = isRecord(u)
        ? own.length === 0
          ? Object.getOwnPropertySymbols(u).length > 0
            ? 'only symbol keys'
            : 'no member'
          : `the keys ${own.join(', ')}`
        : describeValue(u);
      return failAt(errors, u, c, `expected ${this.name}: a record with exactly one of ${names}, got ${got}`);
    }
    const codec = this.byName.get(k)!;
    const x = (u as Record<string, unknown>)[k];
    codec.explain(x, t.appendContext(c, k, codec, x), errors);
  }
}

/* --------------------------------------------------------------- building */

const cache = new WeakMap<ResolvedType, IdlCodec>();

/** The codec of a resolved IDL type (memoised per type object). */
export function typeCodec(type: ResolvedType): IdlCodec {
  const known = cache.get(type);
  if (known !== undefined) return known;
  const codec = build(type);
  cache.set(type, codec);
  return codec;
}

/** How IDL writes a type, for messages: `UInt16`, `string<8>`, `sequence<UInt32, 4>`, `demo.Bolt.TurnRequest`. */
export function typeName(type: ResolvedType): string {
  if (type.alias !== undefined) return type.alias;
  switch (type.kind) {
    case 'integer':
      return type.name;
    case 'boolean':
      return 'Boolean';
    case 'handle':
      return 'Handle';
    case 'callableHandle':
      return `handle<${type.interface}>`;
    case 'string':
      return `string<${type.maxLength}>`;
    case 'bytes':
      return `bytes<${type.maxLength}>`;
    case 'sequence':
      return `sequence<${typeName(type.element)}, ${type.maxLength}>`;
    case 'array':
      return `array<${typeName(type.element)}, ${type.length}>`;
    case 'struct':
    case 'union':
      return type.name;
  }
}

class RightsCodec extends IdlCodec {
  constructor() {
    super(`rights mask (0..${ALL_RIGHTS})`);
  }
  check(u: unknown): boolean {
    return isRights(u);
  }
  explain(u: unknown, c: t.Context, errors: t.ValidationError[]): void {
    failAt(errors, u, c, `expected a rights mask, an integer 0..${ALL_RIGHTS}, got ${describeValue(u)}`);
  }
}
const RIGHTS = new RightsCodec();

class HandleValueCodec extends IdlCodec {
  constructor() {
    super('a handle (0..2^53-1)');
  }
  check(u: unknown): boolean {
    return typeof u === 'number' && Number.isSafeInteger(u) && u >= 0;
  }
  explain(u: unknown, c: t.Context, errors: t.ValidationError[]): void {
    failAt(errors, u, c, `expected a handle (a non-negative integer), got ${describeValue(u)}`);
  }
}
const HANDLE_VALUE = new HandleValueCodec();

/**
 * `Handle` and `handle<I>`: the record { handle, rights }. The sender writes
 * its own handle number; the kernel shows the monitor the SID of the object
 * that handle names and delivers the receiver's new handle number
 * (HandleCarrier, src/kernel/ipc.ts).
 */
class HandleCodec extends RecordCodec {
  constructor(name: string) {
    super(
      [
        { name: 'handle', codec: HANDLE_VALUE },
        { name: 'rights', codec: RIGHTS },
      ],
      name,
      `${name}: a record { handle, rights }`,
    );
    this.carriesHandles = true;
  }
  override handleFields(u: unknown, out: HandleDesc[]): void {
    out.push(u as HandleDesc);
  }
  override withHandles(u: unknown, values: readonly number[], at: { next: number }): unknown {
    return { handle: values[at.next++], rights: (u as HandleDesc).rights };
  }
}

function fieldsOf(fields: readonly ResolvedField[]): { name: string; codec: IdlCodec }[] {
  return fields.map((f) => ({ name: f.name, codec: typeCodec(f.type) }));
}

function build(type: ResolvedType): IdlCodec {
  const alias = type.alias;
  switch (type.kind) {
    case 'integer':
      return new IntegerCodec(type, alias);
    case 'boolean':
      return new BooleanCodec(alias);
    case 'handle':
    case 'callableHandle': {
      const name = typeName({ ...type, alias: undefined } as ResolvedType);
      const full = alias === undefined ? name : `${alias} = ${name}`;
      return new HandleCodec(full);
    }
    case 'string':
      return new StringCodec(type.maxLength, alias);
    case 'bytes':
      return new BytesCodec(type.maxLength, alias);
    case 'sequence':
    case 'array': {
      const element = typeCodec(type.element);
      const n = type.kind === 'sequence' ? type.maxLength : type.length;
      const name = `${alias === undefined ? '' : `${alias} = `}${type.kind}<${typeName(type.element)}, ${n}>`;
      return new ListCodec(element, type.kind === 'array' ? n : 0, n, name);
    }
    case 'struct': {
      const fields = fieldsOf(type.fields);
      const name = `${alias === undefined ? '' : `${alias} = `}struct ${type.name}`;
      return new RecordCodec(
        fields,
        name,
        `${name} (a record with ${fields.length === 0 ? 'no fields' : fields.map((f) => f.name).join(', ')})`,
      );
    }
    case 'union':
      return new UnionCodec(fieldsOf(type.members), `${alias === undefined ? '' : `${alias} = `}union ${type.name}`);
  }
}

/** The codec of a parameter list: a record with exactly these parameters. */
export function paramsCodec(name: string, params: readonly ResolvedParam[]): IdlCodec {
  const fields = params.map((p) => ({ name: p.name, codec: typeCodec(p.type) }));
  return new RecordCodec(
    fields,
    name,
    `the parameters of ${name} (${fields.length === 0 ? 'none' : fields.map((f) => f.name).join(', ')})`,
  );
}

/** A method of a solution: the codecs of its `in`, `out` and `error` parameters. */
export function methodDecl(iface: ResolvedInterface, method: ResolvedMethod): MethodDecl {
  const at = `${iface.name}.${method.name}`;
  return {
    name: method.name,
    request: paramsCodec(`${at} in`, method.in),
    response: paramsCodec(`${at} out`, method.out),
    error: paramsCodec(`${at} error`, method.error),
  };
}

/** An interface of a solution, its methods in MID order. */
export function interfaceDecl(iface: ResolvedInterface): InterfaceDecl {
  return { name: iface.name, methods: iface.methods.map((m) => methodDecl(iface, m)) };
}

/** The messages of a failed decode, one per problem (`request.angle: expected UInt16 (0..65535), got 70000`). */
export function describeErrors(errors: t.Errors): string[] {
  return errors.map(
    (e) =>
      e.message ??
      `${pathOf(e.context)}: expected ${e.context[e.context.length - 1]?.type.name ?? 'a value'}, got ${describeValue(e.value)}`,
  );
}
