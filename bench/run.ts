// `npm run bench`: every speed figure as a ratio against a baseline measured
// in the same run. Writes out/bench.json.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpus, loadavg } from 'node:os';
import { benchIpc } from './ipc.ts';
import { runJob } from './child.ts';
import { spread, type Timing } from './harness.ts';
import { benchScale } from './scale.ts';
import { CLASSES, METHODS, QUERIES } from './decisions.ts';
import { ROOT, toolVersions } from '../src/evidence/report.ts';

const IPC_TARGET = 300_000;
const DECISION_TARGET = 10_000_000;
const PEER_FACTOR = 1_000;

interface DecideJob {
  readonly name: string;
  readonly timing: Timing;
  readonly verdicts: string;
  readonly hits: number;
}

const ENGINES = ['bitmap', 'map', 'policy', 'monitor', 'psl', 'psl-monitor', 'cedar', 'casbin'] as const;

/** Every engine in a child process of its own, timed by the same harness; every verdict must agree. */
function decisions(): Record<(typeof ENGINES)[number], DecideJob> {
  const out = {} as Record<(typeof ENGINES)[number], DecideJob>;
  for (const engine of ENGINES) {
    process.stderr.write(`  ${engine}…\n`);
    out[engine] = runJob<DecideJob>('decide', { engine });
  }
  const ref = out.policy;
  if (ref.hits !== QUERIES / 2) throw new Error(`expected half of the queries to hit a rule, got ${ref.hits}`);
  for (const engine of ENGINES)
    if (out[engine].verdicts !== ref.verdicts) throw new Error(`${out[engine].name} disagrees with Cordon's verdicts`);
  return out;
}

const fmt = (n: number) => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toPrecision(3));

