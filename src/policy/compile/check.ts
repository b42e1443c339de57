/**
 * The static half of PSL compilation, shared by the compiler (compile.ts)
 * and the reference interpreter (interpret.ts): every name is resolved and
 * every rule of the format that can be checked before an event arrives is
 * checked, so that both evaluators start from the same well-formed policy.
 *
 * Problems are reported by throwing `ParseError` with the file, line and
 * column of the construct (the same error type as the PSL front end):
 * unknown names are `reference` errors, constructs Cordon does not
 * implement are `unsupported` ("unsupported construct X at file:line:col").
 */
import { posix, relative, sep, dirname, basename } from 'node:path';
import type { SolutionTables } from '../../kernel/tables.ts';
import { showLoc, type RuleRef, type SourceLoc } from '../../monitor/types.ts';
import { ParseError, type ParseErrorKind } from '../../syntax/errors.ts';
import type {
  AuditRef,
  BindingDecl,
  CallExpr,
  ChoiceAlternative,
  ChoiceSection,
  EventKind,
  Expr,
  Loc,
  PolicyObjectDecl,
  Selector,
  SelectorKey,
  Statement,
  TypeExpr,
} from '../psl/ast.ts';
import type { ResolvedPolicy } from '../psl/resolve.ts';
import {
  describeCodecError,
  type ExpressionMethod,
  type LabelMatcher,
  type Model,
  type ModelMethod,
} from '../models/model.ts';
import { BUILTIN_MODELS, UNSUPPORTED_MODELS, type ModelRegistry } from '../models/registry.ts';
import { TypeError_, typePredicate } from '../models/types.ts';
import {
  arith,
  isRecord,
  order,
  PslFailure,
  scalarEquals,
  show,
  unaryOp,
  valueEquals,
  type Value,
  fieldOf,
  elementOf,
  asBool,
  newRecord,
} from '../models/value.ts';

/** The monitor state of a compiled PSL policy: one entry per policy object (null for stateless ones), frozen. */
export type PslState = readonly unknown[];

export interface PslCompileOptions {
  /** The policy's name (CompiledPolicy.name); default: the top file's name. */
  readonly name?: string;
  /** The security model classes; default `BUILTIN_MODELS`. */
  readonly models?: ModelRegistry;
}

export interface ObjectInfo {
  readonly name: string;
  readonly model: Model;
  /** what the model's `prepare` returned */
  readonly object: unknown;
  /** index of the object's state in the monitor state */
  readonly slot: number;
  /** the declaration; null for an object the SDK predeclares (`base`, `re`, …) */
  readonly loc: Loc | null;
}

export interface ResolvedCall {
  readonly target: ObjectInfo;
  readonly method: ModelMethod<unknown, unknown>;
  /** as written: `grant`, `door_fsm.enter` */
  readonly callee: string;
}

export interface AuditObjectConfig {
  /** which rule outcomes are logged */
  readonly kss: readonly ('granted' | 'denied')[];
  /** model-specific keys (Flow `omit`, Regex `emit`) as written */
  readonly options: Readonly<Record<string, Value>>;
}
export interface AuditProfile {
  readonly name: string;
  /** audit runtime level → object name → configuration */
  readonly levels: ReadonlyMap<number, ReadonlyMap<string, AuditObjectConfig>>;
  /** null for the predeclared `empty` profile */
  readonly loc: Loc | null;
}
/** The audit data of a policy, for the monitor's audit log. */
export interface PslAudit {
  /** `audit default = <profile> <level>`; `empty` at 0 when not declared */
  readonly defaultProfile: string;
  readonly defaultLevel: number;
  readonly profiles: ReadonlyMap<string, AuditProfile>;
  /** rule id (a `RuleRef.id` of `Decision.rules`) → the profile that applies to it (innermost `audit`, else the default) */
  readonly ruleProfiles: ReadonlyMap<string, string>;
  /** rule id → the policy object whose rule or expression it calls (`base` for grant/deny/assert; the subject's object for a choice) */
  readonly ruleObjects: ReadonlyMap<string, string>;
}

export interface SelectorInfo {
  readonly key: SelectorKey;
  /** the ids it accepts: class ids (src, dst), endpoint name ids (endpoint, component), method name ids, interface ids; null = every event (method=main on execute) */
  readonly ids: ReadonlySet<number> | null;
}

export interface CheckedPolicy {
  readonly name: string;
  readonly tables: SolutionTables;
  readonly objects: ReadonlyMap<string, ObjectInfo>;
  /** by slot */
  readonly objectList: readonly ObjectInfo[];
  readonly initial: PslState;
  /** every binding of every file, in evaluation order */
  readonly bindings: readonly BindingDecl[];
  readonly calls: ReadonlyMap<CallExpr, ResolvedCall>;
  /** the infos of each binding's selectors, in order, by the binding's index in `bindings` */
  readonly bindingSelectors: readonly (readonly SelectorInfo[])[];
  /** the infos of each match section's selectors, in order, by the section's list of selectors */
  readonly sections: ReadonlyMap<readonly Selector[], readonly SelectorInfo[]>;
  /** the label matcher of each alternative; null for `_` */
  readonly labels: ReadonlyMap<ChoiceAlternative, LabelMatcher | null>;
  readonly audit: PslAudit;
  /** `execute: <interface>`, if declared */
  readonly executeInterface: string | null;
  /**
   * Statements (rule calls, choice sections) that use a construct Cordon
   * cannot model, each with its message ("unsupported construct X at
   * file:line:col"): when one is reached it denies (see `notModelledReason`).
   */
  readonly unmodelled: ReadonlyMap<Statement, string>;
  /** every construct not modelled, once each: "unsupported construct X at file:line:col" */
  readonly notModelled: readonly string[];
  /** the rule id of a location: `security.psl:12:3` */
  label(loc: Loc): string;
  /** the rule a rule call or choice at `loc` is in decisions: its id (`label`), its place, and its binding */
  ruleRef(loc: Loc): RuleRef;
}

