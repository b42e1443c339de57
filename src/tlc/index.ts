/**
 * The bridge to TLC, the TLA+ model checker: locate it, run it (single
 * process or distributed on loopback), and read what it says into typed,
 * validated results. See src/tlc/README.md for the verdict rules.
 */
export { findTlc, findJava, parseJavaVersion, readPin, sha256File, PROJECT_ROOT } from './locate.ts';
export type { FindTlcOptions, FindTlcResult, TlcInstallation, TlcSetupProblem } from './locate.ts';

export { runTlc, dumpPath } from './run.ts';
export type { RunTlcOptions, CommonRunOptions, TlcProcessInfo } from './run.ts';

export { runDistributed } from './distributed.ts';
export type { RunDistributedOptions } from './distributed.ts';

export { TlcRunCollector, interpretTlcOutput } from './interpret.ts';
export type { CollectorOptions, ProcessOutcome, TlcMode } from './interpret.ts';

export {
  TlcOutputParser,
  parseTlcOutput,
  parseLocalizedInt,
  messageText,
  messageFullText,
  MessageClass,
} from './frames.ts';
export type { TlcMessage, TlcOutputEvent } from './frames.ts';

export { parseSanyOutput } from './sany.ts';
export type { SanyReport } from './sany.ts';

export { parseCfgSummary } from './cfg.ts';
export type { CfgSummary } from './cfg.ts';

export { parseStateDump, readStateDump, StateDumpError } from './dump.ts';
export { parseSourceRange, parseStateBody, parseTraceState } from './state.ts';
export { parseProgressReport, parseFinalStats, parseTlcDuration } from './progress.ts';

export {
  parseTlaValue,
  tryParseTlaValue,
  formatTlaValue,
  canonicalTla,
  tlaKey,
  tlaEquals,
  toJs,
  asInt,
  asBool,
  asString,
  asModelValue,
  setElements,
  seqElements,
  recordFields,
  functionEntries,
  applyFunction,
  TlaValueSyntaxError,
  TlaShapeError,
} from './value.ts';
export type { TlaValue, TlaField, TlaEntry, JsValue, ToJsOptions } from './value.ts';

export { TlcResultC, TraceStateC, TlaValueC, SourceRangeC, StatsC, TlcProgressC, SanyErrorC } from './codecs.ts';
export type {
  TlcResult,
  TlcResultKind,
  TlcSuccess,
  TlcInvariantViolation,
  TlcDeadlock,
  TlcLivenessViolation,
  TlcAssumptionFailure,
  TlcParseError,
  TlcError,
  TlcCrash,
  TlcTimeout,
  TlcSetupError,
  TraceState,
  SourceRange,
  Stats,
  TlcProgress,
  SanyError,
  SetupReason,
} from './codecs.ts';
