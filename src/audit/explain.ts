// `cordon audit explain`: one decision, fully explained. The verdict is the
// monitor's (src/monitor/monitor.ts: the message checked against its
// declaration, then the policy); the explanation of a PSL policy is the
// reference interpreter's trace of the same decision (interpret.ts with an
// InterpretTrace), of a rule-form policy a reading of its rules in order.
// Both are checked against the compiled policy the kernel runs: the
// explanation says the two verdicts, and a property test holds them equal.

import { isStateMap } from '../policy/models/sidmap.ts';
import { readFileSync } from 'node:fs';
import type { SolutionTables } from '../kernel/tables.ts';
import type { KernelState } from '../kernel/types.ts';
import { bootWith } from '../kernel/boot.ts';
import { createMonitor, type Monitor } from '../monitor/monitor.ts';
import type { AllowRule, RulePolicy } from '../monitor/rules.ts';
import { ruleId } from '../monitor/rules.ts';
import {
  DEFAULT_DENY_RULES,
  rulesKey,
  showRules,
  type Decision,
  type MonitorState,
  type RuleRef,
  type SecurityEvent,
} from '../monitor/types.ts';
import { describeErrors } from '../interfaces/codecs.ts';
import { checkPolicy, type CheckedPolicy, type PslState } from '../policy/compile/check.ts';
import { interpretEvent, newTrace, selects, type InterpretTrace } from '../policy/compile/interpret.ts';
import type { BindingDecl, CallExpr, ChoiceSection, Expr, Selector, Statement } from '../policy/psl/ast.ts';
import { show } from '../policy/models/value.ts';
import { modelMachine } from '../conformance/model.ts';
import { ReplayFileC, replay } from '../check/counterexample.ts';
import { solutionModel } from '../check/check.ts';
import type { Loaded } from '../solution/load.ts';
import { parseEvent, parseEventLines, printEvent } from './event.ts';
import { isLeft } from 'fp-ts/lib/Either.js';
import { PathReporter } from 'io-ts/lib/PathReporter.js';

/** A problem with the auditor's input (exit 2): the message says what and where. */
export class AuditError extends Error {}

/* ------------------------------------------------------------ showing values */

/** A policy object's state (Maps, Sets, records, lists, scalars) in one line. */
export function showState(v: unknown): string {
  if (isStateMap(v)) return `{${[...v.entries()].map(([k, x]) => `${showState(k)}: ${showState(x)}`).join(', ')}}`;
  if (v instanceof Set) return `{${[...v].map(showState).join(', ')}}`;
  if (Array.isArray(v)) return `[${v.map(showState).join(', ')}]`;
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'bigint' || typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v === null || v === undefined) return '()';
  if (typeof v === 'object')
    return `{${Object.entries(v)
      .map(([k, x]) => `${k}: ${showState(x)}`)
      .join(', ')}}`;
  return String(v);
}

/** An expression as PSL text. */
export function showExpr(e: Expr): string {
  switch (e.kind) {
    case 'unsupported':
      return `<${e.construct}: not modelled>`;
    case 'int':
      return e.text;
    case 'text':
      return JSON.stringify(e.value);
    case 'bool':
      return String(e.value);
    case 'unit':
      return '()';
    case 'list':
      return `[${e.items.map(showExpr).join(', ')}]`;
    case 'tuple':
      return `(${e.items.map(showExpr).join(', ')})`;
    case 'record':
      return `{${e.fields.map((f) => `${f.key.kind === 'name' ? f.key.name : f.key.kind === 'text' ? JSON.stringify(f.key.value) : f.key.text} : ${showExpr(f.value)}`).join(', ')}}`;
    case 'name':
      return e.name;
    case 'field':
      return `${showExpr(e.target)}.${e.field}`;
    case 'index':
      return `${showExpr(e.target)}.[${showExpr(e.index)}]`;
    case 'call': {
      const a = showExpr(e.arg);
      const arg =
        e.arg.kind === 'record' || e.arg.kind === 'tuple' || e.arg.kind === 'unit' || e.arg.kind === 'list'
          ? a
          : `(${a})`;
      return `${e.object === null ? '' : `${e.object}.`}${e.method} ${arg}`;
    }
    case 'unary':
      return `${e.op}${e.operand.kind === 'binary' ? `(${showExpr(e.operand)})` : showExpr(e.operand)}`;
    case 'binary': {
      const side = (x: Expr) => (x.kind === 'binary' ? `(${showExpr(x)})` : showExpr(x));
      return `${side(e.left)} ${e.op} ${side(e.right)}`;
    }
  }
}

