// PSL decisions per second.
//
// (1) The 200-rule allow-list of bench/decisions.ts (20 classes x 5 methods
//     x 2 destinations), written in PSL as 200 one-line bindings, compiled,
//     decided on the same 100,000 interned queries. Every verdict must agree
//     with the intermediate-rule compiler's.
// (2) A policy with dynamic rules — a Flow state machine per server, a
//     HashSet, and assertions over message fields — decided by the compiled
//     policy and by the reference interpreter on the same event sequence,
//     threading the monitor state; both must agree on every decision.
// (3) The allow-list of (1) with such a dynamic body in each of its 200
//     bindings, compiled vs interpreted in the same way.
//
// Run alone with `node --import tsx bench/psl.ts`.

import { fileURLToPath } from 'node:url';
import { compilePsl, interpretPsl } from '../src/policy/compile/index.ts';
import { loadPolicy } from '../src/policy/psl/resolve.ts';
import { rulesKey, type CompiledPolicy, SecurityEvent } from '../src/monitor/types.ts';
import { CLASSES, METHODS, allowed, cordonSetup, queries } from './decisions.ts';
import { xorshift } from './prng.ts';

const cls = (i: number) => `bench.C${i}`;
const meth = (m: number) => `M${m}`;

/** The 200-rule allow-list in PSL. */
export function allowListPsl(): string {
  const lines = ['execute: kl.core.Execute', 'use nk.base._', 'use EDL Einit', 'use EDL kl.core.Core'];
  for (let i = 0; i < CLASSES; i++) lines.push(`use EDL ${cls(i)}`);
  for (let i = 0; i < CLASSES; i++)
    for (const d of [(i + 1) % CLASSES, (i + 3) % CLASSES])
      for (let m = 0; m < METHODS; m++)
        lines.push(`request src = ${cls(i)}, dst = ${cls(d)}, endpoint = e, method = ${meth(m)} { grant () }`);
  return `${lines.join('\n')}\n`;
}

/** A policy whose request decisions run model code: Flow per server, a HashSet per client, message checks. */
export function dynamicPsl(): string {
  return `execute: kl.core.Execute
use nk.base._
use nk.flow._
use nk.hashmap._

policy object phase : Flow {
    type State = "idle" | "busy" | "closed"
    config = { states : ["idle", "busy", "closed"], initial : "idle"
             , transitions : { "idle" : ["busy", "closed"], "busy" : ["idle"], "closed" : [] } }
}
policy object seen : HashSet {
    type Entry = UInt32
    config = { set_size : 64, pool_size : 32 }
}

execute { grant () }
execute src = Einit {
    phase.init {sid : dst_sid}
    seen.init {sid : dst_sid}
}

request endpoint = e {
    match method = M0 { assert (message.v < 1000 && message.v != 13) }
    match method = M1 { phase.enter {sid : dst_sid, state : "busy"} }
    match method = M2 { phase.enter {sid : dst_sid, state : "idle"} }
    match method = M3 {
        choice (phase.query {sid : dst_sid}) {
            "idle" : { seen.add {sid : src_sid, entry : message.v} }
            _      : deny ()
        }
    }
    match method = M4 { deny (seen.contains {sid : src_sid, entry : message.v}) }
}
response { grant () }
`;
}

/**
 * The allow-list of (1) with a dynamic body in every binding: the same 200
 * (client, server, method) triples, each checking message fields or moving
 * the server's Flow state machine — as a real policy says who may call whom
 * and what each call may do. The interpreter walks all 200 bindings per event.
 */
