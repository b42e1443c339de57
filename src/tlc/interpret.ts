/**
 * Turns TLC's output (as it streams) and its exit status into one typed,
 * validated result.
 *
 * The verdict rules:
 * - `success` only when TLC said "Model checking completed. No error has been
 *   found." (2193), printed final statistics with 0 states left on queue
 *   (2199), printed no error, and exited with status 0. In simulation, where
 *   TLC prints no 2193, success is: status 0, no error, statistics, and the
 *   "Finished" message (2186).
 * - a violation, a parse error or a TLC error is classified from TLC's
 *   messages, whatever the exit status (distributed TLC exits 0 after a
 *   violation);
 * - anything else is a `crash` carrying TLC's and Java's own words.
 */
import { isLeft } from 'fp-ts/lib/Either.js';
import { PathReporter } from 'io-ts/lib/PathReporter.js';
import {
  TlcResultC,
  type SanyError,
  type SourceRange,
  type Stats,
  type TlcProgress,
  type TlcResult,
  type TraceState,
} from './codecs.ts';
import {
  MessageClass,
  TlcOutputParser,
  messageFullText,
  messageText,
  type TlcMessage,
  type TlcOutputEvent,
} from './frames.ts';
import {
  parseCollisionProbability,
  parseDepth,
  parseFinalStats,
  parseInitialStates,
  parseProgressReport,
  parseTlcDuration,
} from './progress.ts';
import { parseSanyOutput } from './sany.ts';
import { parseBackToState, parseSourceRange, parseStuttering, parseTraceState, stateFromBody } from './state.ts';

export type TlcMode = 'bfs' | 'simulation' | 'distributed';

export interface CollectorOptions {
  readonly mode: TlcMode;
  /** PROPERTY names of the model (TLC does not say which one a liveness counterexample violates). */
  readonly properties?: readonly string[];
  readonly onProgress?: (progress: TlcProgress) => void;
  /** Called with each framed message as it closes. */
  readonly onMessage?: (message: TlcMessage) => void;
  /** Cap on the raw log kept in the result (default 16 MiB). */
  readonly maxLogBytes?: number;
}

export interface ProcessOutcome {
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly stderr: string;
  readonly wallTimeMs: number;
  /** Set when the bridge killed TLC because of the time limit. */
  readonly timeoutMs?: number;
  /** Extra unframed lines to report in `output` (e.g. distributed workers' output). */
  readonly extraOutput?: readonly string[];
  /** A failure of the bridge's own machinery (e.g. a worker that did not start), reported as a crash. */
  readonly bridgeFailure?: string;
}

/** Codes that accompany an error rather than being one. */
const HELPER_CODES = new Set([2121, 2264, 2103]);
const TRACE_HEADER_CODES = new Set([2121, 2264]);

const CODE = {
  INVARIANT_VIOLATED_BEHAVIOR: 2110,
  INVARIANT_VIOLATED_INITIAL: 2107,
  DEADLOCK: 2114,
  TEMPORAL_VIOLATED: 2116,
  ACTION_PROPERTY_VIOLATED_BEHAVIOR: 2112,
  ACTION_PROPERTY_VIOLATED_INITIAL: 2113,
  LIVENESS_VIOLATED: 2108,
  ASSUMPTION_FALSE: 2104,
  GENERAL: 1000,
  PARSING_FAILED: 3002,
  PARSING_FAILED_2: 2171,
  SUCCESS: 2193,
  FINAL_STATS: 2199,
  SIM_STATS: 2210,
  PROGRESS: 2200,
  SIM_PROGRESS: 2209,
  INITIAL_STATES: 2190,
  DEPTH: 2194,
  FINISHED: 2186,
  VERSION: 2262,
  SANY_START: 2220,
  SANY_END: 2219,
  STATE: 2217,
  STUTTER: 2218,
  BACK_TO_STATE: 2122,
  NESTED_POSITIONS: 2103,
} as const;

export class TlcRunCollector {
  private readonly parser: TlcOutputParser;
  private readonly messages: TlcMessage[] = [];
  private readonly output: string[] = [];
  private readonly sanyLines: string[] = [];
  private readonly warnings: string[] = [];
  private inSany = false;
  private banner: string | null = null;
  private log = '';
  private logTruncated = false;
  private readonly maxLog: number;
  private lastStats: Stats | null = null;
  private finalStats: TlcProgress | null = null;
  private depth: number | null = null;
  private tlcDurationMs: number | null = null;
  private sawFinished = false;
  private success: TlcMessage | null = null;
  private ended = false;

