// The kernel's run queue (src/kernel/runqueue.ts): one FIFO per priority
// with a ready thread, highest first. Model-based properties
// against the spec's reading (Kernel.tla `runQueue`): one list of the queued
// threads in arrival order, where the scheduler takes the first thread of the
// highest priority. Every read agrees with that list after any sequence of
// pushes, shifts and removes; no operation changes a queue an earlier state
// still holds; and (issue 15, a step costs O(changed)) a shift copies nothing
// until half its FIFO was taken while the FIFOs never keep more than about
// twice the queued threads (RunQueue.held). Seeded as every suite
// (src/properties/env.ts).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { RunQueue } from '../src/kernel/runqueue.ts';
import { MAX_PRIORITY } from '../src/kernel/tables.ts';
import { banner, check, runs } from '../property-tests/harness.ts';

banner(import.meta.filename);

type Entry = { readonly tid: number; readonly priority: number };
/** The model: the queued threads in arrival order with their priorities (0..MAX_PRIORITY). */
type Model = readonly Entry[];

type Op =
  | { readonly op: 'push'; readonly priority: number }
  | { readonly op: 'shift' }
  | { readonly op: 'remove'; readonly pick: number; readonly samePriority: boolean };

/** Few priorities so that one FIFO grows long (past the compaction of 32 taken entries), and sometimes any priority. */
const arbPriority = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(0, 5, MAX_PRIORITY) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: MAX_PRIORITY }) },
);
const arbOps = (max: number): fc.Arbitrary<Op[]> =>
  fc.array(
    fc.oneof(
      { weight: 5, arbitrary: fc.record({ op: fc.constant('push' as const), priority: arbPriority }) },
      { weight: 3, arbitrary: fc.record({ op: fc.constant('shift' as const) }) },
      {
        weight: 2,
        arbitrary: fc.record({ op: fc.constant('remove' as const), pick: fc.nat(), samePriority: fc.boolean() }),
      },
    ),
    // size 'max': under fast-check's default size the list stays under a dozen operations
    { maxLength: max, size: 'max' },
  );
/**
 * A FIFO of up to 200 threads at priority 5 with up to all of them taken, then up to `max` random operations:
 * the prefix reaches the compaction past 32 taken entries with a short list of operations, and its two counts
 * shrink by bisection where a long random list would shrink one operation at a time.
 */
const arbRun = (max: number): fc.Arbitrary<[number, number, Op[]]> =>
  fc.tuple(fc.nat({ max: 200 }), fc.nat({ max: 200 }), arbOps(max));

/** The thread the scheduler takes: the first (earliest arrived) of the highest priority. */
function modelFirst(m: Model): number {
  let best = -1;
  for (let i = 0; i < m.length; i++) if (best < 0 || m[i]!.priority > m[best]!.priority) best = i;
  return best;
}

type World = { q: RunQueue; m: Model; nextTid: number; gone: number[] };

/** Applies an op to the queue and the model. A push queues a thread not queued (a fresh one or one that left). */
function apply(w: World, op: Op): World {
  if (op.op === 'push') {
    const tid = w.gone.length > 0 && w.nextTid % 3 === 0 ? w.gone[0]! : w.nextTid;
    const gone = tid === w.nextTid ? w.gone : w.gone.slice(1);
    return {
      q: w.q.push(tid, op.priority),
      m: [...w.m, { tid, priority: op.priority }],
      nextTid: w.nextTid + 1,
      gone,
    };
  }
  if (op.op === 'shift') {
    const k = modelFirst(w.m);
    const q = w.q.shift();
    if (k < 0) {
      assert.equal(q, w.q, 'shifting an empty queue leaves it as it is');
      return w;
    }
    return { ...w, q, m: w.m.filter((_, i) => i !== k), gone: [...w.gone, w.m[k]!.tid] };
  }
  // remove a queued thread at its priority, or a thread at a priority it is not queued at (nothing happens),
  // or a thread that is not queued at all (nothing happens)
  const all = [...w.m.map((e) => e.tid), ...w.gone, w.nextTid];
  const tid = all[op.pick % all.length]!;
  const k = w.m.findIndex((e) => e.tid === tid);
  const priority =
    k < 0 || op.samePriority
      ? k < 0
        ? op.pick % (MAX_PRIORITY + 1)
        : w.m[k]!.priority
      : (w.m[k]!.priority + 1 + (op.pick % MAX_PRIORITY)) % (MAX_PRIORITY + 1);
  const q = w.q.remove(tid, priority);
  if (k < 0 || w.m[k]!.priority !== priority) {
    assert.equal(q, w.q, `removing thread ${tid} not queued at priority ${priority} leaves the queue as it is`);
    return w;
  }
  return { ...w, q, m: w.m.filter((_, i) => i !== k), gone: [...w.gone, tid] };
}

