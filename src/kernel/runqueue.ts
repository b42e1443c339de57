// The run queue as one FIFO per priority (0..MAX_PRIORITY) that has a ready
// thread, highest priority first: the scheduler's "first ready thread of the
// highest priority" is the head of the first FIFO, O(1) to find and O(log n)
// to take, where a scan of one arrival-ordered list was O(n). Only the
// priorities in use have a FIFO, so a push or a take copies a list as long
// as the priorities in use (one or two in most solutions), not one slot per
// possible priority. Every entry keeps its arrival number, so the single
// arrival-ordered sequence of the spec (Kernel.tla `runQueue`) is still there
// to read: `order()` merges the levels by arrival. Persistent: every
// operation returns a new queue and shares the rest.

import { PVec } from './pvec.ts';
import type { Tid } from './types.ts';

const LEVELS = 32;

/**
 * One priority's FIFO: the entries from `head` on are queued (the ones before
 * were taken); entry i is thread `tids[i]`, which arrived `seqs[i]`-th (its
 * position in the spec's one run queue). Two vectors of numbers rather than
 * one of entry objects: nothing per entry for the garbage collector. A class,
 * not a literal: a boot pushes thousands of threads, and V8 would then make a
 * literal's later copies in every step old-generation objects (records.ts).
 */
class Level {
  constructor(
    readonly priority: number,
    readonly tids: PVec<Tid>,
    readonly seqs: PVec<number>,
    readonly head: number,
  ) {}
}

const levelOf = (priority: number, tids: readonly Tid[], seqs: readonly number[]): Level =>
  new Level(priority, PVec.from(tids), PVec.from(seqs), 0);

const level = (p: number): number => (p >= 0 && p < LEVELS ? p | 0 : p < 0 ? 0 : LEVELS - 1);

/** The list with its entry `i` replaced (`l`) or removed (`l` null). */
function withLevel(levels: readonly Level[], i: number, l: Level | null): Level[] {
  if (l !== null) {
    const out = levels.slice();
    out[i] = l;
    return out;
  }
  const out = new Array<Level>(levels.length - 1);
  for (let j = 0; j < i; j++) out[j] = levels[j]!;
  for (let j = i + 1; j < levels.length; j++) out[j - 1] = levels[j]!;
  return out;
}

export class RunQueue implements Iterable<Tid> {
  private constructor(
    /** how many threads are queued */
    readonly length: number,
    /** a FIFO per priority with a queued thread, highest priority first */
    private readonly levels: readonly Level[],
    /** the next arrival number */
    private readonly next: number,
  ) {}

  private static readonly EMPTY = new RunQueue(0, [], 0);

  static empty(): RunQueue {
    return RunQueue.EMPTY;
  }

  /** A queue holding `tids` in this arrival order, each at its thread's priority. */
  static of(tids: Iterable<Tid>, priorityOf: (tid: Tid) => number): RunQueue {
    let q = RunQueue.EMPTY;
    for (const tid of tids) q = q.push(tid, priorityOf(tid));
    return q;
  }

  /** The index of priority `p`'s FIFO, or where it would go. */
  private at(p: number): number {
    const ls = this.levels;
    let i = 0;
    while (i < ls.length && ls[i]!.priority > p) i++;
    return i;
  }

  /** The queue with `tid` at the back of its priority's FIFO. (Priorities are 0..MAX_PRIORITY: tables.ts.) */
  push(tid: Tid, priority: number): RunQueue {
    const p = level(priority);
    const ls = this.levels;
    const i = this.at(p);
    const l = ls[i];
    let levels: Level[];
    if (l !== undefined && l.priority === p) {
      levels = withLevel(ls, i, new Level(p, l.tids.push(tid), l.seqs.push(this.next), l.head));
    } else {
      // a priority without a FIFO yet: a new one at its place in the order
      levels = new Array<Level>(ls.length + 1);
      for (let j = 0; j < i; j++) levels[j] = ls[j]!;
      levels[i] = new Level(p, PVec.empty<Tid>().push(tid), PVec.empty<number>().push(this.next), 0);
      for (let j = i; j < ls.length; j++) levels[j + 1] = ls[j]!;
    }
    return new RunQueue(this.length + 1, levels, this.next + 1);
  }

  /** The thread the scheduler takes next: the first queued of the highest priority. */
  first(): Tid | undefined {
    const l = this.levels[0];
    return l === undefined ? undefined : l.tids.get(l.head)!;
  }

  /** The queue without `first()`. */
  shift(): RunQueue {
    const l = this.levels[0];
    if (l === undefined) return this;
    const head = l.head + 1;
    const n = l.tids.length;
    let next: Level | null;
    if (head === n) next = null;
    else if (head >= 32 && head * 2 >= n)
      // at least half the FIFO was taken: keep only the queued part (amortised O(1) per taken entry)
      next = levelOf(l.priority, l.tids.slice(head), l.seqs.slice(head));
    else next = new Level(l.priority, l.tids, l.seqs, head);
    return new RunQueue(this.length - 1, withLevel(this.levels, 0, next), this.next);
  }

  /** The queue without `tid` (queued at `priority`); O(threads of that priority), used when a ready thread exits. */
  remove(tid: Tid, priority: number): RunQueue {
    const p = level(priority);
    const i = this.at(p);
    const l = this.levels[i];
    if (l === undefined || l.priority !== p) return this;
    const tids: Tid[] = [];
    const seqs: number[] = [];
    for (let k = l.head; k < l.tids.length; k++)
      if (l.tids.get(k) !== tid) {
        tids.push(l.tids.get(k)!);
        seqs.push(l.seqs.get(k)!);
      }
    if (tids.length === l.tids.length - l.head) return this;
    const next = tids.length === 0 ? null : levelOf(p, tids, seqs);
    return new RunQueue(this.length - 1, withLevel(this.levels, i, next), this.next);
  }

  /**
   * How many entries the FIFOs keep, taken ones included: the queue's memory. A shift copies nothing until at
   * least half of its FIFO was taken, and the FIFOs never keep more than 2 x length + 32 per priority in use.
   */
  held(): number {
    let n = 0;
    for (const l of this.levels) n += l.tids.length;
    return n;
  }

  /** The priorities that have a FIFO, highest first (each has a queued thread). */
  priorities(): number[] {
    return this.levels.map((l) => l.priority);
  }

  /** The queued threads in arrival order: the spec's `runQueue`. */
  order(): Tid[] {
    const all: [number, Tid][] = [];
    for (const l of this.levels)
      for (let i = l.head; i < l.tids.length; i++) all.push([l.seqs.get(i)!, l.tids.get(i)!]);
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