/** A binding's event and selectors as written: `request src=A, dst=B`. */
export function bindingHead(b: BindingDecl): string {
  let head: string = b.event;
  for (let i = 0; i < b.selectors.length; i++) {
    const s = b.selectors[i]!;
    head += `${i === 0 ? ' ' : ', '}${s.key}=${s.value}`;
  }
  return head;
}

/** Why a statement that uses an unmodelled construct denies. */
export function notModelledReason(message: string): string {
  return `not modelled: ${message}`;
}

/** A construct that cannot be modelled, found while checking a statement or an object. */
class NotModelled {
  constructor(readonly message: string) {}
}
const notModelledAt = (construct: string, loc: Loc): NotModelled =>
  new NotModelled(new ParseError({ kind: 'unsupported', loc, detail: construct }).message);

const EXECUTE_INTERFACE = 'kl.core.Execute';

/** Which selectors each event accepts (section 1.5 of the format reference). */
const SELECTORS_OF: Readonly<Record<EventKind, ReadonlySet<SelectorKey>>> = {
  execute: new Set(['src', 'dst', 'method']),
  request: new Set(['src', 'dst', 'endpoint', 'method', 'interface', 'component']),
  response: new Set(['src', 'dst', 'endpoint', 'method', 'interface', 'component']),
  error: new Set(['src', 'dst', 'endpoint', 'method', 'interface', 'component']),
  security: new Set(['src', 'method', 'interface']),
};

const err = (kind: ParseErrorKind, loc: Loc, detail: string): ParseError => new ParseError({ kind, loc, detail });

/** "; expected one of a, b, … (did you mean x?)" for an unknown name, listing the 8 known ones closest to it. */
function expectedOne(name: string, known: readonly string[]): string {
  if (known.length === 0) return ' (the solution declares none)';
  const distance = (a: string, b: string) => {
    let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
    for (let i = 1; i <= a.length; i++) {
      const row = [i];
      for (let j = 1; j <= b.length; j++)
        row.push(Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)));
      prev = row;
    }
    return prev[b.length]!;
  };
  const byDistance = [...known].sort((a, b) => distance(name, a) - distance(name, b));
  const near = byDistance[0]!;
  const shown = known.length > 8 ? `${byDistance.slice(0, 8).join(', ')}, …` : byDistance.join(', ');
  return `; expected one of ${shown}${distance(name, near) <= Math.max(2, Math.floor(name.length / 4)) ? ` (did you mean ${near}?)` : ''}`;
}

/* ------------------------------------------------------------ constants */

/** The value of a constant expression (no names, no calls), or why it is not one. */
export function constantValue(
  e: Expr,
):
  | { readonly ok: true; readonly value: Value }
  | { readonly ok: false; readonly reason: string; readonly constant: boolean } {
  if (e.kind === 'unit') return UNIT_CONSTANT; // `grant ()`, most calls of a large policy
  try {
    return { ok: true, value: evalConstant(e) };
  } catch (x) {
    if (x instanceof NotConstant) return { ok: false, reason: x.reason, constant: false };
    if (x instanceof PslFailure) return { ok: false, reason: x.reason, constant: true };
    throw x;
  }
}

const UNIT_CONSTANT = Object.freeze({ ok: true, value: null } as const);

class NotConstant {
  constructor(readonly reason: string) {}
}

function evalConstant(e: Expr): Value {
  switch (e.kind) {
    case 'unsupported':
      throw notModelledAt(e.construct, e.loc);
    case 'int':
    case 'text':
    case 'bool':
      return e.value;
    case 'unit':
      return null;
    case 'list':
    case 'tuple':
      return Object.freeze(e.items.map(evalConstant));
    case 'record': {
      const out = newRecord();
      for (const f of e.fields) out[recordKey(f.key)] = evalConstant(f.value);
      return Object.freeze(out);
    }
    case 'name':
      throw new NotConstant(`${e.name} is not a constant`);
    case 'call':
      throw new NotConstant(`a call of ${e.object === null ? '' : `${e.object}.`}${e.method} is not a constant`);
    case 'field':
      return fieldOf(evalConstant(e.target), e.field);
    case 'index':
      return elementOf(evalConstant(e.target), evalConstant(e.index));
    case 'unary':
      return unaryOp(e.op, evalConstant(e.operand));
    case 'binary': {
      const l = evalConstant(e.left);
      switch (e.op) {
        case '&&':
          return asBool(l, 'the left operand of &&') ? asBool(evalConstant(e.right), 'the right operand of &&') : false;
        case '||':
          return asBool(l, 'the left operand of ||') ? true : asBool(evalConstant(e.right), 'the right operand of ||');
        case '==>':
          return asBool(l, 'the left operand of ==>')
            ? asBool(evalConstant(e.right), 'the right operand of ==>')
            : true;
        case '==':
        case '!=':
          return scalarEquals(l, evalConstant(e.right), e.op) === (e.op === '==');
        case '<':
        case '<=':
        case '>':
        case '>=':
          return order(e.op, l, evalConstant(e.right));
        default:
          return arith(e.op, l, evalConstant(e.right));
      }
    }
  }
}

