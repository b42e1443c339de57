// A TLC model of the kernel: a solution, a rule policy, a machine, the finite
// event alphabet (handle values, Call and Reply messages) and the bounds. The
// same definition produces the TLC files (models/MC<Name>.tla and
// models/<Name>.cfg) and drives the TS explorer, so that both sides explore
// exactly the same event alphabet.

import { compileSolution, type SolutionDecl, type SolutionTables } from '../kernel/tables.ts';
import type { Machine } from '../kernel/machine.ts';
import type { KernelEvent, Message } from '../kernel/types.ts';
import { compileRules, type RulePolicy } from '../monitor/rules.ts';
import type { CompiledPolicy } from '../monitor/types.ts';
import { bootWith, type BootResult } from '../kernel/boot.ts';
import { createMonitor } from '../monitor/monitor.ts';
import { abstractCall, abstractReply, solutionConstants } from './constants.ts';
import {
  modelEvents,
  PayloadIds,
  ruleMonitorModel,
  tabulate,
  type MonitorModel,
  type TableLimits,
} from './monitor-model.ts';
import { bool, cpuName, int, mv, rec, set, tlaSource } from './tla.ts';
import type { TlaValue } from '../tlc/value.ts';

export interface Alphabet {
  /** handle values syscalls name (held or forged); must include 0, the kernel handle */
  readonly handles: readonly number[];
  /** messages a running thread may Call with (on any handle in `handles`) */
  readonly calls: readonly Message[];
  /** messages a running thread may Reply with */
  readonly replies: readonly Message[];
}

export interface ModelDef {
  /** file stem: models/MC<name>.tla and models/<name>.cfg */
  readonly name: string;
  readonly description: string;
  readonly solution: SolutionDecl | SolutionTables;
  /** a rule policy (given to the spec as rules), or any compiled policy (tabulated: src/conformance/monitor-model.ts) */
  readonly policy: RulePolicy | CompiledPolicy;
  /** bounds of the tabulation of a compiled policy */
  readonly tableLimits?: TableLimits;
  /** a compiled policy's reference interpreter (PSL: src/policy/compile/interpret.ts), tabulated as DefaultDeny's oracle; without it the model leaves DefaultDeny out */
  readonly oracle?: CompiledPolicy;
  readonly machine: Machine;
  readonly alphabet: Alphabet;
  /** TLC's CONSTRAINT (spec/Properties.tla Bounds); maxThreads defaults to 64 */
  readonly bounds: {
    readonly maxHandles: number;
    readonly maxRegions: number;
    readonly maxObjects: number;
    readonly maxThreads?: number;
  };
  /** CPUs as a symmetry set (why it is sound: spec/Kernel.tla treats CPUs only as names) */
  readonly symmetry: boolean;
  /** the liveness model: TIDs of well-behaved servers, those of them that may end (exit or close their server end), and the clients whose calls must be answered */
  readonly liveness?: {
    readonly servers: readonly number[];
    readonly mortal?: readonly number[];
    readonly watched: readonly number[];
  };
  /** invariants to check (default: all of spec/Properties.tla) */
  readonly invariants?: readonly string[];
  /** the distinct-state count and depth TLC reports (one worker): the regression baseline */
  readonly expected?: { readonly distinct: number; readonly depth: number };
  /** extra text for the MC module (solution properties) and their names */
  readonly extra?: {
    readonly definitions: string;
    readonly invariants: readonly string[];
    readonly properties?: readonly string[];
    readonly init?: string;
    readonly next?: string;
  };
}

export const ALL_INVARIANTS = [
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
] as const;

/** The action properties every safety model checks (spec/Properties.tla). */
export const ACTION_PROPERTIES = ['MediatedSteps', 'FutexWokenByOwnWake', 'DmaSteps'] as const;

