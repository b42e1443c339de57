// The monitor's vocabulary: security events, verdicts, decisions, and the
// compiled-policy interface every policy front end (the intermediate rule
// form in rules.ts, PSL in src/policy) compiles into.

/** The five kinds of security event (KasperskyOS KSM). */
export type EventKind = 'execute' | 'request' | 'response' | 'error' | 'security';
export const EVENT_KINDS: readonly EventKind[] = ['execute', 'request', 'response', 'error', 'security'];

export type Verdict = 'grant' | 'deny';

/**
 * What the kernel asks the monitor about. Classes, endpoints and methods are
 * interned ids of the solution's tables (SolutionTables), so a static policy can
 * decide with array look-ups; `-1` means "not applicable" (e.g. endpoint of an
 * `execute` event).
 */
export interface SecurityEvent {
  readonly kind: EventKind;
  readonly src: number; // SID
  readonly srcClass: number; // task class id
  readonly dst: number; // SID
  readonly dstClass: number;
  /** interned endpoint name (SolutionTables.endpointNames), -1 if none */
  readonly endpoint: number;
  /** interned method name (SolutionTables.methodNames), -1 if none */
  readonly method: number;
  /** interface id (SolutionTables.interfaces), -1 if none */
  readonly iface: number;
  /** the endpoint's RIID and the method's MID as the message carried them, -1 if none */
  readonly riid: number;
  readonly mid: number;
  /** the message payload (already validated against the method's declaration when iface >= 0) */
  readonly message: unknown;
  /** rights of the handles the message transfers */
  readonly transfers: readonly number[];
}

/** Opaque, immutable policy state (e.g. Flow automaton states, counters). */
export type MonitorState = unknown;

/** Where a rule is written: a file as the policy names it (relative to the top policy file), 1-based line and column. */
export interface SourceLoc {
  readonly file: string;
  readonly line: number;
  readonly col: number;
}

/**
 * A rule that took part in a decision.
 *
 * - PSL: a rule call or a choice; `id` is its label `<file>:<line>:<col>`
 *   (the key of the policy's audit profiles), `loc` the same place as a
 *   record, and `binding` the binding it is written in (its event and
 *   selectors, as `request src=A, dst=B`, and where that binding starts).
 * - The rule form (src/monitor/rules.ts): the rule's id (`rule <n>` unless
 *   it names one); no location, since it is written as data, not in a file.
 * - The monitor's own rules: `structure` (the message does not match its
 *   declaration), `policy-error` (the policy failed) and `default-deny` (no
 *   rule granted), with no location.
 */
export interface RuleRef {
  readonly id: string;
  readonly loc?: SourceLoc;
  readonly binding?: { readonly head: string; readonly loc: SourceLoc };
}

export interface Decision {
  readonly verdict: Verdict;
  /**
   * Every rule that decided, in evaluation order. A grant lists each rule
   * that granted (all of them: one event can be granted by several
   * bindings); a deny lists the one rule that denied, or the monitor's
   * own `default-deny` / `structure` / `policy-error`. Never empty.
   */
  readonly rules: readonly RuleRef[];
  /** why, in words (always set for deny) */
  readonly reason?: string;
  /** the monitor state after this decision; the kernel keeps it only on grant */
  readonly next: MonitorState;
}

/**
 * A compiled policy. `decide` must be pure and total: same state and event,
 * same decision; it never throws and never mutates. Default deny is the
 * policy's obligation; `defaultDeny` in src/properties/checks.ts checks the
 * kernel's decisions against an oracle of the policy.
 */
export interface CompiledPolicy {
  readonly name: string;
  readonly initial: MonitorState;
  decide(state: MonitorState, event: SecurityEvent): Decision;
}

/**
 * A prepared decision with another monitor state: a literal of one of the two
 * shapes decisions have (a grant without a reason, or a reason), not a spread,
 * which V8 builds key by key on every call.
 */
export function restate(d: Decision, next: MonitorState): Decision {
  return d.reason === undefined
    ? { verdict: d.verdict, rules: d.rules, next }
    : { verdict: d.verdict, rules: d.rules, reason: d.reason, next };
}

