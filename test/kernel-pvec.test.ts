// The kernel's tables (processes, threads, objects) are persistent vectors
// (src/kernel/pvec.ts). Model-based properties against a plain array: every
// read agrees with the array the same operations build, an operation never
// changes a vector an earlier state still holds (the kernel is a pure
// function: a step never mutates the state it was given), and two vectors with
// the same elements are equal whatever history built them: by content
// (`equals`, JSON.stringify), and as data once settled (the two entries written
// last, which a vector holds beside its trie, written into it). Seeded as every suite (src/properties/env.ts). Examples
// cross every trie level boundary (16, 256 and 4096 entries) by pushes, sets
// and branching pushes, which the random suites reach only up to depth 3.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { PVec, isPVec } from '../src/kernel/pvec.ts';
import { banner, check, runs } from '../property-tests/harness.ts';

banner(import.meta.filename);

type Op = { readonly op: 'push'; readonly v: number } | { readonly op: 'set'; readonly i: number; readonly v: number };

/**
 * Pushes mostly, sets at any index including a few that are not indexes, and sets at a few hot indexes: a
 * vector holds the two entries written last beside its trie, and a write to one of them, or to a third, takes
 * another path than a write to a fresh index.
 */
const arbOp: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ op: fc.constant('push' as const), v: fc.integer() }) },
  {
    weight: 2,
    arbitrary: fc.record({ op: fc.constant('set' as const), i: fc.constantFrom(0, 1, 17, 40), v: fc.integer() }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('set' as const),
      i: fc.integer({ min: -2, max: 400 }),
      v: fc.integer(),
    }),
  },
);
/**
 * A vector of up to 300 entries grown by pushes, then up to `max` random operations on it. The prefix reaches
 * the third trie level (past 16 * 16 entries) with a short list of operations, and its length shrinks by
 * bisection: a random list of 300 operations would shrink one operation at a time, for minutes, and under
 * fast-check's default size stays under a dozen operations, one leaf.
 */
const arbRun = (max: number): fc.Arbitrary<[number, Op[]]> =>
  fc.tuple(fc.nat({ max: 300 }), fc.array(arbOp, { maxLength: max, size: 'max' }));

/** The vector of `n` pushes of 0, 3, 6, ... and its array. */
function grown(n: number): [PVec<number>, number[]] {
  let v = PVec.empty<number>();
  const a: number[] = [];
  for (let i = 0; i < n; i++) {
    v = v.push(i * 3);
    a.push(i * 3);
  }
  return [v, a];
}

function apply(v: PVec<number>, a: number[], op: Op): [PVec<number>, number[]] {
  if (op.op === 'push') return [v.push(op.v), [...a, op.v]];
  const b = a.slice();
  if (op.i >= 0 && op.i < a.length) b[op.i] = op.v;
  return [v.set(op.i, op.v), b];
}

/** Every read of `v` agrees with the array `a`. */
function agrees(v: PVec<number>, a: readonly number[], why: string): void {
  assert.equal(v.length, a.length, `${why}: length`);
  for (let i = 0; i < a.length; i++) assert.equal(v.get(i), a[i], `${why}: get(${i})`);
  for (const i of [-1, a.length, a.length + 1, 0.5, a.length - 0.5, NaN, Infinity])
    assert.equal(v.get(i), undefined, `${why}: get(${i}) is not an index`);
  // isDeepStrictEqual rather than assert.deepEqual: a failing assert.deepEqual diffs the two values' texts,
  // which for a vector of hundreds of entries takes long enough to make a shrinking property seem to hang
  assert.ok(isDeepStrictEqual(v.toArray(), a), `${why}: toArray`);
  assert.ok(isDeepStrictEqual([...v], a), `${why}: iteration`);
  assert.ok(v.equals(PVec.from(a)) && PVec.from(a).equals(v), `${why}: equals the vector built in one go`);
  // settled, the trie's shape depends only on the length, so every node holds exactly the entries it should:
  // nothing written past the length (a push or set that wrote into a node an earlier vector shares shows here)
  assert.ok(
    isDeepStrictEqual(v.settled(), PVec.from(a)),
    `${why}: settled, the structure of the vector built in one go`,
  );
}

const SMALL = fc.array(fc.integer({ min: -50, max: 50 }), { maxLength: 300 });

test('isolation: a kernel table reads back exactly what its pushes and sets wrote (get, length, iteration, toArray against an array)', () => {
  check(
    import.meta.filename,
    'isolation: a kernel table reads back exactly what its pushes and sets wrote (get, length, iteration, toArray against an array)',
    arbRun(120),
    ([n, ops]) => {
      let [v, a] = grown(n);
      for (const op of ops) [v, a] = apply(v, a, op);
      agrees(v, a, 'after the operations');
    },
    runs(60),
  );
});

