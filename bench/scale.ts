// Cost by the size of what is checked (issue: cost that does not grow with
// the solution). Every row is one child process (bench/job.ts) timed by the
// same harness; targets are ratios within this run:
//   (e) mediated IPC round trips/s by solution size, pairs and star layouts,
//       other processes ready or all blocked: within 1.5x from 2 to 2,000
//   (e2) the default example's round trips/s: >= 500,000
//   (f) the ping Flow policy by Flow-tracked clients: >= 5M/s through the
//       monitor, within 1.5x from 1 to 1,000; compiled >= 5x the interpreter;
//       the monitor (message check + policy) >= 50% of the bare compiled policy's rate
//   (g) decisions by rule count (1 … 10,000 rules, 200 classes) against Cedar
//       and Casbin: 10,000 rules within 1.5x of 1 rule, table under 5 MB
//   (h) PSL compile of 10,000 bindings, warm: <= 200 CPU ms (compilePsl: check
//       and decision trie; the wall time and the parse by loadPolicy beside it)
// Run alone, or only some tables: `node --import tsx bench/scale.ts [e e2 f g h]`.
// Ratios between rows use the CPU-time rates (operations per CPU second of
// the job's process), and (h) its CPU time, which other load on the machine
// skews far less than the wall clock; the wall-clock figures are printed beside them.

import { fileURLToPath } from 'node:url';
import { loadavg } from 'node:os';
import { RUNS, runJob, runRounds, runSpec, type Repeated } from './child.ts';
import type { Timing } from './harness.ts';

const SIZES = [2, 20, 200, 2000] as const;
const CLIENTS = [1, 10, 100, 1000] as const;
const RULES = [1, 10, 100, 1000, 10000] as const;

