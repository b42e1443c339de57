// `npm run bench`: every speed figure as a ratio against a baseline measured
// in the same run. Writes out/bench.json.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { newEnforcer, newModelFromString, StringAdapter } from 'casbin';
import { preparsePolicySet, statefulIsAuthorized, getCedarVersion } from '@cedar-policy/cedar-wasm/nodejs';
import { benchIpc } from './ipc.ts';
import {
  CASBIN_MODEL,
  CLASSES,
  METHODS,
  QUERIES,
  allowed,
  cedarPolicyText,
  cordonSetup,
  queries,
  type Query,
} from './decisions.ts';
import { ROOT, toolVersions } from '../src/evidence/report.ts';

const IPC_TARGET = 300_000;
const DECISION_TARGET = 10_000_000;
const PEER_FACTOR = 1_000;

interface Engine {
  readonly name: string;
  readonly verdicts: Uint8Array;
  readonly perSecond: number;
  readonly queries: number;
}

/**
 * Times `fn(i)` over the query set (each engine gets its inputs pre-built, so
 * only the decision is timed), repeating fast engines until at least `minMs`.
 */
function measure(name: string, qs: readonly Query[], fn: (i: number) => boolean, minMs = 300): Engine {
  const verdicts = new Uint8Array(qs.length);
  for (let i = 0; i < qs.length; i++) verdicts[i] = fn(i) ? 1 : 0; // first pass: verdicts, warm-up
  let n = 0;
  const t0 = performance.now();
  let sink = 0;
  do {
    for (let i = 0; i < qs.length; i++) sink += fn(i) ? 1 : 0;
    n += qs.length;
  } while (performance.now() - t0 < minMs);
  const ms = performance.now() - t0;
  if (sink < 0) console.log(sink);
  return { name, verdicts, perSecond: (n / ms) * 1000, queries: n };
}

async function decisions(): Promise<Engine[]> {
  const qs = queries();
  const c = cordonSetup();
  const events = qs.map(c.event);
  const state = c.policy.initial;
  const engines: Engine[] = [];
  engines.push(
    measure('cordon compiled policy (interned ids)', qs, (i) => c.policy.decide(state, events[i]!).verdict === 'grant'),
  );
  engines.push(
    measure(
      'cordon monitor (message check + policy)',
      qs,
      (i) => c.monitor.decide(state, events[i]!).verdict === 'grant',
    ),
  );

  const keys = new Set<string>();
  for (let i = 0; i < CLASSES; i++)
    for (let d = 0; d < CLASSES; d++)
      for (let m = 0; m < METHODS; m++) if (allowed(i, d, m)) keys.add(`bench.C${i}|bench.C${d}|M${m}`);
  const names = qs.map((q) => [`bench.C${q.src}`, `bench.C${q.dst}`, `M${q.method}`] as const);
  engines.push(
    measure('string-keyed Map', qs, (i) => {
      const [s, d, m] = names[i]!;
      return keys.has(`${s}|${d}|${m}`);
    }),
  );
  const bitmap = new Uint8Array(CLASSES * CLASSES * METHODS);
  for (let i = 0; i < CLASSES; i++)
    for (let d = 0; d < CLASSES; d++)
      for (let m = 0; m < METHODS; m++) bitmap[(i * CLASSES + d) * METHODS + m] = allowed(i, d, m) ? 1 : 0;
  const packed = Int32Array.from(qs, (q) => (q.src * CLASSES + q.dst) * METHODS + q.method);
  engines.push(measure('pre-interned bitmap (floor)', qs, (i) => bitmap[packed[i]!] === 1));

  const pre = preparsePolicySet('bench-200', { staticPolicies: cedarPolicyText() });
  if (pre.type !== 'success') throw new Error(`Cedar refused the policy: ${JSON.stringify(pre)}`);
  process.stderr.write('  Cedar (100,000 queries, ~40 s)…\n');
  engines.push(
    measure(
      `Cedar wasm ${getCedarVersion()} (preparsed, statefulIsAuthorized)`,
      qs,
      (i) => {
        const [s, d, m] = names[i]!;
        const a = statefulIsAuthorized({
          principal: { type: 'Class', id: s },
          action: { type: 'Action', id: m },
          resource: { type: 'Class', id: d },
          context: {},
          preparsedPolicySetId: 'bench-200',
          entities: [],
        });
        if (a.type !== 'success') throw new Error(`Cedar failed: ${JSON.stringify(a)}`);
        return a.response.decision === 'allow';
      },
      0,
    ),
  );
  const lines: string[] = [];
  for (let i = 0; i < CLASSES; i++)
    for (const d of [(i + 1) % CLASSES, (i + 3) % CLASSES])
      for (let m = 0; m < METHODS; m++) lines.push(`p, bench.C${i}, bench.C${d}, M${m}`);
  const enforcer = await newEnforcer(newModelFromString(CASBIN_MODEL), new StringAdapter(lines.join('\n')));
  process.stderr.write('  Casbin (100,000 queries, ~20 s)…\n');
  engines.push(
    measure(
      'Casbin (enforceSync)',
      qs,
      (i) => {
        const [s, d, m] = names[i]!;
        return enforcer.enforceSync(s, d, m);
      },
      0,
    ),
  );

  // every engine must give the same verdict on every query
  const ref = engines[0]!.verdicts;
  const hits = ref.reduce((n, v) => n + v, 0);
  if (hits !== QUERIES / 2) throw new Error(`expected half of the queries to hit a rule, got ${hits}`);
  for (const e of engines) {
    const i = e.verdicts.findIndex((v, k) => v !== ref[k]);
    if (i >= 0) throw new Error(`${e.name} disagrees with Cordon on query ${i}: ${JSON.stringify(qs[i])}`);
  }
  return engines;
}

