/**
 * The PSL compiler: a loaded policy (`loadPolicy`) and a solution's tables
 * (`SolutionTables`) → a `CompiledPolicy` for the monitor, deciding every
 * event exactly as the reference interpreter (interpret.ts) does.
 *
 * How it is fast:
 *
 * 1. Every rule call and choice section of every binding is *flattened*
 *    into a leaf: the item, its position in evaluation order, and the
 *    conjunction of the selectors of its binding and enclosing match
 *    sections, per dimension — destination class, source class, endpoint
 *    (`endpoint=` and `component=`), method — plus an `interface=` guard.
 * 2. A decision trie per event kind maps the interned ids of an event
 *    (dst, src, endpoint, method; four array look-ups) to a *cell*: the
 *    ordered list of leaves that apply to every event with those ids.
 *    Trie nodes with the same leaves are shared, so the tables grow with
 *    the number of distinct selector values, not their product.
 * 3. A cell whose leaves are all constant Base rules (`grant ()`,
 *    `deny ()`, `assert`/`deny` of a constant) is decided when compiling:
 *    the event gets a prepared Decision. Only the other cells run code: a
 *    list of closures (rule calls, interface guards, choices) compiled
 *    from the expressions, with constant sub-expressions folded.
 */
import type { SolutionTables } from '../../kernel/tables.ts';
import {
  DEFAULT_DENY_RULES,
  POLICY_ERROR_RULES,
  checkedDecision,
  only,
  restate,
  type Decision,
  type EventKind,
  type RuleRef,
  type SecurityEvent,
} from '../../monitor/types.ts';
import type { CallExpr, ChoiceAlternative, ChoiceSection, Expr, Selector, Statement } from '../psl/ast.ts';
import type { ResolvedPolicy } from '../psl/resolve.ts';
import { Base } from '../models/base.ts';
import type { ExpressionMethod, RuleMethod, RuleResult } from '../models/model.ts';
import {
  arith,
  asBool,
  elementOf,
  fieldOf,
  newRecord,
  order,
  PslFailure,
  scalarEquals,
  unaryOp,
  type Value,
} from '../models/value.ts';
import {
  checkPolicy,
  constantValue,
  notModelledReason,
  recordKey,
  type CheckedPolicy,
  type PslCompileOptions,
  type PslState,
  type ResolvedCall,
  type SelectorInfo,
} from './check.ts';
import {
  applyRule,
  argumentReason,
  choiceFailureReason,
  DEFAULT_DENY_REASON,
  DEFAULT_DENY_RULE,
  evaluateExpression,
  kindIndex,
  noAlternativeReason,
  badState,
  objectStateOf,
  thrownReason,
  withSlot,
  type CompiledPslPolicy,
} from './runtime.ts';
import type { PolicyCoverage } from './coverage.ts';

/** A decision in progress (one per dynamic decision). */
interface Ctx {
  ev: SecurityEvent;
  state: PslState;
  /** the rules granted so far; null in a straight cell, whose grant names a list known when compiling */
  readonly granted: RuleRef[] | null;
  /** the rule that denied */
  rule: RuleRef | null;
  reason: string;
}
/** A compiled statement: false = the decision is deny (ctx.rule/reason say why). */
type Step = (c: Ctx) => boolean;
/** A compiled expression; throws PslFailure when it runs incorrectly. */
type Fn = (c: Ctx) => Value;

const KINDS: readonly EventKind[] = ['execute', 'request', 'response', 'error', 'security'];

/** Per dimension, the ids a leaf accepts; null = any. Dimensions: 0 dst class, 1 src class, 2 endpoint, 3 method. */
type Constraint = readonly (ReadonlySet<number> | null)[];

interface Leaf {
  readonly order: number;
  readonly kind: number;
  readonly cons: Constraint;
  /** interface ids the event's iface must be one of; null = any */
  readonly iface: ReadonlySet<number> | null;
  /** null: a marker (coverage only) that a binding or match section applies; it decides nothing */
  readonly item: CallExpr | ChoiceSection | null;
  /** with coverage: the points of its binding and enclosing match sections */
  readonly path: readonly number[];
}

/** A leaf decided at compile time. */
type Static =
  | { readonly grant: true; readonly rule: RuleRef }
  | { readonly grant: false; readonly rule: RuleRef; readonly reason: string };

export interface CompileStats {
  /** distinct cells (ordered leaf lists) */
  readonly cells: number;
  /** cells decided at compile time */
  readonly staticCells: number;
  /** trie nodes per level (dst, src, endpoint, method) */
  readonly nodes: readonly number[];
  readonly leaves: number;
}

export interface CompiledPsl extends CompiledPslPolicy {
  readonly stats: CompileStats;
}

const intersect = (a: ReadonlySet<number> | null, b: ReadonlySet<number> | null): ReadonlySet<number> | null =>
  a === null ? b : b === null ? a : new Set([...a].filter((x) => b.has(x)));

