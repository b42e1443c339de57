/**
 * The auxiliary models of `nk/basic.psl`: Pred, Bool, Math and Struct
 * (default objects `pred`, `bool`, `math`, `struct`). None of them has a
 * configuration or state, and none can be audited.
 *
 * Their operators are part of the expression syntax and are evaluated by
 * the shared primitives in value.ts:
 *
 * - Pred: `==` `!=` on scalars of one type (unit, Boolean, integer, text);
 *   `<` `<=` `>` `>=` on integers;
 * - Bool: `!`, `&&`, `||`, `==>` (implication), short-circuit, on Booleans;
 * - Math: `+` `-` `*` `|` `&` `~` and unary `-` on integers (exact, no wrap-around);
 * - Struct: `x.field`, `x.[i]`, and `message`, `src_sid`, `dst_sid`.
 *
 * Their named methods are below. Any of them (and any other expression of a
 * default object) can also be called without the object name when no
 * earlier default object has a method of that name: `size (message.lines)`.
 */
import { defineModel, listOf, record, type ExpressionMethod } from './model.ts';
import { asBool, asInt, fail, kindOf, show, sizeOf, type Value } from './value.ts';

type Expr = ExpressionMethod<null, null>;
const stateless = { config: null, types: { required: [], optional: [] }, prepare: () => ({ ok: true as const, object: null }), initial: () => null } as const;
const BASIC = ['nk.base', 'nk.basic'];

export const Pred = defineModel<undefined, null, null>({
  ...stateless,
  name: 'Pred',
  description: 'comparisons (==, !=, <, <=, >, >=) and empty',
  modules: BASIC,
  defaultObject: 'pred',
  audit: { auditable: false },
  methods: {
    empty: {
      kind: 'expression',
      doc: 'empty (<Text | List | Set | Map>) — true iff the value has no elements',
      evaluate: (_o, _s, arg) => {
        const k = kindOf(arg);
        if (k !== 'text' && k !== 'list' && k !== 'record') return fail(`empty takes a text, a list or a dictionary, not ${show(arg)}`);
        return sizeOf(arg) === 0n;
      },
    } satisfies Expr,
  },
});

const bools = (arg: Value, method: string): boolean[] => listOf(arg, `the argument of ${method}`).map((b, i) => asBool(b, `element ${i} of ${method}`));

export const Bool = defineModel<undefined, null, null>({
  ...stateless,
  name: 'Bool',
  description: 'logic (!, &&, ||, ==>) and all, any, cond',
  modules: BASIC,
  defaultObject: 'bool',
  audit: { auditable: false },
  methods: {
    all: { kind: 'expression', doc: 'all [<Boolean>, …] — n-ary and (true for [])', evaluate: (_o, _s, arg) => bools(arg, 'all').every((b) => b) } satisfies Expr,
    any: { kind: 'expression', doc: 'any [<Boolean>, …] — n-ary or (false for [])', evaluate: (_o, _s, arg) => bools(arg, 'any').some((b) => b) } satisfies Expr,
    cond: {
      kind: 'expression',
      doc: 'cond {if : <Boolean>, then : v, else : w} — v if the condition holds, else w',
      params: ['if', 'then', 'else'],
      evaluate: (_o, _s, arg) => {
        const r = record(arg, 'cond', ['if', 'then', 'else']);
        return asBool(r.if, 'cond: if') ? r.then! : r.else!;
      },
    } satisfies Expr,
  },
});

const ints = (arg: Value, method: string): bigint[] => listOf(arg, `the argument of ${method}`).map((n, i) => asInt(n, `element ${i} of ${method}`));

export const MathModel = defineModel<undefined, null, null>({
  ...stateless,
  name: 'Math',
  description: 'integer arithmetic (+, -, *, |, &, ~) and neg, abs, sum, product',
  modules: BASIC,
  defaultObject: 'math',
  audit: { auditable: false },
  methods: {
    neg: { kind: 'expression', doc: 'neg (<integer>) — its negation', evaluate: (_o, _s, arg) => -asInt(arg, 'the argument of neg') } satisfies Expr,
    abs: {
      kind: 'expression',
      doc: 'abs (<integer>) — its absolute value',
      evaluate: (_o, _s, arg) => {
        const n = asInt(arg, 'the argument of abs');
        return n < 0n ? -n : n;
      },
    } satisfies Expr,
    sum: { kind: 'expression', doc: 'sum [<integer>, …] — their sum (0 for [])', evaluate: (_o, _s, arg) => ints(arg, 'sum').reduce((a, b) => a + b, 0n) } satisfies Expr,
    product: { kind: 'expression', doc: 'product [<integer>, …] — their product (1 for [])', evaluate: (_o, _s, arg) => ints(arg, 'product').reduce((a, b) => a * b, 1n) } satisfies Expr,
  },
});

export const Struct = defineModel<undefined, null, null>({
  ...stateless,
  name: 'Struct',
  description: 'structured data: field access (x.f), element access (x.[i]), message, size',
  modules: BASIC,
  defaultObject: 'struct',
  audit: { auditable: false },
  methods: {
    size: {
      kind: 'expression',
      doc: 'size (<Text | List | Map>) — number of characters, elements or fields',
      evaluate: (_o, _s, arg) => sizeOf(arg),
    } satisfies Expr,
  },
});
