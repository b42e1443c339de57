// The solution's scripted programs (and its untrusted processes, run as
// adversaries making arbitrary syscalls) driven on the chosen board by the
// driver: every scripted operation must succeed, and the board properties
// (IRQ only to its holder, no port I/O off x86, DMA only into granted
// buffers, a monotonic clock, one thread per CPU) must hold at every step.
//
// A solution without scripted programs (a KasperskyOS solution has none
// unless a cordon.yaml gives them) gets `scenario.programs` as skipped, with
// the reason, and a `board.events` check: the same run with only board
// events, scheduling and its untrusted processes, under the same board
// properties.

import { basename } from 'node:path';
import type { Board } from '../../boards/index.ts';
import { bootWith } from '../kernel/boot.ts';
import { createMonitor } from '../monitor/monitor.ts';
import {
  run,
  compilePrograms,
  checkBoardStep,
  describeEvent,
  describeResult,
  type Program,
  type Op,
} from '../driver/index.ts';
import type { ProgramOp } from '../solution/manifest.ts';
import type { CheckResult } from '../evidence/report.ts';
import type { Loaded } from '../solution/load.ts';
import type { AuditLog } from '../audit/log.ts';

/** A manifest operation as the driver's program model states it. */
export function driverOp(o: ProgramOp): Op {
  const opt = <K extends string>(k: K, v: unknown) => (v === undefined ? {} : ({ [k]: v } as Record<K, never>));
  const common = opt('save', o.save);
  if ('call' in o)
    return {
      op: 'call',
      connection: o.call,
      method: o.method,
      ...opt('endpoint', o.endpoint),
      ...opt('payload', o.payload),
      ...opt('handles', o.handles),
      ...common,
    };
  if ('recv' in o) return { op: 'recv', connection: o.recv, ...opt('client', o.client), ...common };
  if ('reply' in o)
    return {
      op: 'reply',
      connection: o.reply,
      ...opt('client', o.client),
      ...opt('payload', o.payload),
      ...opt('error', o.error),
      ...opt('handles', o.handles),
      ...common,
    };
  return {
    op: 'kernel',
    endpoint: o.kernel as Extract<Op, { op: 'kernel' }>['endpoint'],
    method: o.method,
    ...opt('payload', o.payload),
    ...common,
  };
}

/** The scenario checks of a solution: its scripted programs, or (when it has none) the skipped programs check and the board-events run. */
export function scenarioChecks(
  loaded: Loaded,
  board: Board,
  seed: number,
  steps: number,
  log: AuditLog | null = null,
): CheckResult[] {
  if (Object.keys(loaded.manifest?.programs ?? {}).length > 0) return [scenarioCheck(loaded, board, seed, steps, log)];
  const reason = loaded.manifestFile === null ? 'no cordon.yaml' : `${basename(loaded.manifestFile)} gives no programs`;
  const events = scenarioCheck(loaded, board, seed, steps, log);
  const untrusted = loaded.manifest?.untrusted ?? [];
  return [
    { id: 'scenario.programs', kind: 'scenario', status: 'skipped', runs: 0, durationMs: 0, details: { reason } },
    {
      ...events,
      id: 'board.events',
      kind: 'board',
      details: {
        ...(events.details as object),
        ran:
          untrusted.length === 0
            ? 'board events and scheduling'
            : `board events, scheduling and the untrusted processes ${untrusted.join(', ')}`,
      },
    },
  ];
}

/** The scenario run; `log`, if given, gets the monitor's decisions (boot as step 0, then each kernel step). */
export function scenarioCheck(
  loaded: Loaded,
  board: Board,
  seed: number,
  steps: number,
  log: AuditLog | null = null,
): CheckResult {
  const started = performance.now();
  const m = loaded.manifest;
  const programs: Record<string, Program> = {};
  for (const [name, ops] of Object.entries(m?.programs ?? {})) programs[name] = { ops: ops.map(driverOp), loopFrom: 0 };
  const boot = bootWith(loaded.tables, createMonitor(loaded.tables, loaded.policy), board.toMachine());
  log?.step(0, boot.decisions);
  const violations: string[] = [];
  let failedOp: string | null = null;
  const scripted = new Set(
    Object.keys(programs)
      .map((p) => boot.sids[p])
      .filter((s): s is number => s !== undefined),
  );
  const compiled = compilePrograms(boot, programs);
  if (!compiled.ok)
    return {
      id: 'scenario.programs',
      kind: 'scenario',
      runs: 0,
      durationMs: Math.round(performance.now() - started),
      status: 'fail',
      counterexample: `the programs cannot run on this solution as booted:\n${compiled.errors.join('\n')}`,
    };
  const result = run({
    boot,
    board,
    programs,
    adversaries: m?.untrusted ?? [],
    seed,
    steps,
    onStep: ({ index, event, before, result: r }) => {
      log?.step(index + 1, r.decisions);
      for (const v of checkBoardStep(board, before, event, r))
        violations.push(`step ${index + 1} (${describeEvent(before, event)}): ${v.property}: ${v.message}`);
      if (failedOp === null && event.kind === 'syscall' && scripted.has(before.threads.get(event.tid)!.sid)) {
        const own = r.results.find((x) => x.tid === event.tid);
        if (own !== undefined && own.rc !== 'rcOk')
          failedOp = `step ${index + 1}: ${describeEvent(before, event)}\n${describeResult(before, r).join('\n')}`;
      }
    },
  });
  const durationMs = Math.round(performance.now() - started);
  const details = {
    steps: result.counts.events,
    grants: result.counts.grants,
    denies: result.counts.denies,
    programOps: result.counts.programOps,
    irqsDelivered: result.counts.irqsDelivered,
  };
  const base = { id: 'scenario.programs', kind: 'scenario', runs: 1, durationMs, details };
  const idle = Object.keys(programs).filter((p) => (result.counts.programOps[p] ?? 0) === 0);
  if (violations.length > 0) return { ...base, status: 'fail', counterexample: violations.slice(0, 5).join('\n') };
  if (failedOp !== null)
    return { ...base, status: 'fail', counterexample: `a scripted operation failed:\n${failedOp as string}` };
  if (idle.length > 0)
    return {
      ...base,
      status: 'fail',
      counterexample: `programs that completed no operation in ${steps} steps: ${idle.join(', ')}`,
    };
  return { ...base, status: 'pass' };
}
