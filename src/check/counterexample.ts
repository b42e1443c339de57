// Counterexamples: a TLC trace (the bridge's typed result) mapped back to TS
// KernelEvents and replayed in the TS kernel, printed as numbered steps in
// DESIGN.md's vocabulary, and written as a replay file (JSON: the model or
// solution it belongs to, and the events) that a test replays as a regression.

import { readFile, writeFile } from 'node:fs/promises';
import * as t from 'io-ts';
import { isLeft } from 'fp-ts/lib/Either.js';
import { PathReporter } from 'io-ts/lib/PathReporter.js';
import { step } from '../kernel/step.ts';
import type { DecisionRecord, KernelEvent, KernelState, StepResult } from '../kernel/types.ts';
import { describeDecision } from '../monitor/audit.ts';
import { formatTlaValue, parseTlaValue, type TlcResult, type TraceState } from '../tlc/index.ts';
import { valueKey } from '../conformance/tla.ts';
import { alphabetEvents, type CompiledModel } from '../conformance/model.ts';
import { running } from '../conformance/explorer.ts';
import { SPEC_VARIABLES, projector, stateKey, type SpecState } from '../conformance/projection.ts';
import { describeKernelEvent } from '../conformance/events.ts';

export interface MappedStep {
  /** 1-based number of the step (the TLC state it leads to is number + 1) */
  readonly number: number;
  readonly event: KernelEvent;
  /** the TLC action that led there (operator name) */
  readonly action: string | null;
  readonly description: string;
  readonly decisions: readonly string[];
  /** the monitor's decisions of the step, as the kernel recorded them (event and decision) */
  readonly records: readonly DecisionRecord[];
  /** the SID of the process whose thread made the syscall (null: not a syscall) */
  readonly actor: number | null;
}

export interface MappedTrace {
  readonly model: string;
  /** the monitor's decisions at boot (Einit's starts), before step 1 */
  readonly boot: readonly DecisionRecord[];
  readonly steps: readonly MappedStep[];
  /** the TS kernel state after the last step */
  readonly final: KernelState;
  /** for a lasso (liveness) counterexample: the step whose resulting state the loop returns to (0: the initial state) */
  readonly loopTo: number | null;
}

export class CounterexampleMappingError extends Error {
  constructor(
    message: string,
    /** how many TLC steps were mapped before the failure */
    readonly mapped: number,
  ) {
    super(message);
    this.name = 'CounterexampleMappingError';
  }
}

function specOf(st: TraceState): SpecState | null {
  const out: Partial<Record<(typeof SPEC_VARIABLES)[number], TraceState['variables'][string]>> = {};
  for (const v of SPEC_VARIABLES) {
    const x = st.variables[v];
    if (x === undefined) return null;
    out[v] = x;
  }
  return out as SpecState;
}

/**
 * Maps a TLC trace to TS events: from boot, each TLC step is matched by the
 * event of the model's alphabet whose TS step projects onto exactly the next
 * TLC state (the replay is a check in itself: no match means the TS kernel
 * cannot do what the spec did).
 */
export function mapTrace(m: CompiledModel, trace: readonly TraceState[], loopTo: number | null = null): MappedTrace {
  const project = projector(m.monitor);
  const first = trace[0];
  if (first === undefined) throw new CounterexampleMappingError('the trace is empty', 0);
  const init = specOf(first);
  if (init === null) throw new CounterexampleMappingError('the trace does not show the kernel variables', 0);
  if (stateKey(init) !== stateKey(project.state(m.boot.state, m.boot.decisions, m.boot.effects)))
    throw new CounterexampleMappingError("the trace does not start in the TS kernel's boot state", 0);
  let s = m.boot.state;
  const steps: MappedStep[] = [];
  for (let i = 1; i < trace.length; i++) {
    const target = specOf(trace[i]!);
    if (target === null)
      throw new CounterexampleMappingError(`state ${i + 1} of the trace lacks a kernel variable`, i - 1);
    const want = stateKey(target);
    let found: { event: KernelEvent; result: StepResult } | null = null;
    for (const ev of alphabetEvents(m.def, running(s))) {
      const r = step(s, ev);
      if (r.rejected !== undefined) continue;
      if (stateKey(project.state(r.state, r.decisions, r.effects)) === want) {
        found = { event: ev, result: r };
        break;
      }
    }
    if (found === null)
      throw new CounterexampleMappingError(
        `no event of the model's alphabet takes the TS kernel to state ${i + 1} of the trace (action ${trace[i]!.action ?? '?'})`,
        i - 1,
      );
    steps.push(mappedStep(m, i, trace[i]!.action, s, found.event, found.result));
    s = found.result.state;
  }
  return { model: m.def.name, boot: m.boot.decisions, steps, final: s, loopTo };
}

