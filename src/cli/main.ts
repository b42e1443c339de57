// `cordon`: the command line. Each command is a thin shell over the folder
// that does its work, registered from a file of its own here (verify.ts,
// check.ts, test.ts, boards.ts, audit.ts); errors in the user's inputs are
// printed as one clear message, never a stack trace, and exit 2.
//
// A fast start: only the command that runs is imported. `cordon --help`
// lists the commands from the table below without loading any of them;
// `cordon <command> …` (its `--help` too) imports that command's file and
// registers it for real. A new command is a row of COMMANDS in commands.mjs
// and its loader in LOADERS here. bin/cordon.mjs answers `cordon --help` and
// `cordon --version` from commands.mjs alone, without loading TypeScript.

import { Command, CommanderError } from 'commander';
import { baseProgram, COMMANDS, cordonVersion, listCommands } from './commands.mjs';
import { colorOn, UsageError, type CommandContext } from './options.ts';

type Register = (program: Command, ctx: CommandContext) => void;

/** How each command of COMMANDS (commands.mjs) is loaded: its file, imported only when it runs. */
const LOADERS: Readonly<Record<string, () => Promise<Register>>> = {
  verify: async () => (await import('./verify.ts')).registerVerify,
  test: async () => (await import('./test.ts')).registerTest,
  check: async () => (await import('./check.ts')).registerCheck,
  boards: async () => (await import('./boards.ts')).registerBoards,
  audit: async () => (await import('./audit.ts')).registerAudit,
  log: async () => (await import('./log.ts')).registerLog,
  evidence: async () => (await import('./evidence.ts')).registerEvidence,
};

export { COMMANDS, cordonVersion };

/** The first argument that is not an option: the command's name, if any. */
const commandName = (args: readonly string[]): string | undefined => args.find((a) => !a.startsWith('-'));

export async function main(argv: readonly string[]): Promise<number> {
  let code = 0;
  const program = baseProgram(Command);
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
  const load = name === undefined ? undefined : LOADERS[name];
  if (load !== undefined) (await load())(program, ctx);
  // no command (or an unknown one): list them all, none loaded
  else listCommands(program);

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
