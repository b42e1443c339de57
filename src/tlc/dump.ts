/**
 * Reader of TLC's `-dump F` files: every distinct state once, as
 *
 *   State 1:
 *   /\ x = 0
 *   /\ y = "a"
 *
 * (a blank line ends a state). Used to compare the reachable set of the spec
 * with the implementation's.
 */
import { readFile } from 'node:fs/promises';
import * as t from 'io-ts';
import { isLeft } from 'fp-ts/lib/Either.js';
import { PathReporter } from 'io-ts/lib/PathReporter.js';
import { TraceStateC, type TraceState } from './codecs.ts';
import { stateFromBody } from './state.ts';

/** A `-dump` file that is not in the expected format. */
export class StateDumpError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StateDumpError';
  }
}

/**
 * Parses the text of a `-dump` file. `source` names the file in error
 * messages. States whose values cannot be parsed are an error (a dump is
 * compared state by state, so a partly-read state would be misleading).
 */
export function parseStateDump(text: string, source = 'state dump'): TraceState[] {
  const lines = text.split(/\r?\n/);
  const states: TraceState[] = [];
  let current: { number: number; line: number; body: string[] } | null = null;
  const flush = () => {
    if (!current) return;
    const state = stateFromBody(current.number, current.body, false);
    const bad = Object.entries(state.unparsed);
    if (bad.length > 0) {
      const [name, value] = bad[0]!;
      throw new StateDumpError(
        `${source}, line ${current.line}: cannot parse the value of ${name} in State ${current.number}: ${value.slice(0, 200)}`,
      );
    }
    if (Object.keys(state.variables).length === 0) {
      throw new StateDumpError(`${source}, line ${current.line}: State ${current.number} has no variables`);
    }
    states.push(state);
    current = null;
  };
  lines.forEach((line, i) => {
    const m = /^State (\d+):\s*$/.exec(line);
    if (m) {
      flush();
      current = { number: Number(m[1]), line: i + 1, body: [] };
      return;
    }
    if (line.trim() === '') {
      flush();
      return;
    }
    if (!current)
      throw new StateDumpError(
        `${source}, line ${i + 1}: expected "State n:" but found ${JSON.stringify(line.slice(0, 80))}`,
      );
    (current as { body: string[] }).body.push(line);
  });
  flush();
  const checked = t.array(TraceStateC).decode(states);
  if (isLeft(checked)) throw new StateDumpError(`${source}: ${PathReporter.report(checked).join('; ')}`);
  return checked.right;
}

/** Reads and parses a `-dump` file (the path TLC wrote, including the `.dump` suffix). */
export async function readStateDump(path: string): Promise<TraceState[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new StateDumpError(`cannot read the state dump ${path}: ${(e as Error).message}`);
  }
  return parseStateDump(text, path);
}