/** A machine for models: only the fields the spec reads matter; the rest are fixed. */
export function modelMachine(m: {
  cpus: number;
  irqLines: number;
  memoryPages: number;
  reservedIrqs?: readonly number[];
  /** port I/O with these port ranges (an x86-family board) */
  ports?: readonly { readonly base: number; readonly count: number }[];
  mmio?: readonly { readonly base: number; readonly size: number }[];
  /** the DMA window */
  dma?: { readonly base: number; readonly pages: number };
}): Machine {
  return {
    name: 'model',
    arch: 'model',
    cpus: m.cpus,
    pageSize: 4096,
    irqLines: m.irqLines,
    ...(m.reservedIrqs === undefined ? {} : { reservedIrqs: m.reservedIrqs }),
    portIo: m.ports !== undefined,
    ports: m.ports ?? [],
    mmio: m.mmio ?? [],
    dma: m.dma ?? null,
    iommu: false,
    tickNs: 1_000_000,
    memoryPages: m.memoryPages,
  };
}

export interface CompiledModel {
  readonly def: ModelDef;
  readonly tables: SolutionTables;
  readonly boot: BootResult;
  /** the monitor as the spec sees it */
  readonly monitor: MonitorModel;
}

const isRulePolicy = (p: RulePolicy | CompiledPolicy): p is RulePolicy => 'rules' in p && Array.isArray(p.rules);

export function compileModel(def: ModelDef): CompiledModel {
  const c =
    'classByName' in def.solution ? ({ ok: true, value: def.solution } as const) : compileSolution(def.solution);
  if (!c.ok) throw new Error(`model ${def.name}: ${c.errors.join('; ')}`);
  if (!def.alphabet.handles.includes(0))
    throw new Error(`model ${def.name}: the alphabet's handles must include the kernel handle 0`);
  const tables = c.value;
  if (isRulePolicy(def.policy)) {
    const p = compileRules(tables, def.policy);
    if (!p.ok) throw new Error(`model ${def.name}: ${p.errors.join('; ')}`);
    return {
      def,
      tables,
      boot: bootWith(tables, createMonitor(tables, p.value), def.machine),
      monitor: ruleMonitorModel(def.policy),
    };
  }
  const monitor = createMonitor(tables, def.policy);
  const boot = bootWith(tables, monitor, def.machine);
  const payloads = new PayloadIds();
  for (const m of [...def.alphabet.calls, ...def.alphabet.replies]) payloads.add(m.payload);
  const classes = boot.state.processes.map((p) => p.taskClass);
  const events = modelEvents(
    tables,
    boot.decisions.map((d) => d.event),
    classes,
    def.alphabet.calls,
    def.alphabet.replies,
  );
  const table = tabulate(
    monitor,
    events,
    payloads,
    def.tableLimits,
    def.oracle === undefined ? null : createMonitor(tables, def.oracle),
  );
  if (def.oracle !== undefined) return { def, tables, boot, monitor: table };
  // no oracle: DefaultDeny could not fail (the table would be checked against itself), so it is not claimed
  const unchecked: ModelDef = {
    ...def,
    description: `${def.description} DefaultDeny is not checked: the policy has no reference interpreter to be its oracle.`,
    invariants: (def.invariants ?? ALL_INVARIANTS).filter((i) => i !== 'DefaultDeny'),
  };
  return { def: unchecked, tables, boot, monitor: table };
}

/** The events of the alphabet in a state: hardware events, and the syscalls of the running threads. */
export function alphabetEvents(def: ModelDef, running: readonly number[]): KernelEvent[] {
  const out: KernelEvent[] = [];
  for (let cpu = 0; cpu < def.machine.cpus; cpu++) out.push({ kind: 'schedule', cpu });
  out.push({ kind: 'tick' });
  for (let line = 0; line < def.machine.irqLines; line++) out.push({ kind: 'irq', line });
  const w = def.machine.dma;
  if (w !== null)
    for (let page = 0; page < w.pages; page++)
      out.push({ kind: 'dma', deviceAddress: w.base + page * def.machine.pageSize });
  for (const tid of running) {
    for (const message of def.alphabet.calls)
      for (const handle of def.alphabet.handles)
        out.push({ kind: 'syscall', tid, call: { op: 'Call', handle, message } });
    for (const handle of def.alphabet.handles) out.push({ kind: 'syscall', tid, call: { op: 'Recv', handle } });
    for (const message of def.alphabet.replies)
      for (const handle of def.alphabet.handles)
        out.push({ kind: 'syscall', tid, call: { op: 'Reply', handle, message } });
  }
  return out;
}

