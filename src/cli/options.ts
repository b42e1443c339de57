// What the commands share: number options, the solution-loading options
// (`--define`, `--sdk`, `--include`) every command that takes a solution
// has, and what a command's action gets to print and to exit with.

import { InvalidArgumentError, type Command } from 'commander';
import type { ImportOptions, LoadOptions } from '../solution/load.ts';

/** What an action prints to and the exit code it sets (0 holds, 1 found something, 2 could not run). */
export interface CommandContext {
  readonly out: (line: string) => void;
  setCode(code: number): void;
}

export const int = (what: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new InvalidArgumentError(`${what} must be an integer`);
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
