// Runs a case (solution, policy, machine, choices) through the kernel with an
// instrumented monitor, applies the checks after every step, and on the first
// violation returns the concrete trace that led there.

import { compileSolution, type SolutionDecl } from '../kernel/tables.ts';
import { bootWith, type BootResult } from '../kernel/boot.ts';
import { step } from '../kernel/step.ts';
import type { KernelEvent, KernelState, StepResult } from '../kernel/types.ts';
import type { Machine } from '../kernel/machine.ts';
import { createMonitor, type Monitor } from '../monitor/monitor.ts';
import { compileRules, type RulePolicy } from '../monitor/rules.ts';
import type { SecurityEvent } from '../monitor/types.ts';
import { describeDecision } from '../monitor/audit.ts';
import { realize, type Choice } from '../adversary/index.ts';
import type { Check } from './checks.ts';
import type { MappedStep, MappedTrace } from '../check/counterexample.ts';

export interface Violation {
  readonly property: string;
  readonly message: string;
  readonly step: number;
  readonly trace: readonly string[];
  /** the run as kernel steps from boot, up to the violating one (what its sequence diagram draws) */
  readonly run: MappedTrace;
}

export interface RunOutcome {
  readonly steps: number;
  readonly violation: Violation | null;
}

/** A monitor that also reports every question it is asked (the instrumentation complete mediation counts). */
export function instrument(m: Monitor, log: SecurityEvent[]): Monitor {
  return { ...m, decide: (s, e) => (log.push(e), m.decide(s, e)) };
}

export interface Prepared {
  readonly boot: BootResult;
  readonly log: SecurityEvent[];
}

export function prepare(solution: SolutionDecl, policy: RulePolicy, machine: Machine): Prepared | string {
  const tables = compileSolution(solution);
  if (!tables.ok) return tables.errors.join('\n');
  const compiled = compileRules(tables.value, policy);
  if (!compiled.ok) return compiled.errors.join('\n');
  const log: SecurityEvent[] = [];
  return { boot: bootWith(tables.value, instrument(createMonitor(tables.value, compiled.value), log), machine), log };
}

export function describeKernelEvent(s: KernelState, e: KernelEvent): string {
  if (e.kind !== 'syscall') return JSON.stringify(e);
  const th = s.threads.get(e.tid);
  const who =
    th === undefined ? `thread ${e.tid}` : `thread ${e.tid} of ${s.processes.get(th.sid)?.name ?? '?'}(sid ${th.sid})`;
  const c = e.call;
  const msg =
    c.op === 'Recv'
      ? ''
      : ` riid=${c.message.riid} mid=${c.message.mid} payload=${JSON.stringify(c.message.payload)}${c.message.handles?.length ? ` handles=${JSON.stringify(c.message.handles)}` : ''}${c.message.error ? ' error' : ''}`;
  return `${who}: ${c.op}(handle ${c.handle}${msg})`;
}

function describeStep(before: KernelState, e: KernelEvent, r: StepResult): string {
  const t = before.config.tables;
  const lines = [describeKernelEvent(before, e)];
  if (r.rejected !== undefined) lines.push(`    rejected: ${r.rejected}`);
  for (const d of r.decisions) lines.push(`    ${describeDecision(t, d.event, d.decision)}`);
  for (const x of r.results)
    lines.push(
      `    -> thread ${x.tid}: ${x.rc}${x.detail ? ` (${x.detail})` : ''}${x.message ? ` message ${JSON.stringify(x.message.payload)}` : ''}${x.value !== undefined ? ` value ${JSON.stringify(x.value)}` : ''}`,
    );
  return lines.join('\n');
}

/**
 * Steps through the choices, checking after each step. `checks` maps a
 * property name to a fresh check for this run (checks may keep per-run state).
 */
export function runChoices(
  p: Prepared,
  choices: readonly Choice[],
  checks: Readonly<Record<string, Check>>,
  onStep?: (s: StepResult) => void,
): RunOutcome {
  let state = p.boot.state;
  const trace: string[] = [];
  const steps: MappedStep[] = [];
  for (let i = 0; i < choices.length; i++) {
    const event = realize(state, choices[i]!);
    p.log.length = 0;
    const result = step(state, event);
    trace.push(`${i + 1}. ${describeStep(state, event, result)}`);
    steps.push({
      number: i + 1,
      event,
      action: null,
      description: describeKernelEvent(state, event),
      decisions: [],
      records: result.decisions,
      actor: event.kind === 'syscall' ? (state.threads.get(event.tid)?.sid ?? null) : null,
    });
    for (const [property, check] of Object.entries(checks)) {
      const message = check({ before: state, event, result, monitorCalls: p.log.slice() });
      if (message !== null) {
        const model = state.config.tables.name;
        const run = { model, boot: p.boot.decisions, steps, final: result.state, loopTo: null };
        return { steps: i + 1, violation: { property, message, step: i + 1, trace, run } };
      }
    }
    onStep?.(result);
    state = result.state;
  }
  return { steps: choices.length, violation: null };
}

export function formatViolation(v: Violation, setup: string): string {
  return [`${v.property} violated at step ${v.step}: ${v.message}`, setup, 'trace:', ...v.trace].join('\n');
}