const EMPTY: readonly Leaf[] = Object.freeze([]);
/** the trie's first room per level, in entries (1 MB) */
const ROW_ROOM = 1 << 18;
/** every id in every dimension */
const ANY: Constraint = Object.freeze([null, null, null, null]);
/** the path of every leaf without coverage */
const NO_PATH: readonly number[] = Object.freeze([]);

const DIM_OF: Readonly<Record<string, number>> = { dst: 0, src: 1, endpoint: 2, component: 2, method: 3 };

/**
 * Compiles a loaded PSL policy against a solution.
 * @throws ParseError (with file:line:col) on unknown names, invalid
 *   configurations, misused selectors or calls, and unsupported constructs.
 */
export function compilePsl(
  policy: ResolvedPolicy,
  tables: SolutionTables,
  options: PslCompileOptions = {},
): CompiledPsl {
  const p = checkPolicy(policy, tables, options);
  return compileChecked(p);
}

/**
 * Compiles an already checked policy. With a coverage recorder (built from
 * the same checked policy) every decision counts what it exercised; without
 * one the decision does nothing but decide.
 */
export function compileChecked(p: CheckedPolicy, cov?: PolicyCoverage): CompiledPsl {
  const { tables } = p;
  const initial = p.initial;
  const nObjects = initial.length;

  /* ---------------------------------------------------- 1. the leaves */
  const leaves: Leaf[] = [];
  const narrow = (
    cons: Constraint,
    iface: ReadonlySet<number> | null,
    infos: readonly SelectorInfo[],
  ): [Constraint, ReadonlySet<number> | null] | null => {
    const next = cons.slice();
    let ifc = iface;
    for (let i = 0; i < infos.length; i++) {
      const info = infos[i]!;
      if (info.key === 'interface') ifc = intersect(ifc, info.ids);
      else {
        const d = DIM_OF[info.key]!;
        next[d] = intersect(next[d]!, info.ids);
      }
    }
    for (let d = 0; d < next.length; d++) if (next[d] !== null && next[d]!.size === 0) return null; // can never apply
    if (ifc !== null && ifc.size === 0) return null;
    return [next, ifc];
  };
  const flatten = (
    kind: number,
    cons: Constraint,
    iface: ReadonlySet<number> | null,
    body: readonly Statement[],
    path: readonly number[],
  ) => {
    if (cov !== undefined) leaves.push({ order: leaves.length, kind, cons, iface, item: null, path });
    for (const s of body) {
      if (s.kind === 'match') {
        const n = narrow(cons, iface, p.sections.get(s.selectors)!);
        if (n !== null) flatten(kind, n[0], n[1], s.body, cov === undefined ? path : [...path, cov.idOf(s)]);
      } else leaves.push({ order: leaves.length, kind, cons, iface, item: s, path });
    }
  };
  for (let i = 0; i < p.bindings.length; i++) {
    const b = p.bindings[i]!;
    const n = narrow(ANY, null, p.bindingSelectors[i]!);
    if (n !== null) flatten(kindIndex(b.event), n[0], n[1], b.body, cov === undefined ? NO_PATH : [cov.idOf(b)]);
  }

  /* ------------------------------------ 2. static leaves and programs */
  // by leaf order; undefined = not yet worked out
  const statics: (Static | null | undefined)[] = new Array<Static | null | undefined>(leaves.length);
  const staticOf = (leaf: Leaf): Static | null => {
    const known = statics[leaf.order];
    if (known !== undefined) return known;
    let s: Static | null = null;
    const c = leaf.item!;
    const unmodelled = p.unmodelled.size === 0 ? undefined : p.unmodelled.get(c);
    if (unmodelled !== undefined) {
      if (leaf.iface === null) s = { grant: false, rule: p.ruleRef(c.loc), reason: notModelledReason(unmodelled) };
    } else if (c.kind === 'call' && leaf.iface === null) {
      const call = p.calls.get(c)!;
      const value = constantValue(c.arg);
      if (call.target.model === Base && (value.ok || value.constant)) {
        const rule = p.ruleRef(c.loc);
        if (!value.ok) s = { grant: false, rule, reason: argumentReason(call, new PslFailure(value.reason)) };
        else {
          const r = applyRule(call, null, value.value);
          s = r.ok ? { grant: true, rule } : { grant: false, rule, reason: r.reason };
        }
      }
    }
    statics[leaf.order] = s;
    return s;
  };

  const compiledSteps: (Step | undefined)[] = new Array<Step | undefined>(leaves.length);
  const stepOf = (leaf: Leaf): Step => {
    let step = compiledSteps[leaf.order];
    if (step === undefined) {
      const item = statementStep(p, leaf.item!, cov);
      // with coverage, the item counts as reached only when its interface guard (if any) lets the event through
      const inner = cov === undefined ? item : reach(cov.pointHits, cov.idOf(leaf.item!), item);
      const ifc = leaf.iface;
      step =
        ifc === null ? inner : ifc.size === 1 ? guardOne([...ifc][0]!, inner) : (c) => !ifc.has(c.ev.iface) || inner(c);
      compiledSteps[leaf.order] = step;
    }
    return step;
  };

  const defaultDeny = checkedDecision({
    verdict: 'deny',
    rules: DEFAULT_DENY_RULES,
    reason: DEFAULT_DENY_REASON,
    next: initial,
  });
  /** cell id → prepared decision (static) or program (dynamic) */
  const decisions: (Decision | undefined)[] = [];
  const programs: (((state: PslState, ev: SecurityEvent) => Decision) | undefined)[] = [];
  let staticCells = 0;
  /** with coverage: per cell, the points and condition outcomes every event of the cell exercises */
  const cellMarks: Int32Array[] = [];
  const cellOutcomes: Int32Array[] = [];
  /** the markers of a cell with interface guards, counted per event */
  const cellMarkers: (readonly Leaf[] | undefined)[] = [];
  const makeCell = (ls: readonly Leaf[]): number => {
    const id = decisions.length;
    if (cov !== undefined) {
      const [marks, outcomes, markers] = cellCoverage(cov, ls, (leaf) => staticOf(leaf));
      cellMarks.push(marks);
      cellOutcomes.push(outcomes);
      cellMarkers.push(markers);
    }
    // the common case first: every leaf decided when compiling (up to a certain deny), so no step is made
    const granted: RuleRef[] = [];
    let fixed = true;
    for (const leaf of ls) {
      if (leaf.item === null) continue; // a coverage marker
      const s = staticOf(leaf);
      if (s === null) {
        fixed = false;
        break;
      }
      if (!s.grant) {
        staticCells++;
        decisions.push(checkedDecision({ verdict: 'deny', rules: only(s.rule), reason: s.reason, next: initial }));
        programs.push(undefined);
        return id; // nothing after a certain deny can change the decision
      }
      granted.push(s.rule);
    }
    if (fixed) {
      staticCells++;
      decisions.push(
        granted.length === 0 ? defaultDeny : checkedDecision({ verdict: 'grant', rules: granted, next: initial }),
      );
      programs.push(undefined);
      return id;
    }
    granted.length = 0;
    const steps: Step[] = [];
    // straight: every step is a rule call without an interface guard (or a constant grant), so a grant names
    // every call's rule, in order; its steps need not collect them and the constant grants need no step
    let straight = cov === undefined;
    const straightSteps: Step[] = [];
    // some leaf runs code: the steps of the leaves up to the first certain deny after it
    for (const leaf of ls) {
      if (leaf.item === null) continue; // a coverage marker
      const s = staticOf(leaf);
      if (s === null) {
        const step = stepOf(leaf);
        steps.push(step);
        straightSteps.push(step);
        if (leaf.iface !== null || leaf.item.kind !== 'call' || p.unmodelled.has(leaf.item)) straight = false;
        granted.push(p.ruleRef(leaf.item.loc));
      } else if (s.grant) {
        granted.push(s.rule);
        const rule = s.rule;
        const step: Step = (c) => (c.granted!.push(rule), true);
        steps.push(cov === undefined ? step : reach(cov.pointHits, cov.idOf(leaf.item!), step));
      } else {
        // a certain deny after a leaf that runs code (the first pass returned on one before any)
        const { rule, reason } = s;
        const step: Step = (c) => ((c.rule = rule), (c.reason = reason), false);
        steps.push(cov === undefined ? step : reach(cov.pointHits, cov.idOf(leaf.item!), step));
        straightSteps.push(step);
        break; // nothing after a certain deny can change the decision
      }
    }
    decisions.push(undefined);
    programs.push(straight ? straightProgram(straightSteps, Object.freeze(granted)) : program(steps, initial));
    return id;
  };

  /* ----------------------------------------------- 3. the decision trie */
  const sizes = [tables.classes.length, tables.classes.length, tables.endpointNames.length, tables.methodNames.length];
  const strides = sizes.map((n) => n + 1);
  // per level, the rows of its nodes one after another (a node's id is its row's index), grown by doubling; at first
  // room for as many rows as the level can have, up to one per leaf (a large allow-list's lower levels have about
  // that many), in at most 1 MB a level
  let bound = KINDS.length;
  const rows: Int32Array[] = strides.map((n) => {
    const room = Math.max(16, Math.min(bound, leaves.length + 16, Math.floor(ROW_ROOM / n)));
    bound *= n;
    return new Int32Array(room * n);
  });
  const counts = [0, 0, 0, 0];
  // per level, the nodes made so far by a hash of their leaf list (the orders, which identify the leaves)
  const memo: Map<number, { readonly ls: readonly Leaf[]; readonly id: number }[]>[] = [
    new Map(),
    new Map(),
    new Map(),
    new Map(),
    new Map(),
  ];
  const sameLeaves = (a: readonly Leaf[], b: readonly Leaf[]) => {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  };
  // per level, the nodes of one-leaf lists by their leaf's order (most nodes of a large allow-list); -1 = none yet
  const single: Int32Array[] = [0, 1, 2, 3, 4].map(() => new Int32Array(leaves.length).fill(-1));
  // per level, the node of the empty list; -1 = none yet
  const empty = new Int32Array(5).fill(-1);
  // per level, scratch for splitting a list by id: id → its list's index in `split`, -1 = no list (reset after each use)
  const slotOf: Int32Array[] = sizes.map((n) => new Int32Array(n).fill(-1));
  /** a row of `level` filled with `fallback`: its id */
  const newRow = (level: number, fallback: number): number => {
    const stride = strides[level]!;
    const id = counts[level]!++;
    let buf = rows[level]!;
    if ((id + 1) * stride > buf.length) {
      const grown = new Int32Array(buf.length * 2);
      grown.set(buf);
      rows[level] = buf = grown;
    }
    for (let i = id * stride, end = i + stride; i < end; i++) buf[i] = fallback;
    return id;
  };
  const node = (level: number, ls: readonly Leaf[]): number => {
    if (ls.length === 0) {
      const hit = empty[level]!;
      if (hit >= 0) return hit;
      const id = level === 4 ? makeCell(ls) : newRow(level, node(level + 1, ls));
      empty[level] = id;
      return id;
    }
    if (ls.length === 1) {
      const one = ls[0]!;
      const hit = single[level]![one.order]!;
      if (hit >= 0) return hit;
      let id: number;
      if (level === 4) id = makeCell(ls);
      else {
        // one leaf: the ids it names lead to it, the others to no leaf (all of them, when it names none)
        const c = one.cons[level] ?? null;
        if (c === null) id = newRow(level, node(level + 1, ls));
        else {
          id = newRow(level, node(level + 1, EMPTY));
          const child = node(level + 1, ls);
          const at = id * strides[level]!;
          const row = rows[level]!;
          for (const v of c) row[at + v + 1] = child;
        }
      }
      single[level]![one.order] = id;
      return id;
    }
    let h = ls.length | 0;
    for (let i = 0; i < ls.length; i++) h = (Math.imul(h, 0x01000193) ^ ls[i]!.order) | 0;
    const bucket = memo[level]!.get(h);
    if (bucket !== undefined) for (const x of bucket) if (sameLeaves(x.ls, ls)) return x.id;
    let id: number;
    if (level === 4) id = makeCell(ls);
    else {
      // one pass: each leaf goes to the list of every id it names, a leaf naming none (any) to all of them;
      // the lists in the order their ids are first named
      const slot = slotOf[level]!;
      const ids: number[] = [];
      const split: Leaf[][] = [];
      const any: Leaf[] = [];
      for (const l of ls) {
        const c = l.cons[level];
        if (c === null || c === undefined) continue;
        for (const v of c)
          if (slot[v]! < 0) {
            slot[v] = ids.length;
            ids.push(v);
            split.push([]);
          }
      }
      for (const l of ls) {
        const c = l.cons[level];
        if (c === null || c === undefined) {
          any.push(l);
          for (let i = 0; i < split.length; i++) split[i]!.push(l);
        } else for (const v of c) split[slot[v]!]!.push(l);
      }
      for (let i = 0; i < ids.length; i++) slot[ids[i]!] = -1;
      // the deeper levels fill their own buffers, so this row's place stays put while its children are made
      id = newRow(level, node(level + 1, any));
      const at = id * strides[level]!;
      for (let i = 0; i < ids.length; i++) {
        const child = node(level + 1, split[i]!);
        rows[level]![at + ids[i]! + 1] = child;
      }
    }
    if (bucket === undefined) memo[level]!.set(h, [{ ls, id }]);
    else bucket.push({ ls, id });
    return id;
  };
  const roots = KINDS.map((_, k) =>
    node(
      0,
      leaves.filter((l) => l.kind === k),
    ),
  );
  const flat = rows.map((buf, level) => buf.slice(0, counts[level]! * strides[level]!));
  const [T0, T1, T2, T3] = flat as [Int32Array, Int32Array, Int32Array, Int32Array];
  const [S0, S1, S2, S3] = strides as [number, number, number, number];
  const [C, , E, M] = sizes as [number, number, number, number];
  const r0 = Int32Array.from(roots);

  const decide = (state: unknown, ev: SecurityEvent): Decision => {
    if (state !== initial && !(Array.isArray(state) && state.length === nObjects)) return badState(state);
    const k = kindIndex(ev.kind);
    if (k < 0) return state === initial ? defaultDeny : restate(defaultDeny, state);
    let v = ev.dstClass;
    let n = T0[r0[k]! * S0 + ((v | 0) === v && v >= 0 && v < C ? v + 1 : 0)]!;
    v = ev.srcClass;
    n = T1[n * S1 + ((v | 0) === v && v >= 0 && v < C ? v + 1 : 0)]!;
    v = ev.endpoint;
    n = T2[n * S2 + ((v | 0) === v && v >= 0 && v < E ? v + 1 : 0)]!;
    v = ev.method;
    const cell = T3[n * S3 + ((v | 0) === v && v >= 0 && v < M ? v + 1 : 0)]!;
    const d = decisions[cell];
    if (d !== undefined) return state === initial ? d : restate(d, state);
    return programs[cell]!(state as PslState, ev);
  };

  /** the same decision, counting what the cell exercises (only compiled with a coverage recorder) */
  const pointHits = cov?.pointHits;
  const conditionHits = cov?.conditionHits;
  const decideCounting = (state: unknown, ev: SecurityEvent): Decision => {
    if (state !== initial && !(Array.isArray(state) && state.length === nObjects)) return badState(state);
    const k = kindIndex(ev.kind);
    if (k < 0) return state === initial ? defaultDeny : restate(defaultDeny, state);
    let v = ev.dstClass;
    let n = T0[r0[k]! * S0 + ((v | 0) === v && v >= 0 && v < C ? v + 1 : 0)]!;
    v = ev.srcClass;
    n = T1[n * S1 + ((v | 0) === v && v >= 0 && v < C ? v + 1 : 0)]!;
    v = ev.endpoint;
    n = T2[n * S2 + ((v | 0) === v && v >= 0 && v < E ? v + 1 : 0)]!;
    v = ev.method;
    const cell = T3[n * S3 + ((v | 0) === v && v >= 0 && v < M ? v + 1 : 0)]!;
    const marks = cellMarks[cell]!;
    for (let i = 0; i < marks.length; i++) pointHits![marks[i]!]!++;
    const outcomes = cellOutcomes[cell]!;
    for (let i = 0; i < outcomes.length; i++) conditionHits![outcomes[i]!]!++;
    const markers = cellMarkers[cell];
    if (markers !== undefined) countMarkers(cov!, markers, ev.iface);
    const d = decisions[cell];
    if (d !== undefined) return state === initial ? d : restate(d, state);
    return programs[cell]!(state as PslState, ev);
  };

  const objects = p.objectList.map((o) => ({ name: o.name, model: o.model.name, slot: o.slot }));
  return {
    name: p.name,
    initial,
    decide: cov === undefined ? decide : decideCounting,
    audit: p.audit,
    objects,
    objectState: (state, name) => objectStateOf(objects, state, name),
    executeInterface: p.executeInterface,
    notModelled: p.notModelled,
    stats: { cells: decisions.length, staticCells, nodes: counts.slice(), leaves: leaves.length },
  };
}

