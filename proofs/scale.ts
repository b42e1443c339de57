// Scale: a model of at least 1,000,000 distinct states checked by TLC's
// distributed engine (a TLCServer and N TLCWorkers on loopback, through the
// bridge's runDistributed) and by a single-process run, which must reach the
// same number of distinct states. A smaller model of the same family runs in
// every CI run; the large one when CORDON_TLC_LARGE=1.

import { swarm } from '../src/conformance/catalog.ts';
import { compileModel, renderModel, type ModelDef, type ModelFiles } from '../src/conformance/model.ts';
import { describeResult, runStaged, runStagedDistributed, type RunOptions } from '../src/conformance/run.ts';
import type { TlcResult } from '../src/tlc/index.ts';

/** The large model: 6 clients of one server on 2 CPUs (1,299,042 distinct states, depth 27). */
export const SCALE_LARGE: ModelDef = swarm(6, 2, 'ScaleLarge');
/** The CI-sized model of the same family: 4 clients (23,106 distinct states, depth 18). */
export const SCALE_SMALL: ModelDef = swarm(4, 2, 'ScaleSmall');

/** The model's files for distributed TLC: no temporal properties (distributed TLC does not check them). */
export function scaleFiles(def: ModelDef): ModelFiles {
  return renderModel(compileModel(def), { properties: [] });
}

export interface RunFigures {
  readonly verdict: TlcResult['kind'];
  readonly distinct: number | null;
  readonly generated: number | null;
  readonly depth: number | null;
  readonly tlcSeconds: number | null;
  readonly wallSeconds: number;
  readonly problem: string | null;
}

export interface DistributedComparison {
  readonly model: string;
  readonly workers: number;
  readonly single: RunFigures;
  readonly distributed: RunFigures;
  /** both succeeded with the same number of distinct states */
  readonly sameDistinct: boolean;
}

function figures(r: TlcResult, wall: number): RunFigures {
  return {
    verdict: r.kind,
    distinct: r.stats?.distinct ?? null,
    generated: r.stats?.generated ?? null,
    depth: r.stats?.depth ?? null,
    tlcSeconds: r.tlcDurationMs === null ? null : r.tlcDurationMs / 1000,
    wallSeconds: wall,
    problem: r.kind === 'success' ? null : describeResult(r),
  };
}

/** Distributed TLC with `workers` workers on loopback. */
export async function runScaleDistributed(
  def: ModelDef,
  workers: number,
  options: { readonly timeoutMs?: number; readonly maxHeap?: string } = {},
): Promise<RunFigures> {
  const t0 = performance.now();
  const r = await runStagedDistributed(scaleFiles(def), {
    workers,
    threadsPerWorker: 1,
    progressIntervalMs: 10_000,
    timeoutMs: options.timeoutMs ?? 3 * 3600_000,
    maxHeap: options.maxHeap ?? '6g',
  });
  return figures(r, (performance.now() - t0) / 1000);
}

/** A single-process TLC run of the same files (`workers` threads). */
export async function runScaleSingle(def: ModelDef, options: RunOptions = {}): Promise<RunFigures> {
  const t0 = performance.now();
  const { result } = await runStaged(scaleFiles(def), {
    workers: 1,
    timeoutMs: 3 * 3600_000,
    maxHeap: '6g',
    ...options,
  });
  return figures(result, (performance.now() - t0) / 1000);
}

/** `cordon check --distributed N`: the model under distributed TLC and a single-process run, compared. */
export async function compareDistributed(def: ModelDef = SCALE_LARGE, workers = 2): Promise<DistributedComparison> {
  const single = await runScaleSingle(def);
  const distributed = await runScaleDistributed(def, workers);
  return {
    model: def.name,
    workers,
    single,
    distributed,
    sameDistinct:
      single.verdict === 'success' && distributed.verdict === 'success' && single.distinct === distributed.distinct,
  };
}
