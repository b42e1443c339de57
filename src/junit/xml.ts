// JUnit XML, written by hand: the common dialect CI servers read (Jenkins,
// GitLab, GitHub test reporters) — <testsuites> of <testsuite>s of
// <testcase>s, with <failure> and <system-out>.
//
// Escaping: text and attribute values escape & < > " '; characters XML 1.0
// does not allow at all (C0 controls other than tab, line feed and carriage
// return, lone surrogates, U+FFFE and U+FFFF) become U+FFFD; in attributes,
// tab, line feed and carriage return are written as character references so
// that attribute-value normalisation keeps them.

export interface JUnitCase {
  readonly name: string;
  readonly classname: string;
  readonly timeSeconds: number;
  readonly file?: string;
  readonly line?: number;
  /** present when the case failed */
  readonly failure?: { readonly message: string; readonly type: string; readonly details: string };
  readonly skipped?: string;
  readonly systemOut?: string;
}

export interface JUnitSuite {
  readonly name: string;
  readonly timestamp?: string;
  readonly cases: readonly JUnitCase[];
  readonly properties?: Readonly<Record<string, string>>;
}

/** Replaces characters that XML 1.0 forbids by U+FFFD. */
export function xmlSafe(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(
    /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g,
    '\uFFFD',
  );
}

/** Text content: & < > escaped (and ]]> can then never appear). */
export function escapeText(s: string): string {
  return xmlSafe(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** An attribute value for double quotes. */
export function escapeAttr(s: string): string {
  return escapeText(s)
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\t/g, '&#9;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;');
}

const attrs = (a: Readonly<Record<string, string | number | undefined>>): string =>
  Object.entries(a)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${escapeAttr(String(v))}"`)
    .join('');

const seconds = (s: number): string => (Number.isFinite(s) && s > 0 ? s.toFixed(3) : '0.000');

/** The whole document. */
export function junitXml(name: string, suites: readonly JUnitSuite[]): string {
  const count = (s: JUnitSuite, f: (c: JUnitCase) => boolean) => s.cases.filter(f).length;
  const total = (f: (c: JUnitCase) => boolean) => suites.reduce((n, s) => n + count(s, f), 0);
  const time = (cs: readonly JUnitCase[]) => cs.reduce((n, c) => n + c.timeSeconds, 0);
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  out.push(
    `<testsuites${attrs({ name, tests: total(() => true), failures: total((c) => c.failure !== undefined), errors: 0, skipped: total((c) => c.skipped !== undefined), time: seconds(time(suites.flatMap((s) => s.cases))) })}>`,
  );
  suites.forEach((s, i) => {
    out.push(
      `  <testsuite${attrs({ name: s.name, id: i, tests: s.cases.length, failures: count(s, (c) => c.failure !== undefined), errors: 0, skipped: count(s, (c) => c.skipped !== undefined), time: seconds(time(s.cases)), timestamp: s.timestamp })}>`,
    );
    const props = Object.entries(s.properties ?? {});
    if (props.length > 0) {
      out.push('    <properties>');
      for (const [k, v] of props) out.push(`      <property${attrs({ name: k, value: v })}/>`);
      out.push('    </properties>');
    }
    for (const c of s.cases) {
      const head = `    <testcase${attrs({ name: c.name, classname: c.classname, time: seconds(c.timeSeconds), file: c.file, line: c.line })}`;
      if (c.failure === undefined && c.skipped === undefined && c.systemOut === undefined) {
        out.push(`${head}/>`);
        continue;
      }
      out.push(`${head}>`);
      if (c.failure !== undefined)
        out.push(
          `      <failure${attrs({ message: c.failure.message, type: c.failure.type })}>${escapeText(c.failure.details)}</failure>`,
        );
      if (c.skipped !== undefined) out.push(`      <skipped${attrs({ message: c.skipped })}/>`);
      if (c.systemOut !== undefined) out.push(`      <system-out>${escapeText(c.systemOut)}</system-out>`);
      out.push('    </testcase>');
    }
    out.push('  </testsuite>');
  });
  out.push('</testsuites>');
  return `${out.join('\n')}\n`;
}
