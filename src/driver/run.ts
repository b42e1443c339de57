// The run loop: board events, `schedule` events for each CPU, and the next
// operation of whichever thread is running, interleaved by a seeded generator
// and fed one by one to the kernel's `step`. A run is a pure function of its
// options: the same boot, board, programs and seed give the same events, and
// `replay(boot, events)` reaches the same final state.

import { boardStep, initialHardware, programDma, type HardwareState } from '../../boards/hardware.ts';
import { deriveSeed, Random, rng, type Rng } from '../../boards/prng.ts';
import type { Board } from '../../boards/types.ts';
import type { BootResult } from '../kernel/boot.ts';
import { step } from '../kernel/step.ts';
import type { Effect, KernelEvent, KernelState, ReturnCode, StepResult, ThreadResult, Tid } from '../kernel/types.ts';
import { adversarialSyscall, adversaryChoices } from './adversary.ts';
import type { SyscallChoice } from '../adversary/index.ts';
import {
  compilePrograms,
  saved,
  syscallOf,
  type CompiledProgram,
  type Program,
  type ThreadContext,
} from './program.ts';

export type EventSource = 'board' | 'schedule' | 'program' | 'adversary';

export interface RunOptions {
  readonly boot: BootResult;
  readonly board: Board;
  /** scripted programs by process name (run by each process's main thread) */
  readonly programs?: Readonly<Record<string, Program>>;
  /** untrusted processes whose every thread makes arbitrary system calls */
  readonly adversaries?: readonly string[];
  /** the untrusted threads' choices, taken in turn and from the start again when used up (none: they make no calls); default: generated from the seed */
  readonly adversary?: readonly SyscallChoice[];
  readonly seed: number;
  /** kernel events to feed */
  readonly steps: number;
  /** relative weights of a board step, a schedule event and a thread's operation (default 1 : 2 : 6) */
  readonly weights?: { readonly board: number; readonly schedule: number; readonly thread: number };
  /** called after every kernel step */
  readonly onStep?: (info: StepInfo) => void;
}

export interface StepInfo {
  readonly index: number;
  readonly event: KernelEvent;
  readonly source: EventSource;
  readonly before: KernelState;
  readonly result: StepResult;
}

/** What one step did, without its state. */
export interface StepRecord {
  readonly event: KernelEvent;
  readonly source: EventSource;
  readonly results: readonly ThreadResult[];
  readonly verdicts: readonly ('grant' | 'deny')[];
  readonly effects: readonly Effect['kind'][];
  readonly rejected?: string;
}

export interface RunCounts {
  readonly events: number;
  readonly bySource: Readonly<Record<EventSource, number>>;
  readonly byKind: Readonly<Record<KernelEvent['kind'], number>>;
  readonly grants: number;
  readonly denies: number;
  readonly rejected: number;
  readonly rc: Readonly<Partial<Record<ReturnCode, number>>>;
  /** interrupts handed to a waiting driver thread */
  readonly irqsDelivered: number;
  /** DMA transfers that completed into a started buffer */
  readonly dmaCompleted: number;
  /** operations each scripted program completed (results received), by process */
  readonly programOps: Readonly<Record<string, number>>;
}

export interface RunResult {
  readonly board: string;
  readonly seed: number;
  readonly events: readonly KernelEvent[];
  readonly steps: readonly StepRecord[];
  readonly final: KernelState;
  readonly hw: HardwareState;
  readonly counts: RunCounts;
}

const DEFAULT_WEIGHTS = { board: 1, schedule: 2, thread: 6 };