export function dynamicAllowListPsl(): string {
  const head = dynamicPsl().split('\nexecute { grant () }')[0]!;
  const body = [
    'assert (message.v < 1000 && message.v != 13)',
    'phase.enter {sid : dst_sid, state : "busy"}',
    'phase.enter {sid : dst_sid, state : "idle"}',
    'choice (phase.query {sid : dst_sid}) { "idle" : { seen.add {sid : src_sid, entry : message.v} } _ : deny () }',
    'deny (seen.contains {sid : src_sid, entry : message.v})',
  ];
  const lines = [
    head,
    'execute { grant () }',
    'execute src = Einit {',
    '    phase.init {sid : dst_sid}',
    '    seen.init {sid : dst_sid}',
    '}',
  ];
  for (let i = 0; i < CLASSES; i++) lines.push(`use EDL ${cls(i)}`);
  for (let i = 0; i < CLASSES; i++)
    for (const d of [(i + 1) % CLASSES, (i + 3) % CLASSES])
      for (let m = 0; m < METHODS; m++)
        lines.push(`request src = ${cls(i)}, dst = ${cls(d)}, endpoint = e, method = ${meth(m)} { ${body[m]} }`);
  lines.push('response { grant () }');
  return `${lines.join('\n')}\n`;
}

export function compileText(text: string, name: string, tables: ReturnType<typeof cordonSetup>['tables']) {
  const files = new Map([[`bench/${name}`, text]]);
  const policy = loadPolicy(`bench/${name}`, { searchPath: ['bench'], readFile: (p) => files.get(p) });
  return { compiled: compilePsl(policy, tables), interpreted: interpretPsl(policy, tables) };
}

/** Decisions per second: the best of three windows of at least `minMs` each (the machine may be shared). */
function perSecond(run: () => number, minMs = 250): number {
  run(); // warm-up
  let best = 0;
  for (let w = 0; w < 3; w++) {
    let n = 0;
    const t0 = performance.now();
    do n += run();
    while (performance.now() - t0 < minMs);
    best = Math.max(best, (n / (performance.now() - t0)) * 1000);
  }
  return best;
}

/** A fixed event sequence for the dynamic policy: process starts, then requests with random methods and values. */
function dynamicEvents(c: ReturnType<typeof cordonSetup>, count: number): SecurityEvent[] {
  const T = c.tables;
  const rnd = xorshift(7);
  const out: SecurityEvent[] = [];
  for (let i = 0; i < CLASSES; i++)
    out.push({
      kind: 'execute',
      src: 1,
      srcClass: 1,
      dst: i + 2,
      dstClass: T.classByName.get(cls(i))!,
      endpoint: -1,
      method: -1,
      iface: -1,
      riid: -1,
      mid: -1,
      message: null,
      transfers: [],
    });
  while (out.length < count) {
    const q = { src: rnd() % CLASSES, dst: rnd() % CLASSES, method: rnd() % METHODS };
    out.push({ ...c.event(q), message: { v: rnd() % 1200 } });
  }
  return out;
}

function runSequence(policy: CompiledPolicy, events: readonly SecurityEvent[]): { grants: number; verdicts: string } {
  let state = policy.initial;
  let grants = 0;
  const verdicts: string[] = [];
  for (const e of events) {
    const d = policy.decide(state, e);
    if (d.verdict === 'grant') {
      state = d.next;
      grants++;
    }
    verdicts.push(`${d.verdict} ${rulesKey(d)}`);
  }
  return { grants, verdicts: verdicts.join('\n') };
}

/** The timed loop: decisions only, state threaded; returns the number of decisions. */
function timedSequence(policy: CompiledPolicy, events: readonly SecurityEvent[], expectedGrants: number): number {
  let state = policy.initial;
  let grants = 0;
  for (let i = 0; i < events.length; i++) {
    const d = policy.decide(state, events[i]!);
    if (d.verdict === 'grant') {
      state = d.next;
      grants++;
    }
  }
  if (grants !== expectedGrants) throw new Error(`${policy.name}: ${grants} grants, expected ${expectedGrants}`);
  return events.length;
}