// A decision checked once, where it is made, so the monitor need not check
// it on every answer. At 10,000 rules, reading each answer's rule list (one
// more object out of 10,000) was a fifth of a decision. The mark is a
// private field stamped onto the plain object by a base class whose
// constructor returns that object: the decision keeps its prototype and its
// keys (it compares and serialises as before). Only `checkedDecision` stamps,
// after its check, onto an object it made and then freezes, with a frozen
// rule list, so what it checked cannot change; a Proxy cannot carry the mark,
// so a marked answer is a plain frozen object the kernel can read again.
// Testing for the mark on an unmarked answer (PSL's stateful decisions) costs
// about 5% of a Flow decision through the monitor; a symbol-keyed mark cost
// nothing measurable there, but a Proxy reads a symbol through to its target
// and can then answer the kernel's own reads otherwise.
class Returning {
  constructor(o: object) {
    return o;
  }
}
class Checked extends Returning {
  #checked = true;
  static on(o: object): boolean {
    return #checked in o;
  }
}

/**
 * The decision as a frozen copy the monitor passes on without checking it
 * again: a verdict and at least one rule, as `createMonitor`'s own check asks.
 * A decision that is not well formed comes back as an unmarked copy, which
 * the monitor checks, and denies, on every answer.
 */
export function checkedDecision(d: Decision): Decision {
  const verdict = d.verdict;
  const rules = Array.isArray(d.rules) && !Object.isFrozen(d.rules) ? Object.freeze(d.rules.slice()) : d.rules;
  // field by field into an empty literal, which V8 makes with room for four fields in the object itself: the
  // mark takes the fourth, where a literal of three fields would put it into a property array of its own (one
  // more object per decision; at 10,000 rules, 3% of a decision)
  const out: { verdict?: unknown; rules?: unknown; reason?: string; next?: MonitorState } = {};
  out.verdict = verdict;
  out.rules = rules;
  if (d.reason !== undefined) out.reason = d.reason;
  out.next = d.next;
  if ((verdict === 'grant' || verdict === 'deny') && Array.isArray(rules) && rules.length > 0) new Checked(out);
  return Object.freeze(out) as Decision;
}

/** Whether a decision is one `checkedDecision` checked and marked. */
export const isCheckedDecision = (d: object): boolean => Checked.on(d);

/** The monitor's own rules (no location: they are written nowhere). */
export const STRUCTURE_RULE: RuleRef = Object.freeze({ id: 'structure' });
export const POLICY_ERROR_RULE: RuleRef = Object.freeze({ id: 'policy-error' });
export const DEFAULT_DENY_REF: RuleRef = Object.freeze({ id: 'default-deny' });
/** The rule list of a decision by one rule, frozen. */
export const only = (r: RuleRef): readonly RuleRef[] => Object.freeze([r]);
export const STRUCTURE_RULES = only(STRUCTURE_RULE);
export const POLICY_ERROR_RULES = only(POLICY_ERROR_RULE);
export const DEFAULT_DENY_RULES = only(DEFAULT_DENY_REF);

/** The ids of the rules that decided, in order. */
export function ruleIds(d: Pick<Decision, 'rules'>): string[] {
  return d.rules.map((r) => r.id);
}

/**
 * One string naming a decision's rules (their ids joined by ", "): the key
 * under which tabulated policies and the spec's table form number rules.
 */
export function rulesKey(d: Pick<Decision, 'rules'>): string {
  return d.rules.length === 1 ? d.rules[0]!.id : d.rules.map((r) => r.id).join(', ');
}

/** `file:line:col` of a location. */
export function showLoc(l: SourceLoc): string {
  return `${l.file}:${l.line}:${l.col}`;
}

/**
 * A rule in words: its id, where it is written when the id does not say so,
 * and its binding: `security.psl:12:5 (binding request dst=B at security.psl:11:1)`.
 */
export function showRule(r: RuleRef): string {
  const at = r.loc === undefined || showLoc(r.loc) === r.id ? '' : ` at ${showLoc(r.loc)}`;
  const b = r.binding === undefined ? '' : ` (binding ${r.binding.head} at ${showLoc(r.binding.loc)})`;
  return `${r.id}${at}${b}`;
}

/** Every rule of a decision in words, joined by "; ". */
export function showRules(d: Pick<Decision, 'rules'>): string {
  return d.rules.map(showRule).join('; ');
}