const showSelectors = (ss: readonly Selector[]) => ss.map((s) => `${s.key}=${s.value}`).join(', ');

/* ------------------------------------------------------------ the question's state */

/** A solution ready to be asked about: its monitor, the state after boot, the processes. */
export interface Audited {
  readonly loaded: Loaded;
  readonly tables: SolutionTables;
  /** the monitor the kernel runs (the compiled policy behind the message check) */
  readonly monitor: Monitor;
  /** the PSL policy, checked, when it is PSL */
  readonly checked: CheckedPolicy | null;
  /** the rule-form policy, when it is one */
  readonly rules: RulePolicy | null;
  readonly boot: KernelState;
}

export function audited(loaded: Loaded): Audited {
  const monitor = createMonitor(loaded.tables, loaded.policy);
  const boot = bootWith(loaded.tables, monitor, modelMachine({ cpus: 1, irqLines: 0, memoryPages: 1 })).state;
  const checked = loaded.psl === null ? null : checkPolicy(loaded.psl, loaded.tables, { name: loaded.name });
  return { loaded, tables: loaded.tables, monitor, checked, rules: loaded.rules, boot };
}

/** Where a question is asked: a monitor state, the processes then running, and how it was reached. */
export interface Situation {
  readonly state: MonitorState;
  readonly processes: KernelState['processes'];
  /** "after boot", "after the replay file x (12 kernel steps)", … */
  readonly reached: string;
  /** for a file of events: each one's decision on the way */
  readonly steps: readonly { readonly event: string; readonly verdict: string; readonly rules: readonly RuleRef[] }[];
}

/**
 * The state after boot, or after `after`: a replay file of `cordon check`
 * (its kernel events replayed from boot) or a file of security events one a
 * line (decided in turn from the state after boot; a grant moves the state).
 */
export function situation(a: Audited, after?: string): Situation {
  const afterBoot = a.boot.monitor;
  if (after === undefined) return { state: afterBoot, processes: a.boot.processes, reached: 'after boot', steps: [] };
  let text: string;
  try {
    text = readFileSync(after, 'utf8');
  } catch (e) {
    throw new AuditError(`cannot read ${after}: ${(e as Error).message}`);
  }
  let json: unknown = undefined;
  try {
    json = JSON.parse(text);
  } catch {
    /* not JSON: a file of events */
  }
  if (json !== undefined && typeof json === 'object' && json !== null && 'format' in json) {
    const r = ReplayFileC.decode(json);
    if (isLeft(r)) throw new AuditError(`${after} is not a replay file: ${PathReporter.report(r).join('; ')}`);
    const m = solutionModel(a.loaded);
    const out = replay(m, r.right);
    if (!out.ok) throw new AuditError(`${after} does not replay in this solution: ${out.problem}`);
    return {
      state: out.final.monitor,
      processes: out.final.processes,
      reached: `after the replay file ${after} (${r.right.events.length} kernel steps from boot)`,
      steps: [],
    };
  }
  const events = parseEventLines(after, text, a.tables, a.boot.processes);
  let state = afterBoot;
  const steps: Situation['steps'][number][] = [];
  for (const e of events) {
    const d = a.monitor.decide(state, e);
    steps.push({ event: printEvent(a.tables, e), verdict: d.verdict, rules: d.rules });
    if (d.verdict === 'grant') state = d.next;
  }
  return {
    state,
    processes: a.boot.processes,
    reached: `after boot and the ${events.length} events of ${after}`,
    steps,
  };
}

/* ------------------------------------------------------------ explanations */

