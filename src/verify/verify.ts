// The main job: boot a solution on a board, run the kernel property suites
// against it with a recorded seed, run its scripted programs, and write the
// evidence report (out/verify.json).

import { resolve } from 'node:path';
import { existsSync, statSync } from 'node:fs';
import { compileSolution, type SolutionTables } from '../kernel/tables.ts';
import { bootWith } from '../kernel/boot.ts';
import { createMonitor } from '../monitor/monitor.ts';
import { compileRules, type RulePolicy } from '../monitor/rules.ts';
import type { CompiledPolicy } from '../monitor/types.ts';
import { loadSolution, SolutionError, type ImportOptions, type Loaded, type LoadOptions } from '../solution/load.ts';
import { runPalTests } from '../policy/pal/run.ts';
import { palChecks } from '../policy/pal/checks.ts';
import { getBoard, DEFAULT_BOARD, type Board } from '../../boards/index.ts';
import { kernelProperties } from './suites.ts';
import { shellQuote } from '../properties/env.ts';
import { scenarioChecks } from './scenario.ts';
import { weakenedGuarantees } from '../../boards/index.ts';
import { dmaIsolation } from '../driver/index.ts';
import { AuditLog } from '../audit/log.ts';
import type { ProgressSink } from '../tlc/progress-lines.ts';
import { compileWithCoverage, coverageReport } from '../policy/compile/coverage.ts';
import type { SolutionCheckResult } from '../check/solution-model.ts';
import { formalInputs } from '../evidence/inputs.ts';
import {
  cordonBuild,
  REPORT_SCHEMA_VERSION,
  ROOT,
  reportPath,
  sha256File,
  toolVersions,
  type CheckResult,
  type Report,
} from '../evidence/report.ts';

export const DEFAULT_SOLUTION = 'examples/ping';

export interface VerifyOptions {
  /** A progress reporter for each TLC run (a kernel model or the solution model), by its name. */
  readonly progress?: (label: string) => ProgressSink;
  readonly solution?: string;
  readonly board?: string;
  readonly seed?: number;
  readonly runs?: number;
  /** measure policy coverage over every check (the report's `coverage`) */
  readonly coverage?: boolean;
  /** the command line after `cordon`, recorded in the report */
  readonly commandLine?: readonly string[];
  readonly steps?: number;
  readonly path?: string;
  /** kernel steps of the scripted scenario */
  readonly scenarioSteps?: number;
  /** progress callback: a check is starting */
  readonly onCheck?: (id: string) => void;
  /** `--define NAME=VALUE`: CMake variables and template placeholders of a KasperskyOS solution */
  readonly defines?: Readonly<Record<string, string>>;
  /** where the solution's imports resolve beside its own files: the SDK (`--sdk`) and folders of stand-ins (`--include`) */
  readonly imports?: ImportOptions;
  /** called once the solution is loaded (the CLI prints the SDK programs added) */
  readonly onLoaded?: (loaded: Loaded) => void;
  /**
   * The monitor's audit log of the scenario run (boot at step 0, then each
   * kernel step), as the policy's audit profiles say, at `level` (default:
   * `audit default`'s); handed to `written` once the run is done.
   */
  readonly auditLog?: { readonly level?: number; readonly written: (log: AuditLog) => void };
  /** gets each failing property's counterexample as a Mermaid sequence diagram, by check id */
  readonly onDiagram?: (checkId: string, diagram: string) => void;
}

/** How verify's options load the solution. */
function loadOptionsOf(opts: VerifyOptions): LoadOptions {
  return { ...(opts.defines === undefined ? {} : { defines: opts.defines }), ...(opts.imports ?? {}) };
}

/** An error in the command's own arguments (a board id, a flag); a solution that cannot be loaded is a SolutionError. */
export class VerifyError extends SolutionError {}

