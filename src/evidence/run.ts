// Running the checks of an evidence bundle: every check `cordon verify`
// runs (or the checks of a verify report of the same inputs, reused), and
// the correspondence and proof checks verify leaves to `npm test`: trace
// validation of recorded TS kernel traces against the spec, the
// reachable-set comparison of the TS explorer and TLC, and the
// inductive-invariant proof.

import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { isLeft } from 'fp-ts/lib/Either.js';
import { getBoard, DEFAULT_BOARD } from '../../boards/index.ts';
import { loadSolution, type ImportOptions, type Loaded } from '../solution/load.ts';
import { DEFAULT_SOLUTION, verify, verifyWithTlc, VerifyError } from '../verify/verify.ts';
import { ROOT, ReportCodec, reportPath, toolVersions, type CheckResult, type Report } from './report.ts';
import type { SolutionCheckResult } from '../check/solution-model.ts';
import { formalInputs, lockfileSha256, solutionInputs } from './inputs.ts';

/** The reachable-set comparison runs on these models (small enough for every bundle). */
export const REACHABLE_MODELS = ['Ping', 'Hangup', 'Duo'] as const;
export const DEFAULT_EVIDENCE_SEED = 1;
export const DEFAULT_TRACES = 40;

export interface EvidenceOptions {
  readonly solution?: string;
  readonly board?: string;
  readonly seed?: number;
  readonly runs?: number;
  readonly steps?: number;
  readonly scenarioSteps?: number;
  /** the TLC kernel models and the solution's own model (default true) */
  readonly tlc?: boolean;
  /** only these kernel models (default: every catalogued one) */
  readonly models?: readonly string[];
  /** trace validation, the reachable-set comparison and the inductive proof (default true) */
  readonly conformance?: boolean;
  /** TS kernel traces to validate against the spec */
  readonly traces?: number;
  /** a verify report to reuse when its inputs, tools and scale are the bundle's (null: never reuse) */
  readonly reuse?: string | null;
  readonly defines?: Readonly<Record<string, string>>;
  readonly imports?: ImportOptions;
  readonly onCheck?: (id: string) => void;
}

/** What the bundle was made with: every option that decides a check's result. */
export interface EvidenceSettings {
  readonly solution: string;
  readonly board: string;
  readonly seed: number;
  readonly runs: number;
  readonly steps: number;
  readonly scenarioSteps: number;
  readonly tlc: boolean;
  readonly models: readonly string[] | null;
  readonly conformance: boolean;
  readonly traces: number;
  readonly defines: Readonly<Record<string, string>>;
  /** `--sdk` and `--include`, as the bundle shows them (relative to the project root when inside it) */
  readonly imports: { readonly sdkRoot: string | null; readonly includes: readonly string[] };
}

export interface EvidenceRun {
  readonly settings: EvidenceSettings;
  readonly loaded: Loaded;
  readonly report: Report;
  /** the conformance and proof checks */
  readonly extra: readonly CheckResult[];
  /** replay files of counterexamples (`cordon check --replay` format), by check id: the solution model's, when it failed here */
  readonly replays: ReadonlyMap<string, unknown>;
  /** the verify report reused (its path as given), or null when verify's checks ran here */
  readonly reused: string | null;
  /** why the verify report asked for was not reused (null: reused, or none asked for) */
  readonly notReused: string | null;
  readonly tools: Readonly<Record<string, string>>;
  readonly startedAt: string;
  readonly finishedAt: string;
}

export function settingsOf(opts: EvidenceOptions, report?: Report): EvidenceSettings {
  return {
    solution: opts.solution ?? DEFAULT_SOLUTION,
    board: opts.board ?? DEFAULT_BOARD,
    seed: opts.seed ?? report?.seed ?? DEFAULT_EVIDENCE_SEED,
    runs: opts.runs ?? 200,
    steps: opts.steps ?? 100,
    scenarioSteps: opts.scenarioSteps ?? 5_000,
    tlc: opts.tlc ?? true,
    models: opts.models ?? null,
    conformance: opts.conformance ?? true,
    traces: opts.traces ?? DEFAULT_TRACES,
    defines: opts.defines ?? {},
    imports: {
      sdkRoot: opts.imports?.sdkRoot === undefined ? null : reportPath(resolve(opts.imports.sdkRoot)),
      includes: (opts.imports?.includes ?? []).map((d) => reportPath(resolve(d))),
    },
  };
}