/** One node of an explanation: what was looked at, where, what came of it. */
export interface Node {
  readonly text: string;
  readonly at?: string;
  readonly result?: string;
  readonly children?: readonly Node[];
}

export interface Explanation {
  readonly event: string;
  readonly reached: string;
  readonly after: Situation['steps'];
  /** the policy objects' states in the monitor state asked in */
  readonly objects: readonly { readonly name: string; readonly state: string }[];
  readonly verdict: 'grant' | 'deny';
  /** every rule that decided (Decision.rules) */
  readonly rules: readonly RuleRef[];
  readonly reason?: string;
  /** why, in one line: the granting rules, or the exact reason of the deny */
  readonly why: string;
  /** the decision of the compiled policy the kernel runs (through the monitor); always the same verdict */
  readonly compiled: {
    readonly verdict: 'grant' | 'deny';
    readonly rules: readonly RuleRef[];
    readonly reason?: string;
  };
  readonly form: 'psl' | 'rules';
  /** the message check, then the bindings (PSL) or the rules (rule form) */
  readonly steps: readonly Node[];
}

const decisionOf = (d: Decision) => ({
  verdict: d.verdict,
  rules: d.rules,
  ...(d.reason === undefined ? {} : { reason: d.reason }),
});

/** The message check of the monitor, in words (null for execute events, which carry no message). */
function structureNode(t: SolutionTables, e: SecurityEvent): Node | null {
  if (e.kind === 'execute') return null;
  const iface = t.interfaces[e.iface];
  const method = iface?.methods[e.mid];
  if (iface === undefined || method === undefined) {
    // the same look-up as securityEvent (src/kernel/ipc.ts): the server's endpoint, or the caller's security interface
    const cls = t.classes[e.kind === 'request' ? e.dstClass : e.srcClass];
    const ep = e.kind === 'security' ? undefined : cls?.endpoints[e.riid];
    const declared = t.interfaces[e.kind === 'security' ? (cls?.security ?? -1) : (ep?.iface ?? -1)];
    const why =
      declared === undefined
        ? e.kind === 'security'
          ? `class ${cls?.name ?? '?'} declares no security interface`
          : `class ${cls?.name ?? '?'} has no endpoint with RIID ${e.riid} (its endpoints: ${cls?.endpoints.map((x) => `${x.name}=${x.riid}`).join(', ') || 'none'})`
        : `${e.kind === 'security' ? `the security interface ${declared.name}` : `interface ${declared.name} of endpoint ${ep!.name}`} has no method with MID ${e.mid} (its methods: ${declared.methods.map((m) => `${m.name}=${m.mid}`).join(', ')})`;
    return { text: `method RIID ${e.riid} / MID ${e.mid}`, result: `not declared: ${why}` };
  }
  const codec = e.kind === 'response' ? method.response : e.kind === 'error' ? method.error : method.request;
  let ok = false;
  try {
    ok = codec.is(e.message);
  } catch {
    ok = false;
  }
  const text = `message against ${iface.name}.${method.name} (${e.kind}: ${codec.name})`;
  if (ok) return { text, result: 'valid' };
  let why: string;
  try {
    const d = codec.decode(e.message);
    why = d._tag === 'Left' ? describeErrors(d.left).join('; ') : 'rejected';
  } catch {
    why = 'it cannot be read';
  }
  return { text, result: `invalid: ${why}` };
}

function objectStates(a: Asked, state: MonitorState): Explanation['objects'] {
  if (a.checked !== null)
    return a.checked.objectList
      .filter((o) => (state as PslState)[o.slot] !== null && (state as PslState)[o.slot] !== undefined)
      .map((o) => ({ name: o.name, state: showState((state as PslState)[o.slot]) }));
  const rules = a.rules?.rules ?? [];
  const limited = rules.map((r, i) => [r, i] as const).filter(([r]) => r.limit !== undefined);
  return limited.map(([r, i], slot) => ({
    name: ruleId(r, i),
    state: `${(state as readonly number[] | null)?.[slot] ?? 0} of ${r.limit} grants used`,
  }));
}

