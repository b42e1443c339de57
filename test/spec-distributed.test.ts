// Distributed TLC (TLCServer + TLCWorkers on loopback, through the bridge)
// reaches the same distinct-state count as a single-process run: on the
// CI-sized model always, on the model of over 1,000,000 states when
// CORDON_TLC_LARGE=1.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareDistributed, SCALE_LARGE, SCALE_SMALL } from '../proofs/scale.ts';

test(
  'distributed TLC reaches the single-process distinct count (CI-sized model)',
  { timeout: 10 * 60_000 },
  async () => {
    const r = await compareDistributed(SCALE_SMALL, 2);
    assert.equal(r.single.verdict, 'success', r.single.problem ?? '');
    assert.equal(r.distributed.verdict, 'success', r.distributed.problem ?? '');
    assert.ok(r.sameDistinct, `single ${r.single.distinct}, distributed ${r.distributed.distinct}`);
    assert.equal(r.single.distinct, 23106);
    console.log(
      `${r.model}: ${r.single.distinct} distinct (single ${r.single.tlcSeconds} s, distributed with ${r.workers} workers ${r.distributed.tlcSeconds} s)`,
    );
  },
);

test(
  'distributed TLC on over 1,000,000 distinct states (CORDON_TLC_LARGE=1)',
  { skip: process.env.CORDON_TLC_LARGE !== '1', timeout: 4 * 3600_000 },
  async () => {
    const r = await compareDistributed(SCALE_LARGE, 2);
    assert.equal(r.single.verdict, 'success', r.single.problem ?? '');
    assert.equal(r.distributed.verdict, 'success', r.distributed.problem ?? '');
    assert.ok(
      r.single.distinct !== null && r.single.distinct >= 1_000_000,
      `only ${r.single.distinct} distinct states`,
    );
    assert.equal(r.single.distinct, 1_299_042);
    assert.ok(r.sameDistinct, `single ${r.single.distinct}, distributed ${r.distributed.distinct}`);
    console.log(JSON.stringify(r));
  },
);
