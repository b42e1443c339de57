// The decision point. `Monitor.decide` first checks a message against the
// declaration of the method it names (an undeclared method or a payload that
// does not match its codec is denied before any policy rule runs), then asks
// the compiled policy. It never throws: a policy that throws or answers
// something other than a well-formed decision (a verdict and at least one
// rule in `rules`) is read as deny (`policy-error`).

import type { SolutionTables } from '../kernel/tables.ts';
import {
  POLICY_ERROR_RULES,
  STRUCTURE_RULES,
  type CompiledPolicy,
  type Decision,
  type MonitorState,
  type RuleRef,
  type SecurityEvent,
} from './types.ts';
import { describeErrors } from '../interfaces/codecs.ts';

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

export function createMonitor(tables: SolutionTables, policy: CompiledPolicy): Monitor {
  const decide = (state: MonitorState, event: SecurityEvent): Decision => {
    if (event.kind !== 'execute') {
      const iface = tables.interfaces[event.iface];
      const method = iface?.methods[event.mid];
      if (iface === undefined || method === undefined)
        return deny(
          STRUCTURE_RULES,
          `RIID ${event.riid} / MID ${event.mid} name no method declared by the destination's class`,
          state,
        );
      const codec =
        event.kind === 'response' ? method.response : event.kind === 'error' ? method.error : method.request;
      const what = `message does not match ${iface.name}.${method.name} (${event.kind})`;
      try {
        if (!codec.is(event.message)) {
          const d = codec.decode(event.message);
          return deny(
            STRUCTURE_RULES,
            `${what}: ${d._tag === 'Left' ? describeErrors(d.left).slice(0, 3).join('; ') : 'rejected'}`,
            state,
          );
        }
      } catch {
        return deny(STRUCTURE_RULES, `${what}: it cannot be read`, state);
      }
    }
    let d: Decision;
    try {
      d = policy.decide(state, event);
    } catch (e) {
      return deny(
        POLICY_ERROR_RULES,
        `policy "${policy.name}" failed: ${e instanceof Error ? e.message : typeof e === 'string' ? e : 'it threw a non-error value'}`,
        state,
      );
    }
    if (d === null || typeof d !== 'object' || (d.verdict !== 'grant' && d.verdict !== 'deny'))
      return deny(POLICY_ERROR_RULES, `policy "${policy.name}" returned no verdict`, state);
    if (!Array.isArray(d.rules) || d.rules.length === 0)
      return deny(POLICY_ERROR_RULES, `policy "${policy.name}" named no rule for its ${d.verdict}`, state);
    return d;
  };
  return { policy, initial: policy.initial, decide };
}