test('three-syscalls: push and set never change a table an earlier kernel state holds (step is pure); a set outside the indexes changes nothing', () => {
  check(
    import.meta.filename,
    'three-syscalls: push and set never change a table an earlier kernel state holds (step is pure); a set outside the indexes changes nothing',
    // each operation applies to any earlier vector, not only the last: the explorer steps one kernel state with
    // many events, so every successor of one state must be independent of the others
    fc.tuple(fc.nat({ max: 300 }), fc.array(fc.tuple(arbOp, fc.nat()), { maxLength: 60, size: 'max' })),
    ([n, ops]) => {
      const seen: [PVec<number>, number[]][] = [[PVec.empty<number>(), []], grown(n)];
      for (const [op, pick] of ops) {
        const [v, a] = pick % 4 === 0 ? seen[pick % seen.length]! : seen[seen.length - 1]!;
        const next = apply(v, a, op);
        if (op.op === 'set' && !(op.i >= 0 && op.i < a.length))
          assert.equal(next[0], v, `set(${op.i}) outside 0..${a.length - 1}`);
        agrees(next[0], next[1], `the vector after ${seen.length} operations, when made`);
        seen.push(next);
      }
      seen.forEach(([v, a], k) => agrees(v, a, `the vector after ${k} operations`));
    },
    runs(40),
  );
});

test('three-syscalls: tables with the same entries are equal, serialise alike and settle to one structure, whatever history built them (states compare by value)', () => {
  check(
    import.meta.filename,
    'three-syscalls: tables with the same entries are equal, serialise alike and settle to one structure, whatever history built them (states compare by value)',
    fc.tuple(SMALL, fc.array(fc.tuple(fc.nat(), fc.integer({ min: -50, max: 50 })), { maxLength: 20 })),
    ([xs, sets]) => {
      // one by pushes, one in one go, one by pushes of other values then sets back to the elements
      let pushed = PVec.empty<number>();
      for (const x of xs) pushed = pushed.push(x);
      const from = PVec.from(xs);
      const fromIterable = PVec.from(new Set(xs.map((_, i) => i)).values()).map((i) => xs[i]!);
      let rewritten = PVec.from(xs.map((x) => x + 1));
      for (let i = 0; i < xs.length; i++) rewritten = rewritten.set(i, xs[i]!);
      // sets that change and restore an element leave the same structure
      let roundTrip = from;
      for (const [i, x] of sets) {
        if (xs.length === 0) break;
        const k = i % xs.length;
        roundTrip = roundTrip.set(k, x).set(k, xs[k]!);
      }
      for (const [name, v] of [
        ['from', from],
        ['rewritten', rewritten],
        ['set and restored', roundTrip],
      ] as const) {
        assert.ok(v.equals(pushed) && pushed.equals(v), `${name} equals the vector built by pushes`);
        assert.deepStrictEqual(
          v.settled(),
          pushed.settled(),
          `${name}, settled, is structurally the vector built by pushes`,
        );
        assert.equal(JSON.stringify(v), JSON.stringify(xs), `${name} serialises as its array`);
        agrees(v, xs, name);
      }
      assert.deepEqual(fromIterable, xs, 'from an iterable that is not an array');
      agrees(PVec.from(new Set(xs).values()), [...new Set(xs)], 'from a Set');
    },
    runs(60),
  );
});

test('three-syscalls: a table made from an array does not change when that array does', () => {
  for (const n of [0, 3, 16, 17, 300]) {
    const xs = Array.from({ length: n }, (_, i) => i);
    const v = PVec.from(xs);
    xs.fill(-1);
    xs.push(-1);
    agrees(
      v,
      Array.from({ length: n }, (_, i) => i),
      `from ${n} elements`,
    );
  }
});

