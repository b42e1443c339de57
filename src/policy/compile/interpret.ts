/**
 * The reference interpreter of PSL: the semantics written down as plainly
 * as possible, walking the syntax tree for every event — no tables, no
 * specialisation. `compilePsl` must decide every event exactly as this
 * does (verdict, rule, reason and next state); the property suite
 * psl-equivalence checks it.
 *
 * The semantics (README.md in this folder):
 * 1. Bindings are visited in inclusion order; a binding applies when its
 *    event kind is the event's and all its selectors select the event.
 * 2. In an applying body, statements run in the order written: a rule call
 *    evaluates its argument and applies the rule to the current state; a
 *    match section runs its body if its selectors select the event; a
 *    choice evaluates its subject and runs the first alternative whose
 *    label matches (or `_`).
 * 3. The first rule that denies (or argument that fails, or choice that
 *    fails or finds no alternative) ends the decision: deny, state
 *    unchanged.
 *    A statement that uses a construct Cordon cannot model (check.ts,
 *    `unmodelled`) denies when it is reached, as a rule that always denies.
 * 4. Otherwise: grant if at least one rule was called, with the state the
 *    rules produced in turn; deny ("default-deny") if none was.
 */
import type { SolutionTables } from '../../kernel/tables.ts';
import {
  DEFAULT_DENY_RULES,
  POLICY_ERROR_RULES,
  type Decision,
  type RuleRef,
  type SecurityEvent,
} from '../../monitor/types.ts';
import type {
  BindingDecl,
  CallExpr,
  ChoiceAlternative,
  ChoiceSection,
  Expr,
  MatchSection,
  Selector,
  Statement,
} from '../psl/ast.ts';
import type { ResolvedPolicy } from '../psl/resolve.ts';
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
  notModelledReason,
  recordKey,
  type CheckedPolicy,
  type PslCompileOptions,
  type PslState,
} from './check.ts';
import {
  applyRule,
  argumentReason,
  badState,
  choiceFailureReason,
  DEFAULT_DENY_REASON,
  DEFAULT_DENY_RULE,
  evaluateExpression,
  noAlternativeReason,
  objectStateOf,
  withSlot,
  type CompiledPslPolicy,
} from './runtime.ts';

/** A decision in progress: the state so far and the rules that granted. */
interface Run {
  readonly event: SecurityEvent;
  state: PslState;
  readonly granted: RuleRef[];
  readonly trace?: InterpretTrace;
}

/**
 * What one decision did, node by node (`cordon audit explain` reads it): each
 * syntax node is visited at most once per decision, so a map per kind of node
 * is the whole story. Recording changes nothing about the decision.
 */
export interface InterpretTrace {
  /** bindings of the event's kind and match sections reached: whether their selectors selected the event */
  readonly selected: Map<BindingDecl | MatchSection, boolean>;
  /** every expression evaluated, with its value */
  readonly values: Map<Expr, Value>;
  /** every rule called: its argument (absent: it failed), the object's state before, after (absent: the rule denied) and the reason of a deny */
  readonly rules: Map<CallExpr, { arg?: Value; before?: unknown; after?: unknown; reason?: string }>;
  /** every choice reached: the subject's value (absent: it failed) and the alternative taken */
  readonly choices: Map<ChoiceSection, { value?: Value; taken?: ChoiceAlternative }>;
}

export function newTrace(): InterpretTrace {
  return { selected: new Map(), values: new Map(), rules: new Map(), choices: new Map() };
}

/** Thrown to end a decision with a deny. */
class Denied {
  constructor(
    readonly rule: RuleRef,
    readonly reason: string,
  ) {}
}

/** Whether a selector selects the event, by the names in the solution's tables. */
export function selects(t: SolutionTables, s: Selector, e: SecurityEvent): boolean {
  switch (s.key) {
    case 'src':
      return t.classes[e.srcClass]?.name === s.value;
    case 'dst':
      return t.classes[e.dstClass]?.name === s.value;
    case 'endpoint':
      return t.endpointNames[e.endpoint] === s.value;
    case 'method':
      return e.kind === 'execute' ? s.value === 'main' : t.methodNames[e.method] === s.value;
    case 'interface':
      return t.interfaces[e.iface]?.name === s.value;
    case 'component':
      return t.endpointNames[e.endpoint]?.startsWith(`${s.value}.`) ?? false;
  }
}

function evaluate(p: CheckedPolicy, run: Run, e: Expr): Value {
  const v = evaluateNode(p, run, e);
  run.trace?.values.set(e, v);
  return v;
}

