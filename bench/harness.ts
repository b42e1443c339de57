// One timing harness for every engine, run in the engine's own process (see
// bench/child.ts): the call site in `timeWindows` only ever sees one engine's
// function, so no engine pays for another's shape (a shared harness went
// polymorphic and made the bitmap floor, timed fourth, 3.5x slower than
// alone). Each figure is the median of several windows, with the spread and
// the CPU time the process used beside the wall time.

export interface Timing {
  /** operations per wall-clock second: the median window */
  readonly perSecond: number;
  /** slowest and fastest window, operations per second */
  readonly min: number;
  readonly max: number;
  readonly windows: number;
  readonly operations: number;
  readonly wallMs: number;
  /** CPU time (user + system) of this process over the timed windows */
  readonly cpuMs: number;
  /** operations per CPU second: what the engine costs, whatever else the machine runs */
  readonly perCpuSecond: number;
}

export interface TimingOptions {
  readonly windows?: number;
  /** each window runs `batch` until at least this long */
  readonly minMs?: number;
}

/** Times `batch` (which does some operations and returns how many) over several windows, after one warm-up window. */
export function timeWindows(batch: () => number, options: TimingOptions = {}): Timing {
  const windows = options.windows ?? 5;
  const minMs = options.minMs ?? 200;
  const warm = performance.now();
  do batch();
  while (performance.now() - warm < minMs);
  const rates: number[] = [];
  let operations = 0;
  let wallMs = 0;
  const cpu0 = process.cpuUsage();
  for (let w = 0; w < windows; w++) {
    let n = 0;
    const t0 = performance.now();
    let ms = 0;
    do {
      n += batch();
      ms = performance.now() - t0;
    } while (ms < minMs);
    rates.push((n / ms) * 1000);
    operations += n;
    wallMs += ms;
  }
  const cpu = process.cpuUsage(cpu0);
  const sorted = [...rates].sort((a, b) => a - b);
  return {
    perSecond: sorted[Math.floor(sorted.length / 2)]!,
    min: sorted[0]!,
    max: sorted[sorted.length - 1]!,
    windows,
    operations,
    wallMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
    perCpuSecond: (operations / Math.max((cpu.user + cpu.system) / 1000, 1e-3)) * 1000,
  };
}

/** "1.2M/s ±4%": the median and the spread of the windows around it. */
export function spread(t: Timing): string {
  return `±${(((t.max - t.min) / 2 / t.perSecond) * 100).toFixed(0)}%`;
}
