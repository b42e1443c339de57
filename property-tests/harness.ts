// Shared set-up of the property suites: a recorded seed (CORDON_SEED, or a
// fresh one that is printed), a run-count multiplier (CORDON_SCALE), a replay
// path (CORDON_PATH), a count of kernel steps, and failures that end with the
// command that replays them.

import fc from 'fast-check';
import { basename } from 'node:path';

export const SCALE = Math.max(0.01, Number(process.env.CORDON_SCALE ?? '1') || 1);
export const SEED = process.env.CORDON_SEED !== undefined ? Number(process.env.CORDON_SEED) : (Date.now() ^ (process.pid << 8)) | 0;
const PATH = process.env.CORDON_PATH;

let steps = 0;
export const countSteps = (n: number) => void (steps += n);
export const stepsTaken = () => steps;

export function runs(base: number): number {
  return Math.max(1, Math.round(base * SCALE));
}

/**
 * fc.assert with the suite's seed; on failure the error carries fast-check's
 * shrunk counterexample (the predicate's own readable message) and the command
 * that replays exactly that case.
 */
export function check<T>(file: string, name: string, arb: fc.Arbitrary<T>, predicate: (v: T) => void, numRuns: number, show?: (v: T) => string): void {
  const params: fc.Parameters<[T]> = { seed: SEED, numRuns, ...(PATH !== undefined ? { path: PATH, endOnFailure: true } : {}) };
  const details = fc.check(fc.property(arb, predicate), params);
  if (!details.failed) return;
  const replay = `CORDON_SEED=${details.seed} CORDON_PATH=${details.counterexamplePath} node --import tsx --test --test-name-pattern=${JSON.stringify(name)} property-tests/${basename(file)}`;
  const err = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
  const shown = show !== undefined && details.counterexample !== null ? `\ncounterexample: ${show(details.counterexample[0])}` : '';
  throw new Error(`${name}: counterexample after ${details.numRuns} runs, shrunk ${details.numShrinks} times${shown}\n${err}\n\nreplay: ${replay}`);
}

export function banner(file: string): void {
  console.log(`# ${basename(file)}: seed ${SEED}${PATH ? ` path ${PATH}` : ''}, scale ${SCALE} (replay with CORDON_SEED=${SEED})`);
}
