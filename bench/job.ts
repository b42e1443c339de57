// One bench job, run alone in this process by bench/child.ts:
//   node --import tsx bench/job.ts <job> '<json params>'
// prints one JSON line. Every job times its engine with bench/harness.ts.
//
// Jobs:
//   decide {engine}             the 200-rule allow-list of bench/decisions.ts, one engine:
//                               policy | monitor | psl | psl-monitor | map | bitmap | cedar | casbin
//   ipc {layout, processes, others, monitor, minMs?}
//                               mediated round trips between the first client and its server in a
//                               solution of `processes` processes: layout pairs (client i ↔ server i)
//                               or star (every client ↔ one server); the measured pair has a higher
//                               priority; the other processes either ready in the run queue (others:
//                               ready) or all blocked (idle: servers in Recv, clients asleep); monitor
//                               policy (rule form) or grant-all
//   ipc-example {example}       mediated round trips on an example (ping: PSL with a Flow per client,
//                               alternating Ping and Pong; ping-rules: the rule form)
//   flow {clients, engine}      the ping example's Flow policy with `clients` Flow-tracked clients,
//                               requests round-robin over them: monitor | compiled | interpreted
//   rules {rules, engine}       an allow-list of `rules` rules over 200 classes: cordon | cedar | casbin;
//                               also the memory the compiled table holds (JS heap and typed arrays)
//   psl-compile {bindings}      warm compile time (compilePsl) of a PSL allow-list of `bindings` bindings,
//                               and its parse time (loadPolicy) beside it

import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newEnforcer, newModelFromString, StringAdapter } from 'casbin';
import { preparsePolicySet, statefulIsAuthorized, getCedarVersion } from '@cedar-policy/cedar-wasm/nodejs';
import * as t from 'io-ts';
import { getBoard, DEFAULT_BOARD } from '../boards/index.ts';
import { bootWith } from '../src/kernel/boot.ts';
import { step } from '../src/kernel/step.ts';
import { compileSolution, type SolutionDecl } from '../src/kernel/tables.ts';
import { Nat, KERNEL_ENDPOINTS, SERVICE_ARGS } from '../src/kernel/kernel-api.ts';
import { KERNEL_HANDLE, type KernelEvent, type KernelState } from '../src/kernel/types.ts';
import { createMonitor, type Monitor } from '../src/monitor/monitor.ts';
import { compileRules, type AllowRule } from '../src/monitor/rules.ts';
import { rulesKey, type CompiledPolicy, type SecurityEvent } from '../src/monitor/types.ts';
import { compilePsl, interpretPsl } from '../src/policy/compile/index.ts';
import { loadPolicy } from '../src/policy/psl/resolve.ts';
import { loadSolution } from '../src/solution/load.ts';
import { ROOT } from '../src/evidence/report.ts';
import { CASBIN_MODEL, CLASSES, METHODS, allowed, cedarPolicyText, cordonSetup, queries } from './decisions.ts';
import { allowListPsl, compileText } from './psl.ts';
import { timeWindows, type Timing } from './harness.ts';
import { xorshift } from './prng.ts';

type Params = Record<string, unknown>;
const num = (p: Params, k: string): number => {
  const v = p[k];
  if (typeof v !== 'number') throw new Error(`bench job: ${k} must be a number`);
  return v;
};
const str = (p: Params, k: string): string => {
  const v = p[k];
  if (typeof v !== 'string') throw new Error(`bench job: ${k} must be a string`);
  return v;
};

const digest = (verdicts: Uint8Array) => createHash('sha256').update(verdicts).digest('hex').slice(0, 16);

/* ------------------------------------------------------------------ decide */