/** Every read of the queue agrees with the model. */
function agrees(q: RunQueue, m: Model, why: string, probe: number): void {
  const order = m.map((e) => e.tid);
  assert.equal(q.length, m.length, `${why}: length`);
  assert.deepEqual(q.order(), order, `${why}: order() is the arrival order`);
  assert.deepEqual([...q], order, `${why}: iteration`);
  assert.deepEqual(q.toJSON(), order, `${why}: toJSON`);
  const k = modelFirst(m);
  assert.equal(q.first(), k < 0 ? undefined : m[k]!.tid, `${why}: first() is the first thread of the highest priority`);
  // includes() reads the whole queue: every thread of a short one, the first and last 8 of a long one
  const probes = order.length <= 16 ? order : [...order.slice(0, 8), ...order.slice(-8)];
  for (const tid of [...probes, probe]) assert.equal(q.includes(tid), order.includes(tid), `${why}: includes(${tid})`);
  // a FIFO for exactly the priorities with a queued thread, highest first (an emptied FIFO is dropped, so a push
  // or a take copies a list as long as the priorities in use)
  const used = [...new Set(m.map((e) => e.priority))].sort((a, b) => b - a);
  assert.deepEqual(q.priorities(), used, `${why}: the FIFOs are the priorities in use, highest first`);
  // issue 15: the FIFOs keep what is queued plus at most as much again (and 32 per priority) of taken entries
  const inUse = used.length;
  const held = q.held();
  assert.ok(
    held >= m.length && held <= 2 * m.length + 32 * inUse,
    `${why}: the FIFOs hold ${held} entries for ${m.length} queued at ${inUse} priorities`,
  );
}

/** The world after `n` pushes at priority 5 and then `k` shifts (at most `n`). */
function start(n: number, k: number): World {
  let w: World = { q: RunQueue.empty(), m: [], nextTid: 0, gone: [] };
  for (let i = 0; i < n; i++) w = apply(w, { op: 'push', priority: 5 });
  for (let i = 0; i < Math.min(k, n); i++) w = apply(w, { op: 'shift' });
  return w;
}

const NAME_MODEL =
  'one-thread-per-cpu: the run queue agrees with the arrival-ordered list of ready threads, and takes the first thread of the highest priority';
test(NAME_MODEL, () => {
  check(
    import.meta.filename,
    NAME_MODEL,
    arbRun(300),
    ([n, k, ops]) => {
      let w = start(n, k);
      agrees(w.q, w.m, `after ${n} pushes and ${Math.min(n, k)} shifts`, w.nextTid);
      ops.forEach((op, i) => {
        w = apply(w, op);
        if (i % 7 === 0) agrees(w.q, w.m, `after ${i + 1} operations`, w.nextTid);
      });
      agrees(w.q, w.m, `after all ${ops.length} operations`, w.nextTid);
      // draining the queue takes the threads by priority, then arrival
      const drained: number[] = [];
      for (let q = w.q; q.length > 0; q = q.shift()) drained.push(q.first()!);
      const expected = w.m
        .map((e, i) => ({ ...e, i }))
        .sort((a, b) => b.priority - a.priority || a.i - b.i)
        .map((e) => e.tid);
      assert.deepEqual(drained, expected, 'draining takes the highest priority first, in arrival order within one');
      assert.equal(w.q.shift().length, Math.max(0, w.m.length - 1));
    },
    runs(80),
  );
});

const NAME_PERSISTENT =
  'three-syscalls: push, shift and remove never change a run queue an earlier kernel state holds (step is pure)';
