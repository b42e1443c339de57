/**
 * The interface of a security model class (section 2 of the format
 * reference): what a `policy object <name> : <Model> { … }` declaration
 * instantiates, and what PSL calls (`<object>.<method> <argument>`) run.
 *
 * A model class has
 * - a configuration schema (io-ts), checked when the policy is compiled;
 * - a `prepare` step turning a valid configuration (and the object's `type`
 *   aliases) into the object's constant data, or a compile error;
 * - an initial object state, immutable; per-resource models key it by SID;
 * - rules, which may change the state and grant or deny;
 * - expressions, which are pure and return a value (for `assert`, `choice`, …).
 *
 * The object state lives in the monitor state. A rule returns a new state
 * instead of changing the old one; the compiled policy keeps it only when
 * the whole decision grants.
 *
 * A method reports a run-time problem ("bad sid", "no context for this
 * SID", a value of the wrong type) by returning a denial or by calling
 * `fail(reason)`; either way the event is denied with that reason. Anything
 * else a method throws is a bug in the model, and is also turned into a
 * denial (the monitor never throws).
 */
import type * as t from 'io-ts';
import type { TypeExpr } from '../psl/ast.ts';
import type { TypeAliases } from './types.ts';
import { SidMap } from './sidmap.ts';
import { fail, isInt, isRecord, show, toBig, type Value } from './value.ts';

export type RuleResult<S> = { readonly granted: true; readonly state: S } | { readonly granted: false; readonly reason: string };

export const granted = <S>(state: S): RuleResult<S> => ({ granted: true, state });
export const denied = (reason: string): RuleResult<never> => ({ granted: false, reason });

/** Decides whether a `choice` alternative's label selects a value. */
export type LabelMatcher = (value: Value) => boolean;

export interface RuleMethod<O, S> {
  readonly kind: 'rule';
  /** One line for the model's documentation. */
  readonly doc: string;
  /** The fields of the record argument; a record literal with other fields is a compile error. Absent: any argument. */
  readonly params?: readonly string[];
  apply(object: O, state: S, arg: Value): RuleResult<S>;
  /**
   * `apply` with the record argument given as its fields' values in
   * `params` order: what the compiler calls for a record literal naming
   * exactly the params, without building the record. Must decide exactly
   * as `apply` on that record does.
   */
  applyFields?(object: O, state: S, fields: readonly Value[]): RuleResult<S>;
}

export interface ExpressionMethod<O, S> {
  readonly kind: 'expression';
  readonly doc: string;
  readonly params?: readonly string[];
  /** Record fields that must be constants (e.g. a Regex `pattern`); `checkConstant` validates them at compile time. */
  readonly constant?: readonly string[];
  checkConstant?(object: O, field: string, value: Value): string | null;
  evaluate(object: O, state: S, arg: Value): Value;
  /** `evaluate` with the record argument's fields in `params` order (see `RuleMethod.applyFields`). */
  evaluateFields?(object: O, state: S, fields: readonly Value[]): Value;
  /**
   * How a `choice` label selects a value of this expression (default:
   * equality). Returns an error message for a label that can never apply
   * (a state that does not exist, a pattern that does not compile).
   */
  label?(object: O, label: Value): LabelMatcher | string;
}

export type ModelMethod<O, S> = RuleMethod<O, S> | ExpressionMethod<O, S>;

/** What `prepare` receives from a `policy object` declaration. */
export interface ObjectDeclaration<C> {
  /** the object's name */
  readonly name: string;
  /** the configuration, decoded by the model's codec (`undefined` when the model takes none) */
  readonly config: C;
  /** the `type` aliases declared inside the object */
  readonly types: ReadonlyMap<string, TypeExpr>;
  /** every alias visible inside the object (its own, then the top level's), for `typePredicate` */
  readonly aliases: TypeAliases;
}

export type Prepared<O> = { readonly ok: true; readonly object: O } | { readonly ok: false; readonly error: string };

