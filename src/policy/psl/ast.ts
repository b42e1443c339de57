/**
 * Abstract syntax of PSL, the Policy Specification Language of KasperskyOS
 * solutions. Every node carries the `loc` (file, line, column) of its first
 * character in the original file, also after templating.
 *
 * The tree records what was written; it does not decide what it means (a
 * call's object may name no policy object, a selector may name no class):
 * that is the job of the checker and compiler built on top of it.
 */
import type { Loc } from '../../syntax/source.ts';
import type { PalAssert } from '../pal/ast.ts';

export type { Loc };

/* ---------------------------------------------------------------- events */

/** The five security events a binding can be attached to. */
export type EventKind = 'execute' | 'request' | 'response' | 'error' | 'security';
export const EVENT_KINDS: readonly EventKind[] = ['execute', 'request', 'response', 'error', 'security'];

/** Selector words: `src=`, `dst=`, `endpoint=`, `method=`, `interface=` and the older `component=`. */
export type SelectorKey = 'src' | 'dst' | 'endpoint' | 'method' | 'interface' | 'component';

/** `key = value`, value a dotted name (a class, a qualified endpoint, a method, …). */
export interface Selector {
  readonly key: SelectorKey;
  readonly value: string;
  readonly loc: Loc;
}

/* ----------------------------------------------------------- expressions */

/** Integer literal (decimal or hexadecimal, possibly negative); `text` is as written. */
export interface IntLiteral {
  readonly kind: 'int';
  readonly value: bigint;
  readonly text: string;
  readonly loc: Loc;
}
/** Text literal in double quotes (escapes decoded). */
export interface TextLiteral {
  readonly kind: 'text';
  readonly value: string;
  readonly loc: Loc;
}
/** `true` / `false`. */
export interface BoolLiteral {
  readonly kind: 'bool';
  readonly value: boolean;
  readonly loc: Loc;
}
/** `()`, the unit value. */
export interface UnitLiteral {
  readonly kind: 'unit';
  readonly loc: Loc;
}
/** `[a, b, …]`. */
export interface ListExpr {
  readonly kind: 'list';
  readonly items: readonly Expr[];
  readonly loc: Loc;
}
/** `(a, b, …)` — two or more values in parentheses, as in `flow.enter(src_sid, "open")`. */
export interface TupleExpr {
  readonly kind: 'tuple';
  readonly items: readonly Expr[];
  readonly loc: Loc;
}
/** `{ key : value, … }` — a dictionary (record); `{}` is the empty one. */
export interface RecordExpr {
  readonly kind: 'record';
  readonly fields: readonly RecordField[];
  readonly loc: Loc;
}
export interface RecordField {
  readonly key: RecordKey;
  readonly value: Expr;
  readonly loc: Loc;
}
/** A key is a name (`sid`), a text literal (`"open"`) or an integer (audit levels `0`). */
export type RecordKey = NameExpr | TextLiteral | IntLiteral;

/** A bare name: `message`, `src_sid`, `dst_sid`, or any other identifier. */
export interface NameExpr {
  readonly kind: 'name';
  readonly name: string;
  readonly loc: Loc;
}
/** `target.field` — e.g. `message.request.repeats` is field(field(message, request), repeats). */
export interface FieldExpr {
  readonly kind: 'field';
  readonly target: Expr;
  readonly field: string;
  readonly loc: Loc;
}
/** `target.[index]` — element access of a list, set, sequence or array. */
export interface IndexExpr {
  readonly kind: 'index';
  readonly target: Expr;
  readonly index: Expr;
  readonly loc: Loc;
}
/**
 * `[object.]method argument` — a call of a security model method. Without an
 * object the call goes to `base` (rules) or the auxiliary models
 * (`size (…)`); `object` is then `null`. The argument is `()`, a
 * parenthesised expression, a tuple, a record or a list.
 */
export interface CallExpr {
  readonly kind: 'call';
  readonly object: string | null;
  readonly method: string;
  readonly arg: Expr;
  readonly loc: Loc;
}

/** Binary operators, from the Bool, Pred and Math models. */
export type BinaryOp = '==>' | '||' | '&&' | '|' | '&' | '==' | '!=' | '<' | '<=' | '>' | '>=' | '+' | '-' | '*';
export interface BinaryExpr {
  readonly kind: 'binary';
  readonly op: BinaryOp;
  readonly left: Expr;
  readonly right: Expr;
  readonly loc: Loc;
}
/** `!x` (Bool), `~x` (Math, bitwise), `-x` (Math; `-5` is folded into an IntLiteral). */
export type UnaryOp = '!' | '~' | '-';
export interface UnaryExpr {
  readonly kind: 'unary';
  readonly op: UnaryOp;
  readonly operand: Expr;
  readonly loc: Loc;
}

/**
 * A construct Cordon parses but cannot model (the `/` and `%` operators:
 * the Math model has neither). The policy still loads; a rule whose
 * argument holds one denies, and the policy lists it as not modelled.
 */
export interface UnsupportedExpr {
  readonly kind: 'unsupported';
  /** what it is, as in "unsupported construct <construct> at file:line:col" */
  readonly construct: string;
  readonly loc: Loc;
}

export type Expr =
  | UnsupportedExpr
  | IntLiteral
  | TextLiteral
  | BoolLiteral
  | UnitLiteral
  | ListExpr
  | TupleExpr
  | RecordExpr
  | NameExpr
  | FieldExpr
  | IndexExpr
  | CallExpr
  | BinaryExpr
  | UnaryExpr;

/* ----------------------------------------------------------------- types */