/** Runs a booted solution on a board; throws only if the programs do not fit the solution (a configuration error). */
export function run(opts: RunOptions): RunResult {
  const { boot, board, seed } = opts;
  const machine = boot.state.config.machine;
  if (machine.name !== board.id)
    throw new Error(`the solution was booted on "${machine.name}" but the run is on board "${board.id}"`);
  const compiled = compilePrograms(boot, opts.programs ?? {});
  if (!compiled.ok) throw new Error(`programs do not fit the solution:\n  ${compiled.errors.join('\n  ')}`);
  const unknown = (opts.adversaries ?? []).filter((a) => boot.sids[a] === undefined && !boot.denied.includes(a));
  if (unknown.length > 0) throw new Error(`unknown adversary processes: ${unknown.join(', ')}`);

  const programByTid = new Map<Tid, Pick<CompiledProgram, 'process' | 'ops' | 'loopFrom'>>(
    compiled.value.map((p) => [p.tid, p]),
  );
  const contexts = new Map<Tid, ThreadContext>(
    compiled.value.map((p) => [p.tid, { pc: 0, pending: null, vars: {}, results: 0 }]),
  );
  const adversarySids = new Set(
    (opts.adversaries ?? []).flatMap((a) => (boot.sids[a] === undefined ? [] : [boot.sids[a]!])),
  );
  const weights = opts.weights ?? DEFAULT_WEIGHTS;

  const random = new Random(deriveSeed(seed, 'interleaving'));
  const adversary = new Random(deriveSeed(seed, 'adversary'));
  const choices =
    opts.adversary ??
    (adversarySids.size === 0 ? [] : adversaryChoices(deriveSeed(seed, 'adversary choices'), opts.steps));
  let nextChoice = 0;
  const next = (): SyscallChoice => choices[nextChoice++ % choices.length]!;
  let hwRng: Rng = rng(deriveSeed(seed, 'board'));
  let hw = initialHardware(board, deriveSeed(seed, 'rtc'));
  let state = boot.state;

  const events: KernelEvent[] = [];
  const records: StepRecord[] = [];
  const bySource: Record<EventSource, number> = { board: 0, schedule: 0, program: 0, adversary: 0 };
  const byKind: Record<KernelEvent['kind'], number> = { syscall: 0, tick: 0, irq: 0, dma: 0, rtc: 0, schedule: 0 };
  const rc: Partial<Record<ReturnCode, number>> = {};
  let grants = 0;
  let denies = 0;
  let rejected = 0;
  let irqsDelivered = 0;
  let dmaCompleted = 0;

  const feed = (event: KernelEvent, source: EventSource): void => {
    const before = state;
    const result = step(before, event);
    state = result.state;
    const index = events.length;
    events.push(event);
    bySource[source]++;
    byKind[event.kind]++;
    if (result.rejected !== undefined) rejected++;
    for (const d of result.decisions) d.decision.verdict === 'grant' ? grants++ : denies++;
    for (const r of result.results) {
      rc[r.rc] = (rc[r.rc] ?? 0) + 1;
      if (r.rc === 'rcOk' && typeof (r.value as { line?: unknown } | undefined)?.line === 'number') irqsDelivered++;
      const ctx = contexts.get(r.tid);
      if (ctx?.pending) {
        const op = ctx.pending;
        const save = 'save' in op.op ? op.op.save : undefined;
        if (save !== undefined) ctx.vars[save] = saved(r);
        ctx.pending = null;
        ctx.results++;
        // a thread.Create that carries a program: the new thread runs it
        const created = (r.value as { tid?: unknown } | undefined)?.tid;
        if (op.thread !== undefined && r.rc === 'rcOk' && typeof created === 'number') {
          programByTid.set(created, { process: programByTid.get(r.tid)!.process, ...op.thread });
          contexts.set(created, { pc: 0, pending: null, vars: {}, results: 0 });
        }
      }
    }
    // the devices see the transfers their drivers started
    if (state.objects !== before.objects)
      state.objects.forEach((o, id) => {
        if (o.kind !== 'dma') return;
        const was = before.objects.get(id);
        if (o.status === 'busy' && (was?.kind !== 'dma' || was.status !== 'busy'))
          ({ hw, rng: hwRng } = programDma(board, hw, o.deviceAddress, hwRng));
        if (event.kind === 'dma' && o.status === 'done' && was?.kind === 'dma' && was.status === 'busy') dmaCompleted++;
      });
    records.push({
      event,
      source,
      results: result.results,
      verdicts: result.decisions.map((d) => d.decision.verdict),
      effects: result.effects.map((e) => e.kind),
      ...(result.rejected !== undefined ? { rejected: result.rejected } : {}),
    });
    opts.onStep?.({ index, event, source, before, result });
  };

  /** Running threads that have something to do: a scripted thread with an operation left, or an adversary's thread. */
  const actors = (): Tid[] => {
    const out: Tid[] = [];
    for (const tid of state.cpus) {
      if (tid === null) continue;
      const p = programByTid.get(tid);
      if (
        p !== undefined
          ? contexts.get(tid)!.pc < p.ops.length
          : choices.length > 0 && adversarySids.has(state.threads.get(tid)!.sid)
      )
        out.push(tid);
    }
    return out;
  };

  const schedule = (): void => {
    const idle = state.cpus.flatMap((t, cpu) => (t === null ? [cpu] : []));
    const cpu = idle.length > 0 && random.chance(0.5) ? random.pick(idle) : random.int(state.cpus.length);
    feed({ kind: 'schedule', cpu }, 'schedule');
  };

  while (events.length < opts.steps) {
    const choice = random.weighted([weights.board, weights.schedule, weights.thread]);
    if (choice === 0) {
      const b = boardStep(board, hw, hwRng);
      hw = b.hw;
      hwRng = b.rng;
      for (const e of b.events) if (events.length < opts.steps) feed(e, 'board');
      continue;
    }
    const ready = choice === 2 ? actors() : [];
    if (ready.length === 0) {
      schedule();
      continue;
    }
    const tid = random.pick(ready);
    const p = programByTid.get(tid);
    if (p === undefined) {
      feed({ kind: 'syscall', tid, call: adversarialSyscall(next, adversary, state, tid) }, 'adversary');
      continue;
    }
    const ctx = contexts.get(tid)!;
    const op = p.ops[ctx.pc]!;
    ctx.pc = ctx.pc + 1 < p.ops.length ? ctx.pc + 1 : (p.loopFrom ?? p.ops.length);
    ctx.pending = op;
    feed({ kind: 'syscall', tid, call: syscallOf(op, ctx.vars) }, 'program');
  }

  const programOps: Record<string, number> = {};
  for (const [tid, p] of programByTid)
    programOps[p.process] = (programOps[p.process] ?? 0) + contexts.get(tid)!.results;
  return {
    board: board.id,
    seed,
    events,
    steps: records,
    final: state,
    hw,
    counts: {
      events: events.length,
      bySource,
      byKind,
      grants,
      denies,
      rejected,
      rc,
      irqsDelivered,
      dmaCompleted,
      programOps,
    },
  };
}

export interface ReplayResult {
  readonly state: KernelState;
  readonly steps: number;
  readonly rejected: number;
}

/** Feeds recorded events to the kernel from the booted state. */
export function replay(
  boot: BootResult,
  events: readonly KernelEvent[],
  onStep?: (index: number, before: KernelState, event: KernelEvent, result: StepResult) => void,
): ReplayResult {
  let state = boot.state;
  let rejected = 0;
  events.forEach((event, i) => {
    const result = step(state, event);
    if (result.rejected !== undefined) rejected++;
    onStep?.(i, state, event, result);
    state = result.state;
  });
  return { state, steps: events.length, rejected };
}

/** A canonical text of a state's contents (everything but the static configuration), for comparing runs. */
export function stateDigest(s: KernelState): string {
  const { config: _config, ...rest } = s;
  return JSON.stringify(rest);
}