/** Explains one event (text in the audit log's form) in a situation. */
export function explain(a: Audited, where: Situation, eventText: string): Explanation {
  const e = parseEvent(eventText, a.tables, where.processes, '--event');
  return explainEvent(a, where, e);
}

/** What explaining needs of a solution: its tables, its monitor, and its policy in PSL or rule form. */
export type Asked = Pick<Audited, 'tables' | 'monitor' | 'checked' | 'rules'>;

export function explainEvent(
  a: Asked,
  where: Pick<Situation, 'state' | 'reached' | 'steps'>,
  e: SecurityEvent,
): Explanation {
  const compiled = a.monitor.decide(where.state, e);
  const structure = structureNode(a.tables, e);
  const head = {
    event: printEvent(a.tables, e),
    reached: where.reached,
    after: where.steps,
    objects: objectStates(a, where.state),
    compiled: decisionOf(compiled),
  };
  if (a.checked !== null) {
    const p = a.checked;
    const trace = newTrace();
    const traced = createMonitor(a.tables, {
      name: p.name,
      initial: p.initial,
      decide: (s, ev) => interpretEvent(p, s as PslState, ev, trace),
    }).decide(where.state, e);
    const steps = [
      ...(structure === null ? [] : [structure]),
      ...(rulesKey(traced) === 'structure'
        ? [{ text: 'the policy', result: 'not asked: the message check denied first' }]
        : pslNodes(p, e, trace)),
    ];
    return { ...head, ...decisionOf(traced), why: pslWhy(p, e, traced, trace, structure), form: 'psl', steps };
  }
  const policy = a.rules;
  if (policy === null)
    throw new AuditError('the policy is neither PSL nor rule form: there is nothing to explain it by');
  // the monitor's message check first, as the kernel's monitor does it; then the reading of the rules
  let read: ReturnType<typeof explainRules> | null = null;
  const verdict = createMonitor(a.tables, {
    name: policy.name,
    initial: a.monitor.initial,
    decide: (s, ev) => {
      read = explainRules(a.tables, policy, s, ev);
      return { ...read.decision, next: s };
    },
  }).decide(where.state, e);
  const r = read as ReturnType<typeof explainRules> | null;
  const structureDeny = r === null;
  return {
    ...head,
    ...decisionOf(verdict),
    why:
      r === null
        ? `the monitor's message check: ${structure?.text ?? 'the message'}: ${structure?.result ?? verdict.reason}`
        : r.why,
    form: 'rules',
    steps: [
      ...(structure === null ? [] : [structure]),
      ...(structureDeny || r === null
        ? [{ text: 'the rules', result: 'not asked: the message check denied first' }]
        : r.nodes),
    ],
  };
}

/* ------------------------------------------------------------ PSL */

function bindingHead(b: BindingDecl): string {
  return `${b.event}${b.selectors.length === 0 ? '' : ` ${showSelectors(b.selectors)}`}`;
}

function failing(p: CheckedPolicy, e: SecurityEvent, ss: readonly Selector[]): string {
  const t = p.tables;
  const actual = (s: Selector) => {
    switch (s.key) {
      case 'src':
        return t.classes[e.srcClass]?.name;
      case 'dst':
        return t.classes[e.dstClass]?.name;
      case 'endpoint':
      case 'component':
        return t.endpointNames[e.endpoint] ?? 'none';
      case 'method':
        return t.methodNames[e.method] ?? 'none';
      case 'interface':
        return t.interfaces[e.iface]?.name ?? 'none';
    }
  };
  return ss
    .filter((s) => !selects(t, s, e))
    .map((s) => `${s.key}=${s.value} (the event's ${s.key === 'component' ? 'endpoint' : s.key} is ${actual(s)})`)
    .join(', ');
}