test(NAME_PERSISTENT, () => {
  check(
    import.meta.filename,
    NAME_PERSISTENT,
    arbRun(80),
    ([n, k, ops]) => {
      const seen: World[] = [{ q: RunQueue.empty(), m: [], nextTid: 0, gone: [] }, start(n, k)];
      for (const op of ops) {
        const w = apply(seen[seen.length - 1]!, op);
        if (seen.length % 5 === 0) agrees(w.q, w.m, `the queue after ${seen.length} operations, when made`, w.nextTid);
        seen.push(w);
      }
      seen.forEach((w, i) => agrees(w.q, w.m, `the queue after ${i} operations`, w.nextTid));
    },
    runs(40),
  );
});

const NAME_OF = 'one-thread-per-cpu: a run queue made of a list of threads is the queue their pushes make';
test(NAME_OF, () => {
  check(
    import.meta.filename,
    NAME_OF,
    fc.array(fc.integer({ min: 0, max: MAX_PRIORITY }), { maxLength: 80 }),
    (priorities) => {
      const tids = priorities.map((_, i) => i * 2 + 1);
      const of = RunQueue.of(tids, (tid) => priorities[(tid - 1) / 2]!);
      let pushed = RunQueue.empty();
      tids.forEach((tid, i) => (pushed = pushed.push(tid, priorities[i]!)));
      assert.deepStrictEqual(of, pushed);
      agrees(
        of,
        tids.map((tid, i) => ({ tid, priority: priorities[i]! })),
        'RunQueue.of',
        0,
      );
    },
    runs(60),
  );
});

test('one-thread-per-cpu: a priority outside 0..MAX_PRIORITY counts as the nearest one, a fractional one as its integer part', () => {
  const q = RunQueue.empty()
    .push(1, 3)
    .push(2, -4)
    .push(3, MAX_PRIORITY + 9)
    .push(4, 2.5)
    .push(5, MAX_PRIORITY);
  // levels: 1 at 3, 2 at 0, 3 at MAX, 4 at 2, 5 at MAX
  const drained: number[] = [];
  for (let r = q; r.length > 0; r = r.shift()) drained.push(r.first()!);
  assert.deepEqual(drained, [3, 5, 1, 4, 2]);
  assert.deepEqual(q.remove(2, 0).order(), [1, 3, 4, 5], 'a thread queued at -4 is removed at 0');
  assert.deepEqual(q.remove(2, -1).order(), [1, 3, 4, 5], 'and at -1');
  assert.deepEqual(
    q.remove(3, MAX_PRIORITY).order(),
    [1, 2, 4, 5],
    'a thread queued above MAX_PRIORITY is removed at it',
  );
  assert.deepEqual(q.remove(4, 2).order(), [1, 2, 3, 5], 'a thread queued at 2.5 is removed at 2');
  assert.equal(q.remove(4, 3), q, 'but not at 3');
  // just past the top level, and just below the bottom one
  const edge = RunQueue.empty()
    .push(7, MAX_PRIORITY + 1)
    .push(8, MAX_PRIORITY)
    .push(9, -0.5);
  assert.deepEqual([edge.first(), edge.shift().first(), edge.shift().shift().first()], [7, 8, 9]);
  assert.deepEqual(edge.remove(7, MAX_PRIORITY).order(), [8, 9]);
  assert.deepEqual(edge.remove(9, 0).order(), [7, 8]);
  assert.equal(RunQueue.empty().first(), undefined);
  assert.equal(RunQueue.empty().shift(), RunQueue.empty());
  assert.equal(RunQueue.empty().remove(1, 0), RunQueue.empty());
});

test('one-thread-per-cpu: a long FIFO of one priority stays in order while most of it is taken and more arrive', () => {
  let q = RunQueue.empty();
  const model: number[] = [];
  let next = 0;
  for (let round = 0; round < 6; round++) {
    for (let i = 0; i < 50; i++) {
      q = q.push(next, 7);
      model.push(next++);
    }
    for (let i = 0; i < 40 + round; i++) {
      assert.equal(q.first(), model[0]);
      q = q.shift();
      model.shift();
    }
    assert.deepEqual(q.order(), model, `round ${round}`);
    assert.equal(q.length, model.length);
    // a thread of another priority still goes first or last by priority, not by where the FIFO's head is
    const hi = q.push(-1, 8);
    assert.equal(hi.first(), -1);
    assert.deepEqual(hi.order(), [...model, -1]);
    const lo = q.push(-2, 6);
    assert.equal(lo.first(), model[0]);
    // removing the head and removing one in the middle
    assert.deepEqual(q.remove(model[0]!, 7).order(), model.slice(1));
    assert.deepEqual(q.remove(model[5]!, 7).order(), [...model.slice(0, 5), ...model.slice(6)]);
    assert.equal(q.remove(model[5]!, 7).first(), model[0]);
  }
});

