/**
 * What the compiled policy and the reference interpreter share at run time:
 * applying a model method (with every failure turned into a reason), the
 * words of every reason, and the shape of a decision. Sharing them keeps the
 * two evaluators' decisions comparable field by field; everything about
 * *which* rules run and in what order is written twice, once in each.
 */
import { POLICY_ERROR_RULES, type Decision, type EventKind, type SecurityEvent } from '../../monitor/types.ts';
import type { ExpressionMethod, RuleMethod } from '../models/model.ts';
import { SidMap, toMap } from '../models/sidmap.ts';
import { PslFailure, show, type Value } from '../models/value.ts';
import type { PslAudit, PslState, ResolvedCall } from './check.ts';

export interface CompiledPslPolicy {
  readonly name: string;
  readonly initial: PslState;
  decide(state: unknown, event: SecurityEvent): Decision;
  /** the audit profiles and which one applies to each rule */
  readonly audit: PslAudit;
  /** the policy objects, in monitor-state order */
  readonly objects: readonly { readonly name: string; readonly model: string; readonly slot: number }[];
  /** the state of one policy object in a monitor state of this policy (undefined for an unknown name) */
  objectState(state: unknown, object: string): unknown;
  /** `execute: <interface>`, if declared */
  readonly executeInterface: string | null;
  /** the constructs Cordon could not model ("unsupported construct X at file:line:col"); the rules using them deny */
  readonly notModelled: readonly string[];
}

export const DEFAULT_DENY_RULE = 'default-deny';
export const DEFAULT_DENY_REASON = 'no rule applies to this event';

export type Applied = { readonly ok: true; readonly state: unknown } | { readonly ok: false; readonly reason: string };

/** The reason of anything thrown while running a rule or an expression of `callee`. */
export function thrownReason(callee: string, e: unknown): string {
  if (e instanceof PslFailure) return `${callee}: ${e.reason}`;
  return `${callee}: the model failed: ${e instanceof Error ? e.message : String(e)}`;
}

/** Applies a rule to its object's state; never throws. */
export function applyRule(call: ResolvedCall, objectState: unknown, arg: Value): Applied {
  try {
    const r = (call.method as RuleMethod<unknown, unknown>).apply(call.target.object, objectState, arg);
    if (r.granted === true) return { ok: true, state: r.state };
    if (r.granted === false) return { ok: false, reason: `${call.callee}: ${r.reason}` };
    return { ok: false, reason: `${call.callee}: the model returned no verdict` };
  } catch (e) {
    return { ok: false, reason: thrownReason(call.callee, e) };
  }
}

/** Evaluates an expression method; a failure throws `PslFailure` with the reason already naming the callee. */
export function evaluateExpression(call: ResolvedCall, objectState: unknown, arg: Value): Value {
  try {
    return (call.method as ExpressionMethod<unknown, unknown>).evaluate(call.target.object, objectState, arg);
  } catch (e) {
    throw new PslFailure(thrownReason(call.callee, e));
  }
}

/** The reason of an argument of `call` that could not be evaluated (an inner call's failure keeps its own prefix after this one). */
export function argumentReason(call: ResolvedCall, e: unknown): string {
  return thrownReason(call.callee, e);
}

export function choiceFailureReason(e: unknown): string {
  return e instanceof PslFailure ? `choice: ${e.reason}` : `choice: ${e instanceof Error ? e.message : String(e)}`;
}

export function noAlternativeReason(v: Value): string {
  return `no alternative of the choice matches ${show(v)}`;
}

/**
 * The monitor state with one object's state replaced: a new array, never
 * written after (immutable by construction like the kernel's records; not
 * frozen, which would cost a third of a Flow decision).
 */
export function withSlot(state: PslState, slot: number, objectState: unknown): PslState {
  if (state.length === 1 && slot === 0) return [objectState];
  // a spread, not slice(): slice() of a frozen array (the initial state is frozen) costs ~10x more in V8
  const next = [...state];
  next[slot] = objectState;
  return next;
}

/** An event kind's index, or -1 (a switch, so that no inherited property can answer). */
export function kindIndex(kind: EventKind): number {
  switch (kind) {
    case 'execute':
      return 0;
    case 'request':
      return 1;
    case 'response':
      return 2;
    case 'error':
      return 3;
    case 'security':
      return 4;
    default:
      return -1;
  }
}

/** The state of a named object, for tests and the PAL runner (a per-resource `SidMap` read out as a plain `Map`). */
export function objectStateOf(
  objects: readonly { readonly name: string; readonly slot: number }[],
  state: unknown,
  name: string,
): unknown {
  const o = objects.find((x) => x.name === name);
  if (o === undefined || !Array.isArray(state)) return undefined;
  const s = (state as unknown[])[o.slot];
  return s instanceof SidMap ? toMap(s) : s;
}

/** The decision on a monitor state that this policy did not produce. */
export function badState(state: unknown): Decision {
  return {
    verdict: 'deny',
    rules: POLICY_ERROR_RULES,
    reason: 'the monitor state is not a state of this policy',
    next: state,
  };
}