function mappedStep(
  m: CompiledModel,
  number: number,
  action: string | null,
  before: KernelState,
  event: KernelEvent,
  result: StepResult,
): MappedStep {
  return {
    number,
    event,
    action,
    description: describeKernelEvent(before, event) + outcome(before, event, result),
    decisions: result.decisions.map((d) => describeDecision(m.tables, d.event, d.decision)),
    records: result.decisions,
    actor: event.kind === 'syscall' ? (before.threads.get(event.tid)?.sid ?? null) : null,
  };
}

/**
 * A replay file's events as a mapped trace, stepped from boot in the TS
 * kernel (for its diagram and audit log).
 * @throws CounterexampleMappingError at the first event the kernel rejects
 */
export function replayTrace(m: CompiledModel, file: ReplayFile): MappedTrace {
  let s = m.boot.state;
  const steps: MappedStep[] = [];
  for (const [i, ev] of file.events.entries()) {
    const r = step(s, ev as KernelEvent);
    if (r.rejected !== undefined)
      throw new CounterexampleMappingError(`step ${i + 1} of the replay file was rejected: ${r.rejected}`, i);
    steps.push(mappedStep(m, i + 1, null, s, ev as KernelEvent, r));
    s = r.state;
  }
  return { model: m.def.name, boot: m.boot.decisions, steps, final: s, loopTo: null };
}

/** What a step did, where the event alone does not say it: who runs, who blocks, who is woken. */
export function outcome(before: KernelState, e: KernelEvent, r: StepResult): string {
  const after = r.state;
  const name = (tid: number) => `thread ${tid} (${after.processes.get(after.threads.get(tid)!.sid)?.name ?? '?'})`;
  const parts: string[] = [];
  if (e.kind === 'schedule') {
    const now = after.cpus[e.cpu];
    parts.push(now === null || now === undefined ? 'nothing is ready' : `${name(now)} runs`);
  }
  for (const th of after.threads) {
    const was = before.threads.get(th.tid)?.state.tag;
    if (was === th.state.tag) continue;
    if (
      th.state.tag === 'call' ||
      th.state.tag === 'recv' ||
      th.state.tag === 'reply' ||
      th.state.tag === 'irq' ||
      th.state.tag === 'sleep'
    )
      parts.push(`${name(th.tid)} waits (${th.state.tag})`);
    else if (th.state.tag === 'exited') parts.push(`${name(th.tid)} exits`);
    else if (th.state.tag === 'ready' && was !== 'running' && was !== undefined) {
      const res = r.results.find((x) => x.tid === th.tid);
      parts.push(`${name(th.tid)} is woken${res === undefined ? '' : ` with ${res.rc}`}`);
    }
  }
  const mine = e.kind === 'syscall' ? r.results.find((x) => x.tid === e.tid) : undefined;
  if (mine !== undefined && mine.rc !== 'rcOk') parts.push(`it returns ${mine.rc}`);
  return parts.length === 0 ? '' : `: ${parts.join('; ')}`;
}

/** The trace of a TLC result that has one (a violated invariant, a deadlock, a liveness counterexample). */
export function traceOf(r: TlcResult): { trace: readonly TraceState[]; loopTo: number | null; what: string } | null {
  switch (r.kind) {
    case 'invariant-violation':
      return { trace: r.trace, loopTo: null, what: `invariant ${r.invariant} is violated` };
    case 'deadlock':
      return { trace: r.trace, loopTo: null, what: 'deadlock' };
    case 'liveness-violation':
      return {
        trace: r.trace,
        loopTo: r.loop === null ? null : r.loop.toState - 1,
        what: `temporal property ${r.property ?? r.properties.join(', ')} is violated`,
      };
    default:
      return null;
  }
}

