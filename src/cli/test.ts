/**
 * `cordon test <solution>`: run a solution's PAL tests against its compiled
 * policy, print every case (PASS/FAIL, the event, the rule that decided),
 * and write JUnit XML.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { getBoard, DEFAULT_BOARD, type Board } from '../../boards/index.ts';
import { ROOT, reportPath } from '../evidence/report.ts';
import { DEFAULT_SOLUTION } from '../verify/verify.ts';
import { addedLines, loadSolution, SolutionError, type ImportOptions } from '../solution/load.ts';
import { palJUnitXml } from '../policy/pal/junit.ts';
import { formatPalResults, runPalTests, type PalRunResult } from '../policy/pal/run.ts';
import type { Command } from 'commander';
import { importsOf, solutionFlags, type CommandContext } from './options.ts';

export interface TestCommandOptions {
  readonly solution?: string;
  readonly board?: string;
  /** JUnit XML output file */
  readonly junit: string;
  /** `--define NAME=VALUE` values for the solution's build inputs */
  readonly defines?: Readonly<Record<string, string>>;
  /** the SDK (`--sdk`) and folders of stand-ins (`--include`) the solution's imports resolve from */
  readonly imports?: ImportOptions;
}

export interface TestCommandResult {
  readonly result: PalRunResult;
  readonly junitFile: string;
  /** process exit code: 0 all passed, 1 a test failed */
  readonly code: number;
}

/** Runs the PAL tests; `out` receives the lines to print. @throws SolutionError on a solution that cannot be loaded */
export function testCommand(opts: TestCommandOptions, out: (line: string) => void): TestCommandResult {
  let board: Board;
  try {
    board = getBoard(opts.board ?? DEFAULT_BOARD);
  } catch (e) {
    throw new SolutionError((e as Error).message);
  }
  const loaded = loadSolution(opts.solution ?? resolve(ROOT, DEFAULT_SOLUTION), board, {
    ...(opts.defines === undefined ? {} : { defines: opts.defines }),
    ...(opts.imports ?? {}),
  });
  const result = runPalTests(loaded.tables, loaded.policy, loaded.pal);
  out(`PAL tests of ${loaded.name} (${reportPath(loaded.dir)}) on board ${board.id}`);
  for (const line of addedLines(loaded)) out(line);
  if (result.tests.length === 0) out('no PAL tests: the policy files hold no assert blocks');
  else for (const line of formatPalResults(result, reportPath)) out(line);
  const junitFile = resolve(opts.junit);
  mkdirSync(dirname(junitFile), { recursive: true });
  writeFileSync(junitFile, palJUnitXml(loaded.name, result, new Date().toISOString()));
  out(`JUnit XML written to ${opts.junit}`);
  return { result, junitFile, code: result.failed === 0 ? 0 : 1 };
}

export function registerTest(program: Command, ctx: CommandContext): void {
  solutionFlags(
    program
      .command('test')
      .description("run the PAL tests (assert blocks) of a solution's policy, print every case, and write JUnit XML")
      .argument('[solution]', 'solution directory (KasperskyOS layout)', undefined)
      .option('--board <id>', 'board whose template variables the policy is built with (see `cordon boards`)')
      .option('--junit <file>', 'JUnit XML file', 'out/pal-junit.xml'),
  ).action(
    (
      solution: string | undefined,
      o: { board?: string; junit: string; define?: Record<string, string>; sdk?: string; include: string[] },
    ) => {
      ctx.setCode(
        testCommand(
          {
            ...(solution ? { solution } : {}),
            ...(o.board === undefined ? {} : { board: o.board }),
            junit: o.junit,
            ...(o.define ? { defines: o.define } : {}),
            imports: importsOf(o),
          },
          ctx.out,
        ).code,
      );
    },
  );
}