/** The text of a record key: a name or text literal as written, an integer in decimal. */
export function recordKey(k: Expr & { kind: 'name' | 'text' | 'int' }): string {
  return k.kind === 'name' ? k.name : k.kind === 'text' ? k.value : k.value.toString();
}

/* --------------------------------------------------------------- labels */

/**
 * Rule ids: `<file>:<line>:<column>`, where `<file>` is the file's path
 * relative to the directory of the top file (`security.psl`,
 * `parts/flow.psl`), or, for a module found elsewhere on the search path,
 * the module's path (`kl/core/DCM.psl`).
 */
function labeller(policy: ResolvedPolicy): (loc: Loc) => SourceLoc {
  const top = policy.modules[0]?.file ?? null;
  const topDir = top === null ? null : dirname(top);
  const names = new Map<string, string>();
  for (const m of policy.modules) {
    if (m.file === null) continue;
    let shown: string;
    if (m.name === null) shown = basename(m.file);
    else {
      const rel = topDir === null ? null : relative(topDir, m.file);
      shown =
        rel !== null && rel !== '' && !rel.startsWith('..') && !rel.startsWith(sep) && !/^[A-Za-z]:/.test(rel)
          ? rel.split(sep).join(posix.sep)
          : `${m.name.split('.').join('/')}.psl`;
    }
    names.set(m.file, shown);
  }
  return (loc) => ({ file: names.get(loc.file) ?? basename(loc.file), line: loc.line, col: loc.column });
}

/** Rule refs of a policy's rule calls and choices, made once per place (the `known` ones already made). */
function ruleRefs(
  place: (loc: Loc) => SourceLoc,
  bindings: readonly BindingDecl[],
  known: Iterable<RuleRef> = [],
): (loc: Loc) => RuleRef {
  const bindingOf = new Map<string, BindingDecl>();
  const walk = (b: BindingDecl, ss: readonly Statement[]) => {
    for (const s of ss) {
      if (s.kind === 'match') walk(b, s.body);
      else {
        bindingOf.set(showLoc(place(s.loc)), b);
        if (s.kind === 'choice') for (const alt of s.alternatives) walk(b, alt.body);
      }
    }
  };
  for (const b of bindings) walk(b, b.body);
  const made = new Map<string, RuleRef>();
  for (const r of known) made.set(r.id, r);
  // the same Loc is asked for again and again (each rule call's once per step that names it): no place string then
  const byLoc = new Map<Loc, RuleRef>();
  return (loc) => {
    const known = byLoc.get(loc);
    if (known !== undefined) return known;
    const at = place(loc);
    const id = showLoc(at);
    let r = made.get(id);
    if (r === undefined) {
      const b = bindingOf.get(id);
      r = Object.freeze(
        b === undefined
          ? { id, loc: Object.freeze(at) }
          : {
              id,
              loc: Object.freeze(at),
              binding: Object.freeze({ head: bindingHead(b), loc: Object.freeze(place(b.loc)) }),
            },
      );
      made.set(id, r);
    }
    byLoc.set(loc, r);
    return r;
  };
}

/**
 * The rule refs made while checking, by the Loc of their statement; any other Loc as `ruleRefs` (made on first
 * use, from the refs made) says, so that a place has one ref whichever Loc object names it.
 */
function exactRuleRefs(
  refs: ReadonlyMap<Loc, RuleRef>,
  place: (loc: Loc) => SourceLoc,
  bindings: readonly BindingDecl[],
): (loc: Loc) => RuleRef {
  let other: ((loc: Loc) => RuleRef) | undefined;
  return (loc) => refs.get(loc) ?? (other ??= ruleRefs(place, bindings, refs.values()))(loc);
}

/* ---------------------------------------------------------------- check */

/**
 * Checks a loaded policy against a solution's tables.
 * @throws ParseError at the first problem.
 */
