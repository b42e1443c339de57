/**
 * PSL values at run time, and the primitives every evaluator of PSL shares.
 *
 * Representation (plain, immutable JavaScript data, so that a message the
 * monitor has validated can be read without conversion):
 *
 * | PSL                          | JavaScript                                   |
 * |------------------------------|----------------------------------------------|
 * | `()`                         | `null`                                       |
 * | `true` / `false`             | `boolean`                                    |
 * | integers (`UInt8` … `SInt64`) | `bigint`, or a `number` that is a safe integer (as messages carry them) |
 * | `Text`                       | `string`                                     |
 * | lists, tuples, sets, arrays, sequences | arrays                             |
 * | dictionaries, structs, `HandleDesc` | plain objects (own properties only)   |
 *
 * Integers produced by PSL arithmetic are `bigint` and never wrap: PSL's
 * fixed-width types are checked where a model stores a value (a HashSet
 * `Entry`, a StaticMap `Value`), not in expressions.
 *
 * A `number` that is not a safe integer, `undefined`, a function and any
 * other JavaScript value is not a PSL value: using it fails the expression
 * (and so denies).
 */

export type Value = null | boolean | number | bigint | string | readonly Value[] | { readonly [key: string]: Value };

export type ValueKind = 'unit' | 'bool' | 'int' | 'text' | 'list' | 'record' | 'invalid';

/** An expression that "runs incorrectly": the rule it belongs to denies, with this reason. */
export class PslFailure {
  constructor(readonly reason: string) {}
}

/** Fails the current expression (caught where the rule is applied; never escapes a decision). */
export function fail(reason: string): never {
  throw new PslFailure(reason);
}

export function isInt(v: unknown): v is number | bigint {
  return typeof v === 'bigint' || (typeof v === 'number' && Number.isSafeInteger(v));
}

