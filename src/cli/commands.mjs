// The commands as `cordon --help` lists them, and the options every command
// shares. Plain JavaScript, so that bin/cordon.mjs can answer `cordon
// --help` and `cordon --version` without loading TypeScript at all; main.ts
// builds its program from the same function. A new command is a row here
// and its loader in main.ts (LOADERS).

import { readFileSync } from 'node:fs';

/** name, how its arguments are shown, the one line `cordon --help` shows */
export const COMMANDS = [
  {
    name: 'verify',
    args: '[solution]',
    summary: 'boot a solution, run the property suites against it with a recorded seed, and write the evidence report',
  },
  {
    name: 'test',
    args: '[solution]',
    summary: "run the PAL tests (assert blocks) of a solution's policy, print every case, and write JUnit XML",
  },
  {
    name: 'check',
    args: '[solution]',
    summary: 'model-check a solution with TLC; a violation is replayed in the kernel and written as a replay file',
  },
  { name: 'boards', args: '[board]', summary: 'list the supported boards and their facts, or one board in full' },
  {
    name: 'audit',
    args: '<question>',
    summary:
      'ask a policy questions: explain one decision, query what it grants, flows of information, diff two versions, lint, an HTML report',
  },
  {
    name: 'evidence',
    args: '[solution]',
    summary:
      'write a certification evidence bundle (requirements, traceability, ADV_SPM.1, JUnit, SARIF, HTML); evidence verify checks one',
  },
  {
    name: 'log',
    args: '<file>',
    summary: 'print a monitor audit log (out/audit.jsonl), filtered by verdict, class or method',
  },
];

/** Cordon's version, from package.json. */
export function cordonVersion() {
  return JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version;
}

/** The program with the options every command shares (no command registered). */
export function baseProgram(Command) {
  return new Command()
    .name('cordon')
    .description('A formally specified reference microkernel with a separate security monitor')
    .version(cordonVersion(), '-V, --version', "print Cordon's version")
    .option('-q, --quiet', 'print nothing but errors (and the JSON document with --json); the exit code says it all')
    .option('--no-color', 'no colour, even on a terminal (NO_COLOR does the same)')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
}

/** Registers every command by name and summary only: what `cordon --help` lists. */
export function listCommands(program) {
  for (const c of COMMANDS) program.command(`${c.name} ${c.args}`).summary(c.summary);
  return program;
}

/** Whether the command line only asks for the list of commands or the version (no TypeScript needed). */
export function onlyHelp(args) {
  return args.length === 0 || (args.length === 1 && ['--help', '-h', '--version', '-V'].includes(args[0]));
}
