// Runs one bench job in a child process of its own (`bench/job.ts`), so
// every engine is timed alone by the same harness, and returns its JSON
// result. Jobs run one after another, never side by side.

import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from '../src/evidence/report.ts';
import type { Timing } from './harness.ts';

export function runJob<T>(job: string, params: Record<string, unknown> = {}, nodeArgs: readonly string[] = []): T {
  const args = [...nodeArgs, '--import', 'tsx', join(ROOT, 'bench', 'job.ts'), job, JSON.stringify(params)];
  const r = spawnSync(process.execPath, args, {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (r.status !== 0)
    throw new Error(`bench job ${job} ${JSON.stringify(params)} failed (exit ${r.status ?? r.signal})`);
  const last = r.stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(last) as T;
}

/** How many processes each timed row runs in (`CORDON_BENCH_RUNS`, default 3). */
export const RUNS = Math.max(1, Number.parseInt(process.env.CORDON_BENCH_RUNS ?? '3', 10) || 3);

/** A timed job's result and the spread of its rate over the processes it ran in. */
export type Repeated<T> = T & {
  readonly runs: { readonly count: number; readonly minPerCpuSecond: number; readonly maxPerCpuSecond: number };
};

/** One timed job of a table: what `runJob` runs. */
export interface JobSpec {
  readonly job: string;
  readonly params?: Record<string, unknown>;
  readonly nodeArgs?: readonly string[];
}

/** Runs one job, saying which on stderr (a table's jobs take minutes together). */
export function runSpec<T>(spec: JobSpec): T {
  process.stderr.write(`  ${spec.job} ${JSON.stringify(spec.params ?? {})}…\n`);
  return runJob<T>(spec.job, spec.params, spec.nodeArgs);
}

/**
 * Runs the rows of one table in rounds: each round runs every row once, in
 * order, in a fresh process, and the rounds repeat `runs` times; each row is
 * then the median of its runs (`medianRun`). One process is not enough: V8
 * compiles on a background thread, and when its optimised code lands against
 * the feedback the warm-up collected differs from process to process, so the
 * same job on the same machine can come out anywhere in a range of nearly 2x
 * (the Flow policy at 1,000 clients: 3.1M to 5.6M decisions per CPU second in
 * two runs). The median process is what the code costs; the spread says how
 * far one run can be trusted. And the rows of a ratio are so measured side by
 * side in time. On a shared virtual machine one virtual CPU can run at 0.6x
 * the other for minutes, with no load inside the machine to show it (the
 * README's Benchmarks section has the figures), and a process lands on
 * either: run row after row instead, such a stretch would fall on every run
 * of one row and none of the other, and the ratio between them would be the
 * noise's. `run` is `runSpec` but for tests.
 */
export function runRounds<T extends { readonly timing: Timing }>(
  specs: readonly JobSpec[],
  runs: number = RUNS,
  run: (spec: JobSpec) => T = runSpec,
): Repeated<T>[] {
  const all: T[][] = specs.map(() => []);
  for (let r = 0; r < runs; r++) specs.forEach((spec, i) => all[i]!.push(run(spec)));
  return all.map((rows) => medianRun(rows));
}

/** The run with the median CPU-time rate (the lower median of an even count), with the range of all. */
export function medianRun<T extends { readonly timing: Timing }>(all: readonly T[]): Repeated<T> {
  if (all.length === 0) throw new Error('medianRun: no runs');
  const sorted = [...all].sort((a, b) => a.timing.perCpuSecond - b.timing.perCpuSecond);
  const median = sorted[Math.floor((sorted.length - 1) / 2)]!;
  return {
    ...median,
    runs: {
      count: all.length,
      minPerCpuSecond: sorted[0]!.timing.perCpuSecond,
      maxPerCpuSecond: sorted[sorted.length - 1]!.timing.perCpuSecond,
    },
  };
}