/** `UInt8`, `Text`, `Set<T>`, `Map<K, V>`, an alias name, … (`args` empty when not generic). */
export interface TypeName {
  readonly kind: 'typeName';
  readonly name: string;
  readonly args: readonly TypeExpr[];
  readonly loc: Loc;
}
/** Text-literal singleton type, e.g. `"open"`. */
export interface TypeText {
  readonly kind: 'typeText';
  readonly value: string;
  readonly loc: Loc;
}
/** Integer-literal singleton type (also the size argument of `Array<T, 4>`). */
export interface TypeInt {
  readonly kind: 'typeInt';
  readonly value: bigint;
  readonly loc: Loc;
}
/** `()`. */
export interface TypeUnit {
  readonly kind: 'typeUnit';
  readonly loc: Loc;
}
/** `A | B | …`. */
export interface TypeVariant {
  readonly kind: 'typeVariant';
  readonly options: readonly TypeExpr[];
  readonly loc: Loc;
}
/** `{ f : T, … }`. */
export interface TypeRecord {
  readonly kind: 'typeRecord';
  readonly fields: readonly { readonly name: string; readonly type: TypeExpr; readonly loc: Loc }[];
  readonly loc: Loc;
}
/** `[T, …]`. */
export interface TypeTuple {
  readonly kind: 'typeTuple';
  readonly items: readonly TypeExpr[];
  readonly loc: Loc;
}
/** A type Cordon cannot model (the Mic level wildcard `...`); objects using it are not modelled. */
export interface TypeUnsupported {
  readonly kind: 'typeUnsupported';
  readonly construct: string;
  readonly loc: Loc;
}
export type TypeExpr =
  TypeUnsupported | TypeName | TypeText | TypeInt | TypeUnit | TypeVariant | TypeRecord | TypeTuple;

/* ------------------------------------------------------------ rule bodies */

/** `audit <profile>` as the first item of a binding, match or choice block. */
export interface AuditRef {
  readonly profile: string;
  readonly loc: Loc;
}

/** `match <selectors> { … }` — narrows the enclosing binding. */
export interface MatchSection {
  readonly kind: 'match';
  readonly selectors: readonly Selector[];
  readonly audit: AuditRef | null;
  readonly body: readonly Statement[];
  readonly loc: Loc;
}

/** `choice <expr> { "lit" : … _ : … }` — branches on the value of an expression. */
export interface ChoiceSection {
  readonly kind: 'choice';
  readonly subject: Expr;
  readonly audit: AuditRef | null;
  readonly alternatives: readonly ChoiceAlternative[];
  readonly loc: Loc;
}
/** `_`, the catch-all alternative. */
export interface DefaultLabel {
  readonly kind: 'default';
  readonly loc: Loc;
}
export type ChoiceLabel = TextLiteral | IntLiteral | BoolLiteral | DefaultLabel;
export interface ChoiceAlternative {
  readonly label: ChoiceLabel;
  readonly audit: AuditRef | null;
  readonly body: readonly Statement[];
  readonly loc: Loc;
}

/** What a block may contain: model method calls (rules), match and choice sections. */
export type Statement = MatchSection | ChoiceSection | CallExpr;

/* ---------------------------------------------------------- declarations */

/** `execute: kl.core.Execute` — the execute interface. */
export interface ExecuteInterfaceDecl {
  readonly kind: 'executeInterface';
  readonly interface: string;
  readonly loc: Loc;
}
/** `use EDL kl.core.Core`. */
export interface UseEdlDecl {
  readonly kind: 'useEdl';
  readonly taskClass: string;
  readonly loc: Loc;
}
/** `use nk.base._` — `module` is the dotted path without the `._` suffix. */
export interface UseModuleDecl {
  readonly kind: 'useModule';
  readonly module: string;
  readonly loc: Loc;
}
/** `audit default = <profile> <level>`. */
export interface AuditDefaultDecl {
  readonly kind: 'auditDefault';
  readonly profile: string;
  readonly level: bigint;
  readonly loc: Loc;
}
/** `audit profile <name> = { <level> : { <object> : { kss : […], … } } }`. */
export interface AuditProfileDecl {
  readonly kind: 'auditProfile';
  readonly name: string;
  readonly value: Expr;
  readonly loc: Loc;
}
/** `type Name = <type>` (top level or inside a policy object). */
export interface TypeAliasDecl {
  readonly kind: 'typeAlias';
  readonly name: string;
  readonly type: TypeExpr;
  readonly loc: Loc;
}
/** `policy object <name> : <Model> { type … = …  config = … }`. */
export interface PolicyObjectDecl {
  readonly kind: 'policyObject';
  readonly name: string;
  readonly model: string;
  readonly types: readonly TypeAliasDecl[];
  readonly config: Expr | null;
  readonly loc: Loc;
}
/** `<event> [<selectors>] { … }` — a binding of rules to a security event. */
export interface BindingDecl {
  readonly kind: 'binding';
  readonly event: EventKind;
  readonly selectors: readonly Selector[];
  readonly audit: AuditRef | null;
  readonly body: readonly Statement[];
  readonly loc: Loc;
}

export type Declaration =
  | ExecuteInterfaceDecl
  | UseEdlDecl
  | UseModuleDecl
  | AuditDefaultDecl
  | AuditProfileDecl
  | TypeAliasDecl
  | PolicyObjectDecl
  | BindingDecl
  | PalAssert;

/** One parsed `.psl` file. */
export interface PslFile {
  readonly kind: 'pslFile';
  readonly file: string;
  readonly declarations: readonly Declaration[];
}
