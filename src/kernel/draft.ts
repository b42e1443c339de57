// A Draft is the one place the kernel writes: a copy-on-write view of a
// KernelState that lives for one step. The tables (processes, threads,
// objects) and the run queue are persistent, so a write copies one path of
// O(log n) and shares the rest; the small per-board arrays (CPUs, IRQ lines)
// are copied on their first write in a step. The input state is never
// touched, so `step` stays pure.

import type {
  DecisionRecord,
  Effect,
  HandleEntry,
  Handle,
  KernelObject,
  KernelState,
  ObjectId,
  Process,
  Sid,
  Thread,
  ThreadResult,
  ThreadState,
  Tid,
} from './types.ts';
import { objectSid } from './types.ts';
import { NO_OBJECTS, decisionRecord, effectRecord, threadRecord } from './records.ts';
import { appended, type PVec } from './pvec.ts';
import type { RunQueue } from './runqueue.ts';
import type { MonitorState, SecurityEvent } from '../monitor/types.ts';

/** The thread states without a parameter of their own, shared (frozen) by every thread in them. */
export const READY: ThreadState = Object.freeze({ tag: 'ready' });
const RUNNING: ThreadState[] = [];
/** The state `running` on a CPU, one shared (frozen) object per CPU. */
export function running(cpu: number): ThreadState {
  return RUNNING[cpu] ?? (RUNNING[cpu] = Object.freeze({ tag: 'running', cpu }));
}

/** The empty report list every step starts with (frozen: a step that reports something makes its own). */
const NOTHING: readonly never[] = Object.freeze([]);
/** A report list with one more entry: the step's own list, made on its first entry. */
function reported<T>(list: readonly T[], entry: T): readonly T[] {
  if (list === NOTHING) return [entry];
  (list as T[]).push(entry);
  return list;
}

/** The sleepers with one more, kept in TID order (a new array: states share theirs). */
function withSleeper(sleepers: readonly Tid[], tid: Tid): Tid[] {
  let i = sleepers.length;
  while (i > 0 && sleepers[i - 1]! > tid) i--;
  const out = sleepers.slice(0, i);
  out.push(tid);
  for (let j = i; j < sleepers.length; j++) out.push(sleepers[j]!);
  return out;
}

export class Draft {
  processes: PVec<Process>;
  threads: PVec<Thread>;
  objects: PVec<KernelObject>;
  cpus: (Tid | null)[];
  runQueue: RunQueue;
  futexQueue: Tid[];
  sleepers: readonly Tid[];
  irqs: KernelState['irqs'][number][];
  clock: KernelState['clock'];
  io: KernelState['io'];
  monitor: MonitorState;
  // What the step reports, each list shared (frozen, empty) until its first
  // entry: most steps (a schedule, a tick) report nothing, and three fresh
  // arrays per step were a good part of what the collector had to sweep.
  results: readonly ThreadResult[] = NOTHING;
  decisions: readonly DecisionRecord[] = NOTHING;
  effects: readonly Effect[] = NOTHING;
  private copied = 0;

  constructor(readonly base: KernelState) {
    this.processes = base.processes;
    this.threads = base.threads;
    this.objects = base.objects;
    this.cpus = base.cpus as (Tid | null)[];
    this.runQueue = base.runQueue;
    this.futexQueue = base.futexQueue as Tid[];
    this.sleepers = base.sleepers;
    this.irqs = base.irqs as KernelState['irqs'][number][];
    this.clock = base.clock;
    this.io = base.io;
    this.monitor = base.monitor;
  }

  get config() {
    return this.base.config;
  }

  private own(bit: number): boolean {
    if (this.copied & bit) return false;
    this.copied |= bit;
    return true;
  }

  /** Writes a process at its SID (SID = length appends a new one). */
  setProcess(p: Process): void {
    this.processes = p.sid === this.processes.length ? this.processes.push(p) : this.processes.set(p.sid, p);
  }
  /** Writes a thread at its TID (TID = length appends a new one). */
  setThread(t: Thread): void {
    this.threads = t.tid === this.threads.length ? this.threads.push(t) : this.threads.set(t.tid, t);
  }
  setObject(id: ObjectId, o: KernelObject): void {
    this.objects = this.objects.set(id, o);
  }
  /** The SID the next object added will carry (objectSid of its id): creators put it into the object. */
  nextObjectSid(): Sid {
    return objectSid(this.objects.length);
  }
  addObject(o: KernelObject): ObjectId {
    const id = this.objects.length;
    this.objects = this.objects.push(o);
    return id;
  }
  setCpu(cpu: number, tid: Tid | null): void {
    if (this.own(8)) this.cpus = this.cpus.slice();
    this.cpus[cpu] = tid;
  }
  setFutexQueue(q: Tid[]): void {
    this.futexQueue = q;
  }
  setIrq(line: number, v: KernelState['irqs'][number]): void {
    if (this.own(16)) this.irqs = this.irqs.slice();
    this.irqs[line] = v;
  }