function bootCheck(loaded: Loaded, board: Board): CheckResult {
  const started = performance.now();
  const b = bootWith(loaded.tables, createMonitor(loaded.tables, loaded.policy), board.toMachine());
  const durationMs = Math.round(performance.now() - started);
  const base = {
    id: 'boot',
    kind: 'boot',
    runs: 1,
    durationMs,
    details: { started: Object.keys(b.sids), denied: b.denied, channels: b.connections.length },
  };
  if (b.denied.length === 0) return { ...base, status: 'pass' };
  return { ...base, status: 'fail', counterexample: `Einit was not allowed to start: ${b.denied.join(', ')}` };
}

export function verify(opts: VerifyOptions = {}): Report {
  const solutionPath = opts.solution ?? resolve(ROOT, DEFAULT_SOLUTION);
  let board: Board;
  try {
    board = getBoard(opts.board ?? DEFAULT_BOARD);
  } catch (e) {
    throw new VerifyError((e as Error).message);
  }
  const plain = loadSolution(solutionPath, board, loadOptionsOf(opts));
  if (opts.coverage === true && plain.psl === null)
    throw new VerifyError(`${plain.name}: policy coverage needs a PSL policy; this solution's policy is a rule list`);
  // with coverage every check decides with the counting policy (it decides exactly as the plain one)
  const counted =
    opts.coverage === true ? compileWithCoverage(plain.psl!, plain.tables, { name: plain.policy.name }) : null;
  const loaded: Loaded = counted === null ? plain : { ...plain, policy: counted.compiled };
  opts.onLoaded?.(loaded);
  const seed = opts.seed ?? (Date.now() % 2 ** 31) | 0;
  const runs = opts.runs ?? 200;
  const steps = opts.steps ?? 100;
  const scenarioSteps = opts.scenarioSteps ?? 5_000;
  const checks: CheckResult[] = [];
  opts.onCheck?.('boot');
  checks.push(bootCheck(loaded, board));
  // what the policy uses that Cordon cannot model: reported, not failed; the rules using it deny in every other check
  const notModelled = loaded.notModelled ?? [];
  if (notModelled.length > 0)
    checks.push({
      id: 'policy.not-modelled',
      kind: 'policy',
      status: 'skipped',
      runs: 0,
      durationMs: 0,
      details: {
        reason: `${notModelled.length} construct${notModelled.length === 1 ? '' : 's'} not modelled: the policy's rules that use them deny, the PAL tests that use them are skipped`,
        notModelled,
      },
    });
  if (loaded.pal.length > 0) {
    opts.onCheck?.('PAL tests');
    checks.push(...palChecks(runPalTests(loaded.tables, loaded.policy, loaded.pal), reportPath));
  }
  const shown = opts.solution ?? DEFAULT_SOLUTION;
  // the property checks alone reproduce a property counterexample: the replay skips the TLC models
  const replay = (s: number, p: string) =>
    `npx cordon verify ${shellQuote(shown)} --board ${board.id} --seed ${s} --runs ${runs} --steps ${steps} --path ${p} --no-tlc`;
  opts.onCheck?.('scenario');
  const log = opts.auditLog === undefined ? null : new AuditLog(loaded.tables, loaded.policy, opts.auditLog.level);
  checks.push(...scenarioChecks(loaded, board, seed, scenarioSteps, log));
  if (log !== null) opts.auditLog!.written(log);
  opts.onCheck?.('kernel properties');
  checks.push(
    ...kernelProperties(
      {
        tables: loaded.tables,
        policy: loaded.policy,
        rules: loaded.rules,
        oracle: loaded.oracle,
        machine: board.toMachine(),
      },
      {
        seed,
        runs,
        steps,
        replay,
        ...(opts.path ? { path: opts.path } : {}),
        ...(opts.onDiagram ? { onDiagram: opts.onDiagram } : {}),
      },
    ),
  );
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    cordon: cordonBuild(),
    ...(opts.commandLine === undefined ? {} : { commandLine: [...opts.commandLine] }),
    solution: reportPath(loaded.dir),
    board: board.id,
    seed,
    runs,
    steps,
    startedAt: new Date().toISOString(),
    scale: { runs, steps, scenarioSteps },
    checks,
    guarantees: {
      board: weakenedGuarantees(board),
      dma: dmaIsolation(
        board,
        bootWith(loaded.tables, createMonitor(loaded.tables, loaded.policy), board.toMachine()),
        loaded.manifest?.untrusted ?? [],
      ),
    },
    inputs: loaded.files.map((f) => ({ path: reportPath(f), sha256: sha256File(f) })),
    toolVersions: toolVersions(),
    ...(counted === null ? {} : { coverage: coverageReport(counted.coverage, loaded.dir) }),
  };
}