type Fmt = (n: number) => string;
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}x`;
const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');
const percent = (a: number, b: number) => `${((100 * a) / b).toFixed(0)}%`;
/** The spread of a row's CPU-time rate over the processes it ran in, around the median process. */
const across = (r: Repeated<{ timing: Timing }>) =>
  `±${(((r.runs.maxPerCpuSecond - r.runs.minPerCpuSecond) / 2 / r.timing.perCpuSecond) * 100).toFixed(0)}%`;

export const SCALE_TABLES = ['e', 'e2', 'f', 'g', 'h'] as const;

export function benchScale(fmt: Fmt, tables: readonly string[] = SCALE_TABLES): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const want = (t: string) => tables.includes(t);

  // (e)
  if (want('e')) ipcBySize(fmt, out);
  if (want('e2')) example(fmt, out);
  if (want('f')) flowClients(fmt, out);
  if (want('g')) ruleCount(fmt, out);
  if (want('h')) pslCompile(out);
  return out;
}

function ipcBySize(fmt: Fmt, out: Record<string, unknown>): void {
  const ipcRows: Record<string, unknown>[] = [];
  const ipcData: Record<string, unknown>[] = [];
  const targets: string[] = [];
  for (const layout of ['pairs', 'star'] as const)
    for (const others of ['ready', 'idle'] as const) {
      const rates: number[] = [];
      // the four sizes of a layout in rounds, so a ratio's two ends are measured side by side in time
      const rows = runRounds<{ timing: Timing }>(
        SIZES.map((processes) => ({ job: 'ipc', params: { layout, processes, others, monitor: 'policy' } })),
      );
      SIZES.forEach((processes, i) => {
        const r = rows[i]!;
        rates.push(r.timing.perCpuSecond);
        ipcData.push({ layout, others, processes, ...r.timing, runs: r.runs });
        ipcRows.push({
          layout,
          others,
          processes,
          'round trips/s': fmt(r.timing.perSecond),
          'per CPU s': fmt(r.timing.perCpuSecond),
          [`over ${RUNS} runs`]: across(r),
          'per CPU s vs 2 processes': ratio(r.timing.perCpuSecond, rates[0]!),
        });
      });
      const slow = rates[0]! / rates[rates.length - 1]!;
      targets.push(
        `${layout}/${others}: 2 -> 2,000 processes costs ${slow.toFixed(2)}x (target <= 1.5x: ${verdict(slow <= 1.5)})`,
      );
    }
  console.log(
    `\n(e) mediated IPC round trips/s by solution size (one pair measured; the others ready, or all blocked; each row the median of ${RUNS} processes)`,
  );
  console.table(ipcRows);
  for (const t of targets) console.log(`  ${t}`);
  out.ipc = { rows: ipcData, targets };
}

function example(fmt: Fmt, out: Record<string, unknown>): void {
  const [example, exampleRules] = runRounds<{ timing: Timing }>(
    ['ping', 'ping-rules'].map((example) => ({ job: 'ipc-example', params: { example } })),
  ) as [Repeated<{ timing: Timing }>, Repeated<{ timing: Timing }>];
  console.log(
    `\n(e2) the default example (examples/ping, PSL with a Flow per client): ${fmt(example.timing.perSecond)} round trips/s (${fmt(example.timing.perCpuSecond)} per CPU s, the median of ${RUNS} processes, ${across(example)}), target 500,000 per CPU s: ${ratio(example.timing.perCpuSecond, 500_000)} (${verdict(example.timing.perCpuSecond >= 500_000)}); examples/ping-rules: ${fmt(exampleRules.timing.perSecond)} (${fmt(exampleRules.timing.perCpuSecond)} per CPU s)`,
  );
  out.example = {
    ping: { ...example.timing, runs: example.runs },
    pingRules: { ...exampleRules.timing, runs: exampleRules.runs },
    target: 500_000,
  };
}

function flowClients(fmt: Fmt, out: Record<string, unknown>): void {
  const flowRows: Record<string, unknown>[] = [];
  const flowData: Record<string, unknown>[] = [];
  const byEngine: Record<string, number[]> = { monitor: [], compiled: [], interpreted: [] };
  const engines = ['monitor', 'compiled', 'interpreted'] as const;
  // every row and engine once per round: the 1-client and 1,000-client rows of the ratio side by side in time
  const specs = CLIENTS.flatMap((clients) => engines.map((engine) => ({ job: 'flow', params: { clients, engine } })));
  const runs = runRounds<{ timing: Timing }>(specs);
  CLIENTS.forEach((clients, c) => {
    const row: Record<string, unknown> = { clients };
    engines.forEach((engine, e) => {
      const r = runs[c * engines.length + e]!;
      byEngine[engine]!.push(r.timing.perCpuSecond);
      flowData.push({ clients, engine, ...r.timing, runs: r.runs });
      row[`${engine}/s`] = fmt(r.timing.perSecond);
      row[`${engine}/CPU s`] = `${fmt(r.timing.perCpuSecond)} ${across(r)}`;
    });
    row['compiled / interpreted'] = ratio(byEngine.compiled!.at(-1)!, byEngine.interpreted!.at(-1)!);
    row['monitor / compiled'] = percent(byEngine.monitor!.at(-1)!, byEngine.compiled!.at(-1)!);
    row['monitor vs 1 client'] = ratio(byEngine.monitor!.at(-1)!, byEngine.monitor![0]!);
    flowRows.push(row);
  });
  console.log(
    `\n(f) the ping Flow policy by Flow-tracked clients (decisions/s, state threaded; each figure the median of ${RUNS} processes, ± its spread over them)`,
  );
  console.table(flowRows);
  const m = byEngine.monitor!;
  const flowSlow = m[0]! / m[m.length - 1]!;
  const minSpeedup = Math.min(...byEngine.compiled!.map((c, i) => c / byEngine.interpreted![i]!));
  const minShare = Math.min(...m.map((x, i) => x / byEngine.compiled![i]!));
  const flowTargets = [
    `monitor at 1,000 clients: ${fmt(m[m.length - 1]!)} per CPU s, target 5,000,000: ${ratio(m[m.length - 1]!, 5e6)} (${verdict(m[m.length - 1]! >= 5e6)})`,
    `1 -> 1,000 clients costs ${flowSlow.toFixed(2)}x (target <= 1.5x: ${verdict(flowSlow <= 1.5)})`,
    `compiled / interpreted, worst row: ${minSpeedup.toFixed(2)}x (target >= 5x: ${verdict(minSpeedup >= 5)})`,
    `monitor (message check + policy) / bare compiled policy, worst row: ${(100 * minShare).toFixed(0)}% (target >= 50%: ${verdict(minShare >= 0.5)})`,
  ];
  for (const t of flowTargets) console.log(`  ${t}`);
  out.flow = { rows: flowData, targets: flowTargets };
}

type RulesJob = { timing: Timing; verdicts: string; heapBytes: number | null; compileMs: number | null };

function ruleCount(fmt: Fmt, out: Record<string, unknown>): void {
  const ruleRows: Record<string, unknown>[] = [];
  const ruleData: Record<string, unknown>[] = [];
  const cordonRates: number[] = [];
  let heapAt10k: number | null = null;
  // Cordon's rows in rounds, each the median of RUNS processes; Cedar and Casbin run once (10,000 rules take them minutes)
  const cordon = runRounds<RulesJob>(
    RULES.map((rules) => ({ job: 'rules', params: { rules, engine: 'cordon' }, nodeArgs: ['--expose-gc'] })),
  );
  RULES.forEach((rules, k) => {
    const row: Record<string, unknown> = { rules };
    const c = cordon[k]!;
    for (const engine of ['cordon', 'cedar', 'casbin'] as const) {
      const r =
        engine === 'cordon'
          ? c
          : runSpec<RulesJob>({ job: 'rules', params: { rules, engine }, nodeArgs: ['--expose-gc'] });
      if (r.verdicts !== c.verdicts) throw new Error(`${engine} disagrees with Cordon at ${rules} rules`);
      ruleData.push({ rules, engine, ...r.timing, heapBytes: r.heapBytes, compileMs: r.compileMs });
      row[`${engine}/s`] = fmt(r.timing.perSecond);
    }
    cordonRates.push(c.timing.perCpuSecond);
    row['cordon/CPU s'] = `${fmt(c.timing.perCpuSecond)} ${across(c)}`;
    row['cordon table'] = c.heapBytes === null ? '?' : `${(c.heapBytes / 1e6).toFixed(2)} MB`;
    if (rules === 10000) heapAt10k = c.heapBytes;
    ruleRows.push(row);
  });
  console.log('\n(g) decisions/s by rule count (200 classes; Cordon through its monitor), against Cedar and Casbin');
  console.table(ruleRows);
  const ruleSlow = cordonRates[0]! / cordonRates[cordonRates.length - 1]!;
  const ruleTargets = [
    `1 -> 10,000 rules costs ${ruleSlow.toFixed(2)}x (target <= 1.5x: ${verdict(ruleSlow <= 1.5)})`,
    `compiled table at 10,000 rules: ${heapAt10k === null ? 'not measured' : `${(heapAt10k / 1e6).toFixed(2)} MB`} (target < 5 MB: ${verdict(heapAt10k !== null && heapAt10k < 5e6)})`,
  ];
  for (const t of ruleTargets) console.log(`  ${t}`);
  out.rules = { rows: ruleData, targets: ruleTargets };
}

interface CompileTimes {
  /** compilePsl (check + decision trie) over the warm runs: the median by CPU time, its wall time; min and max of each */
  readonly cpuMs: number;
  readonly minCpuMs: number;
  readonly maxCpuMs: number;
  readonly warmMs: number;
  readonly minMs: number;
  readonly maxMs: number;
  /** loadPolicy (parse + resolve), median of the warm runs */
  readonly parseMs: number;
}

function pslCompile(out: Record<string, unknown>): void {
  const c = runJob<CompileTimes>('psl-compile', { bindings: 10000 });
  console.log(
    `\n(h) PSL compile of 10,000 bindings, warm (compilePsl: check + decision trie): ${c.cpuMs.toFixed(0)} CPU ms (min ${c.minCpuMs.toFixed(0)}, max ${c.maxCpuMs.toFixed(0)}; wall ${c.warmMs.toFixed(0)} ms, min ${c.minMs.toFixed(0)}, max ${c.maxMs.toFixed(0)}), target 200 ms: ${ratio(c.cpuMs, 200)} of it (${verdict(c.cpuMs <= 200)}; judged on CPU time, as the rates are); parsing the 10,000 lines first (loadPolicy) takes ${c.parseMs.toFixed(0)} ms more`,
  );
  out.pslCompile = { ...c, target: 200 };
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const fmt = (n: number) => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toPrecision(3));
  const asked = process.argv.slice(2);
  const bad = asked.filter((t) => !(SCALE_TABLES as readonly string[]).includes(t));
  if (bad.length > 0) {
    process.stderr.write(`bench/scale.ts: unknown table ${bad.join(', ')}; tables: ${SCALE_TABLES.join(', ')}\n`);
    process.exit(2);
  }
  const show = (l: number[]) => l.map((x) => x.toFixed(2)).join(' ');
  console.log(`load average at start ${show(loadavg())} (1, 5, 15 min)`);
  benchScale(fmt, asked.length === 0 ? SCALE_TABLES : asked);
  console.log(`\nload average at end ${show(loadavg())}`);
}
