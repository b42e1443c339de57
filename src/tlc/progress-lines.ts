/**
 * What a person sees of a long TLC run. On a terminal: a progress bar
 * (cli-progress) redrawn in place. Anywhere else (CI logs, pipes): a line
 * every `intervalMs`, like
 *
 *   TLC Broker: 12,345 distinct states, 2,001 on the queue, 4,100 states/s, as of 60 s, 65 s
 *
 * and always one final line when the run ends, so that a run shorter than
 * the interval still says what it found. Clock, timer, TTY flag and bar are
 * injectable so that the lines are testable without real time.
 */
import cliProgress from 'cli-progress';
import type { TlcProgress } from './codecs.ts';

/** What a TLC run is told of its progress, and that it ended. */
export interface ProgressSink {
  readonly update: (p: TlcProgress) => void;
  readonly finish: () => void;
}

/** The part of a cli-progress bar the reporter drives. */
export interface BarLike {
  start(total: number, value: number, payload: Record<string, number>): void;
  setTotal(total: number): void;
  update(value: number, payload: Record<string, number>): void;
  stop(): void;
}

export interface ProgressReporterOptions {
  /** Names the run in every line, e.g. a model name. */
  readonly label: string;
  /** Where lines and the bar go (default: process.stderr). */
  readonly stream?: NodeJS.WritableStream & { readonly isTTY?: boolean };
  /** Whether the stream is a terminal (default: the stream's isTTY). */
  readonly isTTY?: boolean;
  /** One line per this many milliseconds on a non-terminal (default 5000). */
  readonly intervalMs?: number;
  /** Milliseconds, monotonic (default: performance.now). */
  readonly now?: () => number;
  /** Calls a function every interval (default: setInterval, not keeping the process alive). */
  readonly schedule?: Schedule;
  /** The bar drawn on a terminal (default: a cli-progress SingleBar on the stream). */
  readonly bar?: BarLike;
}

export const DEFAULT_PROGRESS_INTERVAL_MS = 5000;

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

/**
 * One progress line, `elapsedMs` since the run started. `p` is TLC's latest
 * report and `reportedMs` when it came; TLC 2.18 reports its counts once a
 * minute (TLCGlobals.progressInterval is a constant), so a line between two
 * reports says how old its counts are.
 */
export function progressLine(
  label: string,
  p: TlcProgress | null,
  elapsedMs: number,
  reportedMs: number,
  final: boolean,
): string {
  const seconds = Math.round(elapsedMs / 1000);
  const parts: string[] = [];
  if (final) parts.push('done');
  if (p === null) parts.push(final ? 'no states reported' : 'computing the initial states');
  else {
    parts.push(`${p.distinct === null ? '?' : fmt(p.distinct)} distinct ${p.distinct === 1 ? 'state' : 'states'}`);
    if (p.leftOnQueue !== null) parts.push(`${fmt(p.leftOnQueue)} on the queue`);
    // TLC's own rate if it gave one; after the final statistics, the average over the run
    const perSecond =
      p.statesPerMinute !== null
        ? p.statesPerMinute / 60
        : p.phase === 'final' && reportedMs > 0
          ? p.generated / (reportedMs / 1000)
          : null;
    if (perSecond !== null) parts.push(`${fmt(perSecond)} states/s`);
    const age = Math.round(reportedMs / 1000);
    if (!final && age !== seconds) parts.push(`as of ${age} s`);
  }
  parts.push(`${seconds} s`);
  return `TLC ${label}: ${parts.join(', ')}`;
}

/** Runs `tick` every `ms` milliseconds until the returned function is called. */
export type Schedule = (tick: () => void, ms: number) => () => void;

const everyInterval: Schedule = (tick, ms) => {
  const timer = setInterval(tick, ms);
  timer.unref();
  return () => clearInterval(timer);
};

/**
 * A progress reporter for one TLC run: a bar on a terminal; elsewhere a line
 * every interval (with TLC's latest counts) and a final line when it ends.
 */
export function progressReporter(options: ProgressReporterOptions): ProgressSink {
  const stream = options.stream ?? process.stderr;
  const tty = options.isTTY ?? stream.isTTY === true;
  const now = options.now ?? (() => performance.now());
  const interval = options.intervalMs ?? DEFAULT_PROGRESS_INTERVAL_MS;
  const started = now();
  let finished = false;
  if (tty) {
    const bar: BarLike =
      options.bar ??
      new cliProgress.SingleBar(
        {
          format: `TLC ${options.label} |{bar}| {distinct} distinct states, {queue} on the queue, depth {depth}`,
          hideCursor: true,
          stream,
        },
        cliProgress.Presets.shades_classic,
      );
    bar.start(1, 0, { distinct: 0, queue: 0, depth: 0 });
    return {
      update: (p) => {
        if (finished) return;
        bar.setTotal(Math.max(1, (p.distinct ?? 0) + (p.leftOnQueue ?? 0)));
        bar.update(p.distinct ?? 0, { distinct: p.distinct ?? 0, queue: p.leftOnQueue ?? 0, depth: p.depth ?? 0 });
      },
      finish: () => {
        if (finished) return;
        finished = true;
        bar.stop();
      },
    };
  }
  let last: TlcProgress | null = null;
  let reportedAt = started;
  const write = (final: boolean) =>
    stream.write(`${progressLine(options.label, last, now() - started, reportedAt - started, final)}\n`);
  const cancel = (options.schedule ?? everyInterval)(() => {
    if (!finished) write(false);
  }, interval);
  return {
    update: (p) => {
      if (finished) return;
      last = p;
      reportedAt = now();
    },
    finish: () => {
      if (finished) return;
      finished = true;
      cancel();
      write(true);
    },
  };
}