/** The tool versions of a bundle: verify's, the TLC jar's sha256 and Java, and the lockfile's sha256. */
export async function evidenceTools(): Promise<Record<string, string>> {
  const { findTlc } = await import('../tlc/index.ts');
  const f = await findTlc();
  return {
    ...toolVersions(),
    'package-lock.json.sha256': lockfileSha256(),
    ...(f.ok
      ? { tlc: f.tlc.banner ?? 'unknown', 'tla2tools.sha256': f.tlc.sha256, java: f.tlc.javaVersion }
      : { tlc: `unavailable: ${f.error.message}` }),
  };
}

const same = (a: readonly { path: string; sha256: string }[], b: readonly { path: string; sha256: string }[]) =>
  JSON.stringify([...a].sort((x, y) => x.path.localeCompare(y.path))) ===
  JSON.stringify([...b].sort((x, y) => x.path.localeCompare(y.path)));

/**
 * The verify report at `file`, when it was made from the same inputs (the
 * solution's files and, for TLC checks, the formal model, by sha256), with
 * the same tools, board, seed and scale as the bundle asks for; otherwise
 * the reason it cannot be reused.
 */
export function reusableReport(
  file: string,
  s: EvidenceSettings,
  loaded: Loaded,
  tools: Readonly<Record<string, string>>,
  seedGiven: boolean,
): { report: Report } | { reason: string } {
  if (!existsSync(file)) return { reason: `${file} does not exist` };
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    return { reason: `${file} is not JSON: ${(e as Error).message}` };
  }
  const d = ReportCodec.decode(raw);
  if (isLeft(d)) return { reason: `${file} is not a verify report` };
  const r = d.right;
  // a failed solution model's counterexample goes into the bundle as a replay
  // file, which the verify report does not carry: such a report is run again
  const failedModel = r.checks.find((c) => c.id.startsWith('tlc.solution.') && c.status === 'fail');
  if (failedModel !== undefined)
    return {
      reason: `its check ${failedModel.id} failed and the report does not carry the counterexample's replay file`,
    };
  if (r.board !== s.board) return { reason: `it is for board ${r.board}` };
  if (seedGiven && r.seed !== s.seed) return { reason: `its seed is ${r.seed}` };
  if (r.scale === undefined) return { reason: 'it does not record the property scale' };
  if (r.scale.runs !== s.runs || r.scale.steps !== s.steps || r.scale.scenarioSteps !== s.scenarioSteps)
    return { reason: `its scale is ${r.scale.runs} runs of ${r.scale.steps} steps` };
  if (!same(r.inputs, solutionInputs(loaded))) return { reason: "the solution's files changed since" };
  for (const k of ['cordon', 'node', 'fast-check'])
    if (r.toolVersions[k] !== tools[k]) return { reason: `it was made with ${k} ${r.toolVersions[k]}` };
  const hasTlc = r.checks.some((c) => c.kind === 'tlc');
  if (s.tlc !== hasTlc) return { reason: hasTlc ? 'it has TLC checks the bundle leaves out' : 'it has no TLC checks' };
  if (s.tlc) {
    if (s.models !== null) return { reason: 'the bundle runs a chosen subset of the kernel models' };
    if (r.formalInputs === undefined || !same(r.formalInputs, formalInputs()))
      return { reason: 'the spec, models or proofs changed since' };
    if (r.toolVersions['tla2tools.sha256'] !== tools['tla2tools.sha256'])
      return { reason: 'it was made with another TLC jar' };
  }
  return { report: r };
}

/** Runs (or reuses) every check of the bundle. */
export async function runEvidence(opts: EvidenceOptions = {}): Promise<EvidenceRun> {
  const startedAt = new Date().toISOString();
  const tools = await evidenceTools();
  let s = settingsOf(opts);
  let board;
  try {
    board = getBoard(s.board);
  } catch (e) {
    throw new VerifyError((e as Error).message);
  }
  const load = { ...(opts.defines ? { defines: opts.defines } : {}), ...(opts.imports ?? {}) };
  const solutionPath = resolve(opts.solution ?? resolve(ROOT, DEFAULT_SOLUTION));
  const loaded = loadSolution(solutionPath, board, load);
  let report: Report | undefined;
  let reused: string | null = null;
  let notReused: string | null = null;
  const replays = new Map<string, unknown>();
  if (opts.reuse != null) {
    const r = reusableReport(resolve(opts.reuse), s, loaded, tools, opts.seed !== undefined);
    if ('report' in r) {
      report = r.report;
      reused = opts.reuse;
      s = settingsOf(opts, report);
    } else notReused = r.reason;
  }
  if (report === undefined) {
    const vo = {
      solution: solutionPath,
      board: s.board,
      seed: s.seed,
      runs: s.runs,
      steps: s.steps,
      scenarioSteps: s.scenarioSteps,
      ...load,
      ...(opts.defines ? { defines: opts.defines } : {}),
      ...(opts.onCheck ? { onCheck: opts.onCheck } : {}),
      ...(s.models !== null ? { models: s.models } : {}),
      onSolutionCheck: (r: SolutionCheckResult) => {
        if (r.counterexample?.replay != null) replays.set(`tlc.solution.${r.model}`, r.counterexample.replay);
      },
    };
    report = s.tlc ? await verifyWithTlc(vo) : verify(vo);
  }
  s = { ...s, solution: reportPath(loaded.dir) };
  const extra = s.conformance ? await conformanceChecks(s, opts.onCheck) : [];
  return {
    settings: s,
    loaded,
    report,
    extra,
    replays,
    reused,
    notReused,
    tools,
    startedAt,
    finishedAt: new Date().toISOString(),
  };
}