/** A step that counts a point each time it runs (coverage only). */
const reach =
  (hits: Uint32Array, id: number, inner: Step): Step =>
  (c) => (hits[id]!++, inner(c));

/**
 * What every event of a cell exercises, known when compiling: the bindings
 * and match sections that apply (their markers are in the cell), whether
 * each match section of an applying parent was selected or not, and, for a
 * cell decided when compiling, the rule calls it reaches (up to the first
 * deny). A marker with an `interface=` guard applies only to some events of
 * its cell: such a cell is counted per event instead (`markersOf`).
 */
function cellCoverage(
  cov: PolicyCoverage,
  ls: readonly Leaf[],
  staticOf: (leaf: Leaf) => Static | null,
): [Int32Array, Int32Array, readonly Leaf[] | undefined] {
  const markers = ls.filter((l) => l.item === null);
  const guarded = markers.some((m) => m.iface !== null);
  const [marks, outcomes] = guarded ? [[], []] : applied(cov, markers);
  if (ls.every((l) => l.item === null || staticOf(l) !== null))
    for (const l of ls) {
      if (l.item === null) continue;
      marks.push(cov.idOf(l.item));
      if (!staticOf(l)!.grant) break;
    }
  return [Int32Array.from(marks), Int32Array.from(outcomes), guarded ? markers : undefined];
}

