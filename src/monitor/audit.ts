// The audit log in DESIGN.md's vocabulary: each decision says which event,
// between which SIDs and task classes, on which endpoint and method, and which
// rule decided.

import type { SolutionTables } from '../kernel/tables.ts';
import type { Decision, SecurityEvent } from './types.ts';

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

export interface AuditRecord {
  readonly step: number;
  readonly verdict: Decision['verdict'];
  readonly rule: string;
  readonly event: string;
  readonly reason?: string;
}

export function auditRecord(t: SolutionTables, step: number, e: SecurityEvent, d: Decision): AuditRecord {
  return { step, verdict: d.verdict, rule: d.rule, event: describeEvent(t, e), ...(d.reason === undefined ? {} : { reason: d.reason }) };
}
