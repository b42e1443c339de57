// Equal reachable sets: the exhaustive TS explorer (explorer.ts) and TLC
// reach the same states on a model — the same number and the same states —
// and, on small models, the same transitions (spec/Transitions.tla).

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readStateDump, recordFields, type TlaValue, type TlcResult, type TraceState } from '../tlc/index.ts';
import { formatTlaValue } from '../tlc/value.ts';
import { compileModel, renderModel, type CompiledModel, type ModelDef } from './model.ts';
import { explore } from './explorer.ts';
import { SPEC_VARIABLES, stateKey, type SpecState } from './projection.ts';
import { eventRecord } from './events.ts';
import { valueKey } from './tla.ts';
import { describeResult, runStaged, type RunOptions } from './run.ts';

export interface SetComparison {
  readonly model: string;
  readonly equal: boolean;
  readonly tlc: {
    readonly distinct: number | null;
    readonly depth: number | null;
    readonly seconds: number | null;
    readonly dumped: number;
  };
  readonly explorer: { readonly distinct: number; readonly depth: number; readonly seconds: number };
  /** up to 5 states of each side the other lacks, printed as TLA+ */
  readonly onlyTlc: readonly string[];
  readonly onlyExplorer: readonly string[];
  readonly countOnlyTlc: number;
  readonly countOnlyExplorer: number;
  readonly problem: string | null;
  readonly result: TlcResult;
}

export function printState(s: SpecState): string {
  return SPEC_VARIABLES.map((v) => `/\\ ${v} = ${formatTlaValue(s[v])}`).join('\n');
}

function specState(vars: Readonly<Record<string, TlaValue>>, where: string): SpecState {
  const out: Partial<Record<(typeof SPEC_VARIABLES)[number], TlaValue>> = {};
  for (const v of SPEC_VARIABLES) {
    const x = vars[v];
    if (x === undefined) throw new Error(`${where}: variable ${v} is missing`);
    out[v] = x;
  }
  return out as SpecState;
}