/** The points of the sections these markers mark, and the outcome of every match section of an applying parent. */
function applied(cov: PolicyCoverage, markers: readonly Leaf[]): [number[], number[]] {
  const present = new Set<number>();
  for (const m of markers) for (const x of m.path) present.add(x);
  const outcomes: number[] = [];
  for (const [section, parent] of cov.parentOf) {
    if (!present.has(parent)) continue;
    const k = cov.matchCondition.get(section)!;
    outcomes.push(present.has(section) ? 2 * k : 2 * k + 1);
  }
  return [[...present], outcomes];
}

/** Counts, for one event, what the markers of a cell with interface guards say applies. */
function countMarkers(cov: PolicyCoverage, markers: readonly Leaf[], iface: number): void {
  const [marks, outcomes] = applied(
    cov,
    markers.filter((m) => m.iface === null || m.iface.has(iface)),
  );
  for (const x of marks) cov.pointHits[x]!++;
  for (const x of outcomes) cov.conditionHits[x]!++;
}

const guardOne =
  (iface: number, inner: Step): Step =>
  (c) =>
    c.ev.iface !== iface || inner(c);

/** The deny of a step that denied: the rule and reason it set; the state before the decision. */
function stepDenied(c: Ctx, state: PslState): Decision {
  return {
    verdict: 'deny',
    rules: c.rule === null ? POLICY_ERROR_RULES : [c.rule],
    reason: c.reason,
    next: state,
  };
}

