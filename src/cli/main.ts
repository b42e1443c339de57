// `cordon`: the command line. Each command is a thin shell over a room of its
// own (verify, boards, …); errors in the user's inputs are printed as one
// clear message, never a stack trace.

import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { resolve } from 'node:path';
import { verify, VerifyError } from '../verify/verify.ts';
import { ManifestError } from '../solution/manifest.ts';
import { ROOT, writeReport, type Report } from '../evidence/report.ts';
import { listBoards, boardFacts } from './boards.ts';
import { testCommand } from '../policy/pal/command.ts';

const int = (what: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new InvalidArgumentError(`${what} must be an integer`);
  return n;
};

export function printReport(r: Report, out: (s: string) => void): void {
  out(`solution ${r.solution} on board ${r.board}, seed ${r.seed}`);
  for (const c of r.checks) {
    const steps = typeof c.details === 'object' && c.details !== null && 'steps' in c.details ? `, ${(c.details as { steps: number }).steps} steps` : '';
    out(`  ${c.status === 'pass' ? 'PASS' : c.status.toUpperCase()}  ${c.id.padEnd(30)} ${String(c.runs).padStart(6)} runs${steps}, ${c.durationMs} ms`);
    if (c.counterexample !== undefined) out(c.counterexample.split('\n').map((l) => `        ${l}`).join('\n'));
    if (c.replay !== undefined) out(`        replay: ${c.replay}`);
  }
  const failed = r.checks.filter((c) => c.status !== 'pass').length;
  out(failed === 0 ? `all ${r.checks.length} checks passed` : `${failed} of ${r.checks.length} checks failed`);
}

export async function main(argv: readonly string[]): Promise<number> {
  let code = 0;
  const out = (s: string) => process.stdout.write(`${s}\n`);
  const program = new Command()
    .name('cordon')
    .description('A formally specified reference microkernel with a separate security monitor')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  program
    .command('verify')
    .description('boot a solution, run the property suites against it with a recorded seed, and write the evidence report')
    .argument('[solution]', 'solution directory or solution.yaml', undefined)
    .option('--board <id>', 'board to run on (see `cordon boards`)')
    .option('--seed <n>', 'seed for the property suites', int('seed'))
    .option('--runs <n>', 'runs per property', int('runs'))
    .option('--steps <n>', 'kernel steps per run, at most', int('steps'))
    .option('--path <path>', "fast-check replay path (from a failure's replay line)")
    .option('--out <file>', 'report file', 'out/verify.json')
    .action((solution: string | undefined, o: { board?: string; seed?: number; runs?: number; steps?: number; path?: string; out: string }) => {
      const report = verify({ ...(solution ? { solution } : {}), ...o, onCheck: (id) => process.stderr.write(`… ${id}\n`) });
      const file = resolve(o.out);
      writeReport(file, report);
      printReport(report, out);
      out(`report written to ${o.out}`);
      code = report.checks.every((c) => c.status === 'pass') ? 0 : 1;
    });

  program
    .command('test')
    .description("run the PAL tests (assert blocks) of a solution's policy, print every case, and write JUnit XML")
    .argument('[solution]', 'solution directory (KasperskyOS layout)', undefined)
    .option('--board <id>', 'board whose template variables the policy is built with (see `cordon boards`)')
    .option('--junit <file>', 'JUnit XML file', 'out/pal-junit.xml')
    .action((solution: string | undefined, o: { board?: string; junit: string }) => {
      code = testCommand({ ...(solution ? { solution } : {}), ...o }, out).code;
    });

  program
    .command('boards')
    .description('list the supported boards and their facts, or one board in full')
    .argument('[board]', 'a board id: print its facts as JSON')
    .action((id: string | undefined) => {
      if (id === undefined) out(listBoards());
      else {
        try {
          out(JSON.stringify(boardFacts(id), null, 2));
        } catch (e) {
          throw new VerifyError((e as Error).message);
        }
      }
    });

  try {
    await program.parseAsync(argv as string[]);
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    if (e instanceof VerifyError || e instanceof ManifestError) {
      process.stderr.write(`cordon: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  return code;
}

export { ROOT };
