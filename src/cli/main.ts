// `cordon`: the command line. Each command is a thin shell over the folder
// that does its work, registered from a file of its own here (verify.ts,
// check.ts, test.ts, boards.ts, audit.ts, evidence.ts); errors in the user's inputs are printed as
// one clear message, never a stack trace, and exit 2.

import { Command, CommanderError } from 'commander';
import { SolutionError } from '../solution/load.ts';
import { CheckError } from '../check/check.ts';
import { ManifestError } from '../solution/manifest.ts';
import { ROOT } from '../evidence/report.ts';
import { registerVerify } from './verify.ts';
import { registerCheck } from './check.ts';
import { registerTest } from './test.ts';
import { registerBoards } from './boards.ts';
import { registerAudit } from './audit.ts';
import { registerEvidence } from './evidence.ts';

export async function main(argv: readonly string[]): Promise<number> {
  let code = 0;
  const ctx = { out: (s: string) => void process.stdout.write(`${s}\n`), setCode: (c: number) => void (code = c) };
  const program = new Command()
    .name('cordon')
    .description('A formally specified reference microkernel with a separate security monitor')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  registerVerify(program, ctx);
  registerTest(program, ctx);
  registerCheck(program, ctx);
  registerBoards(program, ctx);
  registerAudit(program, ctx);
  registerEvidence(program, ctx);

  try {
    await program.parseAsync(argv as string[]);
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    if (e instanceof SolutionError || e instanceof ManifestError || e instanceof CheckError) {
      process.stderr.write(`cordon: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  return code;
}

export { ROOT };