test('isolation: the array operations the kernel reads its tables with mean what they mean on an array, with the same indexes', () => {
  check(
    import.meta.filename,
    'isolation: the array operations the kernel reads its tables with mean what they mean on an array, with the same indexes',
    fc.tuple(
      SMALL,
      fc.integer({ min: -50, max: 50 }),
      fc.integer({ min: -5, max: 310 }),
      fc.integer({ min: -5, max: 310 }),
    ),
    ([xs, pivot, start, end]) => {
      const v = PVec.from(xs);
      const seen: [number, number][] = [];
      v.forEach((x, i) => seen.push([x, i]));
      assert.deepEqual(
        seen,
        xs.map((x, i) => [x, i]),
        'forEach',
      );
      assert.deepEqual(
        v.map((x, i) => x * 2 + i),
        xs.map((x, i) => x * 2 + i),
        'map',
      );
      const below = (x: number, i: number) => x < pivot || i === 3;
      assert.deepEqual(v.filter(below), xs.filter(below), 'filter');
      assert.equal(v.find(below), xs.find(below), 'find');
      assert.equal(v.findIndex(below), xs.findIndex(below), 'findIndex');
      assert.equal(v.some(below), xs.some(below), 'some');
      assert.equal(v.every(below), xs.every(below), 'every');
      assert.equal(
        v.some((x) => x === pivot),
        xs.includes(pivot),
        'some of one value',
      );
      assert.equal(
        v.every((x) => x !== pivot),
        !xs.includes(pivot),
        'every but one value',
      );
      assert.deepEqual(
        v.reduce((acc: number[], x, i) => [...acc, x - i], [7]),
        xs.reduce((acc: number[], x, i) => [...acc, x - i], [7]),
        'reduce',
      );
      assert.deepEqual(
        v.flatMap((x, i) => (x < pivot ? [x, i] : [])),
        xs.flatMap((x, i) => (x < pivot ? [x, i] : [])),
        'flatMap',
      );
      assert.deepEqual(v.slice(start, end), xs.slice(start, end), 'slice(start, end)');
      assert.deepEqual(v.slice(start), xs.slice(start), 'slice(start)');
      assert.deepEqual(v.slice(), xs, 'slice()');
    },
    runs(80),
  );
});

test('isolation: isPVec tells the kernel tables from plain arrays', () => {
  assert.equal(isPVec(PVec.empty()), true);
  assert.equal(isPVec(PVec.from([1, 2, 3])), true);
  assert.equal(isPVec([1, 2, 3]), false);
  assert.equal(isPVec({ length: 0 }), false);
  assert.equal(isPVec(null), false);
});

// The trie's level boundaries (16 slots a node): one leaf up to 16 entries, two levels up to 256, three up to
// 4096. The random suites above stay under about 420 entries; these examples cross every boundary up to depth 4.
const BOUNDARIES = [0, 1, 15, 16, 17, 31, 32, 33, 48, 255, 256, 257, 271, 272, 512, 513, 4095, 4096, 4097];
const upTo = (n: number) => Array.from({ length: n }, (_, i) => i * 3 + 1);

test('issue 15 (a step costs O(changed)): a table grown by pushes reads back its entries and has the structure of the table built in one go, at every trie level boundary', () => {
  let v = PVec.empty<number>();
  const a: number[] = [];
  for (let n = 0; n <= BOUNDARIES[BOUNDARIES.length - 1]!; n++) {
    if (BOUNDARIES.includes(n)) agrees(v, a, `${n} pushes`);
    v = v.push(n * 3 + 1);
    a.push(n * 3 + 1);
  }
});

test('three-syscalls: a set writes the entry at its index of a table of any depth and nothing else, and leaves the table it was made from unchanged (step is pure)', () => {
  for (const n of [1, 15, 16, 17, 256, 257, 4097]) {
    const a = upTo(n);
    const v = PVec.from(a);
    // every index of the small tables, the first and last of every leaf of the large ones
    const indexes = n <= 257 ? a.map((_, i) => i) : a.map((_, i) => i).filter((i) => i % 16 === 0 || i % 16 === 15);
    for (const k of [...indexes, n - 1]) {
      const w = v.set(k, -7);
      assert.equal(w.get(k), -7, `${n} entries: set(${k}) writes index ${k}`);
      assert.equal(w.length, n, `${n} entries: set(${k}) keeps the length`);
      for (const j of [k - 17, k - 16, k - 1, k + 1, k + 16, k + 17])
        if (j >= 0 && j < n) assert.equal(w.get(j), a[j], `${n} entries: set(${k}) leaves index ${j}`);
      assert.equal(v.get(k), a[k], `${n} entries: set(${k}) leaves the vector it was made from`);
    }
    agrees(v, a, `${n} entries after all the sets made from it`);
    const b = a.slice();
    b[n >> 1] = -1;
    b[n - 1] = -2;
    agrees(v.set(n >> 1, -1).set(n - 1, -2), b, `${n} entries: two sets`);
  }
});

test('three-syscalls: a set at anything but an index 0..length-1 (negative, fractional, length and past it, NaN, infinite) is the table itself', () => {
  for (const n of BOUNDARIES) {
    const v = PVec.from(upTo(n));
    for (const i of [-1, -2, -16, -0.5, 0.5, n - 0.5, n, n + 1, n + 16, NaN, Infinity, -Infinity, 2 ** 31, 2 ** 32])
      assert.equal(v.set(i, -9), v, `${n} entries: set(${i})`);
    agrees(v, upTo(n), `${n} entries after the sets`);
  }
});

