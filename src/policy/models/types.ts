/**
 * PSL types as run-time predicates over values (section 1.11 of the format
 * reference). Models use them to check what they store: a HashSet `Entry`,
 * a StaticMap `Value`, a Flow `State`.
 *
 * | type                                   | accepts                                       |
 * |----------------------------------------|-----------------------------------------------|
 * | `UInt8` … `UInt64`, `SInt8` … `SInt64` | integers in the type's range                  |
 * | `Sid`, `Handle`                        | integers in 0 … 2^32 − 1                       |
 * | `Boolean`, `Text`, `()`                | booleans, texts, the unit                     |
 * | `"lit"`, `12`                          | that one value                                |
 * | `A \| B`                               | a value of any option                         |
 * | `{ f : T, … }`                         | a dictionary with exactly these fields        |
 * | `[T, …]`                               | a tuple (list) of that length                 |
 * | `List<T>`, `Set<T>` (elements unique)  | lists of `T`                                  |
 * | `Array<T, N>` / `Sequence<T, N>`       | exactly / at most `N` elements of `T`         |
 * | `Map<K, V>`                            | a dictionary whose values are `V` (keys are texts) |
 *
 * Any other name must be a type alias (`type Name = …`) visible where the
 * type is used; an unknown name or an alias cycle is a compile error.
 */
import type { Loc, TypeExpr } from '../psl/ast.ts';
import { isInt, isRecord, toBig, valueEquals, type Value } from './value.ts';

export type TypeCheck = (v: Value) => boolean;

/** A problem in a type, with where it is (the compiler reports it as a ParseError of this kind). */
export class TypeError_ {
  constructor(
    readonly loc: Loc,
    readonly detail: string,
    readonly kind: 'validation' | 'reference' | 'unsupported' = 'validation',
  ) {}
}

const INT_RANGES: Readonly<Record<string, readonly [bigint, bigint]>> = {
  UInt8: [0n, 0xffn],
  UInt16: [0n, 0xffffn],
  UInt32: [0n, 0xffffffffn],
  UInt64: [0n, 0xffffffffffffffffn],
  SInt8: [-0x80n, 0x7fn],
  SInt16: [-0x8000n, 0x7fffn],
  SInt32: [-0x80000000n, 0x7fffffffn],
  SInt64: [-0x8000000000000000n, 0x7fffffffffffffffn],
  Sid: [0n, 0xffffffffn],
  Handle: [0n, 0xffffffffn],
};

export const INTEGER_TYPE_NAMES: readonly string[] = Object.keys(INT_RANGES);

/** The type aliases visible at one place: name → type (the model object's own, then the top level's). */
export type TypeAliases = ReadonlyMap<string, TypeExpr>;

/** Follows aliases to the type a name finally stands for (not through containers). */
export function expandAlias(type: TypeExpr, aliases: TypeAliases): TypeExpr {
  const seen = new Set<string>();
  let t = type;
  while (t.kind === 'typeName' && t.args.length === 0 && !BUILTIN.has(t.name)) {
    if (seen.has(t.name)) throw new TypeError_(type.loc, `type alias cycle through ${t.name}`);
    seen.add(t.name);
    const next = aliases.get(t.name);
    if (next === undefined) throw new TypeError_(t.loc, `unknown type ${t.name}`, 'reference');
    t = next;
  }
  return t;
}

const BUILTIN = new Set([...INTEGER_TYPE_NAMES, 'Boolean', 'Text', 'List', 'Set', 'Map', 'Array', 'Sequence']);

/**
 * Builds the predicate of a type.
 * @throws TypeError_ for unknown names, wrong generic arity, alias cycles.
 */
