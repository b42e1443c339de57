// proofs/KernelInductive.tla: IndInv is inductive over the bounded TypeOK
// domain and implies DefaultDeny, CompleteMediation and Isolation.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkInductive, proofFiles, ProofPing } from '../proofs/inductive.ts';

test('IndInv is inductive on the bounded domain of the Ping solution', { timeout: 10 * 60_000 }, async () => {
  const r = await checkInductive();
  assert.ok(r.inductive, r.problem ?? '');
  assert.ok(r.initialStates !== null && r.initialStates > 500, `the domain has only ${r.initialStates} IndInv states`);
  assert.ok(r.generated !== null && r.generated > r.initialStates!, 'no step was taken');
  console.log(
    `IndInv: ${r.initialStates} initial states, ${r.distinct} distinct, ${r.generated} generated, ${r.tlcSeconds} s`,
  );
});

test('the proof model checks IndInv and its implication, one step from the domain', () => {
  const f = proofFiles(ProofPing);
  assert.match(f.cfg, /^INIT DomainInit$/m);
  assert.match(f.cfg, /^NEXT Next$/m);
  assert.match(f.cfg, /^CONSTRAINT OneStep$/m);
  assert.match(f.cfg, /^INVARIANTS IndInv Implied$/m);
});

test(
  'IndInv is inductive on the larger domain (CORDON_TLC_LARGE=1)',
  { skip: process.env.CORDON_TLC_LARGE !== '1', timeout: 60 * 60_000 },
  async () => {
    const r = await checkInductive(ProofPing, {}, { extraSlot: true, weakerClientEnds: true });
    assert.ok(r.inductive, r.problem ?? '');
    console.log(
      `IndInv (large domain): ${r.initialStates} initial states, ${r.distinct} distinct, ${r.generated} generated, ${r.tlcSeconds} s`,
    );
  },
);