export function cpuNames(def: ModelDef): string[] {
  return Array.from({ length: def.machine.cpus }, (_, i) => cpuName(i));
}

/** The TLA+ constants of a model, by the spec's constant names. */
export function modelConstants(m: CompiledModel): Record<string, TlaValue> {
  const { def, tables } = m;
  const payload = (x: Message) => m.monitor.payload(x.payload);
  return {
    ...solutionConstants(tables),
    ...m.monitor.constants(tables),
    CPUs: set(cpuNames(def).map(mv)),
    IrqLines: int(def.machine.irqLines),
    ReservedIrqs: set((def.machine.reservedIrqs ?? []).map(int)),
    MemoryPages: int(def.machine.memoryPages),
    TickNs: int(def.machine.tickNs),
    PageSize: int(def.machine.pageSize),
    PortIo: bool(def.machine.portIo),
    Ports: set(def.machine.ports.map((r) => rec({ base: int(r.base), size: int(r.count) }))),
    Mmio: set(def.machine.mmio.map((r) => rec({ base: int(r.base), size: int(r.size) }))),
    DmaPages: int(def.machine.dma === null ? -1 : def.machine.dma.pages),
    Handles: set(def.alphabet.handles.map(int)),
    Messages: set(def.alphabet.calls.map((x) => abstractCall(tables, x, payload(x)))),
    Replies: set(def.alphabet.replies.map((x) => abstractReply(tables, x, payload(x)))),
    MaxHandles: int(def.bounds.maxHandles),
    MaxRegions: int(def.bounds.maxRegions),
    MaxObjects: int(def.bounds.maxObjects),
    MaxThreads: int(def.bounds.maxThreads ?? 64),
    Servers: set((def.liveness?.servers ?? []).map(int)),
    Mortal: set((def.liveness?.mortal ?? []).map(int)),
    Watched: set((def.liveness?.watched ?? []).map(int)),
  };
}

export interface ModelFiles {
  readonly module: string;
  readonly tla: string;
  readonly cfg: string;
}

/** A constant's value, one element per line when a sequence or set is long. */
function layout(v: TlaValue): string {
  const flat = tlaSource(v);
  if (flat.length <= 100 || (v.kind !== 'seq' && v.kind !== 'set') || v.elements.length < 2) return flat;
  const [open, close] = v.kind === 'seq' ? ['<<', '>>'] : ['{', '}'];
  return `${open} ${v.elements.map(tlaSource).join(',\n      ')}\n    ${close}`;
}

export interface RenderOptions {
  /** the spec module the MC module extends (Properties by default) */
  readonly extends?: string;
  readonly header?: string;
  /** further constants (name -> value) and model values (declared CONSTANTS of the MC module, `x = x` in the cfg) */
  readonly constants?: Readonly<Record<string, TlaValue>>;
  readonly modelValues?: readonly string[];
  /** definitions placed before the constants (which may name them) */
  readonly definitions?: string;
  /** INIT/NEXT (default Init/Next, or SPECIFICATION FairSpec for a liveness model) */
  readonly init?: string;
  readonly next?: string;
  /** CONSTRAINT (default Bounds; null: none) */
  readonly constraint?: string | null;
  readonly invariants?: readonly string[];
  readonly properties?: readonly string[];
  readonly symmetry?: boolean;
}