export function typePredicate(type: TypeExpr, aliases: TypeAliases, visiting: ReadonlySet<string> = new Set()): TypeCheck {
  switch (type.kind) {
    case 'typeUnit':
      return (v) => v === null;
    case 'typeText':
      return (v) => v === type.value;
    case 'typeInt':
      return (v) => isInt(v) && toBig(v) === type.value;
    case 'typeVariant': {
      const options = type.options.map((o) => typePredicate(o, aliases, visiting));
      return (v) => options.some((p) => p(v));
    }
    case 'typeRecord': {
      const fields = type.fields.map((f) => [f.name, typePredicate(f.type, aliases, visiting)] as const);
      const names = new Set(fields.map(([n]) => n));
      if (names.size !== fields.length) throw new TypeError_(type.loc, 'a field is declared twice in a dictionary type');
      return (v) => isRecord(v) && Object.keys(v).length === fields.length && fields.every(([n, p]) => Object.hasOwn(v, n) && p(v[n]!));
    }
    case 'typeTuple': {
      const items = type.items.map((i) => typePredicate(i, aliases, visiting));
      return (v) => Array.isArray(v) && v.length === items.length && items.every((p, i) => p((v as readonly Value[])[i]!));
    }
    case 'typeName':
      return named(type, aliases, visiting);
    case 'typeUnsupported':
      throw new TypeError_(type.loc, type.construct, 'unsupported');
  }
}

function named(type: Extract<TypeExpr, { kind: 'typeName' }>, aliases: TypeAliases, visiting: ReadonlySet<string>): TypeCheck {
  const { name, args } = type;
  const arity = (n: number) => {
    if (args.length !== n) throw new TypeError_(type.loc, `${name} takes ${n} type argument${n === 1 ? '' : 's'}, not ${args.length}`);
  };
  const range = INT_RANGES[name];
  if (range !== undefined) {
    arity(0);
    const [lo, hi] = range;
    return (v) => isInt(v) && toBig(v) >= lo && toBig(v) <= hi;
  }
  switch (name) {
    case 'Boolean':
      arity(0);
      return (v) => typeof v === 'boolean';
    case 'Text':
      arity(0);
      return (v) => typeof v === 'string';
    case 'List': {
      arity(1);
      const el = typePredicate(args[0]!, aliases, visiting);
      return (v) => Array.isArray(v) && v.every((x) => el(x as Value));
    }
    case 'Set': {
      arity(1);
      const el = typePredicate(args[0]!, aliases, visiting);
      return (v) =>
        Array.isArray(v) && v.every((x) => el(x as Value)) && v.every((x, i) => v.findIndex((y) => valueEquals(x, y)) === i);
    }
    case 'Array':
    case 'Sequence': {
      arity(2);
      const el = typePredicate(args[0]!, aliases, visiting);
      const bound = args[1]!;
      if (bound.kind !== 'typeInt' || bound.value < 0n) throw new TypeError_(bound.loc, `the size of ${name} must be a non-negative integer`);
      const n = bound.value;
      return name === 'Array'
        ? (v) => Array.isArray(v) && BigInt(v.length) === n && v.every((x) => el(x as Value))
        : (v) => Array.isArray(v) && BigInt(v.length) <= n && v.every((x) => el(x as Value));
    }
    case 'Map': {
      arity(2);
      const key = expandAlias(args[0]!, aliases);
      if (!(key.kind === 'typeName' && key.name === 'Text'))
        throw new TypeError_(args[0]!.loc, 'Map with keys of a type other than Text (PSL dictionary keys are names or texts)', 'unsupported');
      const val = typePredicate(args[1]!, aliases, visiting);
      return (v) => isRecord(v) && Object.values(v).every((x) => val(x));
    }
  }
  if (args.length > 0) throw new TypeError_(type.loc, `${name} is not a generic type`);
  if (visiting.has(name)) throw new TypeError_(type.loc, `type alias cycle through ${name}`);
  const alias = aliases.get(name);
  if (alias === undefined) throw new TypeError_(type.loc, `unknown type ${name}`, 'reference');
  return typePredicate(alias, aliases, new Set([...visiting, name]));
}

/** The integer range of a type that stands for one integer type (through aliases), or null. */
export function integerRange(type: TypeExpr, aliases: TypeAliases): readonly [bigint, bigint] | null {
  const t = expandAlias(type, aliases);
  return t.kind === 'typeName' && t.args.length === 0 ? (INT_RANGES[t.name] ?? null) : null;
}

/** The text literals of a type that is a variant of text literals (through aliases), or null. */
export function textLiterals(type: TypeExpr, aliases: TypeAliases): readonly string[] | null {
  const t = expandAlias(type, aliases);
  if (t.kind === 'typeText') return [t.value];
  if (t.kind !== 'typeVariant') return null;
  const out: string[] = [];
  for (const o of t.options) {
    const sub = textLiterals(o, aliases);
    if (sub === null) return null;
    out.push(...sub);
  }
  return out;
}
