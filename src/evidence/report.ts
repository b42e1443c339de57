// The verify report: what was checked, how, with which inputs (by sha256),
// seed and tool versions, so that a run can be reproduced and audited.
// Later checks (TLC, PAL tests, boards) add entries of their own kinds.

import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
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
    /** the property suites' scale: runs per property, kernel steps per run, steps of the scripted scenario */
    scale: t.type({ runs: t.number, steps: t.number, scenarioSteps: t.number }),
    /** the spec modules, models and proofs the TLC checks read (present when the report has TLC checks) */
    formalInputs: t.array(t.type({ path: t.string, sha256: t.string })),
  }),
]);
export type Report = t.TypeOf<typeof ReportCodec>;

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
