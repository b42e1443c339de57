// Trace validation: random traces of the TS kernel (the adversary of
// src/adversary: every process may issue any syscall) are checked by TLC to
// be behaviours of the spec, many traces in one TLC run (spec/Trace.tla).

import fc from 'fast-check';
import * as t from 'io-ts';
import { Nat } from '../kernel/kernel-api.ts';
import { step } from '../kernel/step.ts';
import type { KernelEvent, KernelState } from '../kernel/types.ts';
import { arbChoices, realize, type Choice, type ChoiceWeights } from '../adversary/index.ts';
import type { SolutionDecl } from '../kernel/tables.ts';
import { kernelRule } from './catalog.ts';
import { alphabetEvents, compileModel, modelMachine, renderModel, type CompiledModel, type ModelDef } from './model.ts';
import { running } from './explorer.ts';
import { SPEC_VARIABLES, projector, type SpecState } from './projection.ts';
import { eventRecord } from './events.ts';
import { mv, rec, seq, valueKey } from './tla.ts';
import { describeResult, runStaged, type RunOptions } from './run.ts';
import type { TlaValue, TlcResult } from '../tlc/index.ts';
import { asInt, formatTlaValue, recordFields } from '../tlc/index.ts';

const VALUE = t.type({ value: Nat });
const NOTE = t.type({ text: t.string });

const worldSolution: SolutionDecl = {
  name: 'trace-world',
  interfaces: [
    {
      name: 'app.Echo',
      methods: [
        { name: 'Echo', request: VALUE, response: VALUE, error: VALUE },
        { name: 'Fail', request: VALUE, response: VALUE, error: NOTE },
      ],
    },
    { name: 'app.Admin', methods: [{ name: 'Reset', request: t.type({}), response: t.type({}), error: VALUE }] },
    { name: 'sec.Audit', methods: [{ name: 'Note', request: NOTE, response: t.unknown, error: t.unknown }] },
  ],
  classes: [
    { name: 'Client', endpoints: [], security: 'sec.Audit' },
    {
      name: 'Server',
      endpoints: [
        { name: 'echo', interface: 'app.Echo' },
        { name: 'admin', interface: 'app.Admin' },
      ],
    },
    { name: 'Logger', endpoints: [{ name: 'log', interface: 'app.Echo' }] },
    { name: 'Spawned', endpoints: [] },
  ],
  processes: [
    { name: 'c1', taskClass: 'Client', priority: 10 },
    { name: 'c2', taskClass: 'Client', priority: 12 },
    { name: 'srv', taskClass: 'Server', priority: 10 },
    { name: 'log', taskClass: 'Logger', priority: 8 },
  ],
  connections: [
    { client: 'c1', server: 'srv', id: 'srv' },
    { client: 'c2', server: 'srv', id: 'srv' },
    { client: 'srv', server: 'log', id: 'log' },
    { client: 'c1', server: 'log', id: 'log' },
  ],
};

/**
 * The solution traces run in: 4 processes, 4 channels, a security interface,
 * process starts, limited rules, 2 CPUs, 2 IRQ lines (one the kernel's), and a
 * policy that grants some of everything and denies the rest.
 */
export const TraceWorld: ModelDef = {
  name: 'TraceWorld',
  description: 'The solution random TS traces run in (trace validation).',
  solution: worldSolution,
  policy: {
    name: 'trace-world',
    rules: [
      { id: 'Einit starts', kind: 'execute', src: 'Einit' },
      { id: 'clients spawn', kind: 'execute', src: 'Client', dst: 'Spawned', limit: 2 },
      { id: 'echo', kind: 'request', src: 'Client', dst: 'Server', endpoint: 'echo', method: 'Echo' },
      { id: 'fail', kind: 'request', src: 'Client', dst: 'Server', endpoint: 'echo', method: 'Fail' },
      { id: 'reset', kind: 'request', src: 'Client', dst: 'Server', endpoint: 'admin', limit: 2 },
      { id: 'server logs', kind: 'request', src: 'Server', dst: 'Logger' },
      { id: 'client logs once', kind: 'request', src: 'Client', dst: 'Logger', limit: 1 },
      { id: 'responses', kind: 'response' },
      { id: 'server errors', kind: 'error', src: 'Server' },
      { id: 'audit', kind: 'security', src: 'Client', method: 'Note' },
      kernelRule('vmm', 'Allocate'),
      kernelRule('vmm', 'Map'),
      kernelRule('irq', 'Attach', 'Server'),
      kernelRule('irq', 'Wait', 'Server'),
      kernelRule('irq', 'Ack', 'Server'),
      kernelRule('handle', 'Close'),
      kernelRule('handle', 'Duplicate'),
      kernelRule('thread', 'Exit'),
      kernelRule('thread', 'Sleep'),
      kernelRule('task', 'Exit', 'Logger'),
      kernelRule('task', 'Execute', 'Client'),
      kernelRule('time', 'Read'),
    ],
  },
  machine: modelMachine({ cpus: 2, irqLines: 2, memoryPages: 3, reservedIrqs: [1] }),
  alphabet: { handles: [0], calls: [], replies: [] },
  bounds: { maxHandles: 1000, maxRegions: 1000, maxObjects: 1000 },
  symmetry: false,
};