/** The expressions of a subtree that the trace evaluated, in evaluation order, without literals. */
function valuesOf(trace: InterpretTrace, root: Expr): Node[] {
  const inside = new Set<Expr>();
  const walk = (x: Expr): void => {
    inside.add(x);
    if (x.kind === 'list' || x.kind === 'tuple') x.items.forEach(walk);
    else if (x.kind === 'record') x.fields.forEach((f) => walk(f.value));
    else if (x.kind === 'field') walk(x.target);
    else if (x.kind === 'index') (walk(x.target), walk(x.index));
    else if (x.kind === 'call') walk(x.arg);
    else if (x.kind === 'unary') walk(x.operand);
    else if (x.kind === 'binary') (walk(x.left), walk(x.right));
  };
  walk(root);
  const literal = (x: Expr) => x.kind === 'int' || x.kind === 'text' || x.kind === 'bool' || x.kind === 'unit';
  return [...trace.values.entries()]
    .filter(([x]) => inside.has(x) && !literal(x))
    .map(([x, v]) => ({ text: `${showExpr(x)} = ${show(v, 120)}` }));
}

function pslNodes(p: CheckedPolicy, e: SecurityEvent, trace: InterpretTrace): Node[] {
  const out: Node[] = [];
  const ofKind = p.bindings.filter((b) => b.event === e.kind);
  if (ofKind.length === 0) return [{ text: `no binding for ${e.kind} events`, result: 'nothing applies' }];
  const body = (stmts: readonly Statement[]): Node[] => {
    const nodes: Node[] = [];
    for (const s of stmts) {
      if (s.kind === 'match') {
        const yes = trace.selected.get(s);
        if (yes === undefined) continue;
        nodes.push(
          yes
            ? {
                text: `match ${showSelectors(s.selectors)}`,
                at: p.label(s.loc),
                result: 'selects the event',
                children: body(s.body),
              }
            : {
                text: `match ${showSelectors(s.selectors)}`,
                at: p.label(s.loc),
                result: `does not select: ${failing(p, e, s.selectors)}`,
              },
        );
      } else if (s.kind === 'choice') {
        const c = trace.choices.get(s);
        if (c === undefined) continue;
        const children = valuesOf(trace, s.subject);
        if (c.value === undefined)
          nodes.push({
            text: `choice ${showExpr(s.subject)}`,
            at: p.label(s.loc),
            result: 'the subject failed: deny',
            children,
          });
        else if (c.taken === undefined)
          nodes.push({
            text: `choice ${showExpr(s.subject)}`,
            at: p.label(s.loc),
            result: `no alternative matches ${show(c.value)}: deny`,
            children,
          });
        else {
          const label = c.taken.label.kind === 'default' ? '_' : show(c.taken.label.value);
          nodes.push({
            text: `choice ${showExpr(s.subject)}`,
            at: p.label(s.loc),
            result: `takes the alternative ${label}`,
            children: [...children, { text: `${label} :`, at: p.label(c.taken.loc), children: body(c.taken.body) }],
          });
        }
      } else {
        const r = trace.rules.get(s);
        if (r === undefined) continue;
        const call = p.calls.get(s)!;
        const children = valuesOf(trace, s.arg);
        const obj = call.target.name;
        const stateful = call.target.loc !== null;
        if (r.reason !== undefined && r.arg === undefined)
          nodes.push({
            text: showExpr(s),
            at: p.label(s.loc),
            result: `the argument failed: deny: ${r.reason}`,
            children,
          });
        else if (r.reason !== undefined)
          nodes.push({
            text: showExpr(s),
            at: p.label(s.loc),
            result: `denies: ${r.reason}`,
            children: [
              ...children,
              ...(stateful ? [{ text: `${obj} state`, result: `${showState(r.before)} (unchanged)` }] : []),
            ],
          });
        else {
          const moved = r.after !== r.before;
          nodes.push({
            text: showExpr(s),
            at: p.label(s.loc),
            result: 'grants',
            children: [
              ...children,
              ...(stateful
                ? [
                    {
                      text: `${obj} state`,
                      result: moved
                        ? `${showState(r.before)} → ${showState(r.after)}`
                        : `${showState(r.before)} (unchanged)`,
                    },
                  ]
                : []),
            ],
          });
        }
      }
    }
    return nodes;
  };
  for (const b of ofKind) {
    const yes = trace.selected.get(b);
    if (yes === undefined) {
      out.push({
        text: `binding ${bindingHead(b)}`,
        at: p.label(b.loc),
        result: 'not reached (an earlier rule denied)',
      });
      continue;
    }
    out.push(
      yes
        ? { text: `binding ${bindingHead(b)}`, at: p.label(b.loc), result: 'applies', children: body(b.body) }
        : {
            text: `binding ${bindingHead(b)}`,
            at: p.label(b.loc),
            result: `does not apply: ${failing(p, e, b.selectors)}`,
          },
    );
  }
  return out;
}