/** The MC module and cfg of a model. */
export function renderModel(m: CompiledModel, opts: RenderOptions = {}): ModelFiles {
  const { def } = m;
  const module = `MC${def.name}`;
  const consts = { ...modelConstants(m), ...(opts.constants ?? {}) };
  const cpus = cpuNames(def);
  const symmetry = opts.symmetry ?? def.symmetry;
  const modelValues = ['Null', 'Absent', ...(opts.modelValues ?? [])];
  const lines: string[] = [];
  lines.push(`${'-'.repeat(4)} MODULE ${module} ${'-'.repeat(4)}`);
  lines.push(`\\* Generated by src/conformance from the model "${def.name}"; do not edit.`);
  for (const l of (opts.header ?? def.description).split('\n')) lines.push(`\\* ${l}`);
  lines.push(`EXTENDS ${opts.extends ?? 'Properties'}, TLC`);
  lines.push('');
  lines.push(`CONSTANTS ${cpus.join(', ')}`);
  lines.push('');
  if (opts.definitions !== undefined) lines.push(opts.definitions, '');
  lines.push('\\* Each value is defined once (MC_X_) and the constant is overridden by a definition naming it');
  lines.push('\\* (MC_X): TLC evaluates the overriding definition on every use, but a plain constant-level');
  lines.push('\\* definition only once.');
  for (const [k, v] of Object.entries(consts)) lines.push(`MC_${k}_ ==\n    ${layout(v)}\nMC_${k} == MC_${k}_`);
  if (symmetry) {
    lines.push('');
    lines.push('\\* CPUs are a symmetry set: the spec uses a CPU only as a name (schedule(c) runs a thread on c,');
    lines.push('\\* a running thread records its c); no operator orders CPUs or singles one out, so permuting');
    lines.push('\\* CPU names maps behaviours to behaviours and every invariant is invariant under it.');
    lines.push(`MC_Symmetry == Permutations(MC_CPUs)`);
  }
  if (def.extra !== undefined) {
    lines.push('');
    lines.push(def.extra.definitions.trimEnd());
  }
  lines.push('='.repeat(40));
  const cfg: string[] = [];
  cfg.push(`\\* Generated by src/conformance; do not edit.`);
  cfg.push('CONSTANTS');
  for (const v of modelValues) cfg.push(`    ${v} = ${v}`);
  for (const c of cpus) cfg.push(`    ${c} = ${c}`);
  for (const k of Object.keys(consts)) cfg.push(`    ${k} <- MC_${k}`);
  if (def.liveness !== undefined && opts.init === undefined) {
    cfg.push('SPECIFICATION FairSpec');
  } else {
    cfg.push(`INIT ${opts.init ?? def.extra?.init ?? 'Init'}`);
    cfg.push(`NEXT ${opts.next ?? def.extra?.next ?? 'Next'}`);
  }
  const constraint = opts.constraint === undefined ? 'Bounds' : opts.constraint;
  if (constraint !== null) cfg.push(`CONSTRAINT ${constraint}`);
  const invariants = opts.invariants ?? [...(def.invariants ?? ALL_INVARIANTS), ...(def.extra?.invariants ?? [])];
  if (invariants.length > 0) cfg.push(`INVARIANTS ${invariants.join(' ')}`);
  const properties = opts.properties ?? [
    ...(def.liveness !== undefined ? ['GrantedCallAnswered'] : ACTION_PROPERTIES),
    ...(def.extra?.properties ?? []),
  ];
  if (properties.length > 0) cfg.push(`PROPERTIES ${properties.join(' ')}`);
  if (symmetry) cfg.push('SYMMETRY MC_Symmetry');
  cfg.push('\\* Totality: every state has a successor (the hardware events Tick, Schedule and Irq are enabled in');
  cfg.push('\\* every state, as step() accepts them in every state).  A state where every thread is blocked with');
  cfg.push('\\* nobody to wake it is a legitimate end state of a finite model; it is not a deadlock, because');
  cfg.push('\\* the hardware can still tick (a stuttering step), so TLC checks that no state lacks a successor.');
  cfg.push('CHECK_DEADLOCK TRUE');
  return { module, tla: `${lines.join('\n')}\n`, cfg: `${cfg.join('\n')}\n` };
}
