// A Draft is the one place the kernel writes: a copy-on-write view of a
// KernelState that lives for one step. The first write to a table copies it;
// the input state is never touched, so `step` stays pure.

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
import type { MonitorState, SecurityEvent } from '../monitor/types.ts';

export class Draft {
  processes: Process[];
  threads: Thread[];
  objects: KernelObject[];
  cpus: (Tid | null)[];
  runQueue: Tid[];
  futexQueue: Tid[];
  irqs: KernelState['irqs'][number][];
  clock: KernelState['clock'];
  io: KernelState['io'];
  monitor: MonitorState;
  readonly results: ThreadResult[] = [];
  readonly decisions: DecisionRecord[] = [];
  readonly effects: Effect[] = [];
  private copied = 0;

  constructor(readonly base: KernelState) {
    this.processes = base.processes as Process[];
    this.threads = base.threads as Thread[];
    this.objects = base.objects as KernelObject[];
    this.cpus = base.cpus as (Tid | null)[];
    this.runQueue = base.runQueue as Tid[];
    this.futexQueue = base.futexQueue as Tid[];
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

  setProcess(p: Process): void {
    if (this.own(1)) this.processes = this.processes.slice();
    this.processes[p.sid] = p;
  }
  setThread(t: Thread): void {
    if (this.own(2)) this.threads = this.threads.slice();
    this.threads[t.tid] = t;
  }
  setObject(id: ObjectId, o: KernelObject): void {
    if (this.own(4)) this.objects = this.objects.slice();
    this.objects[id] = o;
  }
  /** The SID the next object added will carry (objectSid of its id): creators put it into the object. */
  nextObjectSid(): Sid {
    return objectSid(this.objects.length);
  }
  addObject(o: KernelObject): ObjectId {
    if (this.own(4)) this.objects = this.objects.slice();
    return this.objects.push(o) - 1;
  }
  setCpu(cpu: number, tid: Tid | null): void {
    if (this.own(8)) this.cpus = this.cpus.slice();
    this.cpus[cpu] = tid;
  }
  setRunQueue(q: Tid[]): void {
    this.runQueue = q;
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
    const p = this.processes[sid];
    if (p === undefined || p.status !== 'alive' || !Number.isSafeInteger(h) || h < 0) return undefined;
    return p.handles[h] ?? undefined;
  }
  /** Puts an entry into the first free slot of a process's handle table. */
  installHandle(sid: Sid, entry: HandleEntry): Handle {
    const p = this.processes[sid]!;
    const handles = p.handles.slice();
    let h = handles.indexOf(null);
    if (h < 0) h = handles.push(entry) - 1;
    else handles[h] = entry;
    this.setProcess({ ...p, handles });
    return h;
  }

  // ------------------------------------------------------------ threads

  /** Moves a thread to a new state; a thread leaving `running` frees its CPU, one becoming `ready` joins the run queue. */
  moveThread(tid: Tid, state: ThreadState, serving?: Thread['serving']): void {
    const t = this.threads[tid]!;
    const from = t.state.tag;
    const to = state.tag;
    if (from !== to) {
      if (from === 'running') this.setCpu((t.state as { cpu: number }).cpu, null);
      else if (from === 'ready') this.setRunQueue(this.runQueue.filter((x) => x !== tid));
      else if (from === 'futex') this.setFutexQueue(this.futexQueue.filter((x) => x !== tid));
      if (to === 'ready') this.setRunQueue(this.runQueue.concat(tid));
      else if (to === 'futex') this.setFutexQueue(this.futexQueue.concat(tid));
    }
    this.setThread({
      tid: t.tid,
      sid: t.sid,
      priority: t.priority,
      state,
      serving: serving === undefined ? t.serving : serving,
    });
  }
  /** A blocked thread's syscall returns: it becomes ready with a result. */
  wake(result: ThreadResult): void {
    this.moveThread(result.tid, { tag: 'ready' });
    this.results.push(result);
  }

  // ------------------------------------------------------------ mediation

  /**
   * The one mediation point: every transition that could move information or
   * authority calls this and goes ahead only on grant. The decision is
   * recorded; the monitor state advances only on grant.
   */
  mediate(event: SecurityEvent): boolean {
    const decision = this.config.monitor.decide(this.monitor, event);
    this.decisions.push({ event, decision });
    if (decision.verdict !== 'grant') return false;
    this.monitor = decision.next;
    return true;
  }
  effect(
    kind: Effect['kind'],
    event: SecurityEvent,
    transfers: Effect['transfers'] = [],
    created: Effect['created'] = [],
  ): void {
    this.effects.push({ kind, event, transfers, created });
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
      irqs: this.irqs,
      clock: this.clock,
      io: this.io,
      monitor: this.monitor,
    };
  }
}
