// What the commands share: number options, the solution-loading options
// (`--define`, `--sdk`, `--include`) every command that takes a solution
// has, and what a command's action gets to print and to exit with.

import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { InvalidArgumentError, type Command } from 'commander';
import type { ImportOptions, LoadOptions } from '../solution/load.ts';

/** What an action prints to and the exit code it sets (0 holds, 1 found something, 2 could not run). */
export interface CommandContext {
  /** a line of the text output on stdout (nothing with --quiet) */
  readonly out: (line: string) => void;
  /** a progress line on stderr (nothing with --quiet) */
  readonly note: (line: string) => void;
  /** the one JSON document of --json on stdout (printed with --quiet too) */
  readonly json: (doc: object) => void;
  setCode(code: number): void;
  /** whether --quiet was given */
  readonly quiet: () => boolean;
  /** whether to colour the text output: a terminal, no NO_COLOR, no --no-color */
  readonly color: () => boolean;
  /** the command line after `cordon` */
  readonly argv: readonly string[];
}

/** Colour only on a terminal, never with NO_COLOR (any value) or --no-color; FORCE_COLOR forces it (not over NO_COLOR). */
export function colorOn(
  flag: boolean,
  env: NodeJS.ProcessEnv = process.env,
  tty = process.stdout.isTTY === true,
): boolean {
  if (!flag || (env.NO_COLOR !== undefined && env.NO_COLOR !== '')) return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '' && env.FORCE_COLOR !== '0') return true;
  return tty;
}

/** PASS green, FAIL/ERROR red, SKIPPED yellow — when colour is on. */
export function paintStatus(word: string, color: boolean): string {
  if (!color) return word;
  const c = /^PASS/.test(word) ? 32 : /^(FAIL|ERROR)/.test(word) ? 31 : /^SKIP/.test(word) ? 33 : 0;
  return c === 0 ? word : `\u001b[${c}m${word}\u001b[0m`;
}

/**
 * Writes an output file, `-` meaning stdout. Returns how to name it in a
 * message ("stdout" for `-`).
 */
export function writeOutput(path: string, text: string): string {
  if (path === '-') {
    process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
    return 'stdout';
  }
  const file = resolve(path);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
  return path;
}

/** Where progress goes with --quiet. */
export const nowhere = new Writable({ write: (_c, _e, done) => done() });

/** A command line that cannot run as given (exit 2, the message printed). */
export class UsageError extends Error {}

/** With --json stdout holds one document: no other output may go to `-`. */
export function oneDocument(json: boolean | undefined, outputs: Readonly<Record<string, string | undefined>>): void {
  if (json !== true) return;
  const clash = Object.entries(outputs).find(([, v]) => v === '-');
  if (clash !== undefined)
    throw new UsageError(
      `--json prints one JSON document on stdout; ${clash[0]} - would write there too (give it a file)`,
    );
}

/**
 * The solution a command works on when none is given, the same for every
 * command: the current directory when it holds one (a solution.yaml, or
 * KasperskyOS files: init.yaml/einit, security.psl), else Cordon's own
 * example examples/ping.
 */
export function defaultSolution(cwd = process.cwd()): string {
  return solutionHere(cwd) ?? join(ROOT, 'examples', 'ping');
}

/** The current directory when it holds a solution, else undefined. */
export function solutionHere(cwd = process.cwd()): string | undefined {
  const here = ['solution.yaml', 'init.yaml', 'security.psl', 'einit', 'CMakeLists.txt'].some((f) =>
    existsSync(join(cwd, f)),
  );
  return here ? cwd : undefined;
}

/** The repository root (where examples/ is). */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export const int = (what: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new InvalidArgumentError(`${what} must be an integer`);
  return n;
};

/** `--threshold <pct>`: a percentage from 0 to 100. */
export const percent = (v: string): number => {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < 0 || n > 100)
    throw new InvalidArgumentError(`the threshold is a percentage from 0 to 100, not "${v}"`);
  return n;
};

/** `--progress-interval <seconds>`: a positive number of seconds, in milliseconds. */
export const progressInterval = (v: string): number => {
  const s = Number(v);
  if (!Number.isFinite(s) || s <= 0)
    throw new InvalidArgumentError(`the progress interval must be a positive number of seconds, not "${v}"`);
  return Math.round(s * 1000);
};

/** `--audit-level <n>`: an audit runtime level, a non-negative integer. */
export const auditLevel = (v: string): number => {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0)
    throw new InvalidArgumentError(`an audit runtime level is a non-negative integer, not "${v}"`);
  return n;
};

/** Adds `--audit-log <file>` (`-`: stdout) and `--audit-level <n>` to a command that writes the monitor's audit log. */
export function auditFlags(c: Command, what: string): Command {
  return c
    .option(
      '--audit-log <file>',
      `the monitor's audit log of ${what}, one JSON record a line (- for stdout)`,
      'out/audit.jsonl',
    )
    .option(
      '--audit-level <n>',
      "the audit runtime level the policy's audit profiles are read at (default: audit default's)",
      auditLevel,
    );
}

/** `--define NAME=VALUE`, repeatable: collected into one map (a later one wins). */
export function collectDefine(v: string, previous: Record<string, string> = {}): Record<string, string> {
  const m = /^([A-Za-z_][A-Za-z0-9_]*\+?)=(.*)$/s.exec(v);
  if (m === null)
    throw new InvalidArgumentError(
      `expected NAME=VALUE (a CMake variable or placeholder name, "=", its value), not "${v}"`,
    );
  return { ...previous, [m[1]!]: m[2]! };
}

const collect = (v: string, previous: string[]) => [...previous, v];
const SDK_HELP =
  "the installed KasperskyOS SDK (its root; default: $CORDON_SDK): imports resolve from its sysroot-<arch>-kos/include after the solution's own files";
const INCLUDE_HELP =
  'a folder of stand-ins for imported modules, EDL/CDL/IDL files (repeatable; searched after the solution, before the SDK)';

/** The options of a command that loads a solution, as commander gives them. */
export interface SolutionFlags {
  readonly define?: Record<string, string>;
  readonly sdk?: string;
  readonly include: string[];
}

/** Adds `--define`, `--sdk` and `--include` to a command that loads a solution. */
export function solutionFlags(c: Command): Command {
  return c
    .option(
      '--define <NAME=VALUE>',
      'value of a CMake variable or @VAR@ placeholder of the solution (repeatable)',
      collectDefine,
    )
    .option('--sdk <dir>', SDK_HELP)
    .option('--include <dir>', INCLUDE_HELP, collect, []);
}

/** `--sdk` and `--include` as the loader takes them. */
export const importsOf = (o: SolutionFlags): ImportOptions => ({
  ...(o.sdk === undefined ? {} : { sdkRoot: o.sdk }),
  ...(o.include.length > 0 ? { includes: o.include } : {}),
});

/** All three as the loader takes them. */
export const loadOptionsOf = (o: SolutionFlags): LoadOptions => ({
  ...(o.define === undefined ? {} : { defines: o.define }),
  ...importsOf(o),
});