async function decide(p: Params) {
  const engine = str(p, 'engine');
  const qs = queries();
  const n = qs.length;
  let one: (i: number) => boolean;
  let name: string;
  const c = cordonSetup();
  const events = qs.map(c.event);
  const names = qs.map((q) => [`bench.C${q.src}`, `bench.C${q.dst}`, `M${q.method}`] as const);
  switch (engine) {
    case 'policy': {
      const policy = c.policy;
      const st = policy.initial;
      name = 'cordon compiled rule form (bare policy)';
      one = (i) => policy.decide(st, events[i]!).verdict === 'grant';
      break;
    }
    case 'monitor': {
      const monitor = c.monitor;
      const st = c.policy.initial;
      name = 'cordon monitor, rule form (message check + policy: what the kernel calls)';
      one = (i) => monitor.decide(st, events[i]!).verdict === 'grant';
      break;
    }
    case 'psl':
    case 'psl-monitor': {
      const psl = compileText(allowListPsl(), 'allow.psl', c.tables).compiled;
      const st = psl.initial;
      if (engine === 'psl') {
        name = 'cordon compiled PSL (bare policy)';
        one = (i) => psl.decide(st, events[i]!).verdict === 'grant';
      } else {
        const monitor = createMonitor(c.tables, psl);
        name = 'cordon monitor, PSL (message check + policy)';
        one = (i) => monitor.decide(st, events[i]!).verdict === 'grant';
      }
      break;
    }
    case 'map': {
      const keys = new Set<string>();
      for (let i = 0; i < CLASSES; i++)
        for (let d = 0; d < CLASSES; d++)
          for (let m = 0; m < METHODS; m++) if (allowed(i, d, m)) keys.add(`bench.C${i}|bench.C${d}|M${m}`);
      name = 'string-keyed Map';
      one = (i) => {
        const [s, d, m] = names[i]!;
        return keys.has(`${s}|${d}|${m}`);
      };
      break;
    }
    case 'bitmap': {
      const bitmap = new Uint8Array(CLASSES * CLASSES * METHODS);
      for (let i = 0; i < CLASSES; i++)
        for (let d = 0; d < CLASSES; d++)
          for (let m = 0; m < METHODS; m++) bitmap[(i * CLASSES + d) * METHODS + m] = allowed(i, d, m) ? 1 : 0;
      const packed = Int32Array.from(qs, (q) => (q.src * CLASSES + q.dst) * METHODS + q.method);
      name = 'pre-interned bitmap (floor)';
      one = (i) => bitmap[packed[i]!] === 1;
      break;
    }
    case 'cedar': {
      const pre = preparsePolicySet('bench-200', { staticPolicies: cedarPolicyText() });
      if (pre.type !== 'success') throw new Error(`Cedar refused the policy: ${JSON.stringify(pre)}`);
      name = `Cedar wasm ${getCedarVersion()} (preparsed, statefulIsAuthorized)`;
      one = (i) => {
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
      };
      break;
    }
    case 'casbin': {
      const lines: string[] = [];
      for (let i = 0; i < CLASSES; i++)
        for (const d of [(i + 1) % CLASSES, (i + 3) % CLASSES])
          for (let m = 0; m < METHODS; m++) lines.push(`p, bench.C${i}, bench.C${d}, M${m}`);
      const enforcer = await newEnforcer(newModelFromString(CASBIN_MODEL), new StringAdapter(lines.join('\n')));
      name = 'Casbin (enforceSync)';
      one = (i) => {
        const [s, d, m] = names[i]!;
        return enforcer.enforceSync(s, d, m);
      };
      break;
    }
    default:
      throw new Error(`bench job decide: unknown engine ${engine}`);
  }
  const verdicts = new Uint8Array(n);
  for (let i = 0; i < n; i++) verdicts[i] = one(i) ? 1 : 0;
  // slow engines get a slice of the queries per batch so a window stays short
  const slice = engine === 'cedar' || engine === 'casbin' ? 2_000 : n;
  let at = 0;
  let sink = 0;
  const timing = timeWindows(() => {
    for (let k = 0; k < slice; k++) {
      sink += one(at) ? 1 : 0;
      at = at + 1 === n ? 0 : at + 1;
    }
    return slice;
  });
  return { name, timing, verdicts: digest(verdicts), hits: verdicts.reduce((a, v) => a + v, 0), sink: sink > 0 };
}

/* ------------------------------------------------------------------ ipc at scale */