/** The deny of a step that threw (the steps turn what they run into reasons; this is a bug in a step). */
function programFailed(e: unknown, state: PslState): Decision {
  return {
    verdict: 'deny',
    rules: POLICY_ERROR_RULES,
    reason: `the compiled policy failed: ${e instanceof PslFailure ? e.reason : e instanceof Error ? e.message : String(e)}`,
    next: state,
  };
}

/** The event a straight program's context holds before its first decision. */
const EMPTY_EVENT: SecurityEvent = Object.freeze({
  kind: 'execute',
  src: -1,
  srcClass: -1,
  dst: -1,
  dstClass: -1,
  endpoint: -1,
  method: -1,
  iface: -1,
  riid: -1,
  mid: -1,
  message: null,
  transfers: Object.freeze([]),
});

/** Runs a cell's steps in order; grant iff no step denied and some rule granted. */
function program(steps: readonly Step[], initial: PslState): (state: PslState, ev: SecurityEvent) => Decision {
  return (state, ev) => {
    const c: Ctx = { ev, state, granted: [], rule: null, reason: '' };
    try {
      for (let i = 0; i < steps.length; i++) if (!steps[i]!(c)) return stepDenied(c, state);
    } catch (e) {
      return programFailed(e, state);
    }
    if (c.granted!.length === 0)
      return {
        verdict: 'deny',
        rules: DEFAULT_DENY_RULES,
        reason: DEFAULT_DENY_REASON,
        next: state === initial ? initial : state,
      };
    return { verdict: 'grant', rules: c.granted!, next: c.state };
  };
}

