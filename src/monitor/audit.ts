// The audit log in DESIGN.md's vocabulary: each decision says which event,
// between which SIDs and task classes, on which endpoint and method, and which
// rules decided; `auditRecord` is one record of the log src/audit/log.ts writes.

import type { SolutionTables } from '../kernel/tables.ts';
import { showRules, type Decision, type RuleRef, type SecurityEvent } from './types.ts';
// a cycle, harmless (both only call each other's functions): printEvent is describeEvent with the message
import { printEvent } from '../audit/event.ts';
import { auditsRule, type PslAudit } from '../policy/compile/check.ts';

export function describeEvent(t: SolutionTables, e: SecurityEvent): string {
  const cls = (c: number) => t.classes[c]?.name ?? `class#${c}`;
  const head = `${e.kind} src=${cls(e.srcClass)}(sid ${e.src}) dst=${cls(e.dstClass)}(sid ${e.dst})`;
  if (e.kind === 'execute') return head;
  const ep = e.endpoint >= 0 ? t.endpointNames[e.endpoint] : `riid ${e.riid}`;
  const m = e.method >= 0 ? t.methodNames[e.method] : `mid ${e.mid}`;
  return `${head} endpoint=${ep} method=${m}`;
}

export function describeDecision(t: SolutionTables, e: SecurityEvent, d: Decision): string {
  return `${d.verdict.toUpperCase()} ${describeEvent(t, e)} by ${showRules(d)}${d.reason === undefined ? '' : `: ${d.reason}`}`;
}

/** What a PSL policy's audit profiles say about a decision. */
export interface AuditMark {
  /** the profile that applies to the deciding rule (`audit <profile>` of its block, else `audit default`) */
  readonly profile: string;
  /** the audit runtime level the record was made at (`audit default`'s level unless given) */
  readonly level: number;
  /**
   * whether the profile logs this outcome at this level: for a grant, some
   * granting rule's object lists "granted" under `kss`; for a deny, the
   * denying rule's object lists "denied". A denial no rule made (default
   * deny, a malformed message) is always logged, as the KSM does.
   */
  readonly logged: boolean;
}

/**
 * One record of the monitor's audit log (out/audit.jsonl, one JSON object
 * a line): the kernel step the decision was made in (0: boot), the event
 * in the kernel's vocabulary (`printEvent`, the form `cordon audit` reads),
 * the verdict, every rule that decided, and for a PSL policy the audit
 * profile and runtime level it was logged under.
 */
export interface AuditRecord {
  readonly step: number;
  readonly event: string;
  readonly verdict: Decision['verdict'];
  readonly rules: readonly RuleRef[];
  readonly reason?: string;
  /** present when the policy has audit data (a PSL policy) */
  readonly audit?: { readonly profile: string; readonly level: number };
}

/** The audit data of a compiled PSL policy, if the policy has any. */
export function policyAudit(policy: unknown): PslAudit | null {
  const a = (policy as { audit?: unknown } | null)?.audit;
  return typeof a === 'object' && a !== null && 'ruleProfiles' in a && 'profiles' in a ? (a as PslAudit) : null;
}

/**
 * The audit mark of a decision under a policy's audit profiles, at `level`
 * (default: the policy's). The profile named is that of the first deciding
 * rule the profiles log (else of the first deciding rule, else the default).
 */
export function auditMark(audit: PslAudit, d: Decision, level: number = audit.defaultLevel): AuditMark {
  const known = d.rules.filter((r) => audit.ruleProfiles.has(r.id));
  if (known.length === 0) return { profile: audit.defaultProfile, level, logged: d.verdict === 'deny' };
  const outcome = d.verdict === 'grant' ? 'granted' : 'denied';
  const loud = known.find((r) => auditsRule(audit, r.id, outcome, level));
  return { profile: audit.ruleProfiles.get((loud ?? known[0]!).id)!, level, logged: loud !== undefined };
}

/** The record of a decision; with audit data, the profile and level it is logged under (whether it is: `auditMark`). */
export function auditRecord(
  t: SolutionTables,
  step: number,
  e: SecurityEvent,
  d: Decision,
  audit: PslAudit | null = null,
  level?: number,
): AuditRecord {
  const mark = audit === null ? null : auditMark(audit, d, level);
  return {
    step,
    event: printEvent(t, e),
    verdict: d.verdict,
    rules: d.rules,
    ...(d.reason === undefined ? {} : { reason: d.reason }),
    ...(mark === null ? {} : { audit: { profile: mark.profile, level: mark.level } }),
  };
}
