// Shared set-up of the property suites: a recorded seed (CORDON_SEED, or a
// fresh one that is printed), a run-count multiplier (CORDON_SCALE), a replay
// path (CORDON_PATH), all parsed once (src/properties/env.ts); a count of
// kernel steps; and failures that end with the command that replays them.

import fc from 'fast-check';
import { basename } from 'node:path';
import { formatPath, suiteEnv, testReplayCommand } from '../src/properties/env.ts';

const ENV = suiteEnv();
export const SCALE = ENV.scale;
export const SEED = ENV.seed;

let steps = 0;
export const countSteps = (n: number) => void (steps += n);
export const stepsTaken = () => steps;

export function runs(base: number): number {
  return Math.max(1, Math.round(base * SCALE));
}

/**
 * fc.commands whose shrinking follows CORDON_PATH's commands part when one is
 * given: a model-based counterexample replays only with fast-check's path and
 * the commands' replay path together.
 */
export function commands<Model extends object, Real>(
  arbs: fc.Arbitrary<fc.Command<Model, Real>>[],
  constraints: Omit<fc.CommandsContraints, 'replayPath'> = {},
): fc.Arbitrary<Iterable<fc.Command<Model, Real>>> {
  return fc.commands(arbs, {
    ...constraints,
    ...(ENV.commandsPath !== undefined ? { replayPath: ENV.commandsPath } : {}),
  });
}

/** The replay path fc.commands writes into a counterexample's text (`/*replayPath="…"*\/`), if the counterexample has one. */
function commandsReplayPath(counterexample: readonly unknown[] | null): string | undefined {
  for (const v of counterexample ?? []) {
    if (typeof v !== 'object' || v === null || !(Symbol.iterator in v)) continue;
    let text: string;
    try {
      text = String(v);
    } catch {
      continue;
    }
    const m = /\/\*replayPath="([^"]*)"\*\//.exec(text);
    if (m !== null) return m[1];
  }
  return undefined;
}

/**
 * fc.assert with the suite's seed; on failure the error carries fast-check's
 * shrunk counterexample (the predicate's own readable message) and the command
 * that replays exactly that case. `testName` is the name of the node:test test
 * the check runs in (the replay command selects it).
 */
export function check<T>(
  file: string,
  testName: string,
  arb: fc.Arbitrary<T>,
  predicate: (v: T) => void,
  numRuns: number,
  show?: (v: T) => string,
): void {
  const params: fc.Parameters<[T]> = {
    seed: SEED,
    numRuns,
    ...(ENV.path !== undefined ? { path: ENV.path, endOnFailure: true } : {}),
  };
  const details = fc.check(fc.property(arb, predicate), params);
  if (!details.failed) return;
  const path = formatPath(details.counterexamplePath ?? '', commandsReplayPath(details.counterexample));
  const replay = testReplayCommand(file, testName, details.seed, path);
  const err = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
  const shown =
    show !== undefined && details.counterexample !== null ? `\ncounterexample: ${show(details.counterexample[0])}` : '';
  throw new Error(
    `${testName}: counterexample after ${details.numRuns} runs, shrunk ${details.numShrinks} times${shown}\n${err}\n\nreplay: ${replay}`,
  );
}

export function banner(file: string): void {
  const path = ENV.path === undefined ? '' : ` path ${formatPath(ENV.path, ENV.commandsPath)}`;
  console.log(`# ${basename(file)}: seed ${SEED}${path}, scale ${SCALE} (replay with CORDON_SEED=${SEED})`);
}