export interface ModelClass<C, O, S> {
  /** The model's name as written after `policy object x :` (`Flow`, `HashSet`, …). */
  readonly name: string;
  readonly description: string;
  /**
   * SDK modules (`use nk.flow._`) that make the model available; the policy
   * must `use` one of them. Empty: always available (Cordon's own models).
   */
  readonly modules: readonly string[];
  /** The object the SDK predeclares (`base`, `pred`, `re`, …), if any. */
  readonly defaultObject?: string;
  /** The configuration schema; `null` when the model takes no `config`. */
  readonly config: t.Type<C, unknown, unknown> | null;
  /** Whether `config` may be left out (then `prepare` gets `undefined`). */
  readonly configOptional?: boolean;
  /** The `type` aliases an object must declare, and those it may. */
  readonly types: { readonly required: readonly string[]; readonly optional: readonly string[] };
  /** Whether audit profiles may name objects of this model, and the model-specific audit keys with their validators. */
  readonly audit: { readonly auditable: boolean; readonly options?: Readonly<Record<string, (object: O, value: Value) => string | null>> };
  prepare(decl: ObjectDeclaration<C>): Prepared<O>;
  initial(object: O): S;
  readonly methods: Readonly<Record<string, ModelMethod<O, S>>>;
}

/** A model class with its type parameters forgotten, as the registry holds it. */
export type Model = ModelClass<unknown, unknown, unknown>;

/** Registers a model class's types away (the compiler only passes each method what the same model produced). */
export function defineModel<C, O, S>(model: ModelClass<C, O, S>): Model {
  return model as unknown as Model;
}

/* -------------------------------------------- argument helpers for models */

/** The record argument of a method, with the given fields present. */
export function record(arg: Value, method: string, fields: readonly string[]): { readonly [key: string]: Value } {
  if (!isRecord(arg)) return fail(`${method} takes a dictionary {${fields.join(', ')}}, not ${show(arg)}`);
  for (const f of fields) if (!Object.hasOwn(arg, f)) return fail(`${method}: missing field ${f}`);
  return arg;
}

export const SID_MAX = 0xffffffffn;

/** A SID: an integer in 0 … 2^32 − 1 ("bad sid" otherwise). */
export function sidOf(v: Value, what = 'sid'): number {
  if (typeof v === 'number' && v >>> 0 === v) return v >>> 0; // the common case (an event's SID), without a BigInt
  if (!isInt(v)) return fail(`bad ${what}: ${show(v)} is not a SID`);
  const n = toBig(v);
  if (n < 0n || n > SID_MAX) return fail(`bad ${what}: ${n} is outside 0 … ${SID_MAX}`);
  return Number(n);
}

export function textOf(v: Value, what: string): string {
  if (typeof v !== 'string') return fail(`${what} must be a text, not ${show(v)}`);
  return v;
}

export function listOf(v: Value, what: string): readonly Value[] {
  if (!Array.isArray(v)) return fail(`${what} must be a list, not ${show(v)}`);
  return v as readonly Value[];
}

/**
 * A map with `key` set (the old one is left alone): O(log n) for a
 * per-resource state (a `SidMap`), a copy for a small `Map` (a HashSet's
 * table, bounded by its `set_size`).
 */
export function mapSet<K, V>(map: ReadonlyMap<K, V>, key: K, value: V): ReadonlyMap<K, V> {
  if (map instanceof SidMap) return (map as SidMap<V>).set(key as number, value) as ReadonlyMap<unknown, V> as ReadonlyMap<K, V>;
  const next = new Map(map);
  next.set(key, value);
  return next;
}

/** A map without `key` (see `mapSet`). */
export function mapDelete<K, V>(map: ReadonlyMap<K, V>, key: K): ReadonlyMap<K, V> {
  if (map instanceof SidMap) return (map as SidMap<V>).delete(key as number) as ReadonlyMap<unknown, V> as ReadonlyMap<K, V>;
  const next = new Map(map);
  next.delete(key);
  return next;
}

/** The empty state of a per-resource model: SID → its data, persistent. */
export const emptyBySid = <V>(): ReadonlyMap<number, V> => SidMap.empty<V>();

/** io-ts decoding errors in words, with the path of each bad value. */
export function describeCodecError(errors: readonly { readonly context: readonly { readonly key: string }[]; readonly value: unknown; readonly message?: string }[]): string {
  return errors
    .map((e) => {
      const path = e.context
        .map((c) => c.key)
        .filter((k) => k !== '')
        .join('.');
      const where = path === '' ? 'the configuration' : path;
      return e.message !== undefined ? `${where}: ${e.message}` : `${where}: ${show(e.value as Value)} is not valid`;
    })
    .join('; ');
}