/**
 * The main job with its TLC checks: every hand-written model of the kernel
 * spec (models/) with its distinct-state count and depth, and the solution's
 * own model (cordon check: its policy as rules or as a table over its
 * reachable monitor states). A solution that cannot be modelled (a payload
 * no codec accepts, a policy beyond the table's bounds) is an error entry
 * with the reason.
 */
export async function verifyWithTlc(
  opts: VerifyOptions & {
    readonly onModel?: (name: string) => void;
    /** only these catalogued kernel models (default: all) */
    readonly models?: readonly string[];
    /** the solution model's full result (its counterexample's replay file, for the evidence bundle) */
    readonly onSolutionCheck?: (r: SolutionCheckResult) => void;
  } = {},
): Promise<Report> {
  const report = verify(opts);
  const { runModels } = await import('../models/models.ts');
  const { CATALOG } = await import('../conformance/catalog.ts');
  const defs = opts.models === undefined ? CATALOG : CATALOG.filter((d) => opts.models!.includes(d.name));
  const { checkLoaded, checkEntry, CheckError } = await import('../check/check.ts');
  opts.onCheck?.('TLC models');
  const checks: CheckResult[] = [];
  for (const m of await runModels(defs, opts.progress ? { progress: opts.progress } : {})) {
    const regression = m.distinct !== m.expected.distinct || m.depth !== m.expected.depth;
    const details = {
      distinct: m.distinct,
      generated: m.generated,
      depth: m.depth,
      tlcSeconds: m.tlcSeconds,
      expected: m.expected,
      description: m.description,
    };
    const base = {
      id: `tlc.model.${m.model}`,
      kind: 'tlc',
      runs: 1,
      durationMs: Math.round(m.wallSeconds * 1000),
      details,
    };
    if (m.verdict !== 'success') checks.push({ ...base, status: 'fail', counterexample: m.problem ?? m.verdict });
    else if (regression)
      checks.push({
        ...base,
        status: 'fail',
        counterexample: `expected ${m.expected.distinct} distinct states at depth ${m.expected.depth}, TLC found ${m.distinct} at depth ${m.depth}`,
      });
    else checks.push({ ...base, status: 'pass' });
  }
  opts.onCheck?.('TLC: the solution');
  const loaded = loadSolution(
    opts.solution ?? resolve(ROOT, DEFAULT_SOLUTION),
    getBoard(report.board),
    loadOptionsOf(opts),
  );
  const started = performance.now();
  try {
    const sink = opts.progress?.(loaded.name);
    const run = checkLoaded(loaded, { path: report.solution, ...(sink ? { onProgress: sink.update } : {}) });
    const r = await (sink ? run.finally(sink.finish) : run);
    opts.onSolutionCheck?.(r);
    checks.push(checkEntry(r));
  } catch (e) {
    if (!(e instanceof CheckError)) throw e;
    checks.push({
      id: `tlc.solution.${loaded.name}`,
      kind: 'tlc',
      status: 'error',
      runs: 0,
      durationMs: Math.round(performance.now() - started),
      details: { reason: e.message },
    });
  }
  return {
    ...report,
    checks: [...report.checks, ...checks],
    formalInputs: formalInputs(),
    toolVersions: { ...report.toolVersions, ...(await tlcVersion()) },
  };
}

async function tlcVersion(): Promise<Record<string, string>> {
  const { findTlc } = await import('../tlc/index.ts');
  const f = await findTlc();
  return f.ok
    ? { tlc: f.tlc.banner ?? 'unknown', 'tla2tools.sha256': f.tlc.sha256, java: f.tlc.javaVersion }
    : { tlc: `unavailable: ${f.error.message}` };
}