test('three-syscalls: two pushes onto one table (two successors of one kernel state) each hold their own entry and leave the table pushed onto unchanged', () => {
  for (const n of BOUNDARIES) {
    const a = upTo(n);
    const v = PVec.from(a);
    const x = v.push(-1);
    const y = v.push(-2);
    const z = x.push(-3);
    agrees(v, a, `${n} entries, pushed onto twice`);
    agrees(x, [...a, -1], `${n} entries, the first push`);
    agrees(y, [...a, -2], `${n} entries, the second push`);
    agrees(z, [...a, -1, -3], `${n} entries, a push onto the first push`);
  }
  agrees(PVec.empty<number>(), [], 'the empty vector after pushes onto it');
});

/** The read-only array operations of PVec, as both a PVec and an array have them. */
interface Reads {
  forEach(f: (v: number, i: number) => void): void;
  map<U>(f: (v: number, i: number) => U): U[];
  filter(f: (v: number, i: number) => boolean): number[];
  find(f: (v: number, i: number) => boolean): number | undefined;
  findIndex(f: (v: number, i: number) => boolean): number;
  some(f: (v: number, i: number) => boolean): boolean;
  every(f: (v: number, i: number) => boolean): boolean;
  reduce<U>(f: (acc: U, v: number, i: number) => U, init: U): U;
  flatMap<U>(f: (v: number, i: number) => readonly U[]): U[];
}

test('isolation: the array operations call their callback with exactly the entries and indexes an array would, never past the end', () => {
  type Call = readonly unknown[];
  for (const n of [0, 1, 5, 16, 17, 33, 257]) {
    const a = upTo(n);
    const v = PVec.from(a);
    // callbacks that never stop early, so they see every entry; each records its arguments
    const calls = (run: (record: (...args: unknown[]) => void) => void): Call[] => {
      const out: Call[] = [];
      run((...args) => out.push(args));
      return out;
    };
    const uses: [string, (xs: Reads, record: (...args: unknown[]) => void) => void][] = [
      ['forEach', (xs, r) => xs.forEach((x, i) => r(x, i))],
      ['map', (xs, r) => xs.map((x, i) => r(x, i))],
      ['filter', (xs, r) => xs.filter((x, i) => (r(x, i), false))],
      ['find', (xs, r) => xs.find((x, i) => (r(x, i), false))],
      ['findIndex', (xs, r) => xs.findIndex((x, i) => (r(x, i), false))],
      ['some', (xs, r) => xs.some((x, i) => (r(x, i), false))],
      ['every', (xs, r) => xs.every((x, i) => (r(x, i), true))],
      ['reduce', (xs, r) => xs.reduce((acc: number, x, i) => (r(acc, x, i), acc + x), 0)],
      ['flatMap', (xs, r) => xs.flatMap((x, i) => (r(x, i), [i]))],
    ];
    const array: Reads = a;
    for (const [name, use] of uses)
      assert.deepEqual(
        calls((r) => use(v, r)),
        calls((r) => use(array, r)),
        `${n} entries: ${name}'s callback calls`,
      );
    assert.deepEqual(
      v.flatMap((x, i) => [i, x]),
      a.flatMap((x, i) => [i, x]),
      `${n} entries: flatMap`,
    );
    assert.equal(
      v.find((x) => x === undefined),
      undefined,
      `${n} entries: find of nothing there`,
    );
  }
});

test('three-syscalls: tables that differ in one entry are not equal, also where that entry is one held beside the trie', () => {
  for (const n of [3, 17, 300]) {
    const [v] = grown(n);
    for (const i of [0, n - 1]) {
      // written last (held beside the trie), and pushed out into the trie by two later writes
      const held = v.set(i, -7);
      const settled = held.set((i + 1) % n, v.get((i + 1) % n)!).set((i + 2) % n, v.get((i + 2) % n)!);
      for (const [name, w] of [
        ['held', held],
        ['written into the trie', settled],
      ] as const) {
        assert.equal(w.equals(v), false, `${n} entries, entry ${i} ${name}: equals`);
        assert.equal(v.equals(w), false, `${n} entries, entry ${i} ${name}: equals, the other way round`);
        assert.equal(w.get(i), -7, `${n} entries, entry ${i} ${name}: get`);
      }
      assert.ok(settled.set(i, v.get(i)!).equals(v), `${n} entries, entry ${i}: written back, equal again`);
    }
    assert.equal(v.equals(v.push(1)), false, `${n} entries: a longer vector is not equal`);
    assert.equal(v.push(1).equals(v), false, `${n} entries: a shorter vector is not equal`);
  }
});