async function main() {
  const load0 = loadavg();
  const out: Record<string, unknown> = {
    toolVersions: toolVersions(),
    date: new Date().toISOString(),
    cpus: cpus().length,
    loadAverageAtStart: load0,
  };
  console.log(
    `machine: ${cpus().length} CPUs; load average at start ${load0.map((x) => x.toFixed(2)).join(' ')} (1, 5, 15 min) — a loaded machine lowers wall-clock rates; the CPU-time rates beside them do not depend on it`,
  );
  process.stderr.write('IPC round trips…\n');
  const ipc = benchIpc();
  out.ipc = {
    ...ipc,
    target: IPC_TARGET,
    ratioToTarget: ipc.mediated.roundTripsPerSecond / IPC_TARGET,
    ratioToUnmediated: ipc.mediated.roundTripsPerSecond / ipc.baseline.roundTripsPerSecond,
  };
  console.log('\n(a) mediated IPC round trips (Call -> Recv -> Reply, 2 decisions and 5 kernel steps each)');
  console.table([
    {
      loop: 'mediated (ping policy)',
      'round trips/s': fmt(ipc.mediated.roundTripsPerSecond),
      'vs target 300,000': `${(ipc.mediated.roundTripsPerSecond / IPC_TARGET).toFixed(2)}x`,
      'vs unmediated': `${(ipc.mediated.roundTripsPerSecond / ipc.baseline.roundTripsPerSecond).toFixed(2)}x`,
    },
    {
      loop: 'baseline: grant-all monitor',
      'round trips/s': fmt(ipc.baseline.roundTripsPerSecond),
      'vs target 300,000': `${(ipc.baseline.roundTripsPerSecond / IPC_TARGET).toFixed(2)}x`,
      'vs unmediated': '1.00x',
    },
  ]);

  process.stderr.write('monitor decisions, each engine in its own process…\n');
  const d = decisions();
  const monitor = d.monitor.timing.perSecond;
  const floor = d.bitmap.timing.perSecond;
  console.log(
    `\n(b) monitor decisions on a 200-rule allow-list (${CLASSES} classes x ${METHODS} methods x 2 destinations), ${QUERIES.toLocaleString('en-US')} queries, half hitting a rule; all verdicts agree. Each engine timed alone in its own process by the same harness (median of 5 windows; spread; CPU time beside wall time). The headline is the monitor the kernel calls.`,
  );
  console.table(
    ENGINES.map((e) => ({
      engine: d[e].name,
      'decisions/s': fmt(d[e].timing.perSecond),
      spread: spread(d[e].timing),
      'per CPU s': fmt(d[e].timing.perCpuSecond),
      'monitor is': `${fmt(monitor / d[e].timing.perSecond)}x`,
      'of floor': `${((d[e].timing.perSecond / floor) * 100).toFixed(1)}%`,
    })),
  );
  const bare = d.policy.timing.perSecond;
  console.log(
    `monitor / bare compiled policy: ${((monitor / bare) * 100).toFixed(0)}% (target >= 50%); PSL monitor / bare PSL: ${((d['psl-monitor'].timing.perSecond / d.psl.timing.perSecond) * 100).toFixed(0)}%; PSL / rule form (same harness): ${(d.psl.timing.perSecond / bare).toFixed(2)}x`,
  );
  out.decisions = {
    engines: ENGINES.map((e) => ({ engine: e, name: d[e].name, ...d[e].timing })),
    target: DECISION_TARGET,
    headline: 'monitor',
    ratioToTarget: monitor / DECISION_TARGET,
    ratioToCedar: monitor / d.cedar.timing.perSecond,
    ratioToCasbin: monitor / d.casbin.timing.perSecond,
    ratioToFloor: monitor / floor,
    monitorToBarePolicy: monitor / bare,
    targetsMet:
      monitor >= DECISION_TARGET &&
      monitor / d.cedar.timing.perSecond >= PEER_FACTOR &&
      monitor / d.casbin.timing.perSecond >= PEER_FACTOR &&
      monitor / bare >= 0.5,
  };

  process.stderr.write('cost by solution size…\n');
  out.scale = benchScale(fmt);

  process.stderr.write('PSL…\n');
  const { benchPsl, speedupLines } = await import('./psl.ts');
  const psl = await benchPsl();
  const cordon = { perSecond: bare };
  console.log(
    '\n(b2) PSL: the same 200-rule allow-list written in PSL and compiled, and compiled vs interpreted dynamic policies (ratio to the compiled rule form above)',
  );
  console.table(
    psl.map((r) => ({
      policy: r.name,
      'decisions/s': fmt(r.decisionsPerSecond),
      'vs rule form': `${(r.decisionsPerSecond / cordon.perSecond).toFixed(3)}x`,
    })),
  );
  const speedups = speedupLines(psl);
  for (const l of speedups) console.log(`  ${l}`);
  out.psl = { rows: psl, targets: speedups };

  process.stderr.write('echo policy…\n');
  const { benchEcho, echoRows } = await import('./echo.ts');
  const echo = benchEcho();
  console.log(
    `\n(b3) the echo example's policy (a Regex check of every request's text), ${echo.events.toLocaleString('en-US')} Say requests, ${echo.granted.toLocaleString('en-US')} granted (ratio to the same policy without its regex assertion)`,
  );
  console.table(echoRows(echo));
  out.echo = { ...echo, ratioToBaseline: echo.policyPerSecond / echo.baselinePerSecond };

  {
    process.stderr.write('boards…\n');
    const { benchBoards } = await import('./boards.ts');
    const rows = await benchBoards();
    const base = rows[0]!.eventsPerSecond;
    console.log('\n(c) simulated kernel events per second per board (ratio to the first board)');
    console.table(
      rows.map((r) => ({
        board: r.board,
        'events/s': fmt(r.eventsPerSecond),
        'vs first': `${(r.eventsPerSecond / base).toFixed(2)}x`,
      })),
    );
    out.boards = rows;
  }

  process.stderr.write('TS explorer vs TLC…\n');
  const { benchExplorer } = await import('./explorer.ts');
  const ex = await benchExplorer();
  console.log(
    '\n(d) distinct states per second on the same model: the TS kernel explorer vs TLC (goal: explorer >= TLC)',
  );
  console.table(
    ex.map((r) => ({
      model: r.model,
      distinct: r.distinct,
      'explorer states/s': fmt(r.explorerStatesPerSecond),
      'TLC states/s': fmt(r.tlcStatesPerSecond),
      'explorer / TLC': `${r.ratio.toFixed(2)}x`,
    })),
  );
  out.explorer = ex;

  const load1 = loadavg();
  out.loadAverageAtEnd = load1;
  console.log(`\nload average at end ${load1.map((x) => x.toFixed(2)).join(' ')}`);
  mkdirSync(join(ROOT, 'out'), { recursive: true });
  writeFileSync(join(ROOT, 'out', 'bench.json'), `${JSON.stringify(out, null, 2)}\n`);
  console.log('\nfigures written to out/bench.json');
}

await main();
