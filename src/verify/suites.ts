// The kernel property suites, run against one given solution, policy and
// board: random adversarial event sequences (every process may issue any
// syscall with any handle, RIID/MID and payload) checked for default deny,
// complete mediation, isolation, one thread per CPU, object labels and the
// device guarantees (futex, DMA, IRQ), plus determinism.

import fc from 'fast-check';
import { arbChoices, realize, type Choice } from '../adversary/index.ts';
import {
  describeKernelEvent,
  instrument,
  runChoices,
  formatViolation,
  type Prepared,
  type Violation,
} from '../properties/runner.ts';
import { counterexampleDiagram } from '../check/sequence-diagram.ts';
import {
  completeMediation,
  defaultDeny,
  dmaIntoGrantedBuffer,
  futexWokenByOwnWake,
  irqToHolder,
  isolation,
  objectLabels,
  oneThreadPerCpu,
  type Check,
} from '../properties/checks.ts';
import { InterpreterOracle, RuleOracle, type DecisionOracle } from '../properties/oracle.ts';
import { bootWith } from '../kernel/boot.ts';
import { step } from '../kernel/step.ts';
import { createMonitor } from '../monitor/monitor.ts';
import type { CompiledPolicy, SecurityEvent } from '../monitor/types.ts';
import type { RulePolicy } from '../monitor/rules.ts';
import type { SolutionTables } from '../kernel/tables.ts';
import type { Machine } from '../kernel/machine.ts';
import type { CheckResult } from '../evidence/report.ts';

export interface PropertyTarget {
  readonly tables: SolutionTables;
  readonly policy: CompiledPolicy;
  /** the rule form, when the policy has one: default deny is then checked rule by rule */
  readonly rules: RulePolicy | null;
  /** otherwise the policy's reference interpreter (PSL: src/policy/compile/interpret.ts), default deny's oracle; null: none */
  readonly oracle?: CompiledPolicy | null;
  readonly machine: Machine;
}

export interface PropertyOptions {
  readonly seed: number;
  readonly runs: number;
  readonly steps: number;
  readonly path?: string;
  /** how to replay a failure, given fast-check's seed and path */
  readonly replay: (seed: number, path: string) => string;
  /** gets the (shrunk) counterexample of a failing property as a Mermaid sequence diagram, by check id */
  readonly onDiagram?: (checkId: string, diagram: string) => void;
}

/** A property's failure, with the run that broke it (fast-check hands back the shrunk one). */
class PropertyFailure extends Error {
  constructor(
    message: string,
    readonly violation: Violation,
  ) {
    super(message);
  }
}

function prepared(target: PropertyTarget): Prepared {
  const log: SecurityEvent[] = [];
  return {
    boot: bootWith(target.tables, instrument(createMonitor(target.tables, target.policy), log), target.machine),
    log,
  };
}

function runOne(
  id: string,
  target: PropertyTarget,
  opts: PropertyOptions,
  make: (p: Prepared) => Record<string, Check>,
): CheckResult {
  const started = performance.now();
  let steps = 0;
  const arb = arbChoices(opts.steps);
  const details = fc.check(
    fc.property(arb, (choices: Choice[]) => {
      const p = prepared(target);
      const out = runChoices(p, choices, make(p));
      steps += out.steps;
      if (out.violation)
        throw new PropertyFailure(
          formatViolation(out.violation, `solution ${target.tables.name} on ${target.machine.name}`),
          out.violation,
        );
    }),
    { seed: opts.seed, numRuns: opts.runs, ...(opts.path ? { path: opts.path, endOnFailure: true } : {}) },
  );
  const base = {
    id,
    kind: 'property',
    runs: details.numRuns,
    durationMs: Math.round(performance.now() - started),
    details: { steps },
  };
  if (!details.failed) return { ...base, status: 'pass' };
  const msg = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
  if (details.errorInstance instanceof PropertyFailure && opts.onDiagram !== undefined) {
    const v = details.errorInstance.violation;
    opts.onDiagram(
      id,
      counterexampleDiagram(target.tables, v.run, `${v.property} violated at step ${v.step}: ${v.message}`),
    );
  }
  return {
    ...base,
    details: { steps, shrinks: details.numShrinks },
    status: 'fail',
    counterexample: msg,
    replay: opts.replay(details.seed, details.counterexamplePath ?? ''),
  };
}