  constructor(private readonly options: CollectorOptions) {
    this.parser = new TlcOutputParser((e) => this.event(e));
    this.maxLog = options.maxLogBytes ?? 16 * 1024 * 1024;
  }

  /** Feeds a chunk of TLC's standard output. */
  push(chunk: string): void {
    if (!this.logTruncated) {
      if (this.log.length + chunk.length <= this.maxLog) this.log += chunk;
      else {
        this.log += chunk.slice(0, Math.max(0, this.maxLog - this.log.length));
        this.log += '\n[log truncated by the Cordon TLC bridge]\n';
        this.logTruncated = true;
      }
    }
    this.parser.push(chunk);
  }

  private event(e: TlcOutputEvent): void {
    if (e.type === 'text') {
      if (this.inSany) this.sanyLines.push(e.line);
      else {
        if (this.banner === null && /^TLC2 .*Version /.test(e.line.trim())) this.banner = e.line.trim();
        this.output.push(e.line);
      }
      return;
    }
    const m = e.message;
    this.messages.push(m);
    this.options.onMessage?.(m);
    const text = messageText(m);
    switch (m.code) {
      case CODE.VERSION:
        this.banner ??= text.split('\n')[0]!.trim();
        break;
      case CODE.SANY_START:
        this.inSany = true;
        break;
      case CODE.SANY_END:
        this.inSany = false;
        break;
      case CODE.INITIAL_STATES: {
        const p = parseInitialStates(text);
        if (p) this.progress(p);
        break;
      }
      case CODE.PROGRESS:
      case CODE.SIM_PROGRESS: {
        const p = parseProgressReport(text);
        if (p) this.progress(p);
        break;
      }
      case CODE.FINAL_STATS:
      case CODE.SIM_STATS: {
        const p = parseFinalStats(text);
        if (p) {
          this.finalStats = p;
          this.progress(p);
        }
        break;
      }
      case CODE.DEPTH:
        this.depth = parseDepth(text);
        if (this.lastStats && this.depth !== null) this.lastStats = { ...this.lastStats, depth: this.depth };
        break;
      case CODE.FINISHED:
        this.sawFinished = true;
        this.tlcDurationMs = parseTlcDuration(text);
        break;
      case CODE.SUCCESS:
        this.success = m;
        break;
      default:
        break;
    }
    if (m.severity === MessageClass.WARNING) this.warnings.push(messageFullText(m));
  }

  private progress(p: TlcProgress): void {
    this.lastStats = {
      generated: p.generated,
      distinct: p.distinct,
      leftOnQueue: p.leftOnQueue,
      depth: p.phase === 'final' ? (this.depth ?? this.lastStats?.depth ?? null) : p.depth,
    };
    try {
      this.options.onProgress?.(p);
    } catch {
      // A failing progress callback must not break the run's result.
    }
  }

  /** The bridge's result, once the process has ended. */
  finish(outcome: ProcessOutcome): TlcResult {
    if (!this.ended) {
      this.parser.end();
      this.ended = true;
    }
    const result = this.classify(outcome);
    const checked = TlcResultC.decode(result);
    if (isLeft(checked)) {
      // The parsers built something malformed out of TLC's text: report it, with TLC's output, as a crash.
      return {
        ...this.common(outcome),
        kind: 'crash',
        reason: "the Cordon TLC bridge could not read TLC's output into a valid result",
        message: PathReporter.report(checked).slice(0, 5).join('\n'),
      };
    }
    return checked.right;
  }

  private common(o: ProcessOutcome) {
    return {
      exitCode: o.exitCode,
      signal: o.signal,
      wallTimeMs: o.wallTimeMs,
      banner: this.banner,
      tlcDurationMs: this.tlcDurationMs,
      stats: this.lastStats,
      warnings: this.warnings,
      output: [...this.output, ...(o.extraOutput ?? [])],
      log: this.log,
      stderr: o.stderr,
    };
  }

