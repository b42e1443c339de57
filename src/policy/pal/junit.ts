/**
 * PAL results as JUnit XML: one <testsuite> per `assert` block, one
 * <testcase> per test (sequence); a failing test carries a <failure> naming
 * its first failing case, and every test lists all its cases (with the
 * event and the rule that decided) in <system-out>.
 */
import { junitXml, type JUnitSuite } from '../../output/junit.ts';
import { relative } from 'node:path';
import { formatLoc } from '../../syntax/source.ts';
import type { PalCaseResult, PalRunResult } from './run.ts';
import { showRules } from '../../monitor/types.ts';

function caseLine(c: PalCaseResult, rel: (f: string) => string = (f) => f): string {
  const tag = c.status === 'pass' ? 'PASS' : c.status === 'fail' ? 'FAIL' : 'SKIP';
  const decided =
    c.verdict === null ? '' : ` -> ${c.verdict} by ${showRules(c)}${c.reason === null ? '' : ` (${c.reason})`}`;
  const failure = c.failure === null ? '' : `\n      ${c.failure}`;
  return `${tag} [${c.phase}] ${formatLoc({ ...c.loc, file: rel(c.loc.file) })} ${c.name === null ? '' : `"${c.name}" `}expect ${c.expected}: ${c.event ?? c.title}${decided}${failure}`;
}

/** The JUnit XML document of a PAL run; `name` names the solution; `dir` (the solution's) makes the file paths relative. */
export function palJUnitXml(name: string, result: PalRunResult, timestamp?: string, dir?: string): string {
  const rel = (f: string) => (dir === undefined ? f : relative(dir, f).split('\\').join('/'));
  const suites = new Map<string, JUnitSuite & { cases: JUnitSuite['cases'][number][] }>();
  for (const t of result.tests) {
    let s = suites.get(t.suite);
    if (s === undefined) {
      s = { name: t.suite, ...(timestamp === undefined ? {} : { timestamp }), cases: [] };
      suites.set(t.suite, s);
    }
    const first = t.cases.find((c) => c.status === 'fail');
    s.cases.push({
      name: t.name,
      classname: `${name}.${t.suite}`,
      timeSeconds: t.durationMs / 1000,
      file: rel(t.loc.file),
      line: t.loc.line,
      systemOut: t.cases.map((c) => caseLine(c, rel)).join('\n'),
      ...(t.status === 'skipped' ? { skipped: `not modelled: ${t.notModelled ?? 'a construct of the test'}` } : {}),
      ...(first === undefined
        ? {}
        : {
            failure: {
              message: `${formatLoc({ ...first.loc, file: rel(first.loc.file) })}: ${first.failure ?? 'failed'}`,
              type: 'PalCaseFailure',
              details: t.cases
                .filter((c) => c.status === 'fail')
                .map((c) => caseLine(c, rel))
                .join('\n'),
            },
          }),
    });
  }
  return junitXml(`PAL tests of ${name}`, [...suites.values()]);
}