// ------------------------------------------------------------------ random events

/** The adversary's choices in the trace world: every kind but DMA completions and real-time clock reads, which the spec does not have. */
export const TRACE_WEIGHTS: Partial<ChoiceWeights> = { tick: 1, dma: 0, rtc: 0 };

// ------------------------------------------------------------------ recording

export interface RecordedStep {
  readonly event: KernelEvent;
  /** the event as spec/Trace.tla's Do reads it */
  readonly action: TlaValue;
  readonly state: SpecState;
}

export interface RecordedTrace {
  readonly events: readonly KernelEvent[];
  readonly steps: readonly RecordedStep[];
}

export interface TraceStats {
  readonly traces: number;
  readonly steps: number;
  /** steps that changed the kernel state (not only the last-step records) */
  readonly effective: number;
  readonly grants: number;
  readonly denies: number;
  readonly effects: Readonly<Record<string, number>>;
}

/** Runs choices through the TS kernel from boot, recording each event and the projected state it reached. */
export function recordTrace(m: CompiledModel, choices: readonly Choice[]): RecordedTrace {
  const project = projector(m.monitor);
  let s = m.boot.state;
  const steps: RecordedStep[] = [];
  const events: KernelEvent[] = [];
  for (const c of choices) {
    const e = realize(s, c);
    const r = step(s, e);
    if (r.rejected !== undefined) continue;
    events.push(e);
    steps.push({
      event: e,
      action: eventRecord(m.tables, m.def.machine, e, m.monitor.payload),
      state: project.state(r.state, r.decisions, r.effects),
    });
    s = r.state;
  }
  return { events, steps };
}

/**
 * `count` seeded random walks of `length` events through a model's own
 * alphabet (alphabetEvents: the hardware events, and the Calls, Recvs and
 * Replies of the running threads), recorded as traces: trace validation on a
 * catalog model, whose events include what the adversary's choices do not
 * (DMA completions, the model's kernel services).
 */
export function walkTraces(m: CompiledModel, count: number, length: number, seed: number): RecordedTrace[] {
  const project = projector(m.monitor);
  const walks = fc.sample(fc.array(fc.nat(), { minLength: length, maxLength: length }), { numRuns: count, seed });
  return walks.map((picks) => {
    let s = m.boot.state;
    const steps: RecordedStep[] = [];
    const events: KernelEvent[] = [];
    for (const pick of picks) {
      const options = alphabetEvents(m.def, running(s));
      const e = options[pick % options.length]!;
      const r = step(s, e);
      if (r.rejected !== undefined) continue;
      events.push(e);
      steps.push({
        event: e,
        action: eventRecord(m.tables, m.def.machine, e, m.monitor.payload),
        state: project.state(r.state, r.decisions, r.effects),
      });
      s = r.state;
    }
    return { events, steps };
  });
}

export function arbTrace(maxLength: number): fc.Arbitrary<readonly Choice[]> {
  return arbChoices(maxLength, { minLength: 5, weights: TRACE_WEIGHTS });
}

/** `count` random traces of the trace world (seeded: the same seed gives the same traces). */
export function generateTraces(
  count: number,
  seed: number,
  maxLength = 60,
  m: CompiledModel = compileModel(TraceWorld),
): RecordedTrace[] {
  return fc.sample(arbTrace(maxLength), { numRuns: count, seed }).map((choices) => recordTrace(m, choices));
}

export function traceStats(m: CompiledModel, traces: readonly RecordedTrace[]): TraceStats {
  let steps = 0;
  let effective = 0;
  let grants = 0;
  let denies = 0;
  const effects: Record<string, number> = {};
  const project = projector(m.monitor);
  for (const tr of traces) {
    let prev = project.state(m.boot.state, [], []);
    for (const st of tr.steps) {
      steps++;
      if (
        SPEC_VARIABLES.some((v) => v !== 'decisions' && v !== 'effects' && valueKey(st.state[v]) !== valueKey(prev[v]))
      )
        effective++;
      for (const d of recordList(st.state.decisions))
        if (asString(recordFields(d).get('verdict')!) === 'grant') grants++;
        else denies++;
      for (const e of recordList(st.state.effects)) {
        const k = asString(recordFields(e).get('kind')!);
        effects[k] = (effects[k] ?? 0) + 1;
      }
      prev = st.state;
    }
  }
  return { traces: traces.length, steps, effective, grants, denies, effects };
}