export function checkPolicy(
  policy: ResolvedPolicy,
  tables: SolutionTables,
  options: PslCompileOptions = {},
): CheckedPolicy {
  const models = options.models ?? BUILTIN_MODELS;
  const place = labeller(policy);
  const label = (loc: Loc): string => showLoc(place(loc));
  const usedModules = new Set(policy.modules.flatMap((m) => (m.name === null ? [] : [m.name])));
  const decls = policy.declarations;
  const topFile = policy.modules[0]?.file ?? 'policy';

  const notModelled: string[] = [];
  const noteNotModelled = (m: string) => {
    if (!notModelled.includes(m)) notModelled.push(m);
  };
  /** objects of a model Cordon cannot model: name → the message */
  const unmodelledObjects = new Map<string, string>();

  // global parameters, EDL inclusions, type aliases
  let executeInterface: { name: string; loc: Loc } | null = null;
  const aliases = new Map<string, TypeExpr>();
  const aliasLoc = new Map<string, Loc>();
  for (const d of decls) {
    if (d.kind === 'executeInterface') {
      if (d.interface !== EXECUTE_INTERFACE)
        throw err(
          'reference',
          d.loc,
          `unknown execute interface ${d.interface} (the only one is ${EXECUTE_INTERFACE})`,
        );
      executeInterface ??= { name: d.interface, loc: d.loc };
    } else if (d.kind === 'useEdl') {
      if (!tables.classByName.has(d.taskClass))
        throw err('reference', d.loc, `use EDL ${d.taskClass}: the solution has no task class ${d.taskClass}`);
    } else if (d.kind === 'typeAlias') {
      const first = aliasLoc.get(d.name);
      if (first !== undefined)
        throw new ParseError({
          kind: 'duplicate',
          loc: d.loc,
          detail: `type ${d.name} is declared twice`,
          related: [{ message: 'first declared here', loc: first }],
        });
      aliases.set(d.name, d.type);
      aliasLoc.set(d.name, d.loc);
    }
  }

  for (const [name, type] of aliases) {
    try {
      typePredicate(type, aliases, new Set([name]));
    } catch (e) {
      // an alias Cordon cannot model: the objects using it are not modelled (their preparation fails the same way)
      if (e instanceof TypeError_ && e.kind === 'unsupported') noteNotModelled(notModelledAt(e.detail, e.loc).message);
      else if (e instanceof TypeError_) throw err(e.kind, e.loc, e.detail);
      else throw e;
    }
  }

  // policy objects: the SDK's predeclared ones, then the declared ones
  const objects = new Map<string, ObjectInfo>();
  const objectList: ObjectInfo[] = [];
  const initial: unknown[] = [];
  const add = (name: string, model: Model, object: unknown, loc: Loc | null) => {
    const info: ObjectInfo = { name, model, object, slot: objectList.length, loc };
    objects.set(name, info);
    objectList.push(info);
    initial.push(model.initial(object));
  };
  for (const model of models.values()) {
    if (
      model.defaultObject === undefined ||
      (model.modules.length > 0 && !model.modules.some((m) => usedModules.has(m)))
    )
      continue;
    const prepared = model.prepare({ name: model.defaultObject, config: undefined, types: new Map(), aliases });
    if (!prepared.ok)
      throw err('validation', { file: topFile, line: 1, column: 1 }, `model ${model.name}: ${prepared.error}`);
    add(model.defaultObject, model, prepared.object, null);
  }
  for (const d of decls) if (d.kind === 'policyObject') declareObject(d);

  function declareObject(d: PolicyObjectDecl): void {
    if (unmodelledObjects.has(d.name))
      throw err(
        'duplicate',
        d.loc,
        `policy object ${d.name} is declared twice (the first is not modelled: ${unmodelledObjects.get(d.name)})`,
      );
    const known = objects.get(d.name);
    if (known !== undefined)
      throw new ParseError({
        kind: 'duplicate',
        loc: d.loc,
        detail:
          known.loc === null
            ? `policy object ${d.name} is predeclared by the SDK (model ${known.model.name})`
            : `policy object ${d.name} is declared twice`,
        related: known.loc === null ? [] : [{ message: 'first declared here', loc: known.loc }],
      });
    const unsupported = UNSUPPORTED_MODELS.get(d.model);
    if (unsupported !== undefined) return unmodelledObject(d.name, notModelledAt(unsupported, d.loc));
    const model = models.get(d.model);
    if (model === undefined)
      throw err('reference', d.loc, `unknown security model ${d.model} (known: ${[...models.keys()].join(', ')})`);
    if (model.modules.length > 0 && !model.modules.some((m) => usedModules.has(m)))
      throw err('reference', d.loc, `model ${d.model} is not included: add use ${model.modules[0]}._`);
    const own = new Map<string, TypeExpr>();
    for (const t of d.types) {
      if (own.has(t.name)) throw err('duplicate', t.loc, `type ${t.name} is declared twice in policy object ${d.name}`);
      if (!model.types.required.includes(t.name) && !model.types.optional.includes(t.name)) {
        const allowed = [...model.types.required, ...model.types.optional];
        throw err(
          'validation',
          t.loc,
          `model ${model.name} has no type parameter ${t.name}${allowed.length === 0 ? ' (it takes none)' : ` (it takes ${allowed.join(', ')})`}`,
        );
      }
      own.set(t.name, t.type);
    }
    const missing = model.types.required.filter((n) => !own.has(n));
    if (missing.length > 0)
      throw err('validation', d.loc, `policy object ${d.name} : ${model.name} must declare type ${missing.join(', ')}`);
    let config: unknown = undefined;
    if (model.config === null) {
      if (d.config !== null) throw err('validation', d.config.loc, `model ${model.name} takes no config`);
    } else if (d.config === null) {
      if (model.configOptional !== true)
        throw err('validation', d.loc, `policy object ${d.name} : ${model.name} needs a config`);
    } else {
      let c;
      try {
        c = constantValue(d.config);
      } catch (e) {
        if (e instanceof NotModelled) return unmodelledObject(d.name, e);
        throw e;
      }
      if (!c.ok) throw err('validation', d.config.loc, `the config of ${d.name} must be a constant: ${c.reason}`);
      const decoded = model.config.decode(c.value);
      if (decoded._tag === 'Left')
        throw err(
          'validation',
          d.config.loc,
          `invalid config of ${d.name} : ${model.name}: ${describeCodecError(decoded.left)}`,
        );
      config = decoded.right;
    }
    const visible = new Map([...aliases, ...own]);
    let prepared;
    try {
      prepared = model.prepare({ name: d.name, config, types: own, aliases: visible });
    } catch (e) {
      if (e instanceof TypeError_ && e.kind === 'unsupported')
        return unmodelledObject(d.name, notModelledAt(e.detail, e.loc));
      if (e instanceof TypeError_) throw err(e.kind, e.loc, e.detail);
      throw err(
        'validation',
        d.loc,
        `model ${model.name} failed to prepare ${d.name}: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
    if (!prepared.ok)
      throw err('validation', d.config?.loc ?? d.loc, `policy object ${d.name} : ${model.name}: ${prepared.error}`);
    add(d.name, model, prepared.object, d.loc);
  }

  function unmodelledObject(name: string, why: NotModelled): void {
    unmodelledObjects.set(name, why.message);
    noteNotModelled(why.message);
  }

  // audit profiles
  const profiles = new Map<string, AuditProfile>([['empty', { name: 'empty', levels: new Map(), loc: null }]]);
  for (const d of decls) {
    if (d.kind !== 'auditProfile') continue;
    const first = profiles.get(d.name);
    if (first !== undefined)
      throw new ParseError({
        kind: 'duplicate',
        loc: d.loc,
        detail: `audit profile ${d.name} is declared twice`,
        related: first.loc === null ? [] : [{ message: 'first declared here', loc: first.loc }],
      });
    try {
      profiles.set(d.name, auditProfile(d.name, d.value, d.loc, objects, unmodelledObjects));
    } catch (e) {
      if (!(e instanceof NotModelled)) throw e;
      noteNotModelled(e.message); // a profile Cordon cannot read audits nothing
      profiles.set(d.name, { name: d.name, levels: new Map(), loc: d.loc });
    }
  }
  let defaultProfile = 'empty';
  let defaultLevel = 0;
  let defaultLoc: Loc | null = null;
  for (const d of decls) {
    if (d.kind !== 'auditDefault') continue;
    if (defaultLoc !== null)
      throw new ParseError({
        kind: 'duplicate',
        loc: d.loc,
        detail: 'audit default is declared twice',
        related: [{ message: 'first declared here', loc: defaultLoc }],
      });
    if (!profiles.has(d.profile)) throw err('reference', d.loc, `unknown audit profile ${d.profile}`);
    if (d.level < 0n || d.level > 0xffffn)
      throw err('validation', d.loc, `audit level ${d.level} must be in 0 … 65535`);
    defaultProfile = d.profile;
    defaultLevel = Number(d.level);
    defaultLoc = d.loc;
  }

  // bindings
  const calls = new Map<CallExpr, ResolvedCall>();
  const sections = new Map<readonly Selector[], readonly SelectorInfo[]>();
  const bindingSelectors: (readonly SelectorInfo[])[] = [];
  const labels = new Map<ChoiceAlternative, LabelMatcher | null>();
  const ruleProfiles = new Map<string, string>();
  const ruleObjects = new Map<string, string>();
  const unmodelled = new Map<Statement, string>();
  const bindings: BindingDecl[] = [];
  const classNames = tables.classes.map((c) => c.name);

  const profileOf = (a: AuditRef | null, outer: string): string => {
    if (a === null) return outer;
    if (!profiles.has(a.profile)) throw err('reference', a.loc, `unknown audit profile ${a.profile}`);
    return a.profile;
  };

  // the one-id sets and the selector infos, per kind of name and id (shared: nothing changes a selector's ids)
  const classSets: ReadonlySet<number>[] = [];
  const endpointSets: ReadonlySet<number>[] = [];
  const methodSets: ReadonlySet<number>[] = [];
  const interfaceSets: ReadonlySet<number>[] = [];
  const shared: Record<Exclude<SelectorKey, 'component'>, SelectorInfo[]> = {
    src: [],
    dst: [],
    endpoint: [],
    method: [],
    interface: [],
  };
  const anyMethod: SelectorInfo = { key: 'method', ids: null };
  const oneId = (
    s: Selector & { key: Exclude<SelectorKey, 'component'> },
    what: string,
    at: number,
    known: () => readonly string[],
    sets: ReadonlySet<number>[],
  ): SelectorInfo => {
    if (at < 0)
      throw err('reference', s.loc, `unknown ${what} ${s.value} in selector ${s.key}=${expectedOne(s.value, known())}`);
    const infos = shared[s.key];
    return (infos[at] ??= { key: s.key, ids: (sets[at] ??= new Set([at])) });
  };
  // name → id look-ups: a scan of a short list, a map (made on first use) of a long one; the first id of a name
  const indexer = (names: readonly string[]): ((name: string) => number) => {
    if (names.length <= 16) return (name) => names.indexOf(name);
    let byName: Map<string, number> | undefined;
    return (name) => {
      if (byName === undefined) {
        byName = new Map();
        for (let i = names.length - 1; i >= 0; i--) byName.set(names[i]!, i);
      }
      return byName.get(name) ?? -1;
    };
  };
  const endpointId = indexer(tables.endpointNames);
  const methodId = indexer(tables.methodNames);

  const selectorInfo = (event: EventKind, s: Selector): SelectorInfo => {
    if (!SELECTORS_OF[event].has(s.key))
      throw err(
        'validation',
        s.loc,
        `selector ${s.key}= does not apply to ${event} events (they take ${[...SELECTORS_OF[event]].map((k) => `${k}=`).join(', ')})`,
      );
    switch (s.key) {
      case 'src':
      case 'dst':
        return oneId(
          s as Selector & { key: 'src' | 'dst' },
          'task class',
          tables.classByName.get(s.value) ?? classNames.indexOf(s.value),
          () => classNames,
          classSets,
        );
      case 'endpoint':
        return oneId(
          s as Selector & { key: 'endpoint' },
          'endpoint',
          endpointId(s.value),
          () => tables.endpointNames,
          endpointSets,
        );
      case 'method':
        if (event === 'execute') {
          if (s.value !== 'main')
            throw err(
              'reference',
              s.loc,
              `the execute interface ${EXECUTE_INTERFACE} has only the method main, not ${s.value}`,
            );
          return anyMethod;
        }
        return oneId(
          s as Selector & { key: 'method' },
          'method',
          methodId(s.value),
          () => tables.methodNames,
          methodSets,
        );
      case 'interface':
        return oneId(
          s as Selector & { key: 'interface' },
          'interface',
          tables.interfaces.findIndex((i) => i.name === s.value),
          () => tables.interfaces.map((i) => i.name),
          interfaceSets,
        );
      case 'component': {
        const ids = new Set<number>();
        tables.endpointNames.forEach((n, i) => {
          if (n.startsWith(`${s.value}.`)) ids.add(i);
        });
        if (ids.size === 0)
          throw err(
            'reference',
            s.loc,
            `no endpoint belongs to a component instance ${s.value} (qualified endpoint names: ${tables.endpointNames.join(', ') || 'none'})`,
          );
        return { key: s.key, ids };
      }
    }
  };

  const checkSelectors = (event: EventKind, list: readonly Selector[]): readonly SelectorInfo[] => {
    const infos: SelectorInfo[] = new Array<SelectorInfo>(list.length);
    for (let i = 0; i < list.length; i++) {
      const s = list[i]!;
      // a section has a handful of selectors: a scan of the earlier ones, not a Map per section
      let first: Selector | undefined;
      for (let j = 0; j < i && first === undefined; j++) if (list[j]!.key === s.key) first = list[j];
      if (first !== undefined)
        throw new ParseError({
          kind: 'duplicate',
          loc: s.loc,
          detail: `selector ${s.key}= is given twice in one section`,
          related: [{ message: 'first given here', loc: first.loc }],
        });
      infos[i] = selectorInfo(event, s);
    }
    return infos;
  };

  const resolveCall = (c: CallExpr, want: 'rule' | 'expression'): ResolvedCall => {
    let target: ObjectInfo | undefined;
    if (c.object !== null) {
      const notModelledObject = unmodelledObjects.get(c.object);
      if (notModelledObject !== undefined) throw new NotModelled(notModelledObject);
      target = objects.get(c.object);
      if (target === undefined)
        throw err(
          'reference',
          c.loc,
          `unknown policy object ${c.object}${objects.size === 0 ? ' (no object is declared; did you forget use nk.base._?)' : ''}`,
        );
    } else {
      target = undefined;
      for (const o of objectList)
        if (o.loc === null && Object.hasOwn(o.model.methods, c.method)) {
          target = o;
          break;
        }
      if (target === undefined) {
        const owner = [...models.values()].find(
          (m) => m.defaultObject !== undefined && Object.hasOwn(m.methods, c.method),
        );
        throw err(
          'reference',
          c.loc,
          owner !== undefined
            ? `${c.method} belongs to the model ${owner.name}: add use ${owner.modules[0]}._`
            : `unknown ${want} ${c.method} (a call without an object name goes to the SDK's default objects: ${
                objectList
                  .filter((o) => o.loc === null)
                  .map((o) => o.name)
                  .join(', ') || 'none included'
              })`,
        );
      }
    }
    const callee = c.object === null ? c.method : `${c.object}.${c.method}`;
    const method = Object.hasOwn(target.model.methods, c.method) ? target.model.methods[c.method] : undefined;
    if (method === undefined)
      throw err(
        'reference',
        c.loc,
        `model ${target.model.name} (object ${target.name}) has no method ${c.method} (it has ${Object.keys(target.model.methods).join(', ') || 'none'})`,
      );
    if (method.kind !== want)
      throw err(
        'validation',
        c.loc,
        want === 'rule'
          ? `${callee} is an expression, not a rule: use its value in a rule (assert (…), deny (…)) or a choice`
          : `${callee} is a rule, not an expression: a rule can only be called as a statement`,
      );
    checkArgument(c, callee, method, target);
    const r: ResolvedCall = { target, method, callee };
    calls.set(c, r);
    return r;
  };

  const checkArgument = (c: CallExpr, callee: string, method: ModelMethod<unknown, unknown>, target: ObjectInfo) => {
    checkExpr(c.arg);
    const params = method.params;
    if (params === undefined) return;
    const shape = `{${params.join(', ')}}`;
    if (c.arg.kind === 'record') {
      const keys = c.arg.fields.map((f) => recordKey(f.key));
      const missing = params.filter((p) => !keys.includes(p));
      const extra = keys.filter((k) => !params.includes(k));
      if (missing.length > 0)
        throw err('validation', c.arg.loc, `${callee} takes ${shape}: missing ${missing.join(', ')}`);
      if (extra.length > 0)
        throw err('validation', c.arg.loc, `${callee} takes ${shape}: unknown field ${extra.join(', ')}`);
      const em = method as ExpressionMethod<unknown, unknown>;
      for (const field of em.constant ?? []) {
        const f = c.arg.fields.find((x) => recordKey(x.key) === field)!;
        const v = constantValue(f.value);
        if (!v.ok) throw err('validation', f.value.loc, `${callee}: ${field} must be a constant (${v.reason})`);
        const problem = em.checkConstant?.(target.object, field, v.value);
        if (problem !== undefined && problem !== null) throw err('validation', f.value.loc, `${callee}: ${problem}`);
      }
    } else if (c.arg.kind !== 'name' && c.arg.kind !== 'field' && c.arg.kind !== 'index' && c.arg.kind !== 'call') {
      throw err('validation', c.arg.loc, `${callee} takes a dictionary ${shape}`);
    } else if ((method as ExpressionMethod<unknown, unknown>).constant !== undefined) {
      throw err(
        'validation',
        c.arg.loc,
        `${callee} takes a dictionary ${shape} written out, with constant ${(method as ExpressionMethod<unknown, unknown>).constant!.join(', ')}`,
      );
    }
  };

  function checkExpr(e: Expr): void {
    switch (e.kind) {
      case 'unsupported':
        throw notModelledAt(e.construct, e.loc);
      case 'int':
      case 'text':
      case 'bool':
      case 'unit':
        return;
      case 'list':
      case 'tuple':
        return e.items.forEach(checkExpr);
      case 'record': {
        const keys = new Set<string>();
        for (const f of e.fields) {
          const k = recordKey(f.key);
          if (keys.has(k)) throw err('duplicate', f.loc, `field ${k} is given twice`);
          keys.add(k);
          checkExpr(f.value);
        }
        return;
      }
      case 'name':
        if (e.name !== 'message' && e.name !== 'src_sid' && e.name !== 'dst_sid')
          throw err('reference', e.loc, `unknown name ${e.name} (an expression may use message, src_sid and dst_sid)`);
        return;
      case 'field':
        return checkExpr(e.target);
      case 'index':
        checkExpr(e.target);
        return checkExpr(e.index);
      case 'call':
        resolveCall(e, 'expression');
        return;
      case 'unary':
        return checkExpr(e.operand);
      case 'binary':
        checkExpr(e.left);
        return checkExpr(e.right);
    }
  }

  // The rule ref of each rule call and choice, made as it is checked: its id (the key of its audit profile and
  // object), its place, and its binding, whose part is made once, with the binding's first rule. This is what
  // `ruleRefs` works out from the ids while every id is given once and no choice is left unchecked (its
  // alternatives would still name their bindings there); otherwise `ruleRefs` does it, as it always did.
  const refs = new Map<Loc, RuleRef>();
  let refsExact = true;
  let binding: BindingDecl | undefined;
  let bindingRef: NonNullable<RuleRef['binding']> | undefined;
  const noteRule = (loc: Loc, at: SourceLoc, id: string, profile: string, object: string): void => {
    const n = ruleProfiles.size;
    ruleProfiles.set(id, profile);
    if (ruleProfiles.size === n) refsExact = false; // an id given twice
    ruleObjects.set(id, object);
    if (binding === undefined) return;
    bindingRef ??= Object.freeze({ head: bindingHead(binding), loc: Object.freeze(place(binding.loc)) });
    refs.set(loc, Object.freeze({ id, loc: Object.freeze(at), binding: bindingRef }));
  };

  const checkChoice = (event: EventKind, c: ChoiceSection, profile: string) => {
    const at = place(c.loc);
    const id = showLoc(at);
    try {
      checkExpr(c.subject);
    } catch (e) {
      if (!(e instanceof NotModelled)) throw e;
      refsExact = false; // its alternatives are not checked
      markUnmodelled(c, e, profile);
      return;
    }
    const subjectCall = c.subject.kind === 'call' ? calls.get(c.subject) : undefined;
    noteRule(c.loc, at, id, profile, subjectCall?.target.name ?? 'base');
    const hook =
      subjectCall !== undefined ? (subjectCall.method as ExpressionMethod<unknown, unknown>).label : undefined;
    const seen: { value: Value; loc: Loc }[] = [];
    let fallback: Loc | null = null;
    for (const alt of c.alternatives) {
      if (alt.label.kind === 'default') {
        if (fallback !== null)
          throw new ParseError({
            kind: 'duplicate',
            loc: alt.label.loc,
            detail: 'a choice has two _ alternatives',
            related: [{ message: 'first here', loc: fallback }],
          });
        fallback = alt.label.loc;
        labels.set(alt, null);
      } else {
        const value: Value = alt.label.value;
        const twice = seen.find((s) => valueEquals(s.value, value));
        if (twice !== undefined)
          throw new ParseError({
            kind: 'duplicate',
            loc: alt.label.loc,
            detail: `the choice alternative ${show(value)} is given twice`,
            related: [{ message: 'first here', loc: twice.loc }],
          });
        seen.push({ value, loc: alt.label.loc });
        let matcher: LabelMatcher = (v) => valueEquals(v, value);
        if (hook !== undefined && subjectCall !== undefined) {
          const m = hook(subjectCall.target.object, value);
          if (typeof m === 'string') throw err('validation', alt.label.loc, `${subjectCall.callee}: ${m}`);
          matcher = m;
        }
        labels.set(alt, matcher);
      }
      checkBody(event, alt.body, profileOf(alt.audit, profile));
    }
  };

  function checkBody(event: EventKind, body: readonly Statement[], profile: string): void {
    for (const s of body) {
      if (s.kind === 'match') {
        sections.set(s.selectors, checkSelectors(event, s.selectors));
        checkBody(event, s.body, profileOf(s.audit, profile));
      } else if (s.kind === 'choice') {
        checkChoice(event, s, profileOf(s.audit, profile));
      } else {
        let r: ResolvedCall;
        try {
          r = resolveCall(s, 'rule');
        } catch (e) {
          if (!(e instanceof NotModelled)) throw e;
          markUnmodelled(s, e, profile);
          continue;
        }
        const at = place(s.loc);
        noteRule(s.loc, at, showLoc(at), profile, r.target.name);
      }
    }
  }

  /** A statement using a construct Cordon cannot model: it denies when reached. */
  function markUnmodelled(s: Statement, why: NotModelled, profile: string): void {
    unmodelled.set(s, why.message);
    noteNotModelled(why.message);
    const at = place(s.loc);
    noteRule(s.loc, at, showLoc(at), profile, 'base');
  }

  for (const d of decls) {
    if (d.kind !== 'binding') continue;
    binding = d;
    bindingRef = undefined;
    const infos = checkSelectors(d.event, d.selectors);
    checkBody(d.event, d.body, profileOf(d.audit, defaultProfile));
    bindings.push(d);
    bindingSelectors.push(infos);
  }

  return {
    name: options.name ?? basename(topFile),
    tables,
    objects,
    objectList,
    initial: Object.freeze(initial),
    bindings,
    calls,
    bindingSelectors,
    sections,
    labels,
    audit: { defaultProfile, defaultLevel, profiles, ruleProfiles, ruleObjects },
    executeInterface: executeInterface?.name ?? null,
    unmodelled,
    notModelled,
    label,
    ruleRef: refsExact ? exactRuleRefs(refs, place, bindings) : ruleRefs(place, bindings),
  };
}

/* ---------------------------------------------------------------- audit */

const KSS = new Set(['granted', 'denied']);

function auditProfile(
  name: string,
  value: Expr,
  loc: Loc,
  objects: ReadonlyMap<string, ObjectInfo>,
  unmodelled: ReadonlyMap<string, string>,
): AuditProfile {
  const c = constantValue(value);
  if (!c.ok) throw err('validation', value.loc, `audit profile ${name} must be a constant: ${c.reason}`);
  if (!isRecord(c.value))
    throw err(
      'validation',
      value.loc,
      `audit profile ${name} must be a dictionary { <level> : { <object> : { kss : […] } } }`,
    );
  if (value.kind !== 'record')
    throw err('validation', value.loc, `audit profile ${name} must be written as a dictionary`);
  const levels = new Map<number, ReadonlyMap<string, AuditObjectConfig>>();
  for (const f of value.fields) {
    const at = f.key.loc;
    if (f.key.kind !== 'int' || f.key.value < 0n || f.key.value > 0xffffn)
      throw err('validation', at, `audit profile ${name}: a level is an integer in 0 … 65535`);
    const perObject = new Map<string, AuditObjectConfig>();
    const body = fieldOf(c.value, recordKey(f.key));
    if (!isRecord(body) || f.value.kind !== 'record')
      throw err(
        'validation',
        f.value.loc,
        `audit profile ${name}: level ${f.key.value} maps object names to { kss : […] }`,
      );
    for (const of of f.value.fields) {
      const objName = recordKey(of.key);
      if (unmodelled.has(objName)) continue; // an object Cordon does not model has no audit either
      const obj = objects.get(objName);
      if (obj === undefined)
        throw err('reference', of.key.loc, `audit profile ${name}: unknown policy object ${objName}`);
      if (!obj.model.audit.auditable)
        throw err(
          'validation',
          of.key.loc,
          `audit profile ${name}: objects of the model ${obj.model.name} cannot be audited`,
        );
      const conf = body[objName];
      if (!isRecord(conf))
        throw err(
          'validation',
          of.value.loc,
          `audit profile ${name}: the audit of ${objName} is a dictionary { kss : […] }`,
        );
      const options: Record<string, Value> = {};
      let kss: ('granted' | 'denied')[] = [];
      for (const [k, v] of Object.entries(conf)) {
        if (k === 'kss') {
          if (!Array.isArray(v) || !v.every((x) => typeof x === 'string' && KSS.has(x)))
            throw err(
              'validation',
              of.value.loc,
              `audit profile ${name}: ${objName}.kss must be a list of "granted" and "denied"`,
            );
          kss = [...(v as ('granted' | 'denied')[])];
          continue;
        }
        const check = obj.model.audit.options?.[k];
        if (check === undefined)
          throw err(
            'validation',
            of.value.loc,
            `audit profile ${name}: the model ${obj.model.name} has no audit key ${k}`,
          );
        const problem = check(obj.object, v);
        if (problem !== null)
          throw err('validation', of.value.loc, `audit profile ${name}: ${objName}.${k}: ${problem}`);
        options[k] = v;
      }
      perObject.set(objName, { kss, options });
    }
    levels.set(Number(f.key.value), perObject);
  }
  return { name, levels, loc };
}

/**
 * Whether the audit log records a rule's outcome: the rule's profile, at the
 * given runtime level (default: the policy's), lists the outcome under the
 * rule's object. Rule ids are the `RuleRef.id`s of `Decision.rules` (a
 * granted decision lists every rule that granted).
 */
export function auditsRule(
  audit: PslAudit,
  ruleId: string,
  outcome: 'granted' | 'denied',
  level: number = audit.defaultLevel,
): boolean {
  const profile = audit.profiles.get(audit.ruleProfiles.get(ruleId) ?? audit.defaultProfile);
  const object = audit.ruleObjects.get(ruleId);
  if (profile === undefined || object === undefined) return false;
  return profile.levels.get(level)?.get(object)?.kss.includes(outcome) ?? false;
}
