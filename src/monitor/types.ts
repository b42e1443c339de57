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

export interface Decision {
  readonly verdict: Verdict;
  /** the rule that decided: a rule id, or 'default-deny' / 'structure' */
  readonly rule: string;
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