function scaleSolutionYaml(layout: string, processes: number): string {
  const clients = layout === 'star' ? processes - 1 : Math.floor(processes / 2);
  const servers = layout === 'star' ? 1 : Math.floor(processes / 2);
  if (clients < 1 || servers < 1) throw new Error(`bench job ipc: ${processes} processes are too few for ${layout}`);
  const lines = [
    `name: scale-${layout}-${processes}`,
    'interfaces:',
    '  - name: ping.Pinger',
    '    methods:',
    '      - { name: Ping, in: { value: UInt32 }, out: { value: UInt32 } }',
    'classes:',
    '  - name: ping.Client',
    '  - name: ping.Server',
    '    endpoints:',
    '      - { name: pinger, interface: ping.Pinger }',
    'processes:',
  ];
  // the measured pair (c0, s0) has a higher priority, so the others can stay ready in the run queue
  for (let i = 0; i < clients; i++)
    lines.push(`  - { name: c${i}, class: ping.Client${i === 0 ? ', priority: 20' : ''} }`);
  for (let i = 0; i < servers; i++)
    lines.push(`  - { name: s${i}, class: ping.Server${i === 0 ? ', priority: 20' : ''} }`);
  lines.push('connections:');
  for (let i = 0; i < clients; i++)
    lines.push(`  - { client: c${i}, server: s${layout === 'star' ? 0 : i}, id: k${i} }`);
  lines.push(
    'policy:',
    '  - { id: start, kind: execute, src: Einit }',
    '  - { id: ping, kind: request, src: ping.Client, dst: ping.Server, endpoint: pinger, method: Ping }',
    '  - { id: answer, kind: response, src: ping.Server, dst: ping.Client, endpoint: pinger }',
    '  - { id: sleep, kind: request, src: ping.Client, dst: kl.core.Core, endpoint: thread, method: Sleep }',
  );
  return `${lines.join('\n')}\n`;
}

const GRANT_ALL = Object.freeze([{ id: 'bench-grant-all' }]);
const grantAll = (m: Monitor): Monitor => ({
  ...m,
  decide: (state) => ({ verdict: 'grant', rules: GRANT_ALL, next: state }),
});

interface Pair {
  readonly clientHandle: number;
  readonly serverHandle: number;
  readonly client: number;
  readonly server: number;
}

