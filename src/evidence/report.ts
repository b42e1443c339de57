// The verify report: what was checked, how, with which inputs (by sha256),
// seed and tool versions, so that a run can be reproduced and audited.
// Later checks (TLC, PAL tests, boards) add entries of their own kinds.

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as t from 'io-ts';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export const CheckCodec = t.intersection([
  t.type({
    id: t.string,
    kind: t.string,
    status: t.keyof({ pass: null, fail: null, error: null, skipped: null }),
    runs: t.number,
    durationMs: t.number,
  }),
  t.partial({ counterexample: t.string, replay: t.string, details: t.unknown }),
]);
export type CheckResult = t.TypeOf<typeof CheckCodec>;

export const ReportCodec = t.intersection([
  t.type({
    solution: t.string,
    board: t.string,
    seed: t.number,
    checks: t.array(CheckCodec),
    inputs: t.array(t.type({ path: t.string, sha256: t.string })),
    toolVersions: t.record(t.string, t.string),
  }),
  t.partial({
    startedAt: t.string,
    guarantees: t.unknown,
    /** the version of this document's shape (schemas/verify.schema.json) */
    schemaVersion: t.number,
    /** Cordon's own version and git commit (null when not run from a git checkout) */
    cordon: t.type({ version: t.string, commit: t.union([t.string, t.null]) }),
    /** the command line after `cordon` */
    commandLine: t.array(t.string),
    /** runs per property and kernel steps per run, as used */
    runs: t.number,
    steps: t.number,
    /** policy coverage (verify --coverage): a CoverageReport of src/policy/compile/coverage.ts */
    coverage: t.unknown,
    /** the property suites' scale: runs per property, kernel steps per run, steps of the scripted scenario */
    scale: t.type({ runs: t.number, steps: t.number, scenarioSteps: t.number }),
    /** the spec modules, models and proofs the TLC checks read (present when the report has TLC checks) */
    formalInputs: t.array(t.type({ path: t.string, sha256: t.string })),
  }),
]);
export type Report = t.TypeOf<typeof ReportCodec>;

/** The version of the report's shape; raised when a field changes meaning or goes away. */
export const REPORT_SCHEMA_VERSION = 1;

/** Cordon's version (package.json) and, in a git checkout, the commit it runs from. */
export function cordonBuild(): { version: string; commit: string | null } {
  const own = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  return { version: own.version, commit: gitCommit(ROOT) };
}

/** The commit HEAD names, read from .git without running git; null outside a checkout. */
export function gitCommit(root: string): string | null {
  try {
    let git = join(root, '.git');
    if (statSync(git).isFile()) {
      // a worktree or submodule: `.git` is a file naming the real git dir
      const m = /^gitdir:\s*(.+)$/m.exec(readFileSync(git, 'utf8'));
      if (m === null) return null;
      git = resolve(root, m[1]!.trim());
    }
    const head = readFileSync(join(git, 'HEAD'), 'utf8').trim();
    if (/^[0-9a-f]{40}$/.test(head)) return head;
    const ref = /^ref:\s*(.+)$/.exec(head)?.[1];
    if (ref === undefined) return null;
    const common = existsSync(join(git, 'commondir'))
      ? resolve(git, readFileSync(join(git, 'commondir'), 'utf8').trim())
      : git;
    for (const dir of [git, common]) {
      const f = join(dir, ref);
      if (existsSync(f)) return readFileSync(f, 'utf8').trim();
    }
    const packed = existsSync(join(common, 'packed-refs')) ? readFileSync(join(common, 'packed-refs'), 'utf8') : '';
    const line = packed.split('\n').find((l) => l.endsWith(` ${ref}`));
    return line === undefined ? null : line.slice(0, 40);
  } catch {
    return null;
  }
}

export function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** A path as the report shows it: relative to the project root when inside it. */
export function reportPath(path: string): string {
  const r = relative(ROOT, path);
  return r.startsWith('..') ? path : r;
}

function packageVersion(name: string): string {
  try {
    return (JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string })
      .version;
  } catch {
    return 'unknown';
  }
}

export function toolVersions(extra: Record<string, string> = {}): Record<string, string> {
  const own = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  return {
    cordon: own.version,
    node: process.version,
    'fast-check': packageVersion('fast-check'),
    'io-ts': packageVersion('io-ts'),
    yaml: packageVersion('yaml'),
    ...extra,
  };
}

export function writeReport(path: string, report: Report): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`);
}
