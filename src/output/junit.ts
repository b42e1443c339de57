// JUnit XML through junit-report-builder: the common dialect CI servers read
// (Jenkins, GitLab, GitHub test reporters) — <testsuites> of <testsuite>s of
// <testcase>s, with <failure>, <skipped> and <system-out>. The library does
// the XML (escaping, counts); this module maps Cordon's checks onto it.

import junitModule, { type Builder } from 'junit-report-builder';

// The package is CommonJS with a default export; under Node's ESM loader the
// default import is either the builder or the module object holding it.
const junitReportBuilder: Builder =
  'newBuilder' in junitModule ? (junitModule as unknown as Builder) : (junitModule as { default: Builder }).default;

export interface JUnitCase {
  readonly name: string;
  readonly classname: string;
  readonly timeSeconds: number;
  /** relative to the solution (or the project) — never a machine path */
  readonly file?: string;
  readonly line?: number;
  /** present when the case failed */
  readonly failure?: { readonly message: string; readonly type: string; readonly details: string };
  /** present when the case was an error (could not run) */
  readonly error?: { readonly message: string; readonly type: string; readonly details: string };
  readonly skipped?: string;
  readonly systemOut?: string;
}

export interface JUnitSuite {
  readonly name: string;
  readonly timestamp?: string;
  readonly cases: readonly JUnitCase[];
  readonly properties?: Readonly<Record<string, string>>;
}

const seconds = (s: number): number => (Number.isFinite(s) && s > 0 ? Math.round(s * 1000) / 1000 : 0);

/** The whole document. */
export function junitXml(name: string, suites: readonly JUnitSuite[]): string {
  const builder = junitReportBuilder.newBuilder().name(name);
  for (const s of suites) {
    const suite = builder.testSuite().name(s.name);
    if (s.timestamp !== undefined) suite.timestamp(s.timestamp);
    suite.time(seconds(s.cases.reduce((n, c) => n + c.timeSeconds, 0)));
    for (const [k, v] of Object.entries(s.properties ?? {})) suite.property(k, v);
    for (const c of s.cases) {
      const tc = suite.testCase().className(c.classname).name(c.name).time(seconds(c.timeSeconds));
      if (c.file !== undefined) tc.file(c.line !== undefined ? `${c.file}:${c.line}` : c.file);
      if (c.failure !== undefined) tc.failure(c.failure.message, c.failure.type).stacktrace(c.failure.details);
      if (c.error !== undefined) tc.error(c.error.message, c.error.type, c.error.details);
      if (c.skipped !== undefined) tc.skipped();
      const out = [c.skipped === undefined ? undefined : `skipped: ${c.skipped}`, c.systemOut].filter(
        (x) => x !== undefined,
      );
      if (out.length > 0) tc.standardOutput(out.join('\n'));
    }
  }
  return `${builder.build()}\n`;
}
