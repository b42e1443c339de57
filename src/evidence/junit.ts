// The checks of a verify report (or of `cordon check`) as JUnit XML: one
// <testsuite> per kind of check (boot, pal, scenario, property, tlc), one
// <testcase> per check, a fail as <failure>, an error as <error>, a skipped
// check as <skipped>; file paths relative to the solution.

import { junitXml, type JUnitCase, type JUnitSuite } from '../output/junit.ts';
import type { CheckResult, Report } from './report.ts';

const detail = (c: CheckResult, key: string): unknown =>
  typeof c.details === 'object' && c.details !== null ? (c.details as Record<string, unknown>)[key] : undefined;

/** `examples/ping/einit/src/tests.psl:10:5` → file and line relative to the solution (`examples/ping`). */
function placeOf(c: CheckResult, solution: string): { file?: string; line?: number } {
  const at = detail(c, 'at');
  if (typeof at !== 'string') return {};
  const m = /^(.*?):(\d+)(?::\d+)?$/.exec(at);
  const path = m === null ? at : m[1]!;
  const prefix = `${solution.replace(/\/$/, '')}/`;
  const file = path.startsWith(prefix) ? path.slice(prefix.length) : path;
  return m === null ? { file } : { file, line: Number(m[2]) };
}

function caseOf(c: CheckResult, name: string, solution: string): JUnitCase {
  const text = [
    detail(c, 'reason'),
    c.counterexample,
    c.replay === undefined ? undefined : `replay: ${c.replay}`,
  ].filter((x): x is string => typeof x === 'string');
  const message = typeof detail(c, 'reason') === 'string' ? (detail(c, 'reason') as string) : `${c.id} ${c.status}`;
  return {
    name: c.id,
    classname: `${name}.${c.kind}`,
    timeSeconds: c.durationMs / 1000,
    ...placeOf(c, solution),
    ...(c.status === 'fail' ? { failure: { message, type: 'CheckFailed', details: text.join('\n') } } : {}),
    ...(c.status === 'error' ? { error: { message, type: 'CheckError', details: text.join('\n') } } : {}),
    ...(c.status === 'skipped' ? { skipped: message } : {}),
    systemOut: `${c.runs} runs${c.details === undefined ? '' : `\n${JSON.stringify(c.details)}`}`,
  };
}

/** The checks as one JUnit document; `solution` is the solution's path as the report shows it. */
export function checksJUnitXml(
  name: string,
  solution: string,
  checks: readonly CheckResult[],
  timestamp?: string,
): string {
  const suites = new Map<string, JUnitCase[]>();
  for (const c of checks) {
    const list = suites.get(c.kind) ?? [];
    list.push(caseOf(c, name, solution));
    suites.set(c.kind, list);
  }
  const all: JUnitSuite[] = [...suites].map(([kind, cases]) => ({
    name: `${name} ${kind}`,
    ...(timestamp === undefined ? {} : { timestamp }),
    cases,
  }));
  return junitXml(`cordon ${name}`, all);
}

/** A verify report as JUnit XML. */
export function reportJUnitXml(r: Report): string {
  return checksJUnitXml(`verify ${r.solution}`, r.solution, r.checks, r.startedAt);
}
