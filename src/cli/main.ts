// `cordon`: the command line. Each command is a thin shell over the folder
// that does its work, registered from a file of its own here (verify.ts,
// check.ts, test.ts, boards.ts, audit.ts); errors in the user's inputs are
// printed as one clear message, never a stack trace, and exit 2.
//
// A fast start: only the command that runs is imported. `cordon --help`
// lists the commands from the table below without loading any of them;
// `cordon <command> …` (its `--help` too) imports that command's file and
// registers it for real. A new command is one more row of COMMANDS.

import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { colorOn, UsageError, type CommandContext } from './options.ts';

type Register = (program: Command, ctx: CommandContext) => void;

interface LazyCommand {
  readonly name: string;
  /** how `cordon --help` shows its arguments */
  readonly args: string;
  /** the one line `cordon --help` shows */
  readonly summary: string;
  readonly load: () => Promise<Register>;
}

export const COMMANDS: readonly LazyCommand[] = [
  {
    name: 'verify',
    args: '[solution]',
    summary: 'boot a solution, run the property suites against it with a recorded seed, and write the evidence report',
    load: async () => (await import('./verify.ts')).registerVerify,
  },
  {
    name: 'test',
    args: '[solution]',
    summary: "run the PAL tests (assert blocks) of a solution's policy, print every case, and write JUnit XML",
    load: async () => (await import('./test.ts')).registerTest,
  },
  {
    name: 'check',
    args: '[solution]',
    summary: 'model-check a solution with TLC; a violation is replayed in the kernel and written as a replay file',
    load: async () => (await import('./check.ts')).registerCheck,
  },
  {
    name: 'boards',
    args: '[board]',
    summary: 'list the supported boards and their facts, or one board in full',
    load: async () => (await import('./boards.ts')).registerBoards,
  },
  {
    name: 'audit',
    args: '<question>',
    summary: 'ask a policy questions: why one event is granted or denied (explain), what it can grant (query)',
    load: async () => (await import('./audit.ts')).registerAudit,
  },
];

/** Cordon's version, from package.json. */
export function cordonVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** The first argument that is not an option: the command's name, if any. */
const commandName = (args: readonly string[]): string | undefined => args.find((a) => !a.startsWith('-'));

export async function main(argv: readonly string[]): Promise<number> {
  let code = 0;
  const program = new Command()
    .name('cordon')
    .description('A formally specified reference microkernel with a separate security monitor')
    .version(cordonVersion(), '-V, --version', "print Cordon's version")
    .option('-q, --quiet', 'print nothing but errors (and the JSON document with --json); the exit code says it all')
    .option('--no-color', 'no colour, even on a terminal (NO_COLOR does the same)')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  const quiet = () => program.opts<{ quiet?: boolean }>().quiet === true;
  const ctx: CommandContext = {
    out: (s) => void (quiet() ? undefined : process.stdout.write(`${s}\n`)),
    note: (s) => void (quiet() ? undefined : process.stderr.write(`${s}\n`)),
    json: (doc) => void process.stdout.write(`${JSON.stringify(doc, bigints, 2)}\n`),
    setCode: (c) => void (code = c),
    quiet,
    color: () => colorOn(program.opts<{ color?: boolean }>().color !== false),
    argv: argv.slice(2),
  };
  const args = argv.slice(2);
  let name = commandName(args);
  if (name === 'help') name = commandName(args.slice(args.indexOf('help') + 1)); // `cordon help verify`
  const chosen = COMMANDS.find((c) => c.name === name);
  if (chosen !== undefined) (await chosen.load())(program, ctx);
  // no command (or an unknown one): list them all, none loaded
  else for (const c of COMMANDS) program.command(`${c.name} ${c.args}`).summary(c.summary);

  try {
    await program.parseAsync(argv as string[]);
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    if (e instanceof UsageError || (await isInputError(e))) {
      process.stderr.write(`cordon: ${(e as Error).message}\n`);
      return 2;
    }
    throw e;
  }
  return code;
}

const bigints = (_k: string, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x);

/** An error in the user's inputs (loaded only now: the module that threw it is loaded already). */
async function isInputError(e: unknown): Promise<boolean> {
  const [{ SolutionError }, { CheckError }, { ManifestError }] = await Promise.all([
    import('../solution/load.ts'),
    import('../check/check.ts'),
    import('../solution/manifest.ts'),
  ]);
  return e instanceof SolutionError || e instanceof ManifestError || e instanceof CheckError;
}