/** Compiled vs interpreted on each stateful policy of this file (target: compiled >= 5x the interpreter). */
export const SPEEDUP_TARGET = 5;
export function speedupLines(rows: readonly { name: string; decisionsPerSecond: number }[]): string[] {
  const pairs: [string, number, number][] = [
    ['dynamic rules (Flow, HashSet, message checks)', 1, 2],
    ['200 bindings with dynamic bodies', 3, 4],
  ];
  return pairs.map(([what, c, i]) => {
    const r = rows[c]!.decisionsPerSecond / rows[i]!.decisionsPerSecond;
    return `compiled / interpreted, ${what}: ${r.toFixed(2)}x (target >= ${SPEEDUP_TARGET}x: ${r >= SPEEDUP_TARGET ? 'met' : 'NOT met'})`;
  });
}

export async function benchPsl(): Promise<{ name: string; decisionsPerSecond: number }[]> {
  const c = cordonSetup();
  const qs = queries();
  const events = qs.map(c.event);

  // (1) static allow-list
  const allow = compileText(allowListPsl(), 'allow.psl', c.tables).compiled;
  const st = allow.initial;
  events.forEach((e, i) => {
    const q = qs[i]!;
    const psl = allow.decide(st, e).verdict === 'grant';
    if (psl !== allowed(q.src, q.dst, q.method) || psl !== (c.policy.decide(c.policy.initial, e).verdict === 'grant'))
      throw new Error(`the PSL allow-list disagrees with the rule compiler on query ${i}: ${JSON.stringify(q)}`);
  });
  const staticRate = perSecond(() => {
    let g = 0;
    for (let i = 0; i < events.length; i++) if (allow.decide(st, events[i]!).verdict === 'grant') g++;
    if (g !== events.length / 2) throw new Error(`expected half of the queries granted, got ${g}`);
    return events.length;
  });

  // (2) dynamic rules, compiled vs interpreted
  const dyn = compileText(dynamicPsl(), 'dynamic.psl', c.tables);
  const seq = dynamicEvents(c, 20_000);
  const a = runSequence(dyn.compiled, seq);
  const b = runSequence(dyn.interpreted, seq);
  if (a.verdicts !== b.verdicts) throw new Error('the compiled and the interpreted dynamic policy disagree');
  if (a.grants === 0 || a.grants === seq.length)
    throw new Error(`the dynamic sequence should mix grants and denials (${a.grants} of ${seq.length} granted)`);
  const compiledRate = perSecond(() => timedSequence(dyn.compiled, seq, a.grants));
  const interpretedRate = perSecond(() => timedSequence(dyn.interpreted, seq, a.grants));
  // (3) 200 bindings with dynamic bodies, compiled vs interpreted
  const big = compileText(dynamicAllowListPsl(), 'dynamic-200.psl', c.tables);
  const a2 = runSequence(big.compiled, seq);
  if (a2.verdicts !== runSequence(big.interpreted, seq).verdicts)
    throw new Error('the compiled and the interpreted 200-binding dynamic policy disagree');
  if (a2.grants === 0 || a2.grants === seq.length)
    throw new Error(`the 200-binding sequence should mix grants and denials (${a2.grants} of ${seq.length} granted)`);
  const bigCompiled = perSecond(() => timedSequence(big.compiled, seq, a2.grants));
  const bigInterpreted = perSecond(() => timedSequence(big.interpreted, seq, a2.grants));
  return [
    { name: 'PSL compiled, 200-rule static allow-list (interned events)', decisionsPerSecond: staticRate },
    { name: 'PSL compiled, dynamic rules (Flow, HashSet, message checks)', decisionsPerSecond: compiledRate },
    { name: 'PSL reference interpreter, same dynamic rules', decisionsPerSecond: interpretedRate },
    { name: 'PSL compiled, 200 bindings with dynamic bodies', decisionsPerSecond: bigCompiled },
    { name: 'PSL reference interpreter, same 200 bindings', decisionsPerSecond: bigInterpreted },
  ];
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const rows = await benchPsl();
  console.table(
    rows.map((r) => ({ policy: r.name, 'decisions/s': Math.round(r.decisionsPerSecond).toLocaleString('en-US') })),
  );
  for (const l of speedupLines(rows)) console.log(`  ${l}`);
}
