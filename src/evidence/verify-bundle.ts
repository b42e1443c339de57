// `cordon evidence verify <bundle>`: checks a bundle against what it claims.
//   1. the bundle's own files against the manifest's hash list (nothing changed, nothing added or missing);
//   2. traceability.json against the manifest's check and mutant results (a result edited in one place);
//   3. every input re-hashed: the solution's files, the spec, models and proofs, the compiled policy,
//      the lockfile and the TLC jar;
//   4. unless `rerun` is false, every check re-run with the recorded settings and seed: the same
//      verdicts and the same figures (state counts, depths, runs, steps).
// Each difference is a mismatch named in words; a bundle that cannot be read is a BundleError.

import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as t from 'io-ts';
import { isLeft } from 'fp-ts/lib/Either.js';
import { getBoard } from '../../boards/index.ts';
import { loadSolution } from '../solution/load.ts';
import { ROOT } from './report.ts';
import { bundleChecks, listBundle, traceability, type BundleCheck, type MutantRun } from './bundle.ts';
import { formalInputs, policySha256, sha256Text, type HashedFile } from './inputs.ts';
import { evidenceTools, runEvidence } from './run.ts';

export class BundleError extends Error {}

const Hashed = t.type({ path: t.string, sha256: t.string });
const CountValue = t.union([t.number, t.boolean, t.string, t.null]);
const Check = t.intersection([
  t.type({
    id: t.string,
    kind: t.string,
    status: t.keyof({ pass: null, fail: null, error: null, skipped: null }),
    runs: t.number,
    counts: t.record(t.string, CountValue),
    seed: t.union([t.number, t.null]),
    command: t.string,
  }),
  t.partial({ counterexample: t.string, replay: t.string, file: t.string, replayFile: t.string }),
]);
const Mutant = t.type({ id: t.string, requirement: t.string, killed: t.boolean, killedBy: t.array(t.string) });

export const ManifestCodec = t.type({
  format: t.literal('cordon-evidence/1'),
  command: t.string,
  settings: t.type({
    solution: t.string,
    board: t.string,
    seed: t.number,
    runs: t.number,
    steps: t.number,
    scenarioSteps: t.number,
    tlc: t.boolean,
    models: t.union([t.array(t.string), t.null]),
    conformance: t.boolean,
    traces: t.number,
    defines: t.record(t.string, t.string),
    imports: t.type({ sdkRoot: t.union([t.string, t.null]), includes: t.array(t.string) }),
  }),
  reused: t.union([t.string, t.null]),
  inputs: t.type({
    solution: t.array(Hashed),
    formal: t.array(Hashed),
    policy: t.type({ name: t.string, sha256: t.string }),
  }),
  tools: t.record(t.string, t.string),
  machine: t.type({ cpus: t.number, platform: t.string, arch: t.string }),
  checks: t.array(Check),
  mutants: t.array(Mutant),
  files: t.array(Hashed),
  timing: t.type({
    startedAt: t.string,
    finishedAt: t.string,
    checks: t.record(t.string, t.number),
    mutants: t.record(t.string, t.number),
  }),
});
export type BundleManifest = t.TypeOf<typeof ManifestCodec>;

export const TraceabilityCodec = t.type({
  requirements: t.array(
    t.type({
      id: t.string,
      verdict: t.keyof({ holds: null, fails: null, unchecked: null }),
      cell: t.keyof({ green: null, amber: null, red: null }),
      checks: t.array(t.type({ id: t.string, status: t.string })),
    }),
  ),
});

export interface BundleVerification {
  readonly bundle: string;
  readonly mismatches: readonly string[];
  /** what was compared, for the report */
  readonly compared: {
    readonly files: number;
    readonly inputs: number;
    readonly checks: number;
    readonly rerun: boolean;
  };
}

function readJson<A>(dir: string, file: string, codec: t.Type<A, unknown, unknown>): A {
  const p = join(dir, file);
  if (!existsSync(p)) throw new BundleError(`${file} is missing from the bundle ${dir}`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(p, 'utf8'));
  } catch (e) {
    throw new BundleError(`${file} of the bundle is not JSON: ${(e as Error).message}`);
  }
  const d = codec.decode(raw);
  if (isLeft(d)) {
    const where = d.left
      .slice(0, 3)
      .map((e) =>
        e.context
          .map((c) => c.key)
          .filter((k) => k !== '')
          .join('.'),
      )
      .join(', ');
    throw new BundleError(`${file} of the bundle is not a Cordon evidence ${file.replace('.json', '')} (at ${where})`);
  }
  return d.right;
}

const inputPath = (p: string) => resolve(ROOT, p);

function hashFile(path: string): string | null {
  return existsSync(path) ? sha256Text(readFileSync(path)) : null;
}

function compareHashes(what: string, recorded: readonly HashedFile[], now: readonly HashedFile[], out: string[]) {
  const current = new Map(now.map((f) => [f.path, f.sha256]));
  for (const f of recorded) {
    const h = current.get(f.path);
    if (h === undefined) out.push(`${what} ${f.path}: missing`);
    else if (h !== f.sha256) out.push(`${what} ${f.path} changed: sha256 ${h}, the manifest records ${f.sha256}`);
  }
  const known = new Set(recorded.map((f) => f.path));
  for (const f of now) if (!known.has(f.path)) out.push(`${what} ${f.path}: not in the manifest (added since)`);
}

const countsText = (c: Readonly<Record<string, unknown>>) =>
  Object.entries(c)
    .map(([k, v]) => `${k} ${String(v)}`)
    .join(', ');