  private classify(o: ProcessOutcome): TlcResult {
    const common = this.common(o);
    if (o.timeoutMs !== undefined) return { ...common, kind: 'timeout', timeoutMs: o.timeoutMs };
    if (o.bridgeFailure !== undefined) {
      return { ...common, kind: 'crash', reason: o.bridgeFailure, message: this.wordsOfFailure(o) };
    }

    const errors = this.messages.filter(
      (m) => (m.severity === MessageClass.ERROR || m.severity === MessageClass.TLCBUG) && !HELPER_CODES.has(m.code),
    );
    const sany = parseSanyOutput(this.sanyLines);
    const parseFailed =
      this.messages.some((m) => m.code === CODE.PARSING_FAILED || m.code === CODE.PARSING_FAILED_2) ||
      (o.exitCode === 150 && this.options.mode !== 'distributed');
    if (parseFailed) {
      const list: SanyError[] =
        sany.errors.length > 0
          ? sany.errors
          : [
              {
                phase: 'other',
                module: null,
                file: null,
                line: null,
                column: null,
                endLine: null,
                endColumn: null,
                // SANY said something this reader does not know: keep its words, minus its progress lines.
                message: [...this.sanyLines, ...errors.map(messageFullText)]
                  .map((l) => l.trim())
                  .filter((l) => l !== '' && !/^(Parsing file |Semantic processing of module )/.test(l))
                  .join('\n'),
              },
            ];
      const first = list[0]!;
      return {
        ...common,
        kind: 'parse-error',
        module: first.module,
        line: first.line,
        column: first.column,
        message: first.message,
        errors: list,
        sanyOutput: this.sanyLines.join('\n'),
      };
    }

    const traces = this.traces();
    const trace = traces.trace;
    const primary = errors[0];
    if (primary) {
      const text = messageText(primary);
      switch (primary.code) {
        case CODE.INVARIANT_VIOLATED_BEHAVIOR: {
          const name = /Invariant (\S+) is violated/.exec(text)?.[1] ?? text;
          return { ...common, kind: 'invariant-violation', invariant: name, initialState: false, trace };
        }
        case CODE.INVARIANT_VIOLATED_INITIAL: {
          const name = /Invariant (\S+) is violated/.exec(text)?.[1] ?? text;
          const state = stateFromBody(1, primary.lines.slice(1), true);
          return {
            ...common,
            kind: 'invariant-violation',
            invariant: name,
            initialState: true,
            trace: trace.length > 0 ? trace : [state],
          };
        }
        case CODE.DEADLOCK:
          return { ...common, kind: 'deadlock', trace };
        case CODE.TEMPORAL_VIOLATED:
        case CODE.LIVENESS_VIOLATED:
        case CODE.ACTION_PROPERTY_VIOLATED_BEHAVIOR:
        case CODE.ACTION_PROPERTY_VIOLATED_INITIAL: {
          const properties = [...(this.options.properties ?? [])];
          const named = /propert(?:y|ies) (\S+?) (?:is|are) violated/i.exec(text)?.[1] ?? null;
          const property = named ?? (properties.length === 1 ? properties[0]! : null);
          const header = this.messages.find((m) => m.code === 2264);
          const message = [text, header ? messageText(header) : ''].filter((s) => s !== '').join('\n');
          return {
            ...common,
            kind: 'liveness-violation',
            property,
            properties,
            message,
            trace,
            loop: traces.loop,
            stuttering: traces.stuttering,
          };
        }
        case CODE.ASSUMPTION_FALSE:
          return { ...common, kind: 'assumption-failure', message: text, location: parseSourceRange(text) };
        default:
          break;
      }
      if (primary.code === CODE.GENERAL || primary.severity === MessageClass.TLCBUG) {
        return {
          ...common,
          kind: 'crash',
          reason:
            primary.severity === MessageClass.TLCBUG
              ? 'TLC reported an internal bug'
              : 'TLC threw an unexpected Java exception',
          message: this.wordsOfFailure(o),
        };
      }
      const locations = this.positions();
      const message = errors.map(messageFullText).join('\n');
      return {
        ...common,
        kind: 'tlc-error',
        code: primary.code,
        message,
        location: locations[locations.length - 1] ?? parseSourceRange(message),
        locations,
        trace: trace.length > 0 ? trace : this.stateInMessage(primary),
      };
    }

    if (trace.length > 0) {
      // Distributed TLC prints the trace (2121 + 2217) but neither the invariant's name nor "Deadlock reached".
      return {
        ...common,
        kind: 'tlc-error',
        code: 2121,
        message:
          'TLC printed a counterexample without saying which invariant failed or whether it is a deadlock ' +
          '(distributed TLC does not); the trace may start in the middle of the behaviour.',
        location: null,
        locations: [],
        trace,
      };
    }

    const stats = this.finalStats;
    const bad = (reason: string) => ({ ...common, kind: 'crash' as const, reason, message: this.wordsOfFailure(o) });
    if (o.signal !== null) return bad(`TLC was killed by ${o.signal}`);
    if (o.exitCode !== 0) return bad(`TLC exited with status ${o.exitCode ?? 'unknown'} without reporting an error`);
    if (this.options.mode === 'simulation') {
      // Simulation prints no 2193, and its last word on counts may be a progress report (2209).
      const generated = stats?.generated ?? this.lastStats?.generated;
      if (generated === undefined) return bad('TLC ended without printing simulation statistics');
      if (!this.sawFinished) return bad('TLC ended without its "Finished" message');
      return {
        ...common,
        kind: 'success',
        mode: 'simulation',
        stats: { generated, distinct: null, leftOnQueue: null, depth: null },
        fingerprintCollisionProbability: null,
      };
    }
    if (!this.success)
      return bad('TLC exited with status 0 but did not report "Model checking completed. No error has been found."');
    if (!stats || stats.distinct === null) return bad('TLC reported success but printed no final statistics');
    if (stats.leftOnQueue !== 0) {
      return bad(
        `TLC reported success but left ${stats.leftOnQueue ?? 'an unknown number of'} states on the queue (the search was cut short)`,
      );
    }
    return {
      ...common,
      kind: 'success',
      mode: this.options.mode,
      stats: { generated: stats.generated, distinct: stats.distinct, leftOnQueue: 0, depth: this.depth },
      fingerprintCollisionProbability: parseCollisionProbability(messageText(this.success)),
    };
  }

