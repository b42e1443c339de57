/**
 * Readers of TLC's statistics messages. Numbers may be localised
 * ("107,579,561", "1.234.567", "1 234 567"), so every number is read with
 * `parseLocalizedInt`.
 */
import type { TlcProgress } from './codecs.ts';
import { parseLocalizedInt } from './frames.ts';

/** A number token in any locale: starts and ends with a digit, separators in between. */
const N = String.raw`(-?\d(?:[\d,.'\u00a0\u202f ]*\d)?)`;

const PROGRESS = new RegExp(
  String.raw`Progress\((-?\d+)\) at .*?:\s*${N} states generated(?: \(${N} s\/min\))?,\s*${N} distinct states found(?: \(${N} ds\/min\))?,\s*${N} states left on queue`,
);
const FINAL = new RegExp(
  String.raw`${N} states generated,\s*${N} distinct states found(?:,\s*${N} states left on queue)?`,
);
const SIM_FINAL = new RegExp(String.raw`The number of states generated:\s*${N}`);
const INITIAL_DISTINCT = new RegExp(
  String.raw`Finished computing initial states:\s*${N} distinct states?(?:\(s\))? generated`,
);
const INITIAL_WITH = new RegExp(
  String.raw`Finished computing initial states:\s*${N} states? generated, with ${N} of them distinct`,
);
const INITIAL_PLAIN = new RegExp(String.raw`Finished computing initial states:\s*${N} states generated`);

const int = (s: string | undefined): number | null => (s === undefined ? null : parseLocalizedInt(s));
/** TLC prints -1 for "not counted" (simulation). */
const count = (s: string | undefined): number | null => {
  const v = int(s);
  return v === null || v < 0 ? null : v;
};

/** Reads 2200 (BFS) and 2209 (simulation) progress reports. */
export function parseProgressReport(text: string): TlcProgress | null {
  const m = PROGRESS.exec(text);
  if (!m) return null;
  const generated = count(m[2]);
  if (generated === null) return null;
  const depth = int(m[1]);
  return {
    phase: 'progress',
    depth: depth !== null && depth >= 0 ? depth : null,
    generated,
    statesPerMinute: count(m[3]),
    distinct: count(m[4]),
    distinctPerMinute: count(m[5]),
    leftOnQueue: count(m[6]),
  };
}

/** Reads 2199 (final BFS statistics) and 2210 (simulation statistics). */
export function parseFinalStats(text: string): TlcProgress | null {
  const m = FINAL.exec(text);
  if (m) {
    const generated = count(m[1]);
    if (generated === null) return null;
    return {
      phase: 'final',
      depth: null,
      generated,
      distinct: count(m[2]),
      leftOnQueue: count(m[3]),
      statesPerMinute: null,
      distinctPerMinute: null,
    };
  }
  const s = SIM_FINAL.exec(text);
  if (s) {
    const generated = count(s[1]);
    if (generated === null) return null;
    return {
      phase: 'final',
      depth: null,
      generated,
      distinct: null,
      leftOnQueue: null,
      statesPerMinute: null,
      distinctPerMinute: null,
    };
  }
  return null;
}

/** Reads 2190 and its variants (initial states computed). */
export function parseInitialStates(text: string): TlcProgress | null {
  let generated: number | null = null;
  let distinct: number | null = null;
  const w = INITIAL_WITH.exec(text);
  const d = INITIAL_DISTINCT.exec(text);
  const p = INITIAL_PLAIN.exec(text);
  if (w) {
    generated = count(w[1]);
    distinct = count(w[2]);
  } else if (d) {
    generated = count(d[1]);
    distinct = generated;
  } else if (p) {
    generated = count(p[1]);
  }
  if (generated === null) return null;
  return {
    phase: 'initial',
    depth: 1,
    generated,
    distinct,
    leftOnQueue: null,
    statesPerMinute: null,
    distinctPerMinute: null,
  };
}

/** Reads 2194, "The depth of the complete state graph search is D." */
export function parseDepth(text: string): number | null {
  const m = new RegExp(String.raw`depth of the complete state graph search is ${N}`).exec(text);
  return m ? int(m[1]) : null;
}

/**
 * Reads 2186, "Finished in 502ms at (…)" under -tool, or the human-readable
 * forms "01s", "01min 30s", "02h 05min", "1d 03h" (distributed server).
 */
export function parseTlcDuration(text: string): number | null {
  const m = /Finished in (.+?) at\b/.exec(text);
  if (!m) return null;
  const d = m[1]!.trim();
  const ms = /^(\d+)\s*ms$/.exec(d);
  if (ms) return Number(ms[1]);
  const units: Record<string, number> = { d: 86_400_000, h: 3_600_000, min: 60_000, s: 1000 };
  let total = 0;
  let matched = false;
  for (const part of d.split(/\s+/)) {
    const u = /^(\d+)(d|h|min|s)$/.exec(part);
    if (!u) return null;
    total += Number(u[1]) * units[u[2]!]!;
    matched = true;
  }
  return matched ? total : null;
}

/** Reads the fingerprint-collision estimates of 2193. */
export function parseCollisionProbability(text: string): { calculated: number | null; observed: number | null } | null {
  const num = String.raw`val = (-?[0-9.]+(?:E-?\d+)?)`;
  const calc = new RegExp(String.raw`calculated \(optimistic\):\s*${num}`).exec(text);
  const obs = new RegExp(String.raw`based on the actual fingerprints:\s*${num}`).exec(text);
  if (!calc && !obs) return null;
  const f = (m: RegExpExecArray | null): number | null => {
    if (!m) return null;
    const v = Number(m[1]);
    return Number.isFinite(v) ? v : null;
  };
  return { calculated: f(calc), observed: f(obs) };
}