/** Verifies the bundle in `dir`. Throws BundleError when it cannot be read. */
export async function verifyBundle(
  dir: string,
  options: { readonly rerun?: boolean } = {},
): Promise<BundleVerification> {
  const rerun = options.rerun ?? true;
  const m = readJson(dir, 'manifest.json', ManifestCodec);
  const out: string[] = [];

  // 1. the bundle's own files
  for (const f of m.files) {
    const h = hashFile(join(dir, f.path));
    if (h === null) out.push(`bundle file ${f.path}: missing`);
    else if (h !== f.sha256)
      out.push(
        `bundle file ${f.path} was changed after the bundle was written (sha256 ${h}, the manifest records ${f.sha256})`,
      );
  }
  const listed = new Set([...m.files.map((f) => f.path), 'manifest.json']);
  for (const f of listBundle(dir)) if (!listed.has(f)) out.push(`bundle file ${f}: not in the manifest (added)`);

  // 2. traceability against the manifest's results
  const trace = readJson(dir, 'traceability.json', TraceabilityCodec);
  const expected = traceability(
    m.checks as BundleCheck[],
    m.mutants.map((x) => ({ ...x, durationMs: 0 })) as MutantRun[],
  );
  const want = new Map(expected.requirements.map((r) => [r.id, r]));
  for (const r of trace.requirements) {
    const e = want.get(r.id);
    if (e === undefined) {
      out.push(`traceability.json: requirement ${r.id} is not in the catalogue`);
      continue;
    }
    if (r.cell !== e.cell || r.verdict !== e.verdict)
      out.push(
        `traceability.json: requirement ${r.id} shows ${r.verdict}/${r.cell}, its checks' results give ${e.verdict}/${e.cell}`,
      );
    const st = new Map(e.checks.map((c) => [c.id, c.status]));
    for (const c of r.checks)
      if (st.get(c.id) !== c.status)
        out.push(
          `traceability.json: check ${c.id} of ${r.id} shows ${c.status}, the manifest records ${st.get(c.id) ?? 'no such check'}`,
        );
  }
  for (const id of want.keys())
    if (!trace.requirements.some((r) => r.id === id)) out.push(`traceability.json: requirement ${id} is missing`);

  // 3. the inputs
  const solutionNow = m.inputs.solution.map((f) => ({
    path: f.path,
    sha256: hashFile(inputPath(f.path)) ?? 'missing',
  }));
  compareHashes(
    'input file',
    m.inputs.solution,
    solutionNow.filter((f) => f.sha256 !== 'missing'),
    out,
  );
  compareHashes('formal model file', m.inputs.formal, formalInputs(), out);
  const tools = await evidenceTools();
  for (const k of ['tla2tools.sha256', 'package-lock.json.sha256', 'node', 'java', 'cordon', 'fast-check'])
    if (m.tools[k] !== undefined && tools[k] !== m.tools[k])
      out.push(
        k === 'tla2tools.sha256'
          ? `a different TLC jar: sha256 ${tools[k] ?? 'none'}, the manifest records ${m.tools[k]}`
          : `tool ${k} is ${tools[k] ?? 'missing'}, the manifest records ${m.tools[k]}`,
      );
  let board;
  try {
    board = getBoard(m.settings.board);
  } catch (e) {
    throw new BundleError(`the manifest names board ${m.settings.board}: ${(e as Error).message}`);
  }
  const solutionDir = inputPath(m.settings.solution);
  const imports = {
    ...(m.settings.imports.sdkRoot === null ? {} : { sdkRoot: inputPath(m.settings.imports.sdkRoot) }),
    ...(m.settings.imports.includes.length > 0 ? { includes: m.settings.imports.includes.map(inputPath) } : {}),
  };
  let policyNow: string | null = null;
  try {
    policyNow = policySha256(loadSolution(solutionDir, board, { defines: m.settings.defines, ...imports }));
  } catch (e) {
    out.push(`the solution ${m.settings.solution} no longer loads: ${(e as Error).message}`);
  }
  if (policyNow !== null && policyNow !== m.inputs.policy.sha256)
    out.push(
      `the compiled policy ${m.inputs.policy.name} changed: sha256 ${policyNow}, the manifest records ${m.inputs.policy.sha256}`,
    );

  // 4. the checks, re-run
  if (rerun && policyNow !== null) {
    const s = m.settings;
    const run = await runEvidence({
      solution: solutionDir,
      board: s.board,
      seed: s.seed,
      runs: s.runs,
      steps: s.steps,
      scenarioSteps: s.scenarioSteps,
      tlc: s.tlc,
      ...(s.models !== null ? { models: s.models } : {}),
      conformance: s.conformance,
      traces: s.traces,
      defines: s.defines,
      imports,
      reuse: null,
    });
    const again = new Map(bundleChecks(run).map((c) => [c.id, c]));
    for (const c of m.checks) {
      const a = again.get(c.id);
      if (a === undefined) {
        out.push(`check ${c.id}: the re-run has no such check`);
        continue;
      }
      if (a.status !== c.status)
        out.push(`check ${c.id}: the re-run gives ${a.status}, the bundle records ${c.status}`);
      if (JSON.stringify(a.counts) !== JSON.stringify(c.counts))
        out.push(`check ${c.id}: the re-run gives ${countsText(a.counts)}; the bundle records ${countsText(c.counts)}`);
    }
    for (const id of again.keys())
      if (!m.checks.some((c) => c.id === id)) out.push(`check ${id}: run again, but not in the bundle`);
  }
  return {
    bundle: dir,
    mismatches: out,
    compared: {
      files: m.files.length,
      inputs: m.inputs.solution.length + m.inputs.formal.length + 1,
      checks: m.checks.length,
      rerun,
    },
  };
}