function evaluateNode(p: CheckedPolicy, run: Run, e: Expr): Value {
  switch (e.kind) {
    case 'unsupported':
      throw new PslFailure(`${e.construct} is not modelled`);
    case 'int':
    case 'text':
    case 'bool':
      return e.value;
    case 'unit':
      return null;
    case 'list':
    case 'tuple':
      return Object.freeze(e.items.map((i) => evaluate(p, run, i)));
    case 'record': {
      const out = newRecord();
      for (const f of e.fields) out[recordKey(f.key)] = evaluate(p, run, f.value);
      return Object.freeze(out);
    }
    case 'name':
      if (e.name === 'src_sid') return run.event.src;
      if (e.name === 'dst_sid') return run.event.dst;
      return (run.event.message ?? null) as Value;
    case 'field':
      return fieldOf(evaluate(p, run, e.target), e.field);
    case 'index':
      return elementOf(evaluate(p, run, e.target), evaluate(p, run, e.index));
    case 'call': {
      const call = p.calls.get(e)!;
      return evaluateExpression(call, run.state[call.target.slot], evaluate(p, run, e.arg));
    }
    case 'unary':
      return unaryOp(e.op, evaluate(p, run, e.operand));
    case 'binary': {
      const l = evaluate(p, run, e.left);
      switch (e.op) {
        case '&&':
          return asBool(l, 'the left operand of &&')
            ? asBool(evaluate(p, run, e.right), 'the right operand of &&')
            : false;
        case '||':
          return asBool(l, 'the left operand of ||')
            ? true
            : asBool(evaluate(p, run, e.right), 'the right operand of ||');
        case '==>':
          return asBool(l, 'the left operand of ==>')
            ? asBool(evaluate(p, run, e.right), 'the right operand of ==>')
            : true;
        case '==':
        case '!=':
          return scalarEquals(l, evaluate(p, run, e.right), e.op) === (e.op === '==');
        case '<':
        case '<=':
        case '>':
        case '>=':
          return order(e.op, l, evaluate(p, run, e.right));
        default:
          return arith(e.op, l, evaluate(p, run, e.right));
      }
    }
  }
}

function callRule(p: CheckedPolicy, run: Run, c: CallExpr): void {
  const call = p.calls.get(c)!;
  const rule = p.ruleRef(c.loc);
  let arg: Value;
  try {
    arg = evaluate(p, run, c.arg);
  } catch (e) {
    const reason = argumentReason(call, e);
    run.trace?.rules.set(c, { reason });
    throw new Denied(rule, reason);
  }
  const r = applyRule(call, run.state[call.target.slot], arg);
  run.trace?.rules.set(
    c,
    r.ok
      ? { arg, before: run.state[call.target.slot], after: r.state }
      : { arg, before: run.state[call.target.slot], reason: r.reason },
  );
  if (!r.ok) throw new Denied(rule, r.reason);
  if (r.state !== run.state[call.target.slot]) run.state = withSlot(run.state, call.target.slot, r.state);
  run.granted.push(rule);
}

function runBody(p: CheckedPolicy, run: Run, body: readonly Statement[]): void {
  for (const s of body) {
    const unmodelled = p.unmodelled.get(s);
    if (unmodelled !== undefined) throw new Denied(p.ruleRef(s.loc), notModelledReason(unmodelled));
    if (s.kind === 'call') callRule(p, run, s);
    else if (s.kind === 'match') {
      const yes = s.selectors.every((sel) => selects(p.tables, sel, run.event));
      run.trace?.selected.set(s, yes);
      if (yes) runBody(p, run, s.body);
    } else {
      let v: Value;
      try {
        v = evaluate(p, run, s.subject);
      } catch (e) {
        run.trace?.choices.set(s, {});
        throw new Denied(p.ruleRef(s.loc), choiceFailureReason(e));
      }
      const taken =
        s.alternatives.find((a) => {
          const m = p.labels.get(a);
          return m !== null && m !== undefined && m(v);
        }) ?? s.alternatives.find((a) => p.labels.get(a) === null);
      run.trace?.choices.set(s, taken === undefined ? { value: v } : { value: v, taken });
      if (taken === undefined) throw new Denied(p.ruleRef(s.loc), noAlternativeReason(v));
      runBody(p, run, taken.body);
    }
  }
}

/** Decides one event by walking the checked policy; `trace`, if given, records what the decision did. */
export function interpretEvent(
  p: CheckedPolicy,
  state: PslState,
  event: SecurityEvent,
  trace?: InterpretTrace,
): Decision {
  if (state !== p.initial && !(Array.isArray(state) && state.length === p.initial.length)) return badState(state);
  const run: Run = trace === undefined ? { event, state, granted: [] } : { event, state, granted: [], trace };
  try {
    for (const b of p.bindings) {
      if (b.event !== event.kind) continue;
      const yes = b.selectors.every((s) => selects(p.tables, s, event));
      trace?.selected.set(b, yes);
      if (yes) runBody(p, run, b.body);
    }
  } catch (e) {
    if (e instanceof Denied) return { verdict: 'deny', rules: [e.rule], reason: e.reason, next: state };
    const why = e instanceof PslFailure ? e.reason : e instanceof Error ? e.message : String(e);
    return { verdict: 'deny', rules: POLICY_ERROR_RULES, reason: `the interpreter failed: ${why}`, next: state };
  }
  if (run.granted.length === 0)
    return { verdict: 'deny', rules: DEFAULT_DENY_RULES, reason: DEFAULT_DENY_REASON, next: state };
  return { verdict: 'grant', rules: run.granted, next: run.state };
}

/**
 * The reference interpreter as a CompiledPolicy.
 * @throws ParseError on the same problems as `compilePsl` (it runs the same checks).
 */
export function interpretPsl(
  policy: ResolvedPolicy,
  tables: SolutionTables,
  options: PslCompileOptions = {},
): CompiledPslPolicy {
  const p = checkPolicy(policy, tables, options);
  const objects = p.objectList.map((o) => ({ name: o.name, model: o.model.name, slot: o.slot }));
  return {
    name: `${p.name} (interpreted)`,
    initial: p.initial,
    decide: (state, event) => interpretEvent(p, state as PslState, event),
    audit: p.audit,
    objects,
    objectState: (state, name) => objectStateOf(objects, state, name),
    executeInterface: p.executeInterface,
    notModelled: p.notModelled,
  };
}