/**
 * A straight cell's program: its steps in order (rule calls without interface guards, a constant deny);
 * a grant names `rules`, every rule call and constant grant of the cell in order, as `program` would collect them.
 */
function straightProgram(
  steps: readonly Step[],
  rules: readonly RuleRef[],
): (state: PslState, ev: SecurityEvent) => Decision {
  // one context per program, set afresh by each decision (a decision runs to its end before the next begins:
  // no step calls back into the policy), so a decision allocates none
  const c: Ctx = { ev: EMPTY_EVENT, state: Object.freeze([]), granted: null, rule: null, reason: '' };
  if (steps.length === 1) {
    const only = steps[0]!;
    return (state, ev) => {
      c.ev = ev;
      c.state = state;
      c.rule = null;
      c.reason = '';
      try {
        if (!only(c)) return stepDenied(c, state);
      } catch (e) {
        return programFailed(e, state);
      }
      return { verdict: 'grant', rules, next: c.state };
    };
  }
  return (state, ev) => {
    c.ev = ev;
    c.state = state;
    c.rule = null;
    c.reason = '';
    try {
      for (let i = 0; i < steps.length; i++) if (!steps[i]!(c)) return stepDenied(c, state);
    } catch (e) {
      return programFailed(e, state);
    }
    return { verdict: 'grant', rules, next: c.state };
  };
}

/* ------------------------------------------------------------- steps */

/** A rule call or choice; one that uses a construct Cordon cannot model denies. */
function statementStep(p: CheckedPolicy, s: CallExpr | ChoiceSection, cov: PolicyCoverage | undefined): Step {
  const unmodelled = p.unmodelled.get(s);
  if (unmodelled !== undefined) {
    const rule = p.ruleRef(s.loc);
    const reason = notModelledReason(unmodelled);
    return (c) => ((c.rule = rule), (c.reason = reason), false);
  }
  return s.kind === 'call' ? callStep(p, s, cov) : choiceStep(p, s, cov);
}

function callStep(p: CheckedPolicy, c: CallExpr, cov: PolicyCoverage | undefined): Step {
  if (cov !== undefined) return countingCallStep(p, c, cov);
  const call = p.calls.get(c)!;
  const rule = p.ruleRef(c.loc);
  const slot = call.target.slot;
  const fast = (call.method as RuleMethod<unknown, unknown>).applyFields;
  const fields = fast === undefined ? null : fieldArgs(p, call, c.arg);
  if (fast !== undefined && fields !== null) {
    // a record literal naming exactly the params: its fields go to the model without the record (as applyRule)
    const object = call.target.object;
    const callee = call.callee;
    return (ctx) => {
      let a: readonly Value[];
      try {
        a = fields(ctx);
      } catch (e) {
        ctx.rule = rule;
        ctx.reason = argumentReason(call, e);
        return false;
      }
      const before = ctx.state[slot];
      let r: RuleResult<unknown>;
      try {
        r = fast(object, before, a);
      } catch (e) {
        ctx.rule = rule;
        ctx.reason = thrownReason(callee, e);
        return false;
      }
      if (r.granted === true) {
        if (r.state !== before) ctx.state = withSlot(ctx.state, slot, r.state);
        if (ctx.granted !== null) ctx.granted.push(rule);
        return true;
      }
      ctx.rule = rule;
      ctx.reason = r.granted === false ? `${callee}: ${r.reason}` : `${callee}: the model returned no verdict`;
      return false;
    };
  }
  const arg = compileExpr(p, c.arg);
  return (ctx) => {
    let a: Value;
    try {
      a = arg(ctx);
    } catch (e) {
      ctx.rule = rule;
      ctx.reason = argumentReason(call, e);
      return false;
    }
    const before = ctx.state[slot];
    const r = applyRule(call, before, a);
    if (!r.ok) {
      ctx.rule = rule;
      ctx.reason = r.reason;
      return false;
    }
    if (r.state !== before) ctx.state = withSlot(ctx.state, slot, r.state);
    if (ctx.granted !== null) ctx.granted.push(rule);
    return true;
  };
}

