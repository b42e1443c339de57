// The run queue as one FIFO per priority (0..MAX_PRIORITY) and a bit mask of
// the priorities that have a ready thread: the scheduler's "first ready
// thread of the highest priority" is the head of the highest set bit's FIFO,
// O(1) to find and O(log n) to take, where a scan of one arrival-ordered list
// was O(n). Every entry keeps its arrival number, so the single arrival-
// ordered sequence of the spec (Kernel.tla `runQueue`) is still there to
// read: `order()` merges the levels by arrival. Persistent: every operation
// returns a new queue and shares the rest.

import { PVec } from './pvec.ts';
import type { Tid } from './types.ts';

const LEVELS = 32;

/**
 * One priority's FIFO: the entries from `head` on are queued (the ones before
 * were taken); entry i is thread `tids[i]`, which arrived `seqs[i]`-th (its
 * position in the spec's one run queue). Two vectors of numbers rather than
 * one of entry objects: nothing per entry for the garbage collector.
 */
interface Level {
  readonly tids: PVec<Tid>;
  readonly seqs: PVec<number>;
  readonly head: number;
}

const levelOf = (tids: readonly Tid[], seqs: readonly number[]): Level => ({
  tids: PVec.from(tids),
  seqs: PVec.from(seqs),
  head: 0,
});

const level = (p: number): number => (p >= 0 && p < LEVELS ? p | 0 : p < 0 ? 0 : LEVELS - 1);

export class RunQueue implements Iterable<Tid> {
  private constructor(
    /** how many threads are queued */
    readonly length: number,
    private readonly levels: readonly (Level | null)[],
    /** bit p set iff priority p has a queued thread */
    private readonly mask: number,
    /** the next arrival number */
    private readonly next: number,
  ) {}

  private static readonly EMPTY = new RunQueue(0, new Array<Level | null>(LEVELS).fill(null), 0, 0);

  static empty(): RunQueue {
    return RunQueue.EMPTY;
  }

  /** A queue holding `tids` in this arrival order, each at its thread's priority. */
  static of(tids: Iterable<Tid>, priorityOf: (tid: Tid) => number): RunQueue {
    let q = RunQueue.EMPTY;
    for (const tid of tids) q = q.push(tid, priorityOf(tid));
    return q;
  }

  /** The queue with `tid` at the back of its priority's FIFO. (Priorities are 0..MAX_PRIORITY: tables.ts.) */
  push(tid: Tid, priority: number): RunQueue {
    const p = level(priority);
    const l = this.levels[p]!;
    const levels = this.levels.slice();
    levels[p] =
      l === null
        ? { tids: PVec.empty<Tid>().push(tid), seqs: PVec.empty<number>().push(this.next), head: 0 }
        : { tids: l.tids.push(tid), seqs: l.seqs.push(this.next), head: l.head };
    return new RunQueue(this.length + 1, levels, this.mask | (1 << p), this.next + 1);
  }

  /** The highest priority with a queued thread, or -1 (clz32(0) is 32). */
  private top(): number {
    return 31 - Math.clz32(this.mask);
  }

  /** The thread the scheduler takes next: the first queued of the highest priority. */
  first(): Tid | undefined {
    const p = this.top();
    if (p < 0) return undefined;
    const l = this.levels[p]!;
    return l.tids.get(l.head)!;
  }

  /** The queue without `first()`. */
  shift(): RunQueue {
    const p = this.top();
    if (p < 0) return this;
    const l = this.levels[p]!;
    const head = l.head + 1;
    const levels = this.levels.slice();
    let mask = this.mask;
    const n = l.tids.length;
    if (head === n) {
      levels[p] = null;
      mask &= ~(1 << p);
    } else if (head >= 32 && head * 2 >= n) {
      // at least half the FIFO was taken: keep only the queued part (amortised O(1) per taken entry)
      levels[p] = levelOf(l.tids.slice(head), l.seqs.slice(head));
    } else levels[p] = { tids: l.tids, seqs: l.seqs, head };
    return new RunQueue(this.length - 1, levels, mask, this.next);
  }

  /** The queue without `tid` (queued at `priority`); O(threads of that priority), used when a ready thread exits. */
  remove(tid: Tid, priority: number): RunQueue {
    const p = level(priority);
    const l = this.levels[p]!;
    if (l === null) return this;
    const tids: Tid[] = [];
    const seqs: number[] = [];
    for (let i = l.head; i < l.tids.length; i++)
      if (l.tids.get(i) !== tid) {
        tids.push(l.tids.get(i)!);
        seqs.push(l.seqs.get(i)!);
      }
    if (tids.length === l.tids.length - l.head) return this;
    const levels = this.levels.slice();
    let mask = this.mask;
    if (tids.length === 0) {
      levels[p] = null;
      mask &= ~(1 << p);
    } else levels[p] = levelOf(tids, seqs);
    return new RunQueue(this.length - 1, levels, mask, this.next);
  }

  /**
   * How many entries the FIFOs keep, taken ones included: the queue's memory. A shift copies nothing until at
   * least half of its FIFO was taken, and the FIFOs never keep more than 2 x length + 32 per priority in use.
   */
  held(): number {
    let n = 0;
    for (const l of this.levels) if (l !== null) n += l.tids.length;
    return n;
  }

  /** The queued threads in arrival order: the spec's `runQueue`. */
  order(): Tid[] {
    const all: [number, Tid][] = [];
    for (const l of this.levels)
      if (l !== null) for (let i = l.head; i < l.tids.length; i++) all.push([l.seqs.get(i)!, l.tids.get(i)!]);
    all.sort((a, b) => a[0] - b[0]);
    return all.map((e) => e[1]);
  }

  includes(tid: Tid): boolean {
    return this.order().includes(tid);
  }

  [Symbol.iterator](): Iterator<Tid> {
    return this.order()[Symbol.iterator]();
  }

  /** Serialises as the arrival-ordered list. */
  toJSON(): Tid[] {
    return this.order();
  }
}
