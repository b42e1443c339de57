// An exhaustive breadth-first explorer of the TS kernel: from boot, every
// event of a model's finite alphabet in every reachable state, with states
// identified by their projection onto the spec's variables and the model's
// bounds applied as TLC applies its CONSTRAINT (a state beyond them is
// neither counted nor explored). Its reachable set is compared with TLC's.

import { step } from '../kernel/step.ts';
import type { KernelEvent, KernelState } from '../kernel/types.ts';
import { alphabetEvents, type CompiledModel } from './model.ts';
import { StateKeyer, projector, stateKey, type SpecState } from './projection.ts';

export interface ExploreOptions {
  /** keep every distinct projected state (for set comparison); default true */
  readonly keepStates?: boolean;
  /** record every transition (for the labelled-transition comparison); default false */
  readonly keepEdges?: boolean;
  /** stop (and report `complete: false`) beyond this many distinct states */
  readonly maxStates?: number;
}

/** A transition; `from` and `to` are spec-level state keys (projection.ts stateKey). */
export interface Edge {
  readonly from: string;
  readonly event: KernelEvent;
  readonly to: string;
}

export interface ExploreResult {
  readonly model: string;
  readonly distinct: number;
  /** number of BFS levels (the initial state is level 1), as TLC's "depth of the complete state graph search" */
  readonly depth: number;
  /** transitions taken (events not rejected by step), counting those leading to known states */
  readonly generated: number;
  readonly complete: boolean;
  readonly states: ReadonlyMap<string, SpecState>;
  readonly edges: readonly Edge[];
  readonly ms: number;
}

/** The model's CONSTRAINT Bounds on a TS state. */
export function withinBounds(m: CompiledModel, s: KernelState): boolean {
  const { maxHandles, maxRegions, maxObjects, maxThreads = 64 } = m.def.bounds;
  return (
    s.objects.length <= maxObjects &&
    s.threads.length <= maxThreads &&
    s.processes.every((p) => p.handles.length <= maxHandles && p.regions.length <= maxRegions)
  );
}

export function running(s: KernelState): number[] {
  const out: number[] = [];
  for (const t of s.threads) if (t.state.tag === 'running') out.push(t.tid);
  return out;
}

export function explore(m: CompiledModel, options: ExploreOptions = {}): ExploreResult {
  const t0 = performance.now();
  const keepStates = options.keepStates ?? true;
  const keepEdges = options.keepEdges ?? false;
  const max = options.maxStates ?? Number.POSITIVE_INFINITY;
  const project = projector(m.monitor);
  const keyer = new StateKeyer(m.monitor);
  const seen = new Map<string, SpecState | null>();
  const edges: Edge[] = [];
  let generated = 0;
  const init = m.boot.state;
  const initProj = project.state(init, m.boot.decisions, m.boot.effects);
  const initKey = keyer.key(init, m.boot.decisions, m.boot.effects);
  let frontier: [KernelState, string][] = [];
  if (withinBounds(m, init)) {
    seen.set(initKey, keepStates ? initProj : null);
    frontier.push([init, initKey]);
  }
  let depth = frontier.length > 0 ? 1 : 0;
  let complete = true;
  while (frontier.length > 0) {
    const next: [KernelState, string][] = [];
    for (const [s, key] of frontier) {
      for (const ev of alphabetEvents(m.def, running(s))) {
        const r = step(s, ev);
        if (r.rejected !== undefined) continue;
        generated++;
        if (!withinBounds(m, r.state)) continue;
        const k = keyer.key(r.state, r.decisions, r.effects);
        if (keepEdges) edges.push({ from: key, event: ev, to: k });
        if (seen.has(k)) continue;
        if (seen.size >= max) {
          complete = false;
          continue;
        }
        seen.set(k, keepStates ? project.state(r.state, r.decisions, r.effects) : null);
        next.push([r.state, k]);
      }
    }
    if (next.length > 0) depth++;
    frontier = next;
  }
  // keyed by the spec-level key (valueKey), comparable with states read from TLC
  const states = new Map<string, SpecState>();
  const specKey = new Map<string, string>();
  if (keepStates)
    for (const [k, v] of seen) {
      const sk = stateKey(v!);
      states.set(sk, v!);
      specKey.set(k, sk);
    }
  const specEdges = keepStates
    ? edges.map((e) => ({ from: specKey.get(e.from)!, event: e.event, to: specKey.get(e.to)! }))
    : edges;
  return {
    model: m.def.name,
    distinct: seen.size,
    depth,
    generated,
    complete,
    states,
    edges: specEdges,
    ms: performance.now() - t0,
  };
}
