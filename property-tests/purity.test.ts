// Purity, determinism and totality of step(): deep-frozen inputs are never
// written; the same state and event always give the same result; garbage
// events of any shape are rejected without a throw and without a change.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { arbCase } from '../src/properties/gen.ts';
import { realize } from '../src/adversary/index.ts';
import { prepare } from '../src/properties/runner.ts';
import { step } from '../src/kernel/step.ts';
import type { KernelEvent, KernelState, StepResult } from '../src/kernel/types.ts';
import { banner, check, countSteps, runs, stepsTaken } from './harness.ts';

banner(import.meta.filename);

/** Freezes everything reachable except the static configuration (codec objects are library internals). */
function deepFreeze<T>(v: T, seen = new Set<unknown>()): T {
  if (typeof v !== 'object' || v === null || seen.has(v)) return v;
  seen.add(v);
  for (const [k, x] of Object.entries(v)) if (k !== 'config') deepFreeze(x, seen);
  return Object.freeze(v);
}

/** A stable rendering of everything a step produced except the shared configuration. */
function render(r: StepResult): string {
  return JSON.stringify(r, (k, v) => (k === 'config' ? undefined : v));
}

test('purity: step never writes to its (deep-frozen) inputs and never throws on them', (t) => {
  check(
    import.meta.filename,
    t.name,
    arbCase(100),
    (c) => {
      const p = prepare(c.solution, c.policy, c.machine);
      if (typeof p === 'string') throw new Error(p);
      let s: KernelState = deepFreeze(p.boot.state);
      for (const choice of c.choices) {
        const e = deepFreeze(realize(s, choice));
        const snapshot = render({ state: s, results: [], decisions: [], effects: [] });
        const r = step(s, e);
        assert.equal(
          render({ state: s, results: [], decisions: [], effects: [] }),
          snapshot,
          'the input state changed',
        );
        s = deepFreeze(r.state);
      }
      countSteps(c.choices.length);
    },
    runs(300),
  );
});

test('determinism: the same state and event give the same result, and a whole run replays bit for bit', (t) => {
  check(
    import.meta.filename,
    t.name,
    arbCase(100),
    (c) => {
      const run = () => {
        const p = prepare(c.solution, c.policy, c.machine);
        if (typeof p === 'string') throw new Error(p);
        let s = p.boot.state;
        const out: string[] = [];
        for (const choice of c.choices) {
          const e = realize(s, choice);
          const a = step(s, e);
          const b = step(s, e);
          assert.equal(render(a), render(b), 'two steps from the same state and event differ');
          out.push(render(a));
          s = a.state;
        }
        return out;
      };
      assert.deepEqual(run(), run());
      countSteps(c.choices.length * 4);
    },
    runs(200),
  );
});

/** Garbage: anything at all, and valid events with one field replaced by anything. */
const anything = fc.anything({
  withNullPrototype: true,
  withBigInt: true,
  withBoxedValues: true,
  withMap: true,
  withSet: true,
  withDate: true,
  withTypedArray: true,
  withSparseArray: true,
  withObjectString: true,
});

const arbGarbage = (base: fc.Arbitrary<KernelEvent>): fc.Arbitrary<unknown> =>
  fc.oneof(
    anything,
    fc
      .tuple(base, fc.constantFrom('kind', 'tid', 'call', 'line', 'cpu', 'deviceAddress', 'realtime'), anything)
      .map(([e, k, x]) => ({ ...e, [k]: x })),
    fc
      .tuple(
        fc.nat({ max: 4 }),
        fc.constantFrom('op', 'handle', 'message'),
        anything,
        fc.constantFrom('Call', 'Recv', 'Reply'),
      )
      .map(([tid, k, x, op]) => ({
        kind: 'syscall',
        tid,
        call: { op, handle: 1, message: { riid: 0, mid: 0 }, [k]: x },
      })),
    fc
      .record({ riid: anything, mid: anything, payload: anything, handles: anything, error: anything })
      .map((message) => ({ kind: 'syscall', tid: 0, call: { op: 'Call', handle: 1, message } })),
  );

test('totality: garbage events never throw; a rejected event leaves the state as it was', (t) => {
  check(
    import.meta.filename,
    t.name,
    arbCase(40).chain((c) =>
      fc.tuple(fc.constant(c), fc.array(arbGarbage(fc.constant({ kind: 'tick' })), { minLength: 1, maxLength: 40 })),
    ),
    ([c, garbage]) => {
      const p = prepare(c.solution, c.policy, c.machine);
      if (typeof p === 'string') throw new Error(p);
      let s = p.boot.state;
      for (let i = 0; i < garbage.length; i++) {
        const g = garbage[i];
        const r = step(s, g as KernelEvent);
        if (r.rejected !== undefined) {
          assert.equal(r.state, s, `a rejected event (${r.rejected}) changed the state`);
          assert.equal(typeof r.rejected, 'string');
          assert.ok(r.rejected.length > 0);
        }
        s = r.state;
        const choice = c.choices[i % c.choices.length]!;
        s = step(s, realize(s, choice)).state;
      }
      countSteps(garbage.length * 2);
    },
    runs(300),
  );
});

after(() => console.log(`# purity.test.ts: ${stepsTaken()} kernel steps`));