function pslWhy(
  p: CheckedPolicy,
  e: SecurityEvent,
  d: Decision,
  trace: InterpretTrace,
  structure: Node | null,
): string {
  const rule = rulesKey(d);
  if (rule === 'structure')
    return `the monitor's message check: ${structure?.text ?? 'the message'}: ${structure?.result ?? d.reason}`;
  if (d.verdict === 'grant')
    return `granted by ${d.rules.length === 1 ? 'the rule' : 'the rules'} ${rule}, no rule denied`;
  if (rule === 'default-deny') {
    const ofKind = p.bindings.filter((b) => b.event === e.kind);
    if (ofKind.length === 0) return `no binding: the policy has no ${e.kind} binding`;
    const applying = ofKind.filter((b) => trace.selected.get(b) === true);
    if (applying.length === 0)
      return `no binding: none of the ${ofKind.length} ${e.kind} bindings applies to this event`;
    return `no rule: ${applying.map((b) => `binding ${bindingHead(b)} at ${p.label(b.loc)}`).join(' and ')} ${applying.length === 1 ? 'applies' : 'apply'} but call${applying.length === 1 ? 's' : ''} no rule for this event`;
  }
  // a rule or choice denied: find it and its binding
  const owner = (target: CallExpr | ChoiceSection): BindingDecl | undefined => {
    const inBody = (ss: readonly Statement[]): boolean =>
      ss.some(
        (s) =>
          s === target ||
          (s.kind === 'match' && inBody(s.body)) ||
          (s.kind === 'choice' && s.alternatives.some((x) => inBody(x.body))),
      );
    return p.bindings.find((b) => inBody(b.body));
  };
  for (const [c, r] of trace.rules)
    if (r.reason !== undefined && p.label(c.loc) === rule) {
      const b = owner(c);
      const callee = p.calls.get(c)!.callee;
      return `binding ${b === undefined ? '?' : `${bindingHead(b)} at ${p.label(b.loc)}`}: its ${callee} at ${rule} denied: ${d.reason}`;
    }
  for (const [c] of trace.choices)
    if (p.label(c.loc) === rule) {
      const b = owner(c);
      return `binding ${b === undefined ? '?' : `${bindingHead(b)} at ${p.label(b.loc)}`}: its choice at ${rule} denied: ${d.reason}`;
    }
  return `${rule}: ${d.reason ?? ''}`;
}

/* ------------------------------------------------------------ rule form */

function ruleText(r: AllowRule): string {
  const parts = [
    r.kind,
    ...(['src', 'dst', 'endpoint', 'method'] as const).filter((k) => r[k] !== undefined).map((k) => `${k}=${r[k]}`),
  ];
  return parts.join(' ') + (r.limit === undefined ? '' : ` limit=${r.limit}`);
}