test('one-thread-per-cpu: removing the only thread of a lower priority leaves that priority empty, so the scheduler never looks there', () => {
  const q = RunQueue.empty().push(1, 3).push(2, 1).push(3, 7);
  const r = q.remove(1, 3);
  assert.deepEqual(r.order(), [2, 3]);
  assert.equal(r.first(), 3);
  const s = r.shift();
  assert.equal(s.first(), 2, 'after the top priority drains, the next ready thread is the one at priority 1');
  assert.equal(s.shift().first(), undefined);
  assert.equal(s.shift().length, 0);
});

test('issue 15 (a step costs O(changed)): a shift copies nothing until at least half of its FIFO was taken, then keeps only the queued part', () => {
  let q = RunQueue.empty();
  for (let tid = 0; tid < 1000; tid++) q = q.push(tid, 7);
  assert.equal(q.held(), 1000, 'a FIFO of 1000 pushes keeps 1000 entries');
  // a copy at every shift, or every 32, would make taking n threads O(n^2) or O(n^2 / 32)
  for (let k = 1; k < 500; k++) {
    q = q.shift();
    assert.equal(q.held(), 1000, `shift ${k} of 1000 keeps the FIFO as it is (no copy)`);
    assert.equal(q.first(), k);
  }
  let copied = false;
  for (let k = 500; k <= 1000; k++) {
    q = q.shift();
    if (q.held() < 1000) copied = true;
    assert.ok(q.held() <= 2 * q.length + 32, `after shift ${k} the FIFO keeps ${q.held()} entries for ${q.length}`);
    assert.equal(q.first(), k < 1000 ? k : undefined);
  }
  assert.ok(copied, 'once half the FIFO was taken, a shift kept only the queued part');
  assert.equal(q.held(), 0, 'the drained queue keeps nothing');
});

test('issue 15 (a step costs O(changed)): round-robin scheduling (take the first, queue it again) keeps the run queue bounded, whatever the number of threads', () => {
  for (const threads of [1, 2, 3, 31, 40, 100]) {
    let q = RunQueue.empty();
    for (let tid = 0; tid < threads; tid++) q = q.push(tid, 4);
    // and one thread at a lower priority that never runs: its FIFO is left as it is
    q = q.push(-1, 2);
    for (let cycle = 0; cycle < 3000; cycle++) {
      const tid = q.first()!;
      assert.equal(tid, cycle % threads, `${threads} threads, cycle ${cycle}: the threads take turns`);
      q = q.shift().push(tid, 4);
      assert.ok(
        q.held() <= 2 * q.length + 64,
        `${threads} threads, cycle ${cycle}: the FIFOs keep ${q.held()} entries for ${q.length} queued`,
      );
    }
    assert.deepEqual(
      q.order().slice(0, 1),
      [-1],
      `${threads} threads: the waiting thread is still first in arrival order`,
    );
    assert.equal(q.length, threads + 1);
  }
});

test('one-thread-per-cpu: removing a thread that is not queued (never queued, or already taken) at a priority whose FIFO was partly taken leaves the queue as it is', () => {
  const q = RunQueue.empty().push(1, 5).push(2, 5).push(3, 5).push(4, 1).shift();
  assert.deepEqual(q.order(), [2, 3, 4]);
  assert.equal(q.held(), 4, 'the taken entry is still kept');
  assert.equal(q.remove(99, 5), q, 'a thread never queued');
  assert.equal(q.remove(1, 5), q, 'the thread already taken');
  assert.equal(q.remove(4, 5), q, 'a thread queued at another priority');
  assert.equal(q.remove(2, 5).length, 2);
  assert.deepEqual(q.remove(2, 5).order(), [3, 4], 'the head of the top priority');
  assert.equal(q.remove(2, 5).first(), 3);
  assert.deepEqual(q.remove(3, 5).order(), [2, 4]);
  assert.deepEqual(q.remove(4, 1).order(), [2, 3]);
  assert.deepEqual(q.remove(2, 5).remove(3, 5).order(), [4], 'removing a whole priority leaves the next one first');
  assert.equal(q.remove(2, 5).remove(3, 5).first(), 4);
});
