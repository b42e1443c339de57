// SARIF 2.1.0 through node-sarif-builder: findings (audit lint, audit diff)
// and failed checks (evidence) in the format GitHub code scanning and other
// viewers read. Locations are relative to the solution (uriBaseId SOLUTION)
// so a log never carries a path of the machine that wrote it.

import { SarifBuilder, SarifResultBuilder, SarifRuleBuilder, SarifRunBuilder } from 'node-sarif-builder';
import type { Log, Result } from 'sarif';

export type SarifLevel = Result.level;

export interface SarifRule {
  readonly id: string;
  readonly short: string;
  readonly full?: string;
}

export interface SarifFinding {
  readonly ruleId: string;
  readonly level: SarifLevel;
  readonly message: string;
  /** relative to the solution directory, '/'-separated */
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
  readonly endLine?: number;
  readonly endColumn?: number;
  /** extra machine-readable data (a witness trace, the events that differ) */
  readonly properties?: Readonly<Record<string, unknown>>;
}

export interface SarifTool {
  readonly name: string;
  readonly version: string;
  readonly uri?: string;
}

/** One run of one tool, as a SARIF log object. */
export function sarifLog(tool: SarifTool, rules: readonly SarifRule[], findings: readonly SarifFinding[]): Log {
  const builder = new SarifBuilder();
  const run = new SarifRunBuilder().initSimple({
    toolDriverName: tool.name,
    toolDriverVersion: tool.version,
    ...(tool.uri === undefined ? {} : { url: tool.uri }),
  });
  for (const r of rules)
    run.addRule(
      new SarifRuleBuilder().initSimple({
        ruleId: r.id,
        shortDescriptionText: r.short,
        ...(r.full === undefined ? {} : { fullDescriptionText: r.full }),
      }),
    );
  for (const f of findings) {
    const result = new SarifResultBuilder().initSimple({
      level: f.level,
      messageText: f.message,
      ruleId: f.ruleId,
      ...(f.file === undefined ? {} : { fileUri: f.file }),
      ...(f.line === undefined ? {} : { startLine: Math.max(1, f.line) }),
      ...(f.column === undefined ? {} : { startColumn: Math.max(1, f.column) }),
      ...(f.endLine === undefined ? {} : { endLine: Math.max(1, f.endLine) }),
      ...(f.endColumn === undefined ? {} : { endColumn: Math.max(1, f.endColumn) }),
    });
    const loc = result.result.locations?.[0]?.physicalLocation?.artifactLocation;
    if (loc !== undefined) loc.uriBaseId = 'SOLUTION';
    if (f.properties !== undefined) result.result.properties = { ...f.properties };
    run.addResult(result);
  }
  builder.addRun(run);
  const log = builder.buildSarifOutput();
  for (const r of log.runs) r.originalUriBaseIds = { SOLUTION: { description: { text: 'the solution directory' } } };
  return log;
}

export function sarifText(log: Log): string {
  return `${JSON.stringify(log, null, 2)}\n`;
}