/** Boots the solution, parks every thread but the measured pair, and returns a loop of round trips. */
function roundTripLoop(
  loaded: ReturnType<typeof loadSolution>,
  monitor: Monitor,
  others: string,
  alternate: readonly { riid: number; mid: number }[],
  replyPayload: unknown,
): () => number {
  const machine = { ...getBoard(DEFAULT_BOARD).toMachine(), cpus: 2 };
  const b = bootWith(loaded.tables, monitor, machine);
  const tidOf = (sid: number) => b.state.threads.find((x) => x.sid === sid)!.tid;
  const conns = b.connections;
  const first = conns[0]!;
  const pair: Pair = {
    clientHandle: first.clientHandle,
    serverHandle: first.serverHandle,
    client: tidOf(first.client),
    server: tidOf(first.server),
  };
  let s: KernelState = b.state;
  const go = (e: KernelEvent) => {
    const r = step(s, e);
    if (r.rejected !== undefined) throw new Error(`bench event rejected: ${r.rejected}`);
    s = r.state;
  };
  // every server waits in Recv on its endpoint; in the idle layout every other client sleeps
  const recvOf = new Map<number, number>();
  for (const c of conns) if (!recvOf.has(tidOf(c.server))) recvOf.set(tidOf(c.server), c.serverHandle);
  recvOf.set(pair.server, pair.serverHandle);
  const thread = KERNEL_ENDPOINTS.indexOf('thread');
  const sleepMid = (Object.keys(SERVICE_ARGS) as string[])
    .filter((n) => n.startsWith('thread.'))
    .indexOf('thread.Sleep');
  // the measured client takes a CPU (X) and keeps it; the other CPU (Y) parks everyone else
  let x = -1;
  for (let guard = 0; x < 0 && guard < 4 * s.threads.length + 10; guard++)
    for (const cpu of [0, 1]) {
      if (x >= 0) break;
      go({ kind: 'schedule', cpu });
      const tid = s.cpus[cpu];
      if (tid === pair.client) x = cpu;
      else if (tid !== null && tid !== undefined && recvOf.has(tid))
        go({ kind: 'syscall', tid, call: { op: 'Recv', handle: recvOf.get(tid)! } });
    }
  if (x < 0) throw new Error('bench: could not schedule the measured client');
  const y = 1 - x;
  const parked = new Set<number>();
  for (let guard = 0; guard < 20 * s.threads.length + 100; guard++) {
    go({ kind: 'schedule', cpu: y });
    const tid = s.cpus[y];
    if (tid === null || tid === undefined) break;
    if (parked.has(tid)) continue;
    const recv = recvOf.get(tid);
    if (recv !== undefined) go({ kind: 'syscall', tid, call: { op: 'Recv', handle: recv } });
    else if (others === 'idle') {
      const call = {
        op: 'Call',
        handle: KERNEL_HANDLE,
        message: { riid: thread, mid: sleepMid, payload: { ns: 1e15 } },
      };
      go({ kind: 'syscall', tid, call } as KernelEvent);
    }
    parked.add(tid);
  }
  if (s.cpus[x] !== pair.client) throw new Error('bench: the measured client lost its CPU');
  const serverState = s.threads.get(pair.server)!.state.tag;
  if (serverState !== 'recv') throw new Error(`bench: the measured server is ${serverState}, not waiting in Recv`);
  const calls = alternate.map((m, k): KernelEvent => ({
    kind: 'syscall',
    tid: pair.client,
    call: { op: 'Call', handle: pair.clientHandle, message: { riid: m.riid, mid: m.mid, payload: { value: k + 1 } } },
  }));
  const reply: KernelEvent = {
    kind: 'syscall',
    tid: pair.server,
    call: { op: 'Reply', handle: pair.serverHandle, message: { riid: 0, mid: 0, payload: replyPayload } },
  };
  const recv: KernelEvent = { kind: 'syscall', tid: pair.server, call: { op: 'Recv', handle: pair.serverHandle } };
  // a round trip is measured only if it is one: the request and the response both granted, the call answered
  const granted = (e: KernelEvent, who: number) => {
    const r = step(s, e);
    const rc = r.results.find((x) => x.tid === who)?.rc;
    if (r.decisions.some((x) => x.decision.verdict !== 'grant') || rc !== 'rcOk')
      throw new Error(
        `bench: a warm-up round trip was not granted (${JSON.stringify(r.decisions.map((x) => x.decision))})`,
      );
  };
  // the server takes CPU X when the client blocks in Call; after its Reply and Recv, the client has it back
  const toServer: KernelEvent = { kind: 'schedule', cpu: x };
  const toClient: KernelEvent = { kind: 'schedule', cpu: x };
  const once = (k: number) => {
    go(calls[k % calls.length]!);
    go(toServer);
    if (s.cpus[x] !== pair.server)
      throw new Error(
        `bench: the server did not get the CPU: cpu ${x} runs ${s.cpus[x]}, server ${pair.server} ${JSON.stringify(s.threads.get(pair.server))}, client ${JSON.stringify(s.threads.get(pair.client))} queue ${JSON.stringify(s.runQueue)}`,
      );
    go(reply);
    go(recv);
    go(toClient);
    if (s.cpus[x] !== pair.client) throw new Error('bench: the client did not get the CPU back');
  };
  for (let k = 0; k < calls.length; k++) {
    granted(calls[k]!, pair.server);
    go(calls[k]!);
    go(toServer);
    granted(reply, pair.client);
    go(reply);
    go(recv);
    go(toClient);
  }
  let k = 0;
  return () => {
    for (let i = 0; i < 1000; i++) once(k++);
    return 1000;
  };
}

function ipc(p: Params) {
  const layout = str(p, 'layout');
  const processes = num(p, 'processes');
  const others = str(p, 'others');
  const dir = mkdtempSync(join(tmpdir(), 'cordon-bench-'));
  writeFileSync(join(dir, 'solution.yaml'), scaleSolutionYaml(layout, processes));
  const loaded = loadSolution(dir);
  const m = createMonitor(loaded.tables, loaded.policy);
  const monitor = str(p, 'monitor') === 'grant-all' ? grantAll(m) : m;
  const batch = roundTripLoop(loaded, monitor, others, [{ riid: 0, mid: 0 }], { value: 8 });
  // `minMs` (optional) lengthens the windows, e.g. for a CPU profile of the loop
  const minMs = typeof p.minMs === 'number' ? p.minMs : 200;
  return { timing: timeWindows(batch, { windows: 3, minMs }), processes: loaded.tables.processes.length };
}

function ipcExample(p: Params) {
  const example = str(p, 'example');
  const loaded = loadSolution(join(ROOT, 'examples', example));
  const monitor = createMonitor(loaded.tables, loaded.policy);
  // Ping then Pong: the ping example's Flow object makes them alternate; the server answers with the
  // methods' out parameter (examples/ping names it `reply`, ping-rules `value`)
  const batch = roundTripLoop(
    loaded,
    monitor,
    'ready',
    [
      { riid: 0, mid: 0 },
      { riid: 0, mid: 1 },
    ],
    example === 'ping' ? { reply: 8 } : { value: 8 },
  );
  // `minMs` (optional) lengthens the windows, e.g. for a CPU profile of the loop
  const minMs = typeof p.minMs === 'number' ? p.minMs : undefined;
  return { timing: timeWindows(batch, minMs === undefined ? {} : { minMs }) };
}

