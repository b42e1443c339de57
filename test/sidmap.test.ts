// SidMap, the persistent SID-keyed map of the per-resource security models:
// against a plain Map under random sequences of sets and deletes (every
// intermediate map must keep its own entries), the canonical shape (equal
// entries ⇒ deep-equal maps, whatever the history), and O(log n) sharing.

import assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { SidMap, isStateMap, toMap } from '../src/policy/models/sidmap.ts';
import { mapDelete, mapSet } from '../src/policy/models/model.ts';
import { canonicalKey } from '../src/conformance/monitor-model.ts';
import { suiteEnv } from '../src/properties/env.ts';

const ENV = suiteEnv();
const SEED = ENV.seedGiven ? ENV.seed : 20261207;
const RUNS = Math.max(1, Math.round(200 * ENV.scale));

// small SIDs (the common case), SIDs around level boundaries, and the largest
const sid = fc.oneof(
  fc.integer({ min: 0, max: 40 }),
  fc.constantFrom(31, 32, 33, 1023, 1024, 1025, 32767, 32768, 2 ** 20, 2 ** 30 - 1, 2 ** 30, 2 ** 32 - 1),
  fc.integer({ min: 0, max: 2 ** 32 - 1 }),
);
const op = fc.oneof(fc.record({ set: sid, value: fc.constantFrom('idle', 'busy', 'closed') }), fc.record({ del: sid }));

function entriesOf(m: ReadonlyMap<number, string>): [number, string][] {
  return [...m.entries()];
}
const sorted = (m: Map<number, string>) => [...m.entries()].sort((a, b) => a[0] - b[0]);

describe('SidMap', () => {
  it('behaves as a Map under any sequence of sets and deletes, and leaves every earlier map unchanged', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        let m = SidMap.empty<string>();
        const model = new Map<number, string>();
        const history: [SidMap<string>, [number, string][]][] = [];
        for (const o of ops) {
          if ('set' in o) {
            m = m.set(o.set, o.value);
            model.set(o.set, o.value);
          } else {
            m = m.delete(o.del);
            model.delete(o.del);
          }
          history.push([m, sorted(model)]);
          assert.equal(m.size, model.size);
          for (const k of [...model.keys(), 0, 5, 1024, 2 ** 32 - 1]) {
            assert.equal(m.get(k), model.get(k), `get ${k}`);
            assert.equal(m.has(k), model.has(k), `has ${k}`);
          }
        }
        // persistence: each map still holds exactly what it held when made (ascending SIDs)
        for (const [h, want] of history) assert.deepEqual(entriesOf(h), want);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('has a canonical shape: maps with the same entries are deep-equal and share a canonical key, whatever the history', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        let m = SidMap.empty<string>();
        for (const o of ops) m = 'set' in o ? m.set(o.set, o.value) : m.delete(o.del);
        const direct = SidMap.from(entriesOf(m).reverse());
        assert.ok(isDeepStrictEqual(m, direct), 'same entries, different shapes');
        assert.equal(canonicalKey(m), canonicalKey(direct));
        assert.equal(canonicalKey(m), canonicalKey(new Map(entriesOf(m))));
        // and a map that differs in one entry is not deep-equal
        const k = entriesOf(m)[0]?.[0] ?? 7;
        const other = m.set(k, m.get(k) === 'idle' ? 'busy' : 'idle');
        assert.ok(!isDeepStrictEqual(m, other));
        assert.notEqual(canonicalKey(m), canonicalKey(other));
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('returns the same map for a no-op set or delete, and refuses what is not a SID', () => {
    const m = SidMap.empty<string>().set(3, 'idle');
    assert.equal(m.set(3, 'idle'), m);
    assert.equal(m.delete(4), m);
    assert.equal(m.delete(3), SidMap.empty());
    assert.equal(m.get(-1), undefined);
    assert.equal(m.get(1.5), undefined);
    assert.equal(m.get(2 ** 32), undefined);
    assert.throws(() => m.set(-1, 'x'), RangeError);
    assert.throws(() => m.set(2 ** 32, 'x'), RangeError);
    assert.throws(() => m.set(0.5, 'x'), RangeError);
  });

  it('is immutable by construction: set and delete never write to the map they start from', () => {
    let m = SidMap.empty<string>();
    for (let i = 0; i < 1100; i++) m = m.set(i, 'idle');
    // freeze the instance and every node: a write (strict mode) would throw
    const freeze = (node: readonly unknown[]): void => {
      for (const x of node) if (Array.isArray(x)) freeze(x);
      Object.freeze(node);
    };
    freeze(m.root!);
    Object.freeze(m);
    const before = [...m];
    const n = m.set(7, 'busy').set(2000, 'new').delete(1099).delete(3);
    assert.deepEqual([...m], before);
    assert.equal(n.get(7), 'busy');
    assert.equal(n.get(2000), 'new');
    assert.equal(n.get(1099), undefined);
    assert.equal(n.size, 1099);
  });

  it('a set shares all but one path with the old map (O(log n) new nodes)', () => {
    let m = SidMap.empty<string>();
    for (let i = 0; i < 1000; i++) m = m.set(i, 'idle');
    const n = m.set(500, 'busy');
    const root = m.root!;
    const root2 = n.root!;
    assert.equal(m.shift, 5); // two levels hold 1,000 SIDs
    let shared = 0;
    for (let i = 0; i < 32; i++) if (root[i] !== undefined && root[i] === root2[i]) shared++;
    assert.equal(shared, Math.ceil(1000 / 32) - 1); // only the child holding 500 was copied
    assert.equal(m.get(500), 'idle');
    assert.equal(n.get(500), 'busy');
  });

  it('is what the model helpers use for per-resource states, and reads out as a plain Map', () => {
    const m = mapSet(SidMap.empty<string>(), 9, 'open');
    assert.ok(m instanceof SidMap);
    assert.ok(mapDelete(m, 9) instanceof SidMap);
    assert.ok(isStateMap(m) && isStateMap(new Map()) && !isStateMap({}));
    assert.deepEqual(toMap(m), new Map([[9, 'open']]));
    // a small Map (a HashSet table) stays a Map, copied
    const t = mapSet(new Map([['a', 1]]), 'b', 2);
    assert.ok(t instanceof Map);
    assert.deepEqual(
      [...t],
      [
        ['a', 1],
        ['b', 2],
      ],
    );
  });
});
