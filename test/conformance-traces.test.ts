// Trace validation: at least 1,000 random TS kernel traces (adversarial
// processes included) checked by TLC, in one run, to be behaviours of the
// spec; and a trace the spec cannot follow is reported at the exact step.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileModel } from '../src/conformance/model.ts';
import {
  TraceWorld,
  generateTraces,
  traceStats,
  validateTraces,
  type RecordedTrace,
} from '../src/conformance/traces.ts';
import { seq } from '../src/conformance/tla.ts';
import { seqElements } from '../src/tlc/index.ts';
import { suiteEnv } from '../src/properties/env.ts';

const m = compileModel(TraceWorld);

// the traces of a fixed seed unless CORDON_SEED names another
const SEED = suiteEnv().seedGiven ? suiteEnv().seed : 20261121;

test('1,000 random TS kernel traces are behaviours of the spec (one TLC run)', { timeout: 15 * 60_000 }, async () => {
  const traces = generateTraces(1000, SEED);
  const stats = traceStats(m, traces);
  console.log(
    `seed ${SEED}: ${stats.traces} traces, ${stats.steps} steps (${stats.effective} changed the kernel state), ${stats.grants} grants, ${stats.denies} denies, effects ${JSON.stringify(stats.effects)}`,
  );
  // the traces exercise what they must: requests, answers, denials, kernel services, process starts
  for (const k of ['request', 'response', 'error', 'service', 'execute', 'security'])
    assert.ok((stats.effects[k] ?? 0) > 0, `no ${k} effect in the traces`);
  assert.ok(stats.denies > 100 && stats.grants > 100);
  const v = await validateTraces(m, traces);
  assert.equal(v.traces, 1000);
  assert.ok(
    v.ok,
    `${v.problem}${v.divergence === null ? '' : ` (trace ${v.divergence.trace}, step ${v.divergence.step})`}`,
  );
  assert.equal(v.distinct, v.steps + v.traces, 'TLC explored exactly the steps of the traces');
  console.log(
    `validated ${v.traces} traces (${v.steps} steps) in ${v.tlcSeconds} s of TLC (${v.wallSeconds.toFixed(1)} s in all)`,
  );
});

test(
  'a trace whose recorded state is not what the spec computes is reported at that step',
  { timeout: 5 * 60_000 },
  async () => {
    const traces = generateTraces(20, SEED + 1);
    const victim = traces.findIndex((t) => t.steps.length >= 6);
    assert.ok(victim >= 0);
    // tamper with step 4 of that trace: the run queue the TS kernel reported gains a thread
    const k = 3;
    const tampered: RecordedTrace[] = traces.map((t, i) => {
      if (i !== victim) return t;
      const steps = t.steps.map((s, j) =>
        j !== k
          ? s
          : {
              ...s,
              state: { ...s.state, runQueue: seq([...seqElements(s.state.runQueue), { kind: 'int', value: 99 }]) },
            },
      );
      return { ...t, steps };
    });
    const v = await validateTraces(m, tampered);
    assert.equal(v.ok, false);
    assert.ok(v.divergence !== null, v.problem ?? '');
    assert.equal(v.divergence.trace, victim + 1);
    assert.equal(v.divergence.step, k + 1);
  },
);
