// bench/child.ts: a timed row is the median of several processes, with their range beside it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { medianRun } from '../bench/child.ts';
import type { Timing } from '../bench/harness.ts';

const run = (perCpuSecond: number, tag: string) => ({
  tag,
  timing: {
    perCpuSecond,
    perSecond: perCpuSecond,
    min: 0,
    max: 0,
    windows: 1,
    operations: 1,
    wallMs: 1,
    cpuMs: 1,
  } satisfies Timing,
});

test('the median process is the row, whatever order the runs came in, and the range is over all runs', () => {
  const r = medianRun([run(5.6e6, 'fast'), run(3.1e6, 'slow'), run(4.2e6, 'middle')]);
  assert.equal(r.tag, 'middle');
  assert.deepEqual(r.runs, { count: 3, minPerCpuSecond: 3.1e6, maxPerCpuSecond: 5.6e6 });
});

test('an even count takes the lower median (the figure a target is judged on is never the lucky run)', () => {
  assert.equal(medianRun([run(4, 'd'), run(1, 'a'), run(3, 'c'), run(2, 'b')]).tag, 'b');
  assert.equal(medianRun([run(7, 'only')]).runs.count, 1);
});

test('no runs is an error, not a row of undefined', () => {
  assert.throws(() => medianRun([]), /no runs/);
});
