// bench/child.ts: a timed row is the median of several processes, with their range beside it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { medianRun, runRounds } from '../bench/child.ts';
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

test('rows run in rounds: every row once per round, in order, and each row is the median of its own runs', () => {
  const order: string[] = [];
  // a burst of host noise during the second round slows whatever runs then, whichever row it is
  let clock = 0;
  const rows = runRounds([{ job: 'small' }, { job: 'large' }], 3, (spec) => {
    order.push(spec.job);
    const noisy = clock >= 2 && clock < 4;
    clock++;
    return run((spec.job === 'small' ? 8e5 : 5e5) / (noisy ? 2 : 1), spec.job);
  });
  assert.deepEqual(order, ['small', 'large', 'small', 'large', 'small', 'large']);
  assert.deepEqual(
    rows.map((r) => [r.tag, r.timing.perCpuSecond, r.runs.count, r.runs.minPerCpuSecond]),
    [
      ['small', 8e5, 3, 4e5],
      ['large', 5e5, 3, 2.5e5],
    ],
  );
  // the ratio of the medians is the noiseless one: the burst fell on one run of each row
  assert.equal(rows[0]!.timing.perCpuSecond / rows[1]!.timing.perCpuSecond, 1.6);
});
