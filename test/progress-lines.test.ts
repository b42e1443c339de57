// The progress reporter of TLC runs: lines on a non-terminal (every
// interval, with TLC's latest counts, and always a final line), the bar on a
// terminal. Clock, timer and stream are fakes: no real time passes.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { progressReporter, type BarLike, type Schedule } from '../src/tlc/progress-lines.ts';
import type { TlcProgress } from '../src/tlc/codecs.ts';

function fakes() {
  let t = 0;
  const lines: string[] = [];
  const ticks: { tick: () => void; ms: number; cancelled: boolean }[] = [];
  const schedule: Schedule = (tick, ms) => {
    const entry = { tick, ms, cancelled: false };
    ticks.push(entry);
    return () => {
      entry.cancelled = true;
    };
  };
  const stream = {
    write: (s: string) => {
      lines.push(...s.split('\n').filter((l) => l !== ''));
      return true;
    },
  } as unknown as NodeJS.WritableStream;
  /** Moves the clock to `ms` and fires the timer as setInterval would have. */
  const advance = (ms: number) => {
    for (const e of ticks) {
      const fired = Math.floor(t / e.ms);
      const firing = Math.floor(ms / e.ms);
      for (let k = fired; k < firing; k++) {
        t = (k + 1) * e.ms;
        if (!e.cancelled) e.tick();
      }
    }
    t = ms;
  };
  return { now: () => t, lines, ticks, schedule, stream, advance };
}

const report = (phase: TlcProgress['phase'], fields: Partial<TlcProgress>): TlcProgress => ({
  phase,
  generated: 0,
  distinct: null,
  leftOnQueue: null,
  depth: null,
  statesPerMinute: null,
  distinctPerMinute: null,
  ...fields,
});

test('on a non-terminal: a line every interval with the latest counts and their age, and a final line', () => {
  const f = fakes();
  const p = progressReporter({
    label: 'Broker',
    isTTY: false,
    stream: f.stream,
    now: f.now,
    schedule: f.schedule,
    intervalMs: 5000,
  });
  assert.equal(f.ticks[0]!.ms, 5000);
  f.advance(1200);
  p.update(report('initial', { generated: 1, distinct: 1, depth: 1 }));
  assert.deepEqual(f.lines, [], 'nothing before the first interval');
  f.advance(4999);
  assert.deepEqual(f.lines, []);
  f.advance(5000);
  assert.deepEqual(f.lines, ['TLC Broker: 1 distinct state, as of 1 s, 5 s']);
  f.advance(58_000);
  p.update(
    report('progress', { generated: 250_000, distinct: 12_345, leftOnQueue: 2001, statesPerMinute: 246_000, depth: 9 }),
  );
  f.advance(63_000);
  assert.equal(f.lines.length, 12, 'one line per 5 s up to 60 s');
  assert.equal(f.lines[10], 'TLC Broker: 1 distinct state, as of 1 s, 55 s');
  assert.equal(f.lines[11], 'TLC Broker: 12,345 distinct states, 2,001 on the queue, 4,100 states/s, as of 58 s, 60 s');
  f.advance(66_000);
  p.update(report('final', { generated: 330_000, distinct: 15_000, leftOnQueue: 0 }));
  p.finish();
  assert.equal(f.lines[13], 'TLC Broker: done, 15,000 distinct states, 0 on the queue, 5,000 states/s, 66 s');
  assert.ok(f.ticks[0]!.cancelled, 'the timer stops with the run');
  p.finish();
  f.advance(100_000);
  assert.equal(f.lines.length, 14, 'nothing after the end');
});

test('a run shorter than the interval still prints its final line', () => {
  const f = fakes();
  const p = progressReporter({ label: 'Ping', isTTY: false, stream: f.stream, now: f.now, schedule: f.schedule });
  assert.equal(f.ticks[0]!.ms, 5000, 'the default interval is 5 s');
  f.advance(800);
  p.update(report('initial', { generated: 1, distinct: 1 }));
  f.advance(2000);
  p.update(report('final', { generated: 94, distinct: 47, leftOnQueue: 0 }));
  p.finish();
  assert.deepEqual(f.lines, ['TLC Ping: done, 47 distinct states, 0 on the queue, 47 states/s, 2 s']);
});

test('a run that ends before TLC reported anything says so', () => {
  const f = fakes();
  const p = progressReporter({
    label: 'Ping',
    isTTY: false,
    stream: f.stream,
    now: f.now,
    schedule: f.schedule,
    intervalMs: 1000,
  });
  f.advance(1000);
  f.advance(1500);
  p.finish();
  assert.deepEqual(f.lines, ['TLC Ping: computing the initial states, 1 s', 'TLC Ping: done, no states reported, 2 s']);
});

test('on a terminal: the bar and no lines', () => {
  const f = fakes();
  const calls: string[] = [];
  const bar: BarLike = {
    start: (total, value) => calls.push(`start ${total} ${value}`),
    setTotal: (total) => calls.push(`total ${total}`),
    update: (value, payload) => calls.push(`update ${value} queue ${payload['queue']} depth ${payload['depth']}`),
    stop: () => calls.push('stop'),
  };
  const p = progressReporter({ label: 'Broker', isTTY: true, stream: f.stream, now: f.now, schedule: f.schedule, bar });
  f.advance(30_000);
  p.update(report('progress', { generated: 300, distinct: 120, leftOnQueue: 30, depth: 4 }));
  f.advance(90_000);
  p.finish();
  assert.deepEqual(f.lines, []);
  assert.equal(f.ticks.length, 0, 'no timer on a terminal');
  assert.deepEqual(calls, ['start 1 0', 'total 150', 'update 120 queue 30 depth 4', 'stop']);
});
