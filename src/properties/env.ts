// The environment every random suite reads, parsed in one place:
//   CORDON_SEED   the seed of a run (an integer; without it a fresh seed is drawn and printed)
//   CORDON_PATH   fast-check's path to one counterexample, as a failure prints it (needs CORDON_SEED);
//                 for a model-based suite (fc.commands) it carries the commands' replay path after '@'
//   CORDON_SCALE  a multiplier of every suite's run count (a positive number, default 1)
// A bad value is an error naming the variable and the value, never a silent default.

import { relative } from 'node:path';

export class EnvError extends Error {}

export interface SuiteEnv {
  readonly seed: number;
  /** the seed came from CORDON_SEED (not drawn for this run) */
  readonly seedGiven: boolean;
  readonly scale: number;
  /** fast-check's counterexample path, without the commands' part */
  readonly path: string | undefined;
  /** the replay path of fc.commands (the part of CORDON_PATH after '@') */
  readonly commandsPath: string | undefined;
}

const INT = /^-?\d+$/;
/** fast-check's path: run index, then shrink steps ("12:0:3"). */
const FC_PATH = /^\d+(:\d+)*$/;
/** fc.commands' replay path: two base-64 words separated by ':' (fast-check's ReplayPath). */
const COMMANDS_PATH = /^[A-Za-z0-9+/]*:[A-Za-z0-9+/]*$/;

const shown = (v: string) => JSON.stringify(v);

/** Parses the suite variables of `env`; throws EnvError on a bad value. */
export function parseSuiteEnv(env: Readonly<Record<string, string | undefined>>): SuiteEnv {
  const rawSeed = env.CORDON_SEED;
  let seed: number;
  if (rawSeed === undefined || rawSeed === '') seed = (Date.now() ^ (process.pid << 8)) | 0;
  else {
    const n = Number(rawSeed.trim());
    if (!INT.test(rawSeed.trim()) || n < -(2 ** 31) || n >= 2 ** 32)
      throw new EnvError(`CORDON_SEED must be a 32-bit integer, not ${shown(rawSeed)}`);
    seed = n | 0;
  }
  const rawScale = env.CORDON_SCALE;
  let scale = 1;
  if (rawScale !== undefined && rawScale !== '') {
    scale = Number(rawScale.trim());
    if (rawScale.trim() === '' || !Number.isFinite(scale) || scale <= 0)
      throw new EnvError(`CORDON_SCALE must be a positive number, not ${shown(rawScale)}`);
  }
  const rawPath = env.CORDON_PATH;
  let path: string | undefined;
  let commandsPath: string | undefined;
  if (rawPath !== undefined && rawPath !== '') {
    const at = rawPath.indexOf('@');
    path = at < 0 ? rawPath : rawPath.slice(0, at);
    commandsPath = at < 0 ? undefined : rawPath.slice(at + 1);
    if (!FC_PATH.test(path) || (commandsPath !== undefined && !COMMANDS_PATH.test(commandsPath)))
      throw new EnvError(
        `CORDON_PATH must be a counterexample path as a failure prints it (e.g. 12:0:3, or 12:0:3@AAE:Bw for a model-based suite), not ${shown(rawPath)}`,
      );
    if (rawSeed === undefined || rawSeed === '')
      throw new EnvError(`CORDON_PATH=${rawPath} needs the CORDON_SEED it was printed with`);
  }
  return { seed, seedGiven: rawSeed !== undefined && rawSeed !== '', scale, path, commandsPath };
}

let cached: SuiteEnv | undefined;

/** The suite variables of this process, parsed once. */
export function suiteEnv(): SuiteEnv {
  cached ??= parseSuiteEnv(process.env);
  return cached;
}

/** The value of CORDON_PATH that replays a counterexample (fast-check's path, and the commands' replay path if any). */
export function formatPath(path: string, commandsPath?: string): string {
  return commandsPath === undefined ? path : `${path}@${commandsPath}`;
}

/** A word as a POSIX shell reads it literally. */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:@+=,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** The command that runs one node:test test of a suite file (relative to the working directory) with a seed and a path. */
export function testReplayCommand(file: string, testName: string, seed: number, path: string): string {
  return `CORDON_SEED=${seed} CORDON_PATH=${shellQuote(path)} node --import tsx --test --test-name-pattern=${shellQuote(`^${escapeRegExp(testName)}$`)} ${shellQuote(relative(process.cwd(), file))}`;
}
