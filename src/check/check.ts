// `cordon check`: model-check a solution with TLC. The solution's processes,
// channels and policy become a TLC model (src/check/solution-model.ts);
// a violation comes back as a trace replayed in the TS kernel, printed in
// DESIGN.md's vocabulary and written as a replay file that `npm test` can
// run. `--distributed N` instead runs the scale model under TLC's distributed
// engine and a single-process run and compares their distinct-state counts.

import type { CompiledPolicy } from '../monitor/types.ts';
import type { RulePolicy } from '../monitor/rules.ts';
import type { SolutionTables } from '../kernel/tables.ts';
import {
  checkSolution,
  SolutionModelError,
  solutionModelDef,
  witness,
  type SolutionCheckResult,
  type SolutionModelOptions,
  type SolutionProperty,
} from './solution-model.ts';
import { compileModel, type CompiledModel } from '../conformance/model.ts';
import { TabulationError } from '../conformance/monitor-model.ts';
import { writeReplayFile } from './counterexample.ts';
import { writeCounterexampleDiagram } from './sequence-diagram.ts';
import { AuditLog } from '../audit/log.ts';
import { compareDistributed, SCALE_LARGE, SCALE_SMALL, type DistributedComparison } from '../../proofs/scale.ts';
import type { RunOptions } from '../conformance/run.ts';
import type { CheckResult } from '../evidence/report.ts';
import type { Loaded } from '../solution/load.ts';

export class CheckError extends Error {}

/**
 * The policy as the model gives it to TLC: a rule-form policy as its rules; a
 * compiled PSL policy as itself, which the model tabulates over its reachable
 * monitor states (src/conformance/monitor-model.ts).
 */
export function modelPolicy(loaded: Pick<Loaded, 'policy' | 'rules'>): RulePolicy | CompiledPolicy {
  return loaded.rules ?? loaded.policy;
}

/** The literal payloads the solution's programs send and reply with (a payload naming an earlier result with `$ref` is left out). */
export function programPayloads(loaded: Pick<Loaded, 'manifest'>): unknown[] {
  const hasRef = (v: unknown): boolean =>
    typeof v === 'object' &&
    v !== null &&
    (Array.isArray(v) ? v.some(hasRef) : Object.entries(v).some(([k, x]) => k === '$ref' || hasRef(x)));
  const out: unknown[] = [];
  for (const ops of Object.values(loaded.manifest?.programs ?? {}))
    for (const op of ops) if ('payload' in op && op.payload !== undefined && !hasRef(op.payload)) out.push(op.payload);
  return out;
}

export interface CheckOptions {
  readonly properties?: readonly SolutionProperty[];
  readonly workers?: number;
  readonly timeoutMs?: number;
  readonly path?: string;
  readonly onProgress?: RunOptions['onProgress'];
}

/** Every method a server offers needs a well-formed payload in the model, or the model would silently leave it out. */
function requireWitnesses(t: SolutionTables): void {
  const servers = new Set(t.connections.map((c) => t.processes[c.server]!.taskClass));
  for (const cls of servers)
    for (const ep of t.classes[cls]!.endpoints)
      for (const m of t.interfaces[ep.iface]?.methods ?? [])
        for (const [kind, codec] of [
          ['request', m.request],
          ['response', m.response],
        ] as const)
          if (witness(codec) === undefined)
            throw new CheckError(
              `cannot build a well-formed ${kind} of ${t.interfaces[ep.iface]!.name}.${m.name} (endpoint ${ep.name}) for the model`,
            );
}

/** The model options `cordon check` uses for a solution: its programs' payloads, its properties (with handle transfers, which can carry information), and a PSL policy's reference interpreter as DefaultDeny's oracle. */
export function modelOptions(
  loaded: Pick<Loaded, 'manifest' | 'properties' | 'oracle'>,
  properties: readonly SolutionProperty[] = loaded.properties,
): SolutionModelOptions {
  return {
    payloads: programPayloads(loaded),
    ...(properties.length > 0 ? { properties, transfers: true } : {}),
    ...(loaded.oracle === null ? {} : { oracle: loaded.oracle }),
  };
}

/** The compiled model of a solution, as `cordon check` builds it (to replay its counterexamples). */
export function solutionModel(loaded: Loaded): CompiledModel {
  return compileModel(solutionModelDef(loaded.tables, modelPolicy(loaded), modelOptions(loaded)));
}

export async function checkLoaded(loaded: Loaded, opts: CheckOptions = {}): Promise<SolutionCheckResult> {
  requireWitnesses(loaded.tables);
  try {
    return await checkSolution(loaded.tables, modelPolicy(loaded), {
      ...modelOptions(loaded, opts.properties),
      ...(opts.path ? { path: opts.path } : {}),
      run: {
        ...(opts.workers ? { workers: opts.workers } : {}),
        ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}),
        ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
      },
    });
  } catch (e) {
    if (e instanceof TabulationError || e instanceof SolutionModelError) throw new CheckError(e.message);
    throw e;
  }
}

/** The check result as a verify-report entry. */
export function checkEntry(r: SolutionCheckResult): CheckResult {
  const base = {
    id: `tlc.solution.${r.model}`,
    kind: 'tlc',
    runs: 1,
    durationMs: Math.round(r.wallSeconds * 1000),
    details: { distinct: r.distinct, depth: r.depth, tlcSeconds: r.tlcSeconds, verdict: r.verdict },
  };
  if (r.verdict === 'success') return { ...base, status: 'pass' };
  return { ...base, status: 'fail', counterexample: r.counterexample?.printed ?? r.problem ?? r.verdict };
}

/** Writes the replay file and, beside it, the diagram (`x.replay.json` → `x.replay.mmd`); false when there is no replay. */
export async function writeCounterexample(r: SolutionCheckResult, file: string): Promise<boolean> {
  if (r.counterexample?.replay == null) return false;
  await writeReplayFile(file, r.counterexample.replay);
  if (r.counterexample.diagram !== null) await writeCounterexampleDiagram(file, r.counterexample.diagram);
  return true;
}

/**
 * The monitor's audit log of a counterexample's replay in the TS kernel:
 * boot's decisions as step 0, then each step's, as the policy's audit
 * profiles say (null when the trace could not be mapped).
 */
export function counterexampleAuditLog(loaded: Loaded, r: SolutionCheckResult, level?: number): AuditLog | null {
  const trace = r.counterexample?.trace;
  if (trace == null) return null;
  const log = new AuditLog(loaded.tables, loaded.policy, level);
  log.step(0, trace.boot);
  for (const s of trace.steps) log.step(s.number, s.records);
  return log;
}

export async function distributed(workers: number, size: 'large' | 'small'): Promise<DistributedComparison> {
  return compareDistributed(size === 'large' ? SCALE_LARGE : SCALE_SMALL, workers);
}
