// The kernel's tables (processes, threads, objects) are persistent vectors
// (src/kernel/pvec.ts). Model-based properties against a plain array: every
// read agrees with the array the same operations build, an operation never
// changes a vector an earlier state still holds (the kernel is a pure
// function: a step never mutates the state it was given), and two vectors with
// the same elements are structurally equal whatever history built them (the
// kernel's states compare with deepStrictEqual and serialise with
// JSON.stringify). Seeded as every suite (src/properties/env.ts).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { PVec, isPVec } from '../src/kernel/pvec.ts';
import { banner, check, runs } from '../property-tests/harness.ts';

banner(import.meta.filename);

type Op = { readonly op: 'push'; readonly v: number } | { readonly op: 'set'; readonly i: number; readonly v: number };

/** Pushes mostly (to reach depth 3, past 16 * 16 elements), sets at any index including a few that are not indexes. */
const arbOps = (max: number): fc.Arbitrary<Op[]> =>
  fc.array(
    fc.oneof(
      { weight: 5, arbitrary: fc.record({ op: fc.constant('push' as const), v: fc.integer() }) },
      {
        weight: 2,
        arbitrary: fc.record({
          op: fc.constant('set' as const),
          i: fc.integer({ min: -2, max: 400 }),
          v: fc.integer(),
        }),
      },
    ),
    { maxLength: max },
  );

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
  assert.deepEqual(v.toArray(), a, `${why}: toArray`);
  assert.deepEqual([...v], a, `${why}: iteration`);
}

const SMALL = fc.array(fc.integer({ min: -50, max: 50 }), { maxLength: 300 });

test('isolation: a kernel table reads back exactly what its pushes and sets wrote (get, length, iteration, toArray against an array)', () => {
  check(
    import.meta.filename,
    'isolation: a kernel table reads back exactly what its pushes and sets wrote (get, length, iteration, toArray against an array)',
    arbOps(420),
    (ops) => {
      let v = PVec.empty<number>();
      let a: number[] = [];
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
    arbOps(300),
    (ops) => {
      const seen: [PVec<number>, number[]][] = [[PVec.empty<number>(), []]];
      for (const op of ops) {
        const [v, a] = seen[seen.length - 1]!;
        const next = apply(v, a, op);
        if (op.op === 'set' && !(op.i >= 0 && op.i < a.length))
          assert.equal(next[0], v, `set(${op.i}) outside 0..${a.length - 1}`);
        seen.push(next);
      }
      seen.forEach(([v, a], k) => agrees(v, a, `the vector after ${k} operations`));
    },
    runs(40),
  );
});

test('three-syscalls: tables with the same entries are deepStrictEqual and serialise alike, whatever history built them (states compare by value)', () => {
  check(
    import.meta.filename,
    'three-syscalls: tables with the same entries are deepStrictEqual and serialise alike, whatever history built them (states compare by value)',
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
        assert.deepStrictEqual(v, pushed, `${name} is structurally the vector built by pushes`);
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
