// Equal reachable sets: the exhaustive BFS explorer of the TS kernel and TLC
// reach the same states (counts and the sets themselves, from TLC's -dump),
// and on the small models the same labelled transitions.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEVICES_PARTS, Duo, Hangup, Ping, REACHABLE_COMPARED, Services, Spawn } from '../src/conformance/catalog.ts';
import { compareReachable, compareTransitions } from '../src/conformance/reachable.ts';
import { compileModel } from '../src/conformance/model.ts';
import { explore } from '../src/conformance/explorer.ts';

for (const def of REACHABLE_COMPARED) {
  test(`${def.name}: the TS explorer reaches exactly TLC's states`, { timeout: 10 * 60_000 }, async () => {
    const r = await compareReachable(def);
    assert.equal(r.problem, null);
    assert.equal(r.tlc.distinct, r.explorer.distinct, 'distinct counts');
    assert.equal(r.tlc.dumped, r.tlc.distinct, 'TLC dumped every distinct state once');
    assert.equal(r.tlc.depth, r.explorer.depth, 'depth');
    assert.equal(r.countOnlyTlc, 0, `states only TLC reaches, e.g.\n${r.onlyTlc[0]}`);
    assert.equal(r.countOnlyExplorer, 0, `states only the TS kernel reaches, e.g.\n${r.onlyExplorer[0]}`);
    assert.ok(r.equal);
    // the model's expected figures, which test/spec-models.test.ts leaves to this run
    assert.equal(r.explorer.distinct, def.expected?.distinct);
    assert.equal(r.tlc.depth, def.expected?.depth);
  });
}

for (const def of [Ping, Hangup, Duo, Spawn, ...DEVICES_PARTS]) {
  test(
    `${def.name}: the TS kernel and the spec have the same transitions (state, event, state)`,
    { timeout: 10 * 60_000 },
    async () => {
      const r = await compareTransitions(def);
      assert.equal(r.problem, null);
      assert.equal(r.countOnlyTlc, 0, `transitions only the spec takes, e.g.\n${r.onlyTlc[0]}`);
      assert.equal(r.countOnlyExplorer, 0, `transitions only the TS kernel takes, e.g.\n${r.onlyExplorer[0]}`);
      assert.equal(r.tlcTransitions, r.explorerTransitions);
      assert.ok(r.tlcTransitions > 100);
    },
  );
}

test('the explorer applies the model bounds as TLC does', () => {
  const bounded = explore(compileModel(Services), { keepStates: false });
  const looser = explore(
    compileModel({ ...Services, bounds: { ...Services.bounds, maxObjects: Services.bounds.maxObjects + 1 } }),
    { keepStates: false, maxStates: bounded.distinct * 3 },
  );
  assert.ok(looser.distinct > bounded.distinct, 'a looser bound reaches more states');
});
