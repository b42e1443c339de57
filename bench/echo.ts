// Decisions per second of the echo example's policy (examples/echo): each
// request from the client is checked by the Regex model (`re.match` with
// `^[ -~]*$` on the message text). The baseline, measured in the same run,
// is the same policy with that assertion replaced by `grant ()`: the ratio
// is what the regular expression costs. Both decide the same fixed events
// (texts of 0..64 characters, a quarter of them with a control character,
// which the echo policy denies and the baseline grants).
//
// Run alone with `node --import tsx bench/echo.ts`.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadSolution } from '../src/solution/load.ts';
import { loadPolicy } from '../src/policy/psl/resolve.ts';
import { compilePsl } from '../src/policy/compile/index.ts';
import { createMonitor } from '../src/monitor/monitor.ts';
import { securityEvent } from '../src/kernel/ipc.ts';
import type { CompiledPolicy, SecurityEvent } from '../src/monitor/types.ts';
import { ROOT } from '../src/evidence/report.ts';
import { xorshift } from './prng.ts';

const ECHO = join(ROOT, 'examples', 'echo');
const ASSERT = 'assert (re.match {text : message.text, pattern : "^[ -~]*$"})';

export interface EchoBench {
  /** the echo policy, compiled (policy.decide only) */
  readonly policyPerSecond: number;
  /** the echo policy behind the monitor (message check against echo.Echo.Say, then the policy) */
  readonly monitorPerSecond: number;
  /** the baseline: the same policy without the regex assertion, compiled */
  readonly baselinePerSecond: number;
  /** the events decided, and how many the echo policy grants */
  readonly events: number;
  readonly granted: number;
}

/** Say requests from the client to the server: printable texts, a quarter with a control character. */
function sayEvents(count: number): SecurityEvent[] {
  const loaded = loadSolution(ECHO);
  const T = loaded.tables;
  const client = T.classByName.get('echo.Client')!;
  const server = T.classByName.get('echo.Server')!;
  const ep = T.classes[server]!.endpoints.find((e) => e.name === 'echo')!;
  const mid = T.interfaces[ep.iface]!.methods.findIndex((m) => m.name === 'Say');
  const rnd = xorshift(12);
  const out: SecurityEvent[] = [];
  for (let i = 0; i < count; i++) {
    const n = rnd() % 65;
    let text = '';
    for (let k = 0; k < n; k++) text += String.fromCharCode(32 + (rnd() % 95));
    if (i % 4 === 3 && n > 0) text = `${text.slice(0, n - 1)}\t`;
    out.push(
      securityEvent(T, {
        kind: 'request',
        src: 2,
        srcClass: client,
        dst: 3,
        dstClass: server,
        riid: ep.riid,
        mid,
        payload: { text },
        rights: [],
      }),
    );
  }
  return out;
}

/** Decisions per second: the best of three windows of at least `minMs` each (the machine may be shared). */
function perSecond(
  decide: (e: SecurityEvent) => boolean,
  events: readonly SecurityEvent[],
  expected: number,
  minMs = 250,
): number {
  const run = () => {
    let g = 0;
    for (let i = 0; i < events.length; i++) if (decide(events[i]!)) g++;
    if (g !== expected) throw new Error(`${g} grants, expected ${expected}`);
    return events.length;
  };
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

export function benchEcho(): EchoBench {
  const loaded = loadSolution(ECHO);
  const events = sayEvents(10_000);
  const top = join(ECHO, 'einit', 'src', 'security.psl');
  const text = readFileSync(top, 'utf8');
  if (!text.includes(ASSERT)) throw new Error(`the echo policy no longer has the assertion ${ASSERT}`);
  const baselineAst = loadPolicy(top, {
    searchPath: [join(ECHO, 'einit', 'src')],
    readFile: (p) => (p === top ? text.replace(ASSERT, 'grant ()') : readIfExists(p)),
  });
  const baseline: CompiledPolicy = compilePsl(baselineAst, loaded.tables, { name: 'echo without the regex' });
  const policy = loaded.policy;
  const monitor = createMonitor(loaded.tables, policy);
  const s = policy.initial;
  const granted = events.filter((e) => policy.decide(s, e).verdict === 'grant').length;
  if (granted === 0 || granted === events.length)
    throw new Error(`the echo events should mix grants and denials (${granted} of ${events.length} granted)`);
  if (events.some((e) => baseline.decide(baseline.initial, e).verdict !== 'grant'))
    throw new Error('the baseline should grant every Say request');
  if (events.some((e) => monitor.decide(monitor.initial, e).verdict !== policy.decide(s, e).verdict))
    throw new Error('the monitor and the policy disagree on an echo event');
  return {
    policyPerSecond: perSecond((e) => policy.decide(s, e).verdict === 'grant', events, granted),
    monitorPerSecond: perSecond((e) => monitor.decide(monitor.initial, e).verdict === 'grant', events, granted),
    baselinePerSecond: perSecond(
      (e) => baseline.decide(baseline.initial, e).verdict === 'grant',
      events,
      events.length,
    ),
    events: events.length,
    granted,
  };
}

function readIfExists(p: string): string | undefined {
  try {
    return readFileSync(p, 'utf8');
  } catch {
    return undefined;
  }
}

/** The rows `npm run bench` prints, as ratios to the baseline. */
export function echoRows(r: EchoBench): { loop: string; 'decisions/s': string; 'vs baseline': string }[] {
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
  return [
    {
      loop: 'echo policy, compiled (re.match on every request)',
      'decisions/s': fmt(r.policyPerSecond),
      'vs baseline': `${(r.policyPerSecond / r.baselinePerSecond).toFixed(3)}x`,
    },
    {
      loop: 'echo policy behind the monitor (message check + policy)',
      'decisions/s': fmt(r.monitorPerSecond),
      'vs baseline': `${(r.monitorPerSecond / r.baselinePerSecond).toFixed(3)}x`,
    },
    {
      loop: 'baseline: the same policy without the regex assertion',
      'decisions/s': fmt(r.baselinePerSecond),
      'vs baseline': '1.000x',
    },
  ];
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const r = benchEcho();
  console.log(
    `echo policy: ${r.events.toLocaleString('en-US')} Say requests, ${r.granted.toLocaleString('en-US')} granted`,
  );
  console.table(echoRows(r));
}
