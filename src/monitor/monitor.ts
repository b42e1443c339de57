// The decision point. `Monitor.decide` first checks a message against the
// declaration of the method it names (an undeclared method or a payload that
// does not match its codec is denied before any policy rule runs), then asks
// the compiled policy. It never throws: a policy that throws or answers
// something other than a well-formed decision (a verdict and at least one
// rule in `rules`) is read as deny (`policy-error`).
//
// The message check is compiled once, when the monitor is created: per
// interface and method, the specialised check of each kind's codec
// (src/interfaces/validators.ts), or none when the codec accepts every
// value. A message a check refuses is explained by its codec (`decode`), so
// the reason names the codec's own errors.

import type { MethodTable, SolutionTables } from '../kernel/tables.ts';
import {
  POLICY_ERROR_RULES,
  STRUCTURE_RULES,
  isCheckedDecision,
  type CompiledPolicy,
  type Decision,
  type EventKind,
  type MonitorState,
  type RuleRef,
  type SecurityEvent,
} from './types.ts';
import { describeErrors } from '../interfaces/codecs.ts';
import { compileCheck, type Check } from '../interfaces/validators.ts';

export interface Monitor {
  readonly policy: CompiledPolicy;
  readonly initial: MonitorState;
  decide(state: MonitorState, event: SecurityEvent): Decision;
}

const deny = (rules: readonly RuleRef[], reason: string, next: MonitorState): Decision => ({
  verdict: 'deny',
  rules,
  reason,
  next,
});

/** A declared method with the compiled check of each kind's codec (null: the codec accepts every value). */
interface MethodChecks {
  readonly iface: string;
  readonly method: MethodTable;
  readonly request: Check | null;
  readonly response: Check | null;
  readonly error: Check | null;
}

/** The deny of a message its method's check refused (or could not read): the codec's own errors, at most three. */
function malformed(
  m: MethodChecks,
  kind: EventKind,
  message: unknown,
  readable: boolean,
  state: MonitorState,
): Decision {
  const what = `message does not match ${m.iface}.${m.method.name} (${kind})`;
  const codec = kind === 'response' ? m.method.response : kind === 'error' ? m.method.error : m.method.request;
  let why = 'it cannot be read';
  if (readable)
    try {
      const d = codec.decode(message);
      why = d._tag === 'Left' ? describeErrors(d.left).slice(0, 3).join('; ') : 'rejected';
    } catch {
      // the codec cannot read it either: `why` stays 'it cannot be read'
    }
  return deny(STRUCTURE_RULES, `${what}: ${why}`, state);
}

const undeclared = (event: SecurityEvent, state: MonitorState): Decision =>
  deny(
    STRUCTURE_RULES,
    `RIID ${event.riid} / MID ${event.mid} name no method declared by the destination's class`,
    state,
  );

/** The deny of a policy that threw. */
function policyFailed(policy: CompiledPolicy, e: unknown, state: MonitorState): Decision {
  const why = e instanceof Error ? e.message : typeof e === 'string' ? e : 'it threw a non-error value';
  return deny(POLICY_ERROR_RULES, `policy "${policy.name}" failed: ${why}`, state);
}

/** The deny of a policy answer that is no well-formed decision (`decide` passes the well-formed ones on). */
function malformedDecision(policy: CompiledPolicy, d: Decision, state: MonitorState): Decision {
  // read once more, guarded: a getter may throw this time
  let verdict: unknown;
  try {
    verdict = d === null || typeof d !== 'object' ? undefined : d.verdict;
  } catch (e) {
    return policyFailed(policy, e, state);
  }
  if (verdict !== 'grant' && verdict !== 'deny')
    return deny(POLICY_ERROR_RULES, `policy "${policy.name}" returned no verdict`, state);
  return deny(POLICY_ERROR_RULES, `policy "${policy.name}" named no rule for its ${verdict}`, state);
}

// The cold paths above are functions of their own, so the hot path stays small enough for V8 to inline.
export function createMonitor(tables: SolutionTables, policy: CompiledPolicy): Monitor {
  const checks: readonly (readonly MethodChecks[])[] = tables.interfaces.map((iface) =>
    iface.methods.map((method) => ({
      iface: iface.name,
      method,
      request: compileCheck(method.request),
      response: compileCheck(method.response),
      error: compileCheck(method.error),
    })),
  );
  const decide = (state: MonitorState, event: SecurityEvent): Decision => {
    const kind = event.kind;
    if (kind !== 'execute') {
      // an index outside the tables (-1: no such interface or method) reads undefined
      const methods = checks[event.iface];
      const m = methods === undefined ? undefined : methods[event.mid];
      if (m === undefined) return undeclared(event, state);
      const check = kind === 'response' ? m.response : kind === 'error' ? m.error : m.request;
      if (check !== null) {
        let ok: boolean;
        try {
          ok = check(event.message);
        } catch {
          return malformed(m, kind, event.message, false, state);
        }
        if (!ok) return malformed(m, kind, event.message, true, state);
      }
    }
    let d: Decision;
    try {
      d = policy.decide(state, event);
      // well formed: a verdict and at least one rule (a decision checked where it was made is; a
      // Proxy cannot carry that mark, and what reads a decision's fields, a getter's throw included, is in here)
      if (typeof d === 'object' && d !== null) {
        if (isCheckedDecision(d)) return d;
        if (d.verdict === 'grant' || d.verdict === 'deny') {
          const rules = d.rules;
          if (Array.isArray(rules) && rules.length > 0) return d;
        }
      }
    } catch (e) {
      return policyFailed(policy, e, state);
    }
    return malformedDecision(policy, d, state);
  };
  return { policy, initial: policy.initial, decide };
}