  // ------------------------------------------------------------ handles

  handle(sid: Sid, h: Handle): HandleEntry | undefined {
    const p = this.processes.get(sid);
    if (p === undefined || p.status !== 'alive' || !Number.isSafeInteger(h) || h < 0) return undefined;
    return p.handles[h] ?? undefined;
  }
  /** Puts an entry into the first free slot of a process's handle table. */
  installHandle(sid: Sid, entry: HandleEntry): Handle {
    const p = this.processes.get(sid)!;
    const handles = p.handles.slice();
    let h = handles.indexOf(null);
    if (h < 0) h = handles.push(entry) - 1;
    else handles[h] = entry;
    this.setProcess({ ...p, handles });
    return h;
  }

  // ------------------------------------------------------------ threads

  /**
   * A new thread, ready at the back of the run queue. (Its own literals, not
   * moveThread's: V8 decides per allocation site whether objects are born
   * old, and the thousands of threads a boot creates must not make every
   * later thread update an old-space allocation.)
   */
  addThread(sid: Sid, priority: number): Tid {
    const tid = this.threads.length;
    this.threads = this.threads.push({ tid, sid, priority, state: READY, serving: null });
    this.runQueue = this.runQueue.push(tid, priority);
    return tid;
  }

  /** Moves a thread to a new state; a thread leaving `running` frees its CPU, one becoming `ready` joins the run queue. */
  moveThread(tid: Tid, state: ThreadState, serving?: Thread['serving']): void {
    const t = this.threads.get(tid)!;
    const from = t.state.tag;
    const to = state.tag;
    if (from !== to) {
      if (from === 'running') this.setCpu((t.state as { cpu: number }).cpu, null);
      else if (from === 'ready')
        this.runQueue = this.runQueue.first() === tid ? this.runQueue.shift() : this.runQueue.remove(tid, t.priority);
      else if (from === 'futex') this.setFutexQueue(this.futexQueue.filter((x) => x !== tid));
      else if (from === 'sleep') this.sleepers = this.sleepers.filter((x) => x !== tid);
      if (to === 'ready') this.runQueue = this.runQueue.push(tid, t.priority);
      else if (to === 'futex') this.setFutexQueue(appended(this.futexQueue, tid));
      else if (to === 'sleep') this.sleepers = withSleeper(this.sleepers, tid);
    }
    this.setThread(threadRecord(t.tid, t.sid, t.priority, state, serving === undefined ? t.serving : serving));
  }
  /** A blocked thread's syscall returns: it becomes ready with a result. */
  wake(result: ThreadResult): void {
    this.moveThread(result.tid, READY);
    this.result(result);
  }
  /** Reports a thread's syscall result. */
  result(r: ThreadResult): void {
    this.results = reported(this.results, r);
  }

  // ------------------------------------------------------------ mediation

  /**
   * The one mediation point: every transition that could move information or
   * authority calls this and goes ahead only on grant. The decision is
   * recorded; the monitor state advances only on grant.
   */
  mediate(event: SecurityEvent): boolean {
    const decision = this.config.monitor.decide(this.monitor, event);
    this.decisions = reported(this.decisions, decisionRecord(event, decision));
    if (decision.verdict !== 'grant') return false;
    this.monitor = decision.next;
    return true;
  }
  effect(
    kind: Effect['kind'],
    event: SecurityEvent,
    transfers: Effect['transfers'] = NO_OBJECTS,
    created: Effect['created'] = NO_OBJECTS,
  ): void {
    this.effects = reported(this.effects, effectRecord(kind, event, transfers, created));
  }
  /** Puts an effect before the ones recorded since `at` (a service's own effect goes before those it caused). */
  insertEffect(at: number, e: Effect): void {
    const list = this.effects === NOTHING ? [] : (this.effects as Effect[]);
    list.splice(at, 0, e);
    this.effects = list;
  }

  finish(): KernelState {
    return {
      config: this.base.config,
      processes: this.processes,
      threads: this.threads,
      objects: this.objects,
      cpus: this.cpus,
      runQueue: this.runQueue,
      futexQueue: this.futexQueue,
      sleepers: this.sleepers,
      irqs: this.irqs,
      clock: this.clock,
      io: this.io,
      monitor: this.monitor,
    };
  }
}
