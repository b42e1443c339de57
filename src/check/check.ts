// `cordon check`: model-check a solution with TLC. The solution's processes,
// channels and policy become a TLC model (src/conformance/solution-model.ts);
// a violation comes back as a trace replayed in the TS kernel, printed in
// DESIGN.md's vocabulary and written as a replay file that `npm test` can
// run. `--distributed N` instead runs the scale model under TLC's distributed
// engine and a single-process run and compares their distinct-state counts.

import { EVENT_KINDS, type CompiledPolicy, type SecurityEvent } from '../monitor/types.ts';
import type { AllowRule, RulePolicy } from '../monitor/rules.ts';
import type { SolutionTables } from '../kernel/solution.ts';
import { checkSolution, witness, type SolutionCheckResult, type SolutionProperty } from '../conformance/solution-model.ts';
import { writeReplayFile } from '../conformance/counterexample.ts';
import { compareDistributed, SCALE_LARGE, SCALE_SMALL, type DistributedComparison } from '../conformance/scale.ts';
import type { RunOptions } from '../conformance/run.ts';
import type { CheckResult } from '../evidence/report.ts';
import type { Loaded } from '../verify/verify.ts';

export class CheckError extends Error {}

/**
 * The policy as a finite allow relation. A rule-form policy is one already; a
 * compiled PSL policy is read cell by cell, which is exact only when every
 * cell is static (no message expression, no policy object): otherwise the
 * solution cannot be model-checked here, and the error says why.
 */
export function allowRelation(loaded: Pick<Loaded, 'tables' | 'policy' | 'rules'>): RulePolicy {
  if (loaded.rules !== null) return loaded.rules;
  const p = loaded.policy as CompiledPolicy & { stats?: { cells: number; staticCells: number } };
  if (p.stats === undefined || p.stats.staticCells !== p.stats.cells)
    throw new CheckError(
      `unsupported: policy "${p.name}" has ${p.stats ? p.stats.cells - p.stats.staticCells : 'some'} decisions that depend on message contents or policy-object state; cordon check models rule-form policies and PSL policies whose every decision is static`,
    );
  return { name: p.name, rules: staticRules(loaded.tables, p) };
}

function staticRules(t: SolutionTables, p: CompiledPolicy): AllowRule[] {
  const rules: AllowRule[] = [];
  for (const kind of EVENT_KINDS)
    for (const src of t.classes)
      for (const dst of t.classes) {
        const targets: { endpoint: number; method: number; name?: [string, string] }[] = [];
        if (kind === 'execute') targets.push({ endpoint: -1, method: -1 });
        else {
          const owner = kind === 'request' ? dst : src;
          const eps = kind === 'security' ? [] : owner.endpoints;
          for (const ep of eps)
            for (const m of t.interfaces[ep.iface]?.methods ?? []) targets.push({ endpoint: ep.nameId, method: m.nameId, name: [ep.name, m.name] });
          if (kind === 'security' && src.security >= 0) for (const m of t.interfaces[src.security]!.methods) targets.push({ endpoint: -1, method: m.nameId });
        }
        for (const x of targets) {
          const ev: SecurityEvent = { kind, src: 2, srcClass: src.id, dst: 3, dstClass: dst.id, endpoint: x.endpoint, method: x.method, iface: -1, riid: -1, mid: -1, message: null, transfers: [] };
          const d = p.decide(p.initial, ev);
          if (d.verdict !== 'grant') continue;
          const where = x.name ? { endpoint: x.name[0], method: x.name[1] } : kind === 'security' ? { method: t.methodNames[x.method]! } : {};
          rules.push({ id: d.rule, kind, src: src.name, dst: dst.name, ...where });
        }
      }
  return rules;
}

export interface CheckOptions {
  readonly properties?: readonly SolutionProperty[];
  readonly workers?: number;
  readonly timeoutMs?: number;
  readonly path?: string;
  readonly onProgress?: RunOptions['onProgress'];
}

/** Every method a server offers needs a well-formed payload in the model, or the model would silently leave it out. */
function requireWitnesses(t: SolutionTables): void {
  const servers = new Set(t.connections.map((c) => t.processes[c.server]!.taskClass));
  for (const cls of servers)
    for (const ep of t.classes[cls]!.endpoints)
      for (const m of t.interfaces[ep.iface]?.methods ?? [])
        for (const [kind, codec] of [['request', m.request], ['response', m.response]] as const)
          if (witness(codec) === undefined) throw new CheckError(`cannot build a well-formed ${kind} of ${t.interfaces[ep.iface]!.name}.${m.name} (endpoint ${ep.name}) for the model`);
}

export async function checkLoaded(loaded: Loaded, opts: CheckOptions = {}): Promise<SolutionCheckResult> {
  const policy = allowRelation(loaded);
  requireWitnesses(loaded.tables);
  const properties = opts.properties ?? loaded.properties;
  return checkSolution(loaded.tables, policy, {
    ...(properties.length > 0 ? { properties, transfers: true } : {}),
    ...(opts.path ? { path: opts.path } : {}),
    run: { ...(opts.workers ? { workers: opts.workers } : {}), ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}), ...(opts.onProgress ? { onProgress: opts.onProgress } : {}) },
  });
}

/** The check result as a verify-report entry. */
export function checkEntry(r: SolutionCheckResult): CheckResult {
  const base = { id: `tlc.solution.${r.model}`, kind: 'tlc', runs: 1, durationMs: Math.round(r.wallSeconds * 1000), details: { distinct: r.distinct, depth: r.depth, tlcSeconds: r.tlcSeconds, verdict: r.verdict } };
  if (r.verdict === 'success') return { ...base, status: 'pass' };
  return { ...base, status: 'fail', counterexample: r.counterexample?.printed ?? r.problem ?? r.verdict };
}

export async function writeCounterexample(r: SolutionCheckResult, file: string): Promise<boolean> {
  if (r.counterexample?.replay == null) return false;
  await writeReplayFile(file, r.counterexample.replay);
  return true;
}

export async function distributed(workers: number, size: 'large' | 'small'): Promise<DistributedComparison> {
  return compareDistributed(size === 'large' ? SCALE_LARGE : SCALE_SMALL, workers);
}