/** Trace validation, the reachable-set comparison and the inductive-invariant proof. */
export async function conformanceChecks(s: EvidenceSettings, onCheck?: (id: string) => void): Promise<CheckResult[]> {
  const { compileModel } = await import('../conformance/model.ts');
  const { TraceWorld, generateTraces, validateTraces } = await import('../conformance/traces.ts');
  const { compareReachable } = await import('../conformance/reachable.ts');
  const { CATALOG } = await import('../conformance/catalog.ts');
  const { checkInductive, ProofPing } = await import('../../proofs/inductive.ts');
  const out: CheckResult[] = [];

  onCheck?.('trace validation');
  let t0 = performance.now();
  const m = compileModel(TraceWorld);
  const v = await validateTraces(m, generateTraces(s.traces, s.seed, 60, m));
  const traceBase = {
    id: `conformance.traces.${TraceWorld.name}`,
    kind: 'conformance',
    runs: v.traces,
    durationMs: Math.round(performance.now() - t0),
    details: { model: TraceWorld.name, traces: v.traces, steps: v.steps, distinct: v.distinct, seed: s.seed },
  };
  out.push(
    v.ok
      ? { ...traceBase, status: 'pass' }
      : {
          ...traceBase,
          status: 'fail',
          counterexample: v.divergence
            ? `trace ${v.divergence.trace} is not a behaviour of the spec at step ${v.divergence.step}: ${v.problem ?? ''}`
            : (v.problem ?? 'trace validation failed'),
        },
  );

  for (const name of REACHABLE_MODELS) {
    const def = CATALOG.find((d) => d.name === name)!;
    onCheck?.(`reachable states: ${name}`);
    t0 = performance.now();
    const r = await compareReachable(def);
    const base = {
      id: `conformance.reachable.${name}`,
      kind: 'conformance',
      runs: 1,
      durationMs: Math.round(performance.now() - t0),
      details: {
        model: name,
        equal: r.equal,
        distinct: r.tlc.distinct,
        depth: r.tlc.depth,
        explorerDistinct: r.explorer.distinct,
        explorerDepth: r.explorer.depth,
        onlyTlc: r.countOnlyTlc,
        onlyExplorer: r.countOnlyExplorer,
      },
    };
    out.push(
      r.equal
        ? { ...base, status: 'pass' }
        : {
            ...base,
            status: 'fail',
            counterexample:
              r.problem ??
              [
                `TLC reaches ${r.tlc.distinct} states, the TS explorer ${r.explorer.distinct}`,
                ...r.onlyTlc.map((x) => `only TLC:\n${x}`),
                ...r.onlyExplorer.map((x) => `only the TS kernel:\n${x}`),
              ].join('\n'),
          },
    );
  }

  onCheck?.('inductive invariant');
  t0 = performance.now();
  const p = await checkInductive(ProofPing);
  const proofBase = {
    id: 'proof.inductive',
    kind: 'proof',
    runs: 1,
    durationMs: Math.round(performance.now() - t0),
    details: {
      model: p.model,
      initialStates: p.initialStates,
      distinct: p.distinct,
      generated: p.generated,
      depth: 1,
      bounds:
        'the Ping solution with a limited rule: 2 solution processes, the kernel and Einit, 2 threads, 1 channel, 1 CPU; every state of the bounded TypeOK domain satisfying IndInv, one step of Next (proofs/README.md)',
    },
  };
  out.push(
    p.inductive
      ? { ...proofBase, status: 'pass' }
      : { ...proofBase, status: 'fail', counterexample: p.problem ?? 'IndInv is not inductive' },
  );
  return out;
}