/** A reading of a rule-form policy (src/monitor/rules.ts): the first rule that matches and has grants left grants. */
export function explainRules(
  t: SolutionTables,
  policy: RulePolicy,
  state: MonitorState,
  e: SecurityEvent,
): {
  decision: { verdict: 'grant' | 'deny'; rules: readonly RuleRef[]; reason?: string };
  why: string;
  nodes: Node[];
} {
  const name: Record<'src' | 'dst' | 'endpoint' | 'method', string | undefined> = {
    src: t.classes[e.srcClass]?.name,
    dst: t.classes[e.dstClass]?.name,
    endpoint: e.endpoint >= 0 ? t.endpointNames[e.endpoint] : undefined,
    method: e.method >= 0 ? t.methodNames[e.method] : undefined,
  };
  const nodes: Node[] = [];
  let decision: { verdict: 'grant' | 'deny'; rules: readonly RuleRef[]; reason?: string } | null = null;
  let why = '';
  let exhausted = 0;
  let slot = -1;
  policy.rules.forEach((r, i) => {
    if (r.limit !== undefined) slot++;
    const id = ruleId(r, i);
    const text = `rule ${id}: ${ruleText(r)}`;
    if (decision !== null) {
      nodes.push({ text, result: 'not looked at (an earlier rule granted)' });
      return;
    }
    const misses: string[] = [];
    if (r.kind !== e.kind) misses.push(`the event is ${e.kind}, not ${r.kind}`);
    for (const k of ['src', 'dst', 'endpoint', 'method'] as const)
      if (r[k] !== undefined && r[k] !== name[k]) misses.push(`${k} is ${name[k] ?? 'none'}, not ${r[k]}`);
    if (misses.length > 0) {
      nodes.push({ text, result: `does not match: ${misses.join('; ')}` });
      return;
    }
    if (r.limit === undefined) {
      decision = { verdict: 'grant', rules: [{ id }] };
      why = `granted by rule ${id} (${ruleText(r)})`;
      nodes.push({ text, result: 'matches: grants' });
      return;
    }
    const used = (state as readonly number[] | null)?.[slot] ?? 0;
    if (used < r.limit) {
      decision = { verdict: 'grant', rules: [{ id }] };
      why = `granted by rule ${id} (${ruleText(r)}), its grant ${used + 1} of ${r.limit}`;
      nodes.push({ text, result: `matches, ${used} of ${r.limit} grants used: grants (count ${used} → ${used + 1})` });
    } else {
      exhausted++;
      nodes.push({ text, result: `matches, but all ${r.limit} grants are used` });
    }
  });
  if (decision === null) {
    if (exhausted > 0) {
      decision = { verdict: 'deny', rules: DEFAULT_DENY_RULES, reason: 'every matching rule has used up its limit' };
      why = `every matching rule has used up its limit (${exhausted} rule${exhausted === 1 ? '' : 's'})`;
    } else {
      decision = { verdict: 'deny', rules: DEFAULT_DENY_RULES, reason: 'no rule grants this event' };
      why = `no rule: none of the ${policy.rules.length} rules matches this event`;
    }
  }
  return { decision, why, nodes };
}

/* ------------------------------------------------------------ text */

function renderNodes(nodes: readonly Node[], indent: string, out: string[]): void {
  for (const n of nodes) {
    out.push(
      `${indent}${n.text}${n.at === undefined ? '' : ` (${n.at})`}${n.result === undefined ? '' : `: ${n.result}`}`,
    );
    if (n.children !== undefined) renderNodes(n.children, `${indent}  `, out);
  }
}

export function explanationText(x: Explanation): string {
  const out: string[] = [];
  out.push(`event    ${x.event}`);
  out.push(`asked    ${x.reached}`);
  for (const s of x.after) out.push(`         ${s.verdict.toUpperCase()} ${s.event} by ${showRules(s)}`);
  out.push(
    `state    ${x.objects.length === 0 ? '(no policy object has state)' : x.objects.map((o) => `${o.name} = ${o.state}`).join('; ')}`,
  );
  out.push(`verdict  ${x.verdict.toUpperCase()} by ${showRules(x)}${x.reason === undefined ? '' : `: ${x.reason}`}`);
  out.push(`why      ${x.why}`);
  const same = x.compiled.verdict === x.verdict && rulesKey(x.compiled) === rulesKey(x);
  out.push(
    `compiled ${same ? 'the compiled policy decides the same' : `THE COMPILED POLICY DISAGREES: ${x.compiled.verdict.toUpperCase()} by ${showRules(x.compiled)}${x.compiled.reason === undefined ? '' : `: ${x.compiled.reason}`}`}`,
  );
  out.push('');
  out.push(x.form === 'psl' ? 'how (the reference interpreter, in evaluation order):' : 'how (the rules, in order):');
  renderNodes(x.steps, '  ', out);
  return out.join('\n');
}