  /** Every error-class message, SANY's output and stderr: what TLC and Java said. */
  private wordsOfFailure(o: ProcessOutcome): string {
    const parts = this.messages
      .filter((m) => m.depth === 0 && (m.severity === MessageClass.ERROR || m.severity === MessageClass.TLCBUG))
      .map(messageFullText);
    const stderr = o.stderr.trim();
    if (stderr !== '') parts.push(stderr);
    if (parts.length === 0) {
      const tail = [...this.output].filter((l) => l.trim() !== '').slice(-20);
      parts.push(...tail);
    }
    return parts.join('\n').trim() || 'TLC printed nothing about it.';
  }

  private traces(): {
    trace: TraceState[];
    loop: { toState: number; action: string | null; location: SourceRange | null } | null;
    stuttering: boolean;
  } {
    let trace: TraceState[] = [];
    let loop: { toState: number; action: string | null; location: SourceRange | null } | null = null;
    let stuttering = false;
    let started = false;
    let done = false;
    for (const m of this.messages) {
      if (done) break;
      if (TRACE_HEADER_CODES.has(m.code)) {
        if (trace.length > 0) done = true;
        started = true;
        continue;
      }
      if (m.code === CODE.STATE) {
        const s = parseTraceState(m.lines);
        if (!s) continue;
        if (s.number === 1 && trace.length > 0) {
          done = true;
          break;
        }
        started = true;
        trace.push(s);
      } else if (m.code === CODE.STUTTER && started) {
        if (parseStuttering(messageText(m)) !== null) stuttering = true;
      } else if (m.code === CODE.BACK_TO_STATE && started) {
        loop = parseBackToState(messageText(m));
      }
    }
    if (!started) trace = [];
    return { trace, loop, stuttering };
  }

  /** The positions of 2103 ("0. Line a, column b to line c, column d in M"), outermost first. */
  private positions(): SourceRange[] {
    const m = this.messages.find((x) => x.code === CODE.NESTED_POSITIONS);
    if (!m) return [];
    return m.lines
      .filter((l) => /^\s*\d+\.\s/.test(l))
      .map((l) => parseSourceRange(l))
      .filter((r): r is SourceRange => r !== null);
  }

  /** A state printed inside an error message ("While working on the initial state:" and the like). */
  private stateInMessage(m: TlcMessage): TraceState[] {
    const idx = m.lines.findIndex((l) => /state:\s*$/.test(l));
    if (idx < 0) return [];
    const body = m.lines.slice(idx + 1);
    const first = body.find((l) => l.trim() !== '');
    if (first === undefined || !(first.startsWith('/\\ ') || /^[A-Za-z0-9_]+ = /.test(first))) return [];
    const initial = /initial state/.test(m.lines[idx]!);
    return [stateFromBody(1, body, initial)];
  }
}

/** Interprets a complete recorded output (for tests and for re-reading saved logs). */
export function interpretTlcOutput(
  stdout: string,
  outcome: Partial<ProcessOutcome> & { exitCode: number | null },
  options: CollectorOptions = { mode: 'bfs' },
): TlcResult {
  const c = new TlcRunCollector(options);
  c.push(stdout);
  return c.finish({ signal: null, stderr: '', wallTimeMs: 0, ...outcome });
}