const recordList = (v: TlaValue): readonly TlaValue[] => (v.kind === 'seq' ? v.elements : []);
const asString = (v: TlaValue): string => (v.kind === 'string' ? v.value : String(asInt(v)));

// ------------------------------------------------------------------ the TLC run

/**
 * The Traces constant: each step's event and the variables it changed (the
 * others: Same). Values recur across steps and traces (the same thread table,
 * the same decision), so each distinct value is defined once, as `V<n>` in the
 * MC module, and the steps name them: the module is several times smaller and
 * TLC evaluates each value once.
 */
export function tracesConstant(
  m: CompiledModel,
  traces: readonly RecordedTrace[],
): { readonly value: TlaValue; readonly definitions: string } {
  const project = projector(m.monitor);
  const boot = project.state(m.boot.state, m.boot.decisions, m.boot.effects);
  const names = new Map<string, string>();
  const defs: string[] = [];
  const ref = (v: TlaValue): TlaValue => {
    const k = valueKey(v);
    let n = names.get(k);
    if (n === undefined) {
      n = `V${names.size}`;
      names.set(k, n);
      defs.push(`${n} == ${formatTlaValue(v)}`);
    }
    return mv(n);
  };
  const value = seq(
    traces.map((tr) => {
      let prev: SpecState = boot;
      return seq(
        tr.steps.map((st) => {
          const fields: TlaValue[] = [ref(st.action)];
          for (const v of SPEC_VARIABLES)
            fields.push(valueKey(st.state[v]) === valueKey(prev[v]) ? mv('Same') : ref(st.state[v]));
          prev = st.state;
          return seq(fields);
        }),
      );
    }),
  );
  return { value, definitions: defs.join('\n') };
}

export interface TraceValidation {
  readonly ok: boolean;
  readonly traces: number;
  readonly steps: number;
  /** distinct states TLC explored (every step of every trace, plus the trace ends) */
  readonly distinct: number | null;
  readonly tlcSeconds: number | null;
  readonly wallSeconds: number;
  /** when a trace is not a behaviour of the spec: which, and the step TLC could not follow */
  readonly divergence: { readonly trace: number; readonly step: number; readonly event: KernelEvent } | null;
  readonly problem: string | null;
  readonly result: TlcResult;
}

/** Checks recorded traces with TLC in one run. */
export async function validateTraces(
  m: CompiledModel,
  traces: readonly RecordedTrace[],
  options: RunOptions & { readonly invariants?: readonly string[] } = {},
): Promise<TraceValidation> {
  const t0 = performance.now();
  const project = projector(m.monitor);
  const boot = project.state(m.boot.state, m.boot.decisions, m.boot.effects);
  const data = tracesConstant(m, traces);
  const files = renderModel(m, {
    extends: 'Trace',
    header: `Trace validation: ${traces.length} TS kernel traces of "${m.def.name}".`,
    definitions: `\\* The values the traces' steps name.\n${data.definitions}`,
    constants: { Traces: data.value, BootState: rec(boot) },
    modelValues: ['Same'],
    init: 'TraceInit',
    next: 'TraceNext',
    constraint: null,
    invariants: options.invariants ?? [
      'TypeOK',
      'Scheduling',
      'DefaultDeny',
      'CompleteMediation',
      'Isolation',
      'HandlesUnforgeable',
      'ObjectLabels',
      'ReplyToCaller',
      'FutexAddress',
      'DmaBuffers',
      'IrqToHolder',
    ],
    properties: [],
    symmetry: false,
  });
  const { result } = await runStaged(files, { timeoutMs: 10 * 60_000, maxHeap: '6g', ...options });
  let divergence: TraceValidation['divergence'] = null;
  if (result.kind === 'deadlock') {
    const last = result.trace[result.trace.length - 1];
    if (last !== undefined) {
      const trace = asInt(last.variables.tr!);
      const pos = asInt(last.variables.pos!);
      divergence = { trace, step: pos + 1, event: traces[trace - 1]!.steps[pos]!.event };
    }
  }
  const steps = traces.reduce((n, tr) => n + tr.steps.length, 0);
  return {
    ok: result.kind === 'success',
    traces: traces.length,
    steps,
    distinct: result.stats?.distinct ?? null,
    tlcSeconds: result.tlcDurationMs === null ? null : result.tlcDurationMs / 1000,
    wallSeconds: (performance.now() - t0) / 1000,
    divergence,
    problem: result.kind === 'success' ? null : describeResult(result),
    result,
  };
}

/** The kernel state at a step of a recorded trace (for reporting a divergence). */
export function stateBefore(m: CompiledModel, trace: RecordedTrace, stepIndex: number): KernelState {
  let s = m.boot.state;
  for (const e of trace.events.slice(0, stepIndex)) s = step(s, e).state;
  return s;
}