const fmt = (n: number) => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toPrecision(3));

async function main() {
  const out: Record<string, unknown> = { toolVersions: toolVersions(), date: new Date().toISOString() };
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

  process.stderr.write('monitor decisions…\n');
  const engines = await decisions();
  const cordon = engines[0]!;
  const floor = engines.find((e) => e.name.startsWith('pre-interned'))!;
  const cedar = engines.find((e) => e.name.startsWith('Cedar'))!;
  const casbin = engines.find((e) => e.name.startsWith('Casbin'))!;
  console.log(
    `\n(b) monitor decisions on a 200-rule allow-list (${CLASSES} classes x ${METHODS} methods x 2 destinations), ${QUERIES.toLocaleString('en-US')} queries, half hitting a rule; all verdicts agree`,
  );
  console.table(
    engines.map((e) => ({
      engine: e.name,
      'decisions/s': fmt(e.perSecond),
      'cordon is': `${fmt(cordon.perSecond / e.perSecond)}x`,
      'of floor': `${((e.perSecond / floor.perSecond) * 100).toFixed(1)}%`,
    })),
  );
  out.decisions = {
    engines: engines.map((e) => ({ name: e.name, decisionsPerSecond: e.perSecond, queriesTimed: e.queries })),
    target: DECISION_TARGET,
    ratioToTarget: cordon.perSecond / DECISION_TARGET,
    ratioToCedar: cordon.perSecond / cedar.perSecond,
    ratioToCasbin: cordon.perSecond / casbin.perSecond,
    ratioToFloor: cordon.perSecond / floor.perSecond,
    targetsMet:
      cordon.perSecond >= DECISION_TARGET &&
      cordon.perSecond / cedar.perSecond >= PEER_FACTOR &&
      cordon.perSecond / casbin.perSecond >= PEER_FACTOR,
  };

  process.stderr.write('PSL…\n');
  const { benchPsl } = await import('./psl.ts');
  const psl = await benchPsl();
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
  out.psl = psl;

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

  mkdirSync(join(ROOT, 'out'), { recursive: true });
  writeFileSync(join(ROOT, 'out', 'bench.json'), `${JSON.stringify(out, null, 2)}\n`);
  console.log('\nfigures written to out/bench.json');
}

await main();
