// The TS explorer (src/conformance/explorer.ts) against TLC: distinct states
// per second on the same models. Both explore the same state space (the
// reachable-set tests show the sets are equal); TLC runs with one worker and
// without invariants or properties, so both only explore. TLC's rate uses its
// own duration (message 2186: parsing, initial states and search, not the JVM
// start); the explorer's rate is measured after a warm-up run.

import { Gateway, Services } from '../src/conformance/catalog.ts';
import { compileModel, renderModel, type ModelDef } from '../src/conformance/model.ts';
import { explore } from '../src/conformance/explorer.ts';
import { runStaged } from '../src/conformance/run.ts';
import { SCALE_SMALL } from '../proofs/scale.ts';

export interface ExplorerBench {
  readonly model: string;
  readonly explorerStatesPerSecond: number;
  readonly tlcStatesPerSecond: number;
  /** explorer rate / TLC rate */
  readonly ratio: number;
  readonly distinct: number;
}

export const BENCH_MODELS: readonly ModelDef[] = [Services, Gateway, SCALE_SMALL];

export async function benchExplorer(models: readonly ModelDef[] = BENCH_MODELS): Promise<ExplorerBench[]> {
  const out: ExplorerBench[] = [];
  for (const def of models) {
    const m = compileModel(def);
    explore(m, { keepStates: false }); // warm-up
    const ex = explore(m, { keepStates: false });
    const files = renderModel(m, { invariants: [], properties: [] });
    const { result } = await runStaged(files, { workers: 1, timeoutMs: 30 * 60_000 });
    if (result.kind !== 'success' || result.tlcDurationMs === null)
      throw new Error(`TLC on ${def.name}: ${result.kind}`);
    if (result.stats.distinct !== ex.distinct)
      throw new Error(`${def.name}: TLC found ${result.stats.distinct} distinct states, the explorer ${ex.distinct}`);
    const explorerStatesPerSecond = ex.distinct / (ex.ms / 1000);
    const tlcStatesPerSecond = result.stats.distinct / (result.tlcDurationMs / 1000);
    out.push({
      model: def.name,
      explorerStatesPerSecond,
      tlcStatesPerSecond,
      ratio: explorerStatesPerSecond / tlcStatesPerSecond,
      distinct: ex.distinct,
    });
  }
  return out;
}
