// The monitor's audit log: one JSON record a line (out/audit.jsonl), written
// by `verify` (boot and the scenario run), the replay of a `check`
// counterexample, and `cordon test` (every PAL case decided), and read back
// by `cordon log`.
//
// What is logged follows the policy's audit profiles as the KasperskyOS
// security module does: a decision is logged when the profile of a rule
// that decided lists its outcome ("granted"/"denied" under `kss`) for the
// rule's object at the audit runtime level (`audit default`'s level unless
// given); a denial no rule made (default deny, a message that does not match
// its declaration, a failing policy) is always logged. A policy without
// audit data (the rule form) logs every decision. Not modelled: Flow's
// `omit` and Regex's `emit` (they would need the rule's arguments).

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import * as t from 'io-ts';
import { isLeft } from 'fp-ts/lib/Either.js';
import type { SolutionTables } from '../kernel/tables.ts';
import type { DecisionRecord } from '../kernel/types.ts';
import { auditMark, auditRecord, policyAudit, type AuditRecord } from '../monitor/audit.ts';
import { showRule } from '../monitor/types.ts';
import type { CompiledPolicy, Decision, SecurityEvent } from '../monitor/types.ts';
import { describeErrors } from '../interfaces/codecs.ts';
import type { PslAudit } from '../policy/compile/check.ts';

export type { AuditRecord } from '../monitor/audit.ts';

const Loc = t.type({ file: t.string, line: t.number, col: t.number });
const RuleRefCodec = t.intersection([
  t.type({ id: t.string }),
  t.partial({ loc: Loc, binding: t.type({ head: t.string, loc: Loc }) }),
]);

/** One record of out/audit.jsonl, as read back (the boundary of `cordon log`). */
export const AuditRecordCodec = t.intersection([
  t.type({
    step: t.number,
    event: t.string,
    verdict: t.union([t.literal('grant'), t.literal('deny')]),
    rules: t.array(RuleRefCodec),
  }),
  t.partial({ reason: t.string, audit: t.type({ profile: t.string, level: t.number }) }),
]);

export class AuditLogError extends Error {}

/** Collects the records of one run's decisions, as the policy's audit profiles say. */
export class AuditLog {
  readonly records: AuditRecord[] = [];
  /** every decision offered, logged or not */
  decided = 0;
  private readonly audit: PslAudit | null;
  private readonly level: number | undefined;

  constructor(
    private readonly tables: SolutionTables,
    policy: CompiledPolicy,
    /** the audit runtime level (default: `audit default`'s) */
    level?: number,
  ) {
    this.audit = policyAudit(policy);
    this.level = level;
  }

  /** Offers one decision made in kernel step `step` (0: boot; PAL: the case's number in the run). */
  decision(step: number, e: SecurityEvent, d: Decision): void {
    this.decided++;
    if (this.audit !== null && !auditMark(this.audit, d, this.level).logged) return;
    this.records.push(auditRecord(this.tables, step, e, d, this.audit, this.level));
  }

  /** Offers the decisions of one kernel step. */
  step(step: number, decisions: readonly DecisionRecord[]): void {
    for (const r of decisions) this.decision(step, r.event, r.decision);
  }

  text(): string {
    return this.records.map((r) => `${JSON.stringify(r)}\n`).join('');
  }
}

/** Writes the log to `file`, or to `out` when the file is `-`. */
export function writeAuditLog(file: string, log: AuditLog, out: (text: string) => void): void {
  if (file === '-') {
    out(log.text());
    return;
  }
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, log.text());
}

/** Reads a log; a line that is no record is an AuditLogError naming the file and line. */
export function parseAuditLog(text: string, file: string): AuditRecord[] {
  const out: AuditRecord[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch (e) {
      throw new AuditLogError(`${file}:${i + 1}: not JSON: ${(e as Error).message}`);
    }
    const d = AuditRecordCodec.decode(v);
    if (isLeft(d))
      throw new AuditLogError(
        `${file}:${i + 1}: not an audit record: ${describeErrors(d.left).slice(0, 3).join('; ')}`,
      );
    out.push(d.right);
  });
  return out;
}

export function readAuditLog(file: string): AuditRecord[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new AuditLogError(`cannot read the audit log ${file}: ${(e as Error).message}`);
  }
  return parseAuditLog(text, file);
}

/** The head of a printed event: kind, the task classes, endpoint and method (names, or `riid N` / `mid N`). */
export interface EventHead {
  readonly kind: string;
  readonly src: string;
  readonly dst: string;
  readonly endpoint: string | null;
  readonly method: string | null;
}

const HEAD = /^(\w+) src=(\S+?)\(sid -?\d+\) dst=(\S+?)\(sid -?\d+\)(?: endpoint=(riid \d+|\S+) method=(mid \d+|\S+))?/;

/** Reads the head of an event printed by `printEvent`; null if it is not one. */
export function eventHead(event: string): EventHead | null {
  const m = HEAD.exec(event);
  if (m === null) return null;
  return { kind: m[1]!, src: m[2]!, dst: m[3]!, endpoint: m[4] ?? null, method: m[5] ?? null };
}

export interface LogFilter {
  readonly verdict?: 'grant' | 'deny';
  /** a task class: the event's source or destination */
  readonly class?: string;
  /** a method name (or `mid N`) */
  readonly method?: string;
}

export function filterLog(records: readonly AuditRecord[], f: LogFilter): AuditRecord[] {
  return records.filter((r) => {
    if (f.verdict !== undefined && r.verdict !== f.verdict) return false;
    if (f.class === undefined && f.method === undefined) return true;
    const h = eventHead(r.event);
    if (h === null) return false;
    if (f.class !== undefined && h.src !== f.class && h.dst !== f.class) return false;
    if (f.method !== undefined && h.method !== f.method) return false;
    return true;
  });
}

/** A record in one line: `step 3  GRANT  request src=… by security.psl:36:27 (binding …)  [audit loud 1]`. */
export function recordLine(r: AuditRecord): string {
  const rules = r.rules.map(showRule).join('; ');
  return `step ${String(r.step).padStart(4)}  ${r.verdict.toUpperCase().padEnd(5)}  ${r.event} by ${rules}${r.reason === undefined ? '' : `: ${r.reason}`}${r.audit === undefined ? '' : `  [audit ${r.audit.profile} ${r.audit.level}]`}`;
}