/** Same choices, same trace: the whole run is replayed and compared step by step. */
function determinism(target: PropertyTarget, opts: PropertyOptions): CheckResult {
  const started = performance.now();
  const arb = arbChoices(opts.steps);
  const render = (x: unknown) => JSON.stringify(x, (k, v) => (k === 'config' ? undefined : v));
  const details = fc.check(
    fc.property(arb, (choices) => {
      const trace = () => {
        let s = prepared(target).boot.state;
        return choices.map((c) => {
          const before = s;
          const event = realize(s, c);
          const r = step(s, event);
          s = r.state;
          return { event: describeKernelEvent(before, event), result: render(r) };
        });
      };
      const a = trace();
      const b = trace();
      const i = a.findIndex((x, k) => x.result !== b[k]!.result);
      if (i >= 0)
        throw new Error(
          [
            `the run diverged at step ${i + 1}: the same events from the same boot gave two different results`,
            `solution ${target.tables.name} on ${target.machine.name}`,
            'trace:',
            ...a.slice(0, i + 1).map((x, k) => `${k + 1}. ${x.event}`),
          ].join('\n'),
        );
    }),
    {
      seed: opts.seed,
      numRuns: Math.max(1, Math.round(opts.runs / 4)),
      ...(opts.path ? { path: opts.path, endOnFailure: true } : {}),
    },
  );
  const base = {
    id: 'kernel.determinism',
    kind: 'property',
    runs: details.numRuns,
    durationMs: Math.round(performance.now() - started),
  };
  if (!details.failed) return { ...base, status: 'pass' };
  const counterexample =
    details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
  return {
    ...base,
    details: { shrinks: details.numShrinks },
    status: 'fail',
    counterexample,
    replay: opts.replay(details.seed, details.counterexamplePath ?? ''),
  };
}

/**
 * Default deny's oracle for a run, independent of the compiled policy the
 * kernel asks: the rules read directly, or the reference interpreter on its
 * own monitor states; both start where the monitor starts (after Einit's
 * starts at boot). Null: the solution's policy has neither.
 */
function oracleOf(target: PropertyTarget, p: Prepared): DecisionOracle | null {
  if (target.rules !== null) return new RuleOracle(target.tables, target.rules).prime(p.boot.decisions);
  if (target.oracle != null) return new InterpreterOracle(target.tables, target.oracle).prime(p.boot.decisions);
  return null;
}

export function kernelProperties(target: PropertyTarget, opts: PropertyOptions): CheckResult[] {
  const out: CheckResult[] = [];
  if (target.rules === null && target.oracle == null)
    out.push({
      id: 'kernel.default-deny',
      kind: 'property',
      status: 'skipped',
      runs: 0,
      durationMs: 0,
      details: {
        reason: `policy "${target.policy.name}" has neither a rule form nor a reference interpreter: default deny has no oracle to check the monitor's decisions against`,
      },
    });
  else
    out.push(
      runOne('kernel.default-deny', target, opts, (p) => ({ 'default deny': defaultDeny(oracleOf(target, p)!) })),
    );
  out.push(runOne('kernel.complete-mediation', target, opts, () => ({ 'complete mediation': completeMediation })));
  out.push(runOne('kernel.isolation', target, opts, () => ({ isolation })));
  out.push(runOne('kernel.one-thread-per-cpu', target, opts, () => ({ 'one thread per CPU': oneThreadPerCpu })));
  out.push(runOne('kernel.object-labels', target, opts, () => ({ 'object labels': objectLabels })));
  out.push(
    runOne('kernel.devices', target, opts, () => ({
      'futex woken by own wake': futexWokenByOwnWake,
      'DMA into granted buffer': dmaIntoGrantedBuffer,
      'IRQ to holder': irqToHolder,
    })),
  );
  out.push(determinism(target, opts));
  return out;
}
