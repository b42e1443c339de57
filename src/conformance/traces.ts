// Trace validation: random traces of the TS kernel (fast-check, adversarial
// processes included) are checked by TLC to be behaviours of the spec, many
// traces in one TLC run (spec/Trace.tla).

import fc from 'fast-check';
import * as t from 'io-ts';
import { Nat } from '../kernel/kernel-api.ts';
import { step } from '../kernel/step.ts';
import type { KernelEvent, KernelState, Message } from '../kernel/types.ts';
import { Rights } from '../kernel/types.ts';
import type { SolutionDecl } from '../kernel/solution.ts';
import { K, kernelRule } from './catalog.ts';
import { compileModel, modelMachine, renderModel, type CompiledModel, type ModelDef } from './model.ts';
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
    { name: 'app.Echo', methods: [{ name: 'Echo', request: VALUE, response: VALUE, error: VALUE }, { name: 'Fail', request: VALUE, response: VALUE, error: NOTE }] },
    { name: 'app.Admin', methods: [{ name: 'Reset', request: t.type({}), response: t.type({}), error: VALUE }] },
    { name: 'sec.Audit', methods: [{ name: 'Note', request: NOTE, response: t.unknown, error: t.unknown }] },
  ],
  classes: [
    { name: 'Client', endpoints: [], security: 'sec.Audit' },
    { name: 'Server', endpoints: [{ name: 'echo', interface: 'app.Echo' }, { name: 'admin', interface: 'app.Admin' }] },
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

type HandlePick = { readonly held: number } | { readonly forged: number };
type Payload = 'value' | 'text' | 'empty' | 'null' | 'negative' | 'big';
type Transfer = readonly [HandlePick, number];

export type TraceChoice =
  | { readonly t: 'schedule'; readonly cpu: number }
  | { readonly t: 'tick' }
  | { readonly t: 'irq'; readonly line: number }
  | { readonly t: 'call'; readonly who: number; readonly handle: HandlePick; readonly method: number; readonly raw: readonly [number, number] | null; readonly payload: Payload; readonly transfers: readonly Transfer[] }
  | { readonly t: 'kernel'; readonly who: number; readonly service: number; readonly args: readonly number[]; readonly transfers: readonly Transfer[] }
  | { readonly t: 'recv'; readonly who: number; readonly handle: HandlePick }
  | { readonly t: 'reply'; readonly who: number; readonly handle: HandlePick; readonly payload: Payload; readonly error: boolean; readonly transfers: readonly Transfer[] };

const arbHandle: fc.Arbitrary<HandlePick> = fc.oneof(
  { weight: 8, arbitrary: fc.nat({ max: 7 }).map((held) => ({ held })) },
  { weight: 1, arbitrary: fc.constantFrom(5, 6, 9, 1 << 20).map((forged) => ({ forged })) },
);
const arbPayload: fc.Arbitrary<Payload> = fc.oneof(
  { weight: 8, arbitrary: fc.constant('value' as const) },
  { weight: 2, arbitrary: fc.constantFrom('text' as const, 'empty' as const, 'null' as const, 'negative' as const, 'big' as const) },
);
const RIGHTS = [Rights.call, Rights.call | Rights.transfer, Rights.recv, Rights.read | Rights.write, 124, 127, 0, 1 << 20] as const;
const arbTransfers: fc.Arbitrary<readonly Transfer[]> = fc.oneof(
  { weight: 6, arbitrary: fc.constant([]) },
  { weight: 2, arbitrary: fc.array(fc.tuple(arbHandle, fc.constantFrom(...RIGHTS)), { minLength: 1, maxLength: 2 }) },
);

/** Kernel requests traces make (modelled services with random arguments, and services the policy must deny). */
const SERVICES: readonly ((a: readonly number[]) => Message)[] = [
  (a) => K.execute(['Spawned', 'Client', 'kl.core.Core', 'Nope'][a[0]! % 4]!, ['w1', 'w2', 'c1', ''][a[1]! % 4]!),
  () => K.taskExit,
  () => K.threadExit,
  (a) => K.sleep([0, 1_000_000, 2_500_000][a[0]! % 3]!),
  (a) => K.allocate(a[0]! % 3),
  (a) => K.map(a[0]! % 7),
  (a) => K.irqAttach(a[0]! % 3),
  (a) => K.irqWait(a[0]! % 7),
  (a) => K.irqAck(a[0]! % 7),
  (a) => K.close(a[0]! % 8),
  (a) => K.duplicate(a[0]! % 7, RIGHTS[a[1]! % RIGHTS.length]!),
  () => K.timeRead,
  () => ({ riid: 1, mid: 0, payload: { priority: 10 } }), // thread.Create: not modelled, the policy denies it
  () => ({ riid: 9, mid: 0, payload: {} }), // channel.Create: not modelled, denied
  (a) => ({ riid: 10, mid: a[0]! % 2, payload: { text: 'audit' } }), // the caller's security interface
  () => K.malformed,
];

export const arbTraceChoice: fc.Arbitrary<TraceChoice> = fc.oneof(
  { weight: 6, arbitrary: fc.nat({ max: 3 }).map((cpu) => ({ t: 'schedule' as const, cpu })) },
  { weight: 1, arbitrary: fc.constant({ t: 'tick' as const }) },
  { weight: 1, arbitrary: fc.nat({ max: 3 }).map((line) => ({ t: 'irq' as const, line })) },
  {
    weight: 8,
    arbitrary: fc.record({
      t: fc.constant('call' as const),
      who: fc.nat({ max: 3 }),
      handle: arbHandle,
      method: fc.nat({ max: 5 }),
      raw: fc.option(fc.tuple(fc.nat({ max: 3 }), fc.nat({ max: 3 })), { freq: 6 }),
      payload: arbPayload,
      transfers: arbTransfers,
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      t: fc.constant('kernel' as const),
      who: fc.nat({ max: 3 }),
      service: fc.nat({ max: SERVICES.length - 1 }),
      args: fc.array(fc.nat({ max: 12 }), { minLength: 2, maxLength: 2 }),
      transfers: fc.oneof({ weight: 9, arbitrary: fc.constant([]) }, { weight: 1, arbitrary: arbTransfers }),
    }),
  },
  { weight: 6, arbitrary: fc.record({ t: fc.constant('recv' as const), who: fc.nat({ max: 3 }), handle: arbHandle }) },
  { weight: 5, arbitrary: fc.record({ t: fc.constant('reply' as const), who: fc.nat({ max: 3 }), handle: arbHandle, payload: arbPayload, error: fc.boolean(), transfers: arbTransfers }) },
);

function payloadOf(p: Payload, n: number): unknown {
  switch (p) {
    case 'value':
      return { value: n };
    case 'text':
      return { text: 'x' };
    case 'empty':
      return {};
    case 'null':
      return null;
    case 'negative':
      return { value: -1 };
    case 'big':
      return { value: 2 ** 40 };
  }
}

/** A held pick prefers handles with a right the operation needs, as a working program would. */
function pickHandle(s: KernelState, sid: number, h: HandlePick, want: number): number {
  if ('forged' in h) return h.forged;
  const held: number[] = [];
  // the kernel handle (0) has the call right too; a channel call names it only now and then
  s.processes[sid]!.handles.forEach((e, i) => e !== null && (e.rights & want) === want && (i > 0 || h.held === 7) && held.push(i));
  if (held.length === 0) s.processes[sid]!.handles.forEach((e, i) => e !== null && held.push(i));
  return held.length === 0 ? h.held : held[h.held % held.length]!;
}

/** Makes a choice concrete against the state it meets (null: nothing to do for it here). */
export function realizeChoice(s: KernelState, c: TraceChoice): KernelEvent | null {
  switch (c.t) {
    case 'schedule':
      return { kind: 'schedule', cpu: c.cpu % s.cpus.length };
    case 'tick':
      return { kind: 'tick' };
    case 'irq':
      return s.irqs.length === 0 ? null : { kind: 'irq', line: c.line % s.irqs.length };
  }
  const running = s.cpus.filter((x): x is number => x !== null);
  // nothing runs yet: the scheduler runs instead
  if (running.length === 0) return { kind: 'schedule', cpu: c.who % s.cpus.length };
  // a working program does what it can: prefer a running thread able to make this call
  const holds = (x: number, right: number) => s.processes[s.threads[x]!.sid]!.handles.some((e, i) => i > 0 && e !== null && (e.rights & right) !== 0);
  const able =
    c.t === 'reply' ? running.filter((x) => s.threads[x]!.serving !== null)
    : c.t === 'recv' ? running.filter((x) => s.threads[x]!.serving === null && holds(x, Rights.recv))
    : c.t === 'call' ? running.filter((x) => holds(x, Rights.call))
    : running;
  // nobody running can do it (e.g. every server waits in Recv): mostly the scheduler runs instead
  if (able.length === 0 && c.who < 3) return { kind: 'schedule', cpu: c.who % s.cpus.length };
  const pool = able.length > 0 && c.who < 3 ? able : running;
  const tid = pool[c.who % pool.length]!;
  const sid = s.threads[tid]!.sid;
  const transfers = (xs: readonly Transfer[]) => xs.map(([h, rights]) => ({ handle: pickHandle(s, sid, h, Rights.transfer), rights }));
  switch (c.t) {
    case 'recv':
      return { kind: 'syscall', tid, call: { op: 'Recv', handle: pickHandle(s, sid, c.handle, Rights.recv) } };
    case 'reply': {
      const serving = s.threads[tid]!.serving;
      const own = serving === null ? -1 : s.processes[sid]!.handles.findIndex((e) => e !== null && e.object === serving.channel && (e.rights & Rights.recv) !== 0);
      const handle = own >= 0 && 'held' in c.handle && c.handle.held < 6 ? own : pickHandle(s, sid, c.handle, Rights.recv);
      return {
        kind: 'syscall',
        tid,
        call: { op: 'Reply', handle, message: { riid: 0, mid: 0, payload: payloadOf(c.payload, 3), error: c.error, handles: transfers(c.transfers) } },
      };
    }
    case 'kernel': {
      const m = SERVICES[c.service]!(c.args);
      return { kind: 'syscall', tid, call: { op: 'Call', handle: 0, message: { ...m, handles: transfers(c.transfers) } } };
    }
    case 'call': {
      const handle = pickHandle(s, sid, c.handle, Rights.call);
      const entry = s.processes[sid]!.handles[handle];
      const obj = entry == null ? undefined : s.objects[entry.object];
      let riid = 0;
      let mid = 0;
      if (c.raw !== null) [riid, mid] = c.raw;
      else if (obj?.kind === 'channel') {
        const t = s.config.tables;
        const cls = t.classes[s.processes[obj.server]!.taskClass]!;
        const all = cls.endpoints.flatMap((ep) => t.interfaces[ep.iface]!.methods.map((m) => [ep.riid, m.mid] as const));
        if (all.length > 0) [riid, mid] = all[c.method % all.length]!;
      }
      return { kind: 'syscall', tid, call: { op: 'Call', handle, message: { riid, mid, payload: payloadOf(c.payload, 1), handles: transfers(c.transfers) } } };
    }
  }
}

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
export function recordTrace(m: CompiledModel, choices: readonly TraceChoice[]): RecordedTrace {
  const project = projector(m.monitor);
  let s = m.boot.state;
  const steps: RecordedStep[] = [];
  const events: KernelEvent[] = [];
  for (const c of choices) {
    const e = realizeChoice(s, c);
    if (e === null) continue;
    const r = step(s, e);
    if (r.rejected !== undefined) continue;
    events.push(e);
    steps.push({ event: e, action: eventRecord(m.tables, e, m.monitor.payload), state: project.state(r.state, r.decisions, r.effects) });
    s = r.state;
  }
  return { events, steps };
}

export function arbTrace(maxLength: number): fc.Arbitrary<readonly TraceChoice[]> {
  return fc.array(arbTraceChoice, { minLength: 5, maxLength, size: 'max' });
}

/** `count` random traces of the trace world (seeded: the same seed gives the same traces). */
export function generateTraces(count: number, seed: number, maxLength = 60, m: CompiledModel = compileModel(TraceWorld)): RecordedTrace[] {
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
      if (SPEC_VARIABLES.some((v) => v !== 'decisions' && v !== 'effects' && valueKey(st.state[v]) !== valueKey(prev[v]))) effective++;
      for (const d of recordList(st.state.decisions)) if (asString(recordFields(d).get('verdict')!) === 'grant') grants++;
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
export function tracesConstant(m: CompiledModel, traces: readonly RecordedTrace[]): { readonly value: TlaValue; readonly definitions: string } {
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
          for (const v of SPEC_VARIABLES) fields.push(valueKey(st.state[v]) === valueKey(prev[v]) ? mv('Same') : ref(st.state[v]));
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
export async function validateTraces(m: CompiledModel, traces: readonly RecordedTrace[], options: RunOptions & { readonly invariants?: readonly string[] } = {}): Promise<TraceValidation> {
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
    invariants: options.invariants ?? ['TypeOK', 'Scheduling', 'DefaultDeny', 'CompleteMediation', 'Isolation', 'HandlesUnforgeable', 'ReplyToCaller'],
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