export function isRecord(v: unknown): v is { readonly [key: string]: Value } {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

export function kindOf(v: unknown): ValueKind {
  if (v === null) return 'unit';
  switch (typeof v) {
    case 'boolean':
      return 'bool';
    case 'bigint':
      return 'int';
    case 'number':
      return Number.isSafeInteger(v) ? 'int' : 'invalid';
    case 'string':
      return 'text';
    case 'object':
      return Array.isArray(v) ? 'list' : isRecord(v) ? 'record' : 'invalid';
    default:
      return 'invalid';
  }
}

const KIND_WORDS: Readonly<Record<ValueKind, string>> = {
  unit: '()',
  bool: 'a Boolean',
  int: 'an integer',
  text: 'a text',
  list: 'a list',
  record: 'a dictionary',
  invalid: 'not a PSL value',
};

/** "an integer", "a text", … for reasons. */
export function kindWord(v: unknown): string {
  return KIND_WORDS[kindOf(v)];
}

export function toBig(v: number | bigint): bigint {
  return typeof v === 'bigint' ? v : BigInt(v);
}

/** A short rendering of a value for reasons (PSL syntax, truncated). */
export function show(v: unknown, budget = 60): string {
  const out = render(v, 3);
  return out.length <= budget ? out : `${out.slice(0, budget - 1)}…`;
}

function render(v: unknown, depth: number): string {
  switch (kindOf(v)) {
    case 'unit':
      return '()';
    case 'bool':
    case 'int':
      return String(v);
    case 'text':
      return JSON.stringify(v);
    case 'list':
      return depth <= 0 ? '[…]' : `[${(v as readonly unknown[]).map((x) => render(x, depth - 1)).join(', ')}]`;
    case 'record':
      return depth <= 0
        ? '{…}'
        : `{${Object.entries(v as object)
            .map(([k, x]) => `${k} : ${render(x, depth - 1)}`)
            .join(', ')}}`;
    default:
      return `<${typeof v}>`;
  }
}

/** Structural equality; integers compare by value whatever their representation. */
export function valueEquals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  const ka = kindOf(a);
  if (ka !== kindOf(b)) return false;
  switch (ka) {
    case 'int':
      // eslint-disable-next-line eqeqeq -- number == bigint compares mathematically
      return (a as number | bigint) == (b as number | bigint);
    case 'list': {
      const x = a as readonly unknown[];
      const y = b as readonly unknown[];
      return x.length === y.length && x.every((e, i) => valueEquals(e, y[i]));
    }
    case 'record': {
      const kx = Object.keys(a as object);
      const ky = Object.keys(b as object);
      if (kx.length !== ky.length) return false;
      return kx.every((k) => Object.hasOwn(b as object, k) && valueEquals((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
    }
    default:
      return false; // unit, bool and text are equal only when ===; invalid values never are
  }
}

/**
 * The canonical, frozen copy of a value that a model keeps in its state:
 * integers become `bigint`, containers are copied and frozen. Two equal
 * values have deep-equal canonical forms.
 */
export function canonical(v: unknown): Value {
  switch (kindOf(v)) {
    case 'int':
      return toBig(v as number | bigint);
    case 'list':
      return Object.freeze((v as readonly unknown[]).map(canonical));
    case 'record': {
      const out = newRecord();
      for (const k of Object.keys(v as object).sort()) out[k] = canonical((v as Record<string, unknown>)[k]);
      return Object.freeze(out);
    }
    case 'invalid':
      return fail(`${show(v)} is not a PSL value`);
    default:
      return v as Value;
  }
}

/**
 * A text that identifies a value up to `valueEquals`: equal values have
 * equal keys and different values different keys (for sets of values).
 */
export function valueKey(v: unknown): string {
  switch (kindOf(v)) {
    case 'unit':
      return '()';
    case 'bool':
      return v ? 'T' : 'F';
    case 'int':
      return `i${String(v)}`;
    case 'text':
      return JSON.stringify(v);
    case 'list':
      return `[${(v as readonly unknown[]).map(valueKey).join(',')}]`;
    case 'record':
      return `{${Object.keys(v as object)
        .sort()
        .map((k) => `${JSON.stringify(k)}:${valueKey((v as Record<string, unknown>)[k])}`)
        .join(',')}}`;
    default:
      return fail(`${show(v)} is not a PSL value`);
  }
}

/**
 * A fresh dictionary for PSL to fill. It has no prototype, so that any key
 * (`__proto__` included) is an ordinary own field.
 */
export function newRecord(): Record<string, Value> {
  return Object.create(null) as Record<string, Value>;
}

/* ------------------------------------------------ the shared primitives */

/** `target.name` (Struct): an own field of a dictionary. */
export function fieldOf(target: unknown, name: string): Value {
  if (!isRecord(target)) return fail(`cannot read field ${name} of ${kindWord(target)} (${show(target)})`);
  if (!Object.hasOwn(target, name)) return fail(`no field ${name} in ${show(target)}`);
  const v = target[name];
  if (v === undefined) return fail(`no field ${name} in ${show(target)}`);
  return v;
}

/** `target.[index]` (Struct): zero-based element of a list. */
export function elementOf(target: unknown, index: unknown): Value {
  if (!Array.isArray(target)) return fail(`cannot index ${kindWord(target)} (${show(target)})`);
  if (!isInt(index)) return fail(`an index must be an integer, not ${show(index)}`);
  const i = toBig(index);
  if (i < 0n || i >= BigInt(target.length)) return fail(`index ${i} is out of range (${target.length} elements)`);
  return (target as readonly Value[])[Number(i)]!;
}

export function asBool(v: unknown, what: string): boolean {
  if (typeof v !== 'boolean') return fail(`${what} must be a Boolean, not ${show(v)}`);
  return v;
}

export function asInt(v: unknown, what: string): bigint {
  if (!isInt(v)) return fail(`${what} must be an integer, not ${show(v)}`);
  return toBig(v);
}

export function asText(v: unknown, what: string): string {
  if (typeof v !== 'string') return fail(`${what} must be a text, not ${show(v)}`);
  return v;
}

const SCALARS = new Set<ValueKind>(['unit', 'bool', 'int', 'text']);

/** Pred `==` / `!=`: scalars of one kind. */
export function scalarEquals(a: unknown, b: unknown, op: '==' | '!='): boolean {
  const ka = kindOf(a);
  const kb = kindOf(b);
  if (!SCALARS.has(ka) || ka !== kb) return fail(`${op} compares two scalars of one type, not ${show(a)} and ${show(b)}`);
  // eslint-disable-next-line eqeqeq -- number == bigint compares mathematically
  return ka === 'int' ? (a as number | bigint) == (b as number | bigint) : a === b;
}

export type OrderOp = '<' | '<=' | '>' | '>=';

/** Pred `<`, `<=`, `>`, `>=` on integers (JavaScript compares number and bigint mathematically). */
export function order(op: OrderOp, a: unknown, b: unknown): boolean {
  if (!isInt(a) || !isInt(b)) return fail(`${op} compares integers, not ${show(a)} and ${show(b)}`);
  switch (op) {
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    default:
      return a >= b;
  }
}

export type ArithOp = '+' | '-' | '*' | '|' | '&';

/** Math `+ - * | &` on integers; the result is a bigint (no overflow). */
export function arith(op: ArithOp, a: unknown, b: unknown): bigint {
  if (!isInt(a) || !isInt(b)) return fail(`${op} takes integers, not ${show(a)} and ${show(b)}`);
  const x = toBig(a);
  const y = toBig(b);
  switch (op) {
    case '+':
      return x + y;
    case '-':
      return x - y;
    case '*':
      return x * y;
    case '|':
      return x | y;
    default:
      return x & y;
  }
}

/** Unary `!` (Bool), `-` and `~` (Math; `~x` is `-x - 1`, two's complement without a width). */
export function unaryOp(op: '!' | '-' | '~', v: unknown): Value {
  if (op === '!') return !asBool(v, 'the operand of !');
  const x = asInt(v, `the operand of ${op}`);
  return op === '-' ? -x : ~x;
}

/** Struct `size`: characters of a text (UTF-16 units, as IDL `string<N>` counts them), elements of a list, fields of a dictionary. */
export function sizeOf(v: unknown): bigint {
  switch (kindOf(v)) {
    case 'text':
      return BigInt((v as string).length);
    case 'list':
      return BigInt((v as readonly unknown[]).length);
    case 'record':
      return BigInt(Object.keys(v as object).length);
    default:
      return fail(`size takes a text, a list or a dictionary, not ${show(v)}`);
  }
}
