/**
 * States as TLC prints them: trace states (message 2217), the state inside
 * an initial-state violation (2107) or an error message, and `-dump` files.
 *
 *   2: <Inc line 11, col 8 to line 14, col 33 of module Viol>
 *   /\ fn = <<"one", "two">>
 *   /\ x = 1
 *
 * With one variable the `/\ ` is dropped (`x = 1`). Long values wrap onto
 * indented continuation lines (TLC 2.18's pretty printer, width 80).
 */
import type { SourceRange, TraceState } from './codecs.ts';
import { tryParseTlaValue, type TlaValue } from './value.ts';

const RANGE = /line (\d+), col(?:umn)? (\d+) to line (\d+), col(?:umn)? (\d+) (?:of module|in) ([A-Za-z0-9_]+)/i;

/** Reads "line a, col b to line c, col d of module M" (or "Line a, column b to line c, column d in M") anywhere in `text`. */
export function parseSourceRange(text: string): SourceRange | null {
  const m = RANGE.exec(text);
  if (!m) return null;
  return {
    module: m[5]!,
    beginLine: Number(m[1]),
    beginColumn: Number(m[2]),
    endLine: Number(m[3]),
    endColumn: Number(m[4]),
  };
}

export interface StateHeader {
  readonly number: number;
  readonly action: string | null;
  readonly location: SourceRange | null;
  readonly initial: boolean;
}

/** Reads a trace state's first line, "n: <Action line … of module M>" or "n: <Initial predicate>". */
export function parseStateHeader(line: string): StateHeader | null {
  const m = /^\s*(\d+):\s*<(.*)>\s*$/.exec(line);
  if (!m) return null;
  const info = m[2]!.trim();
  const number = Number(m[1]);
  if (info === 'Initial predicate') return { number, action: 'Initial predicate', location: null, initial: true };
  const location = parseSourceRange(info);
  const name = location ? info.slice(0, info.search(/\s+line \d+, col/i)).trim() : info;
  // In simulation the first state carries the Init operator instead of "Initial predicate".
  return { number, action: name === '' ? null : name, location, initial: number === 1 };
}

/** Reads "n: Back to state: <Action …>" (message 2122). */
export function parseBackToState(
  text: string,
): { toState: number; action: string | null; location: SourceRange | null } | null {
  const m = /^\s*(\d+):\s*Back to state(?::\s*<(.*)>)?/.exec(text);
  if (!m) return null;
  const info = (m[2] ?? '').trim();
  const location = info === '' ? null : parseSourceRange(info);
  const name = location ? info.slice(0, info.search(/\s+line \d+, col/i)).trim() : info;
  return { toState: Number(m[1]), action: name === '' ? null : name, location };
}

/** Reads "n: Stuttering" (message 2218). */
export function parseStuttering(text: string): number | null {
  const m = /^\s*(\d+):\s*Stuttering\b/.exec(text);
  return m ? Number(m[1]) : null;
}

/**
 * Splits a state body into variables and parses each value. Values that are
 * not in TLC's value syntax land in `unparsed` with TLC's text.
 */
export function parseStateBody(lines: readonly string[]): {
  variables: Record<string, TlaValue>;
  unparsed: Record<string, string>;
} {
  const body = [...lines];
  while (body.length > 0 && body[body.length - 1]!.trim() === '') body.pop();
  while (body.length > 0 && body[0]!.trim() === '') body.shift();
  const entries: string[] = [];
  if (body.length > 0 && body[0]!.startsWith('/\\ ')) {
    for (const line of body) {
      if (line.startsWith('/\\ ')) entries.push(line.slice(3));
      else if (entries.length > 0) entries[entries.length - 1] += `\n${line}`;
    }
  } else if (body.length > 0) {
    entries.push(body.join('\n'));
  }
  const variables: Record<string, TlaValue> = {};
  const unparsed: Record<string, string> = {};
  for (const entry of entries) {
    const m = /^\s*([A-Za-z0-9_]+)\s*=\s*([\s\S]*)$/.exec(entry);
    if (!m) {
      unparsed[`#${Object.keys(unparsed).length}`] = entry;
      continue;
    }
    const name = m[1]!;
    const parsed = tryParseTlaValue(m[2]!);
    if (parsed.ok) variables[name] = parsed.value;
    else unparsed[name] = m[2]!;
  }
  return { variables, unparsed };
}

/** Parses a 2217 body: header line, then the state. */
export function parseTraceState(lines: readonly string[]): TraceState | null {
  const headerIndex = lines.findIndex((l) => l.trim() !== '');
  if (headerIndex < 0) return null;
  const header = parseStateHeader(lines[headerIndex]!);
  if (!header) return null;
  const bodyLines = lines.slice(headerIndex + 1);
  const { variables, unparsed } = parseStateBody(bodyLines);
  return { ...header, variables, unparsed, text: trimBlank(lines).join('\n') };
}

/** Builds a trace state from a bare state body (e.g. inside 2107, where no header is printed). */
export function stateFromBody(number: number, lines: readonly string[], initial: boolean): TraceState {
  const { variables, unparsed } = parseStateBody(lines);
  return {
    number,
    action: initial ? 'Initial predicate' : null,
    location: null,
    initial,
    variables,
    unparsed,
    text: trimBlank(lines).join('\n'),
  };
}

function trimBlank(lines: readonly string[]): string[] {
  const out = [...lines];
  while (out.length > 0 && out[out.length - 1]!.trim() === '') out.pop();
  while (out.length > 0 && out[0]!.trim() === '') out.shift();
  return out;
}