/**
 * The fields of a record-literal argument in the method's `params` order,
 * or null when the argument is not a literal naming each param once (or is
 * a constant failure, whose reason is the whole record's).
 */
function fieldArgs(p: CheckedPolicy, call: ResolvedCall, arg: Expr): ((c: Ctx) => readonly Value[]) | null {
  const params = call.method.params;
  if (arg.kind !== 'record' || params === undefined) return null;
  const k = constantValue(arg);
  if (!k.ok && k.constant) return null;
  const keys = arg.fields.map((f) => recordKey(f.key));
  if (keys.length !== params.length || new Set(keys).size !== keys.length || !keys.every((x) => params.includes(x)))
    return null;
  const fns = arg.fields.map((f) => compileExpr(p, f.value));
  const pos = keys.map((x) => params.indexOf(x));
  // evaluated in the literal's order, as the record would be
  if (fns.length === 1) {
    const f0 = fns[0]!;
    return (c) => [f0(c)];
  }
  if (fns.length === 2) {
    const [f0, f1] = fns as [Fn, Fn];
    return pos[0] === 0
      ? (c) => [f0(c), f1(c)]
      : (c) => {
          const a = f0(c);
          return [f1(c), a];
        };
  }
  return (c) => {
    const out: Value[] = new Array(fns.length);
    for (let i = 0; i < fns.length; i++) out[pos[i]!] = fns[i]!(c);
    return out;
  };
}

/** callStep with coverage: the outcome and the Flow transitions counted. */
function countingCallStep(p: CheckedPolicy, c: CallExpr, cov: PolicyCoverage): Step {
  const call = p.calls.get(c)!;
  const rule = p.ruleRef(c.loc);
  const arg = compileExpr(p, c.arg);
  const slot = call.target.slot;
  const k = cov.conditionOf(c);
  const hits = cov.conditionHits;
  return (ctx) => {
    let a: Value;
    try {
      a = arg(ctx);
    } catch (e) {
      ctx.rule = rule;
      ctx.reason = argumentReason(call, e);
      if (k >= 0) hits[2 * k + 1]!++;
      return false;
    }
    const before = ctx.state[slot];
    const r = applyRule(call, before, a);
    if (!r.ok) {
      ctx.rule = rule;
      ctx.reason = r.reason;
      if (k >= 0) hits[2 * k + 1]!++;
      return false;
    }
    if (k >= 0) hits[2 * k]!++;
    if (r.state !== before) {
      cov.transitions(slot, before, r.state);
      ctx.state = withSlot(ctx.state, slot, r.state);
    } else cov.selfTransition(slot, call.method, before, a);
    ctx.granted!.push(rule);
    return true;
  };
}

/** Statements inside a choice alternative: match sections are checked per event here. */
function bodySteps(p: CheckedPolicy, body: readonly Statement[], cov: PolicyCoverage | undefined): Step[] {
  return body.map((s): Step => {
    if (s.kind !== 'match') {
      const step = statementStep(p, s, cov);
      return cov === undefined ? step : reach(cov.pointHits, cov.idOf(s), step);
    }
    const sel = matcher(p, s.selectors);
    const inner = bodySteps(p, s.body, cov);
    if (cov !== undefined) {
      const id = cov.idOf(s);
      const k = cov.conditionOf(s);
      const ph = cov.pointHits;
      const ch = cov.conditionHits;
      return (c) => {
        if (!sel(c.ev)) return (ch[2 * k + 1]!++, true);
        ph[id]!++;
        ch[2 * k]!++;
        for (let i = 0; i < inner.length; i++) if (!inner[i]!(c)) return false;
        return true;
      };
    }
    return (c) => {
      if (!sel(c.ev)) return true;
      for (let i = 0; i < inner.length; i++) if (!inner[i]!(c)) return false;
      return true;
    };
  });
}

function matcher(p: CheckedPolicy, selectors: readonly Selector[]): (ev: SecurityEvent) => boolean {
  const tests = p.sections.get(selectors)!.map(({ key, ids }): ((ev: SecurityEvent) => boolean) => {
    if (ids === null) return () => true;
    switch (key) {
      case 'src':
        return (ev) => ids.has(ev.srcClass);
      case 'dst':
        return (ev) => ids.has(ev.dstClass);
      case 'endpoint':
      case 'component':
        return (ev) => ids.has(ev.endpoint);
      case 'method':
        return (ev) => ids.has(ev.method);
      case 'interface':
        return (ev) => ids.has(ev.iface);
    }
  });
  return (ev) => tests.every((t) => t(ev));
}