async function runWithDump(
  m: CompiledModel,
  files: { module: string; tla: string; cfg: string },
  options: RunOptions,
): Promise<{ result: TlcResult; states: TraceState[] }> {
  const dir = await mkdtemp(join(tmpdir(), 'cordon-dump-'));
  try {
    const dump = join(dir, 'states.dump');
    const { result } = await runStaged(files, { timeoutMs: 15 * 60_000, ...options, dump });
    const states = result.kind === 'success' ? await readStateDump(dump) : [];
    return { result, states };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function diff<T>(a: ReadonlyMap<string, T>, b: ReadonlyMap<string, T>): string[] {
  const out: string[] = [];
  for (const k of a.keys()) if (!b.has(k)) out.push(k);
  return out;
}

/** Counts and sets of reachable states: TLC's `-dump` against the TS explorer's projected states (no symmetry). */
export async function compareReachable(def: ModelDef, options: RunOptions = {}): Promise<SetComparison> {
  if (def.symmetry || def.liveness !== undefined)
    throw new Error(`model ${def.name}: compare reachable sets on a model without symmetry and fairness`);
  const m = compileModel(def);
  const ex = explore(m);
  const { result, states } = await runWithDump(m, renderModel(m), options);
  const tlc = new Map<string, SpecState>();
  for (const st of states) {
    const s = specState(st.variables, `state ${st.number} of the dump`);
    tlc.set(stateKey(s), s);
  }
  const onlyT = diff(tlc, ex.states);
  const onlyE = diff(ex.states, tlc);
  const ok = result.kind === 'success';
  return {
    model: def.name,
    equal:
      ok &&
      onlyT.length === 0 &&
      onlyE.length === 0 &&
      result.stats.distinct === ex.distinct &&
      states.length === ex.distinct,
    tlc: {
      distinct: result.stats?.distinct ?? null,
      depth: result.stats?.depth ?? null,
      seconds: result.tlcDurationMs === null ? null : result.tlcDurationMs / 1000,
      dumped: states.length,
    },
    explorer: { distinct: ex.distinct, depth: ex.depth, seconds: ex.ms / 1000 },
    onlyTlc: onlyT.slice(0, 5).map((k) => printState(tlc.get(k)!)),
    onlyExplorer: onlyE.slice(0, 5).map((k) => printState(ex.states.get(k)!)),
    countOnlyTlc: onlyT.length,
    countOnlyExplorer: onlyE.length,
    problem: ok ? null : describeResult(result),
    result,
  };
}

export interface TransitionComparison {
  readonly model: string;
  readonly equal: boolean;
  /** transitions (pre-state, event with parameters, post-state) each side has */
  readonly tlcTransitions: number;
  readonly explorerTransitions: number;
  readonly tlcSeconds: number | null;
  /** up to 5 transitions of each side the other lacks: the event and the two states */
  readonly onlyTlc: readonly string[];
  readonly onlyExplorer: readonly string[];
  readonly countOnlyTlc: number;
  readonly countOnlyExplorer: number;
  readonly problem: string | null;
}

/** The labelled transition relations: spec/Transitions.tla's dump against every (state, event, successor) of the explorer. */
export async function compareTransitions(def: ModelDef, options: RunOptions = {}): Promise<TransitionComparison> {
  if (def.symmetry || def.liveness !== undefined)
    throw new Error(`model ${def.name}: compare transitions on a model without symmetry and fairness`);
  const m = compileModel(def);
  const ex = explore(m, { keepEdges: true });
  type Triple = { readonly from: SpecState; readonly event: TlaValue; readonly to: SpecState };
  const print = (t: Triple) => `${formatTlaValue(t.event)}\n from\n${printState(t.from)}\n to\n${printState(t.to)}`;
  const explorerEdges = new Map<string, Triple>();
  for (const e of ex.edges) {
    const ev = eventRecord(m.tables, m.def.machine, e.event, m.monitor.payload);
    explorerEdges.set(`${e.from}#${valueKey(ev)}#${e.to}`, {
      from: ex.states.get(e.from)!,
      event: ev,
      to: ex.states.get(e.to)!,
    });
  }
  const files = renderModel(m, {
    extends: 'Transitions',
    init: 'LabelledInit',
    next: 'LabelledNext',
    properties: [],
    invariants: [],
    header: `Transitions of the model "${def.name}", labelled.`,
  });
  const { result, states } = await runWithDump(m, { ...files, module: files.module }, options);
  const tlcEdges = new Map<string, Triple>();
  for (const st of states) {
    const last = st.variables.last;
    const prev = st.variables.prev;
    if (last === undefined || prev === undefined) throw new Error(`state ${st.number} of the dump lacks prev or last`);
    if (last.kind === 'modelValue') continue; // the initial state
    const from = specState(Object.fromEntries(recordFields(prev)), `prev of state ${st.number}`);
    const to = specState(st.variables, `state ${st.number}`);
    tlcEdges.set(`${stateKey(from)}#${valueKey(last)}#${stateKey(to)}`, { from, event: last, to });
  }
  const onlyT = diff(tlcEdges, explorerEdges);
  const onlyE = diff(explorerEdges, tlcEdges);
  const ok = result.kind === 'success';
  return {
    model: def.name,
    equal: ok && onlyT.length === 0 && onlyE.length === 0,
    tlcTransitions: tlcEdges.size,
    explorerTransitions: explorerEdges.size,
    tlcSeconds: result.tlcDurationMs === null ? null : result.tlcDurationMs / 1000,
    onlyTlc: onlyT.slice(0, 5).map((k) => print(tlcEdges.get(k)!)),
    onlyExplorer: onlyE.slice(0, 5).map((k) => print(explorerEdges.get(k)!)),
    countOnlyTlc: onlyT.length,
    countOnlyExplorer: onlyE.length,
    problem: ok ? null : describeResult(result),
  };
}