/** Numbered steps in DESIGN.md's vocabulary. */
export function printCounterexample(trace: MappedTrace, what: string): string {
  const lines = [
    `${what}: ${trace.steps.length} step${trace.steps.length === 1 ? '' : 's'} from boot (model ${trace.model})`,
  ];
  for (const s of trace.steps) {
    lines.push(`${s.number}. ${s.description}`);
    for (const d of s.decisions) lines.push(`   monitor: ${d}`);
  }
  if (trace.loopTo !== null) lines.push(`then back to the state after step ${trace.loopTo}, for ever`);
  return lines.join('\n');
}

// ------------------------------------------------------------------ replay files

/** What a replay file refers to: a catalogued model, or a solution (a path the CLI resolves). */
const ReferenceC = t.union([
  t.type({ kind: t.literal('model'), name: t.string }),
  t.type({ kind: t.literal('solution'), path: t.string, model: t.string }),
]);
export type SolutionReference = t.TypeOf<typeof ReferenceC>;

/** A KernelEvent as JSON (payloads are JSON values). */
const KernelEventC = t.union([
  t.type({ kind: t.literal('schedule'), cpu: t.number }),
  t.type({ kind: t.literal('tick') }),
  t.type({ kind: t.literal('irq'), line: t.number }),
  t.type({
    kind: t.literal('syscall'),
    tid: t.number,
    call: t.union([
      t.type({ op: t.literal('Recv'), handle: t.number }),
      t.type({ op: t.union([t.literal('Call'), t.literal('Reply')]), handle: t.number, message: t.UnknownRecord }),
    ]),
  }),
]);

export const ReplayFileC = t.type({
  format: t.literal('cordon-replay/1'),
  reference: ReferenceC,
  /** what TLC found, in its words */
  violation: t.string,
  events: t.array(KernelEventC),
  /** the spec state the replay must reach (TLA+ text of each variable), so a change in behaviour is noticed */
  expected: t.record(t.string, t.string),
  /** the numbered steps as printed when the file was written */
  steps: t.array(t.string),
});
export type ReplayFile = t.TypeOf<typeof ReplayFileC>;

export function replayFile(
  reference: SolutionReference,
  what: string,
  trace: MappedTrace,
  finalState: SpecState,
): ReplayFile {
  return {
    format: 'cordon-replay/1',
    reference,
    violation: what,
    events: trace.steps.map((s) => JSON.parse(JSON.stringify(s.event)) as ReplayFile['events'][number]),
    expected: Object.fromEntries(SPEC_VARIABLES.map((v) => [v, formatTlaValue(finalState[v])])),
    steps: trace.steps.map((s) => `${s.number}. ${s.description}`),
  };
}

/** A replay file's text, as writeReplayFile writes it. */
export function replayText(file: ReplayFile): string {
  return `${JSON.stringify(file, null, 2)}\n`;
}

export async function writeReplayFile(path: string, file: ReplayFile): Promise<void> {
  await writeFile(path, replayText(file));
}

export async function readReplayFile(path: string): Promise<ReplayFile> {
  const raw: unknown = JSON.parse(await readFile(path, 'utf8'));
  const r = ReplayFileC.decode(raw);
  if (isLeft(r)) throw new Error(`${path} is not a replay file: ${PathReporter.report(r).join('; ')}`);
  return r.right;
}

export interface ReplayOutcome {
  readonly ok: boolean;
  /** the first event step() rejected, or the first variable whose final value differs from the expected one */
  readonly problem: string | null;
  readonly final: KernelState;
  readonly finalState: SpecState;
}

/** Replays a file's events from boot in the TS kernel and compares the final state with the one recorded. */
export function replay(m: CompiledModel, file: ReplayFile): ReplayOutcome {
  const project = projector(m.monitor);
  let s = m.boot.state;
  let last = project.state(s, m.boot.decisions, m.boot.effects);
  for (const [i, ev] of file.events.entries()) {
    const r = step(s, ev as KernelEvent);
    if (r.rejected !== undefined)
      return { ok: false, problem: `step ${i + 1} was rejected: ${r.rejected}`, final: s, finalState: last };
    s = r.state;
    last = project.state(s, r.decisions, r.effects);
  }
  for (const v of SPEC_VARIABLES) {
    const want = file.expected[v];
    if (want === undefined || valueKey(parseTlaValue(want)) !== valueKey(last[v]))
      return {
        ok: false,
        problem: `after the replay, ${v} is ${formatTlaValue(last[v])}, not ${want ?? '(not recorded)'}`,
        final: s,
        finalState: last,
      };
  }
  return { ok: true, problem: null, final: s, finalState: last };
}
