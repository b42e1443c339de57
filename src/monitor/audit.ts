// The audit log in DESIGN.md's vocabulary: each decision says which event,
// between which SIDs and task classes, on which endpoint and method, and which
// rule decided.

import type { SolutionTables } from '../kernel/tables.ts';
import type { Decision, SecurityEvent } from './types.ts';
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
  return `${d.verdict.toUpperCase()} ${describeEvent(t, e)} by ${d.rule}${d.reason === undefined ? '' : `: ${d.reason}`}`;
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

export interface AuditRecord {
  readonly step: number;
  readonly verdict: Decision['verdict'];
  readonly rule: string;
  readonly event: string;
  readonly reason?: string;
  /** present when the policy has audit data (a PSL policy) */
  readonly audit?: AuditMark;
}

/** The audit data of a compiled PSL policy, if the policy has any. */
export function policyAudit(policy: unknown): PslAudit | null {
  const a = (policy as { audit?: unknown } | null)?.audit;
  return typeof a === 'object' && a !== null && 'ruleProfiles' in a && 'profiles' in a ? (a as PslAudit) : null;
}

/** The audit mark of a decision under a policy's audit profiles, at `level` (default: the policy's). */
export function auditMark(audit: PslAudit, d: Decision, level: number = audit.defaultLevel): AuditMark {
  const rules = d.rule.split(', ');
  const known = rules.filter((r) => audit.ruleProfiles.has(r));
  const profile = audit.ruleProfiles.get(known[0] ?? '') ?? audit.defaultProfile;
  if (known.length === 0) return { profile, level, logged: d.verdict === 'deny' };
  const outcome = d.verdict === 'grant' ? 'granted' : 'denied';
  return { profile, level, logged: known.some((r) => auditsRule(audit, r, outcome, level)) };
}

export function auditRecord(
  t: SolutionTables,
  step: number,
  e: SecurityEvent,
  d: Decision,
  audit: PslAudit | null = null,
  level?: number,
): AuditRecord {
  return {
    step,
    verdict: d.verdict,
    rule: d.rule,
    event: describeEvent(t, e),
    ...(d.reason === undefined ? {} : { reason: d.reason }),
    ...(audit === null ? {} : { audit: auditMark(audit, d, level) }),
  };
}