/* ------------------------------------------------------------------ Flow-tracked clients */

function flow(p: Params) {
  const clients = num(p, 'clients');
  const engine = str(p, 'engine');
  const solution: SolutionDecl = {
    name: 'bench-flow',
    interfaces: [
      {
        name: 'ping.Pinger',
        methods: ['Ping', 'Pong'].map((name) => ({
          name,
          request: t.type({ value: Nat }),
          response: t.unknown,
          error: t.unknown,
        })),
      },
    ],
    classes: [
      { name: 'ping.Client', endpoints: [] },
      { name: 'ping.Server', endpoints: [{ name: 'pinger', interface: 'ping.Pinger' }] },
    ],
    processes: [],
    connections: [],
  };
  const tables = compileSolution(solution);
  if (!tables.ok) throw new Error(tables.errors.join('\n'));
  const T = tables.value;
  const text = `execute: kl.core.Execute
use nk.base._
use nk.flow._
use EDL Einit
use EDL kl.core.Core
use EDL ping.Client
use EDL ping.Server
policy object turns : Flow {
    type State = "idle" | "pinged"
    config = { states : ["idle", "pinged"], initial : "idle"
             , transitions : { "idle" : ["pinged"], "pinged" : ["idle"] } }
}
execute { grant () }
execute src = Einit, dst = ping.Client { turns.init {sid : dst_sid} }
request src = ping.Client, dst = ping.Server, endpoint = pinger {
    match method = Ping { turns.enter {sid : src_sid, state : "pinged"} }
    match method = Pong { turns.enter {sid : src_sid, state : "idle"} }
}
response { grant () }
`;
  const files = new Map([['bench/flow.psl', text]]);
  const policy = loadPolicy('bench/flow.psl', { searchPath: ['bench'], readFile: (f) => files.get(f) });
  const compiled: CompiledPolicy = engine === 'interpreted' ? interpretPsl(policy, T) : compilePsl(policy, T);
  const monitor = createMonitor(T, compiled);
  const decide = engine === 'monitor' ? monitor.decide : compiled.decide;
  const clientClass = T.classByName.get('ping.Client')!;
  const serverClass = T.classByName.get('ping.Server')!;
  const serverSid = 2;
  const sidOf = (i: number) => 3 + i;
  const base = {
    endpoint: T.endpointNames.indexOf('pinger'),
    iface: T.interfaces.findIndex((x) => x.name === 'ping.Pinger'),
    riid: 0,
    transfers: [],
  };
  let state = compiled.initial;
  for (let i = 0; i < clients; i++) {
    const e: SecurityEvent = {
      kind: 'execute',
      src: 1,
      srcClass: 1,
      dst: sidOf(i),
      dstClass: clientClass,
      endpoint: -1,
      method: -1,
      iface: -1,
      riid: -1,
      mid: -1,
      message: null,
      transfers: [],
    };
    const d = decide(state, e);
    if (d.verdict !== 'grant') throw new Error('bench flow: execute denied');
    state = d.next;
  }
  // round robin: client i pings, then (a round later) pongs
  const rnd = xorshift(11);
  const order = Array.from({ length: clients }, (_, i) => i);
  for (let i = clients - 1; i > 0; i--) {
    const j = rnd() % (i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const events: SecurityEvent[] = [];
  for (const mid of [0, 1])
    for (const i of order)
      events.push({
        kind: 'request',
        src: sidOf(i),
        srcClass: clientClass,
        dst: serverSid,
        dstClass: serverClass,
        method: T.methodNames.indexOf(mid === 0 ? 'Ping' : 'Pong'),
        mid,
        message: { value: 1 },
        ...base,
      });
  // each batch walks the whole cycle (every client pings, then every client pongs), so the state returns
  const batchSize = Math.max(events.length, 20_000);
  let at = 0;
  const timing = timeWindows(() => {
    for (let k = 0; k < batchSize; k++) {
      const d = decide(state, events[at]!);
      if (d.verdict !== 'grant') throw new Error(`bench flow: denied ${rulesKey(d)}`);
      state = d.next;
      at = at + 1 === events.length ? 0 : at + 1;
    }
    return batchSize;
  });
  return { timing };
}

/* ------------------------------------------------------------------ rule count */

// 200 classes: 40,000 (src, dst) pairs, so even 10,000 rules leave pairs no rule names (the queries that miss)
const RULE_CLASSES = 200;

async function rules(p: Params) {
  const count = num(p, 'rules');
  const engine = str(p, 'engine');
  const triples: [number, number][] = [];
  for (let k = 0; k < count; k++) triples.push([k % RULE_CLASSES, Math.floor(k / RULE_CLASSES) % RULE_CLASSES]);
  const allowedSet = new Set(triples.map(([s, d]) => s * RULE_CLASSES + d));
  const rnd = xorshift(5);
  const qs: [number, number][] = [];
  while (qs.length < 20_000) {
    if (qs.length % 2 === 0) qs.push(triples[rnd() % triples.length]!);
    else {
      const s = rnd() % RULE_CLASSES;
      const d = rnd() % RULE_CLASSES;
      if (!allowedSet.has(s * RULE_CLASSES + d)) qs.push([s, d]);
    }
  }
  const cls = (i: number) => `r.C${i}`;
  let one: (i: number) => boolean;
  let heapBytes: number | null = null;
  let compileMs: number | null = null;
  if (engine === 'cordon') {
    const solution: SolutionDecl = {
      name: 'bench-rules',
      interfaces: [
        { name: 'r.I', methods: [{ name: 'M', request: t.type({ v: Nat }), response: t.unknown, error: t.unknown }] },
      ],
      classes: Array.from({ length: RULE_CLASSES }, (_, i) => ({
        name: cls(i),
        endpoints: [{ name: 'e', interface: 'r.I' }],
      })),
      processes: [],
      connections: [],
    };
    const tables = compileSolution(solution);
    if (!tables.ok) throw new Error(tables.errors.join('\n'));
    const T = tables.value;
    const list: AllowRule[] = triples.map(([s, d]) => ({
      kind: 'request',
      src: cls(s),
      dst: cls(d),
      endpoint: 'e',
      method: 'M',
    }));
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    // the JS heap and the typed arrays' backing stores (outside the heap) together: the whole table
    const held = () => {
      const u = process.memoryUsage();
      return u.heapUsed + u.arrayBuffers;
    };
    const before = held();
    const t0 = performance.now();
    const policy = compileRules(T, { name: 'bench-rules', rules: list });
    compileMs = performance.now() - t0;
    if (!policy.ok) throw new Error(policy.errors.join('\n'));
    gc?.();
    heapBytes = gc === undefined ? null : held() - before;
    const monitor = createMonitor(T, policy.value);
    const st = policy.value.initial;
    const method = T.methodNames.indexOf('M');
    const endpoint = T.endpointNames.indexOf('e');
    const events = qs.map(([s, d]): SecurityEvent => ({
      kind: 'request',
      src: s + 2,
      srcClass: T.classByName.get(cls(s))!,
      dst: d + 2,
      dstClass: T.classByName.get(cls(d))!,
      endpoint,
      method,
      iface: 0 + T.interfaces.findIndex((x) => x.name === 'r.I'),
      riid: 0,
      mid: 0,
      message: { v: 1 },
      transfers: [],
    }));
    one = (i) => monitor.decide(st, events[i]!).verdict === 'grant';
  } else if (engine === 'cedar') {
    const text = triples
      .map(
        ([s, d]) => `permit(principal == Class::"${cls(s)}", action == Action::"M", resource == Class::"${cls(d)}");`,
      )
      .join('\n');
    const id = `bench-rules-${count}`;
    const pre = preparsePolicySet(id, { staticPolicies: text });
    if (pre.type !== 'success') throw new Error(`Cedar refused the policy: ${JSON.stringify(pre)}`);
    one = (i) => {
      const [s, d] = qs[i]!;
      const a = statefulIsAuthorized({
        principal: { type: 'Class', id: cls(s) },
        action: { type: 'Action', id: 'M' },
        resource: { type: 'Class', id: cls(d) },
        context: {},
        preparsedPolicySetId: id,
        entities: [],
      });
      if (a.type !== 'success') throw new Error(`Cedar failed: ${JSON.stringify(a)}`);
      return a.response.decision === 'allow';
    };
  } else if (engine === 'casbin') {
    const lines = triples.map(([s, d]) => `p, ${cls(s)}, ${cls(d)}, M`);
    const enforcer = await newEnforcer(newModelFromString(CASBIN_MODEL), new StringAdapter(lines.join('\n')));
    one = (i) => {
      const [s, d] = qs[i]!;
      return enforcer.enforceSync(cls(s), cls(d), 'M');
    };
  } else throw new Error(`bench job rules: unknown engine ${engine}`);
  const verdicts = new Uint8Array(qs.length);
  for (let i = 0; i < qs.length; i++) verdicts[i] = one(i) ? 1 : 0;
  if (verdicts.reduce((a, v) => a + v, 0) !== qs.length / 2) throw new Error('bench rules: half the queries must hit');
  const slice = engine === 'cordon' ? qs.length : 100;
  let at = 0;
  const timing = timeWindows(
    () => {
      for (let k = 0; k < slice; k++) {
        one(at);
        at = at + 1 === qs.length ? 0 : at + 1;
      }
      return slice;
    },
    { windows: 3, minMs: 200 },
  );
  return { timing, verdicts: digest(verdicts), heapBytes, compileMs };
}

/* ------------------------------------------------------------------ PSL compile time */

function pslCompile(p: Params) {
  const bindings = num(p, 'bindings');
  const classes = Math.ceil(Math.sqrt(bindings));
  const solution: SolutionDecl = {
    name: 'bench-compile',
    interfaces: [
      { name: 'r.I', methods: [{ name: 'M', request: t.type({ v: Nat }), response: t.unknown, error: t.unknown }] },
    ],
    classes: Array.from({ length: classes }, (_, i) => ({
      name: `r.C${i}`,
      endpoints: [{ name: 'e', interface: 'r.I' }],
    })),
    processes: [],
    connections: [],
  };
  const tables = compileSolution(solution);
  if (!tables.ok) throw new Error(tables.errors.join('\n'));
  const lines = ['execute: kl.core.Execute', 'use nk.base._', 'use EDL Einit', 'use EDL kl.core.Core'];
  for (let i = 0; i < classes; i++) lines.push(`use EDL r.C${i}`);
  for (let k = 0; k < bindings; k++)
    lines.push(
      `request src = r.C${k % classes}, dst = r.C${Math.floor(k / classes) % classes}, endpoint = e, method = M { grant () }`,
    );
  const text = `${lines.join('\n')}\n`;
  const files = new Map([['bench/c.psl', text]]);
  const load = () => loadPolicy('bench/c.psl', { searchPath: ['bench'], readFile: (f) => files.get(f) });
  const policy = load();
  compilePsl(policy, tables.value); // warm
  const runs: { ms: number; cpuMs: number }[] = [];
  const parses: number[] = [];
  for (let r = 0; r < 5; r++) {
    const p0 = performance.now();
    load();
    parses.push(performance.now() - p0);
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    compilePsl(policy, tables.value);
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(c0);
    runs.push({ ms, cpuMs: (cpu.user + cpu.system) / 1000 });
  }
  // the median by CPU time (what the compile costs, whatever else the machine runs), its wall time beside it
  runs.sort((a, b) => a.cpuMs - b.cpuMs);
  parses.sort((a, b) => a - b);
  const mid = runs[2]!;
  const walls = runs.map((r) => r.ms).sort((a, b) => a - b);
  return {
    warmMs: mid.ms,
    minMs: walls[0]!,
    maxMs: walls[4]!,
    cpuMs: mid.cpuMs,
    minCpuMs: runs[0]!.cpuMs,
    maxCpuMs: runs[4]!.cpuMs,
    parseMs: parses[2]!,
  };
}

/* ------------------------------------------------------------------ main */

const JOBS: Record<string, (p: Params) => unknown> = {
  decide,
  ipc,
  'ipc-example': ipcExample,
  flow,
  rules,
  'psl-compile': pslCompile,
};

const [job, raw] = process.argv.slice(2);
const run = job === undefined ? undefined : JOBS[job];
if (run === undefined) {
  process.stderr.write(`bench/job.ts: unknown job ${job ?? '(none)'}; jobs: ${Object.keys(JOBS).join(', ')}\n`);
  process.exit(2);
}
const result = await run(JSON.parse(raw ?? '{}') as Params);
process.stdout.write(`${JSON.stringify(result satisfies unknown as Record<string, unknown> & { timing?: Timing })}\n`);
