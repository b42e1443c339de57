/**
 * PAL results as checks of the verify report (kind `pal`): one check per
 * test (sequence), failing with the cases that failed, each with its place,
 * event and the rule that decided.
 */
import type { CheckResult } from '../../evidence/report.ts';
import { formatLoc } from '../../syntax/source.ts';
import type { PalRunResult } from './run.ts';
import { showRules } from '../../monitor/types.ts';

/** `pal.<assert name>.<sequence name>`, with runs of non-word characters as `-`. */
export function palCheckId(suite: string, name: string): string {
  const part = (s: string) =>
    s
      .trim()
      .replace(/[^\w.:]+/g, '-')
      .replace(/^-|-$/g, '') || '-';
  return `pal.${part(suite)}.${part(name)}`;
}

export function palChecks(result: PalRunResult, showPath: (file: string) => string = (f) => f): CheckResult[] {
  const seen = new Map<string, number>();
  return result.tests.map((t) => {
    let id = palCheckId(t.suite, t.name);
    const n = (seen.get(id) ?? 0) + 1;
    seen.set(id, n);
    if (n > 1) id = `${id}#${n}`;
    const at = (loc: { file: string; line: number; column: number }) => formatLoc({ ...loc, file: showPath(loc.file) });
    const base = {
      id,
      kind: 'pal',
      runs: 1,
      durationMs: Math.round(t.durationMs),
      details: {
        test: `${t.suite} / ${t.name}`,
        at: at(t.loc),
        cases: t.cases.length,
        passed: t.cases.filter((c) => c.status === 'pass').length,
        skipped: t.cases.filter((c) => c.status === 'skipped').length,
      },
    };
    if (t.status === 'pass') return { ...base, status: 'pass' as const };
    if (t.status === 'skipped')
      return {
        ...base,
        status: 'skipped' as const,
        details: { ...base.details, reason: `not modelled: ${t.notModelled ?? 'a construct of the test'}` },
      };
    const failures = t.cases
      .filter((c) => c.status === 'fail')
      .map(
        (c) =>
          `${at(c.loc)}: expect ${c.expected}: ${c.event ?? c.title}${c.verdict === null ? '' : ` -> ${c.verdict} by ${showRules(c)}`}\n  ${c.failure ?? ''}`,
      );
    return { ...base, status: 'fail' as const, counterexample: failures.join('\n') };
  });
}