function choiceStep(p: CheckedPolicy, s: ChoiceSection, cov: PolicyCoverage | undefined): Step {
  const rule = p.ruleRef(s.loc);
  const subject = compileExpr(p, s.subject);
  // with coverage, an alternative's steps begin with one that counts it
  const stepsOf = (a: ChoiceAlternative): Step[] =>
    cov === undefined
      ? bodySteps(p, a.body, cov)
      : [reach(cov.pointHits, cov.idOf(a), () => true), ...bodySteps(p, a.body, cov)];
  const alternatives = s.alternatives
    .filter((a) => p.labels.get(a) !== null)
    .map((a) => ({ test: p.labels.get(a)!, steps: stepsOf(a) }));
  const fallbackAlt = s.alternatives.find((a) => p.labels.get(a) === null);
  const fallback = fallbackAlt === undefined ? null : stepsOf(fallbackAlt);
  const run = (c: Ctx, steps: readonly Step[]) => {
    for (let i = 0; i < steps.length; i++) if (!steps[i]!(c)) return false;
    return true;
  };
  return (c) => {
    let v: Value;
    try {
      v = subject(c);
    } catch (e) {
      c.rule = rule;
      c.reason = choiceFailureReason(e);
      return false;
    }
    for (const a of alternatives) if (a.test(v)) return run(c, a.steps);
    if (fallback !== null) return run(c, fallback);
    c.rule = rule;
    c.reason = noAlternativeReason(v);
    return false;
  };
}

/* ------------------------------------------------------- expressions */

function compileExpr(p: CheckedPolicy, e: Expr): Fn {
  const k = constantValue(e);
  if (k.ok) {
    const v = k.value;
    return () => v;
  }
  if (k.constant) {
    const reason = k.reason;
    return () => {
      throw new PslFailure(reason);
    };
  }
  switch (e.kind) {
    case 'unsupported': {
      const reason = `${e.construct} is not modelled`;
      return () => {
        throw new PslFailure(reason);
      };
    }
    case 'int':
    case 'text':
    case 'bool': {
      const v = e.value;
      return () => v;
    }
    case 'unit':
      return () => null;
    case 'list':
    case 'tuple': {
      const items = e.items.map((i) => compileExpr(p, i));
      return (c) => Object.freeze(items.map((f) => f(c)));
    }
    case 'record': {
      const fields = e.fields.map((f) => [recordKey(f.key), compileExpr(p, f.value)] as const);
      return (c) => {
        const out = newRecord();
        for (const [key, f] of fields) out[key] = f(c);
        return Object.freeze(out);
      };
    }
    case 'name':
      if (e.name === 'src_sid') return (c) => c.ev.src;
      if (e.name === 'dst_sid') return (c) => c.ev.dst;
      return (c) => (c.ev.message ?? null) as Value;
    case 'field': {
      const target = compileExpr(p, e.target);
      const name = e.field;
      return (c) => fieldOf(target(c), name);
    }
    case 'index': {
      const target = compileExpr(p, e.target);
      const index = compileExpr(p, e.index);
      return (c) => elementOf(target(c), index(c));
    }
    case 'call': {
      const call: ResolvedCall = p.calls.get(e)!;
      const slot = call.target.slot;
      const fast = (call.method as ExpressionMethod<unknown, unknown>).evaluateFields;
      const fields = fast === undefined ? null : fieldArgs(p, call, e.arg);
      if (fast !== undefined && fields !== null) {
        const object = call.target.object;
        const callee = call.callee;
        return (c) => {
          const a = fields(c);
          try {
            return fast(object, c.state[slot], a);
          } catch (err) {
            throw new PslFailure(thrownReason(callee, err));
          }
        };
      }
      const arg = compileExpr(p, e.arg);
      return (c) => evaluateExpression(call, c.state[slot], arg(c));
    }
    case 'unary': {
      const operand = compileExpr(p, e.operand);
      const op = e.op;
      return (c) => unaryOp(op, operand(c));
    }
    case 'binary': {
      const l = compileExpr(p, e.left);
      const r = compileExpr(p, e.right);
      switch (e.op) {
        case '&&':
          return (c) => (asBool(l(c), 'the left operand of &&') ? asBool(r(c), 'the right operand of &&') : false);
        case '||':
          return (c) => (asBool(l(c), 'the left operand of ||') ? true : asBool(r(c), 'the right operand of ||'));
        case '==>':
          return (c) => (asBool(l(c), 'the left operand of ==>') ? asBool(r(c), 'the right operand of ==>') : true);
        case '==':
          return (c) => scalarEquals(l(c), r(c), '==');
        case '!=':
          return (c) => !scalarEquals(l(c), r(c), '!=');
        case '<':
        case '<=':
        case '>':
        case '>=': {
          const op = e.op;
          return (c) => order(op, l(c), r(c));
        }
        default: {
          const op = e.op;
          return (c) => arith(op, l(c), r(c));
        }
      }
    }
  }
}
