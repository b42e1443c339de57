// The Devices model under TLC beyond its state count (spec-models.test.ts) and
// reachable set (conformance-reachable.test.ts): random walks through its
// alphabet - futex waits and wakes, DMA starts and completions, port and MMIO
// access, granted and denied - are behaviours of the spec; and the spec's
// device properties catch a kernel of the spec that breaks them.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Devices, K, kernelRule, Services } from '../src/conformance/catalog.ts';
import { compileModel, type ModelDef } from '../src/conformance/model.ts';
import type { Message } from '../src/kernel/types.ts';
import type { RulePolicy } from '../src/monitor/rules.ts';
import { traceStats, validateTraces, walkTraces } from '../src/conformance/traces.ts';
import { describeResult, stageModel } from '../src/conformance/run.ts';
import { modelFiles } from '../src/models/models.ts';
import { runTlc } from '../src/tlc/index.ts';
import { suiteEnv } from '../src/properties/env.ts';

const SEED = suiteEnv().seedGiven ? suiteEnv().seed : 20261207;
const m = compileModel(Devices);

test(
  'random walks through the Devices alphabet are behaviours of the spec (one TLC run)',
  { timeout: 10 * 60_000 },
  async () => {
    const traces = walkTraces(m, 100, 30, SEED);
    const stats = traceStats(m, traces);
    const events = traces.flatMap((t) => t.events);
    assert.ok(
      events.some((e) => e.kind === 'dma'),
      'no DMA completion in the walks',
    );
    const states = traces.flatMap((t) => t.steps.map((s) => JSON.stringify(s.state.threads)));
    assert.ok(
      states.some((s) => s.includes('"futex"')),
      'no futex wait in the walks',
    );
    assert.ok(stats.grants > 50 && stats.denies > 50, `grants ${stats.grants}, denies ${stats.denies}`);
    const v = await validateTraces(m, traces);
    assert.ok(
      v.ok,
      `${v.problem}${v.divergence === null ? '' : ` (trace ${v.divergence.trace}, step ${v.divergence.step})`}`,
    );
    assert.equal(v.distinct, v.steps + v.traces, 'TLC explored exactly the steps of the walks');
  },
);

/** TLC on a part of a model (only these calls) with spec/Kernel.tla mutated: the result, after checking that the mutation applied. */
async function mutated(calls: readonly Message[], from: string, to: string, base: ModelDef = Devices) {
  const part: ModelDef = {
    ...base,
    name: `${base.name}Part`,
    alphabet: { ...base.alphabet, calls },
    expected: undefined,
  };
  const staged = await stageModel(modelFiles(part));
  try {
    const path = join(staged.dir, 'Kernel.tla');
    const kernel = await readFile(path, 'utf8');
    const changed = kernel.replace(from, to);
    assert.notEqual(changed, kernel, 'the kernel mutation did not apply');
    await writeFile(path, changed);
    return await runTlc({ workers: 1, maxHeap: '1g', timeoutMs: 4 * 60_000, spec: staged.spec, config: staged.config });
  } finally {
    await staged.cleanup();
  }
}

const violated = (r: Awaited<ReturnType<typeof runTlc>>): string =>
  r.kind === 'liveness-violation' ? `${r.property ?? ''} ${r.message}` : describeResult(r);

test(
  'a spec kernel whose sync.Wake ignores the offset breaks FutexWokenByOwnWake',
  { timeout: 5 * 60_000 },
  async () => {
    const r = await mutated(
      [K.threadCreate(10), K.allocate(1), K.wait(1, 0), K.wait(1, 8), K.wake(1, 0, 1)],
      'Thr(s, w).state.object = o /\\ Thr(s, w).state.offset = off)',
      'Thr(s, w).state.object = o)',
    );
    assert.equal(r.kind, 'liveness-violation', describeResult(r));
    assert.match(violated(r), /FutexWokenByOwnWake/);
  },
);

test(
  'a spec kernel whose device completes a buffer nobody started breaks DmaSteps',
  { timeout: 5 * 60_000 },
  async () => {
    const r = await mutated(
      [K.dmaAllocate(1), K.dmaStart(1)],
      'Obj(s, o).deviceAddress = addr /\\ Obj(s, o).status = "busy"}',
      'Obj(s, o).deviceAddress = addr}',
    );
    assert.equal(r.kind, 'liveness-violation', describeResult(r));
    assert.match(violated(r), /DmaSteps/);
  },
);

test(
  'a spec kernel that releases an IRQ line without waking its waiters breaks IrqToHolder',
  { timeout: 5 * 60_000 },
  async () => {
    // the driver gets a second thread: one waits on the line while the other closes the line's handle
    const rules = Services.policy as RulePolicy;
    const twoThreads: ModelDef = {
      ...Services,
      policy: { ...rules, rules: [...rules.rules, kernelRule('thread', 'Create', 'Driver')] },
    };
    const r = await mutated(
      [K.threadCreate(10), K.irqAttach(0), K.irqWait(2), K.close(2)],
      'ELSE wakeIrqWaitersFrom([s EXCEPT !.irqs[line + 1] = [object |-> Null, pending |-> FALSE, masked |-> FALSE]], line, 0)',
      'ELSE [s EXCEPT !.irqs[line + 1] = [object |-> Null, pending |-> FALSE, masked |-> FALSE]]',
      twoThreads,
    );
    assert.equal(r.kind, 'invariant-violation', describeResult(r));
    assert.match(describeResult(r), /IrqToHolder/);
  },
);

test(
  'a spec kernel that gives a new object the label of the one before it breaks ObjectLabels',
  { timeout: 5 * 60_000 },
  async () => {
    const r = await mutated(
      [K.allocate(1)],
      'Append(@, [sid |-> objectSid(id)] @@ o)',
      'Append(@, [sid |-> objectSid(id - 1)] @@ o)',
      Services,
    );
    assert.equal(r.kind, 'invariant-violation', describeResult(r));
    assert.match(describeResult(r), /ObjectLabels/);
  },
);
