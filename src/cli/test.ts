/**
 * `cordon test <solution>`: run a solution's PAL tests against its compiled
 * policy, print every case (PASS/FAIL, the event, the rule that decided),
 * and write JUnit XML.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { AuditLog, writeAuditLog } from '../audit/log.ts';
import { palFailureDiagrams } from '../check/sequence-diagram.ts';
import { getBoard, DEFAULT_BOARD, type Board } from '../../boards/index.ts';
import { ROOT, reportPath } from '../evidence/report.ts';
import { DEFAULT_SOLUTION } from '../verify/verify.ts';
import { addedLines, loadSolution, SolutionError, type ImportOptions } from '../solution/load.ts';
import { palJUnitXml } from '../policy/pal/junit.ts';
import { formatPalResults, runPalTests, type PalRunResult } from '../policy/pal/run.ts';
import type { Command } from 'commander';
import { auditFlags, importsOf, solutionFlags, type CommandContext } from './options.ts';

export interface TestCommandOptions {
  readonly solution?: string;
  readonly board?: string;
  /** JUnit XML output file */
  readonly junit: string;
  /** `--define NAME=VALUE` values for the solution's build inputs */
  readonly defines?: Readonly<Record<string, string>>;
  /** the SDK (`--sdk`) and folders of stand-ins (`--include`) the solution's imports resolve from */
  readonly imports?: ImportOptions;
  /** the monitor's audit log of the run (every case decided, numbered from 1): a file, or `-` for stdout */
  readonly auditLog?: string;
  /** the audit runtime level (default: `audit default`'s) */
  readonly auditLevel?: number;
}

export interface TestCommandResult {
  readonly result: PalRunResult;
  readonly junitFile: string;
  /** the audit log written, if asked for */
  readonly auditLog: AuditLog | null;
  /** the sequence diagrams written, one per failing PAL test */
  readonly diagrams: readonly string[];
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
  const log = opts.auditLog === undefined ? null : new AuditLog(loaded.tables, loaded.policy, opts.auditLevel);
  const result = runPalTests(
    loaded.tables,
    loaded.policy,
    loaded.pal,
    log === null ? undefined : (e, d) => log.decision(log.decided + 1, e, d),
  );
  out(`PAL tests of ${loaded.name} (${reportPath(loaded.dir)}) on board ${board.id}`);
  for (const line of addedLines(loaded)) out(line);
  if (result.tests.length === 0) out('no PAL tests: the policy files hold no assert blocks');
  else for (const line of formatPalResults(result, reportPath)) out(line);
  const junitFile = resolve(opts.junit);
  mkdirSync(dirname(junitFile), { recursive: true });
  writeFileSync(junitFile, palJUnitXml(loaded.name, result, new Date().toISOString()));
  out(`JUnit XML written to ${opts.junit}`);
  const diagrams: string[] = [];
  for (const [name, text] of palFailureDiagrams(result)) {
    const file = join(dirname(junitFile), `pal-failure.${name.replace(/[^A-Za-z0-9_-]+/g, '_')}.mmd`);
    writeFileSync(file, text);
    diagrams.push(file);
    out(`sequence diagram of the failing test ${name} written to ${relative(process.cwd(), file) || file}`);
  }
  if (log !== null && opts.auditLog !== undefined) {
    writeAuditLog(opts.auditLog === '-' ? '-' : resolve(opts.auditLog), log, (s) => process.stdout.write(s));
    if (opts.auditLog !== '-')
      out(`audit log written to ${opts.auditLog} (${log.records.length} of ${log.decided} decisions)`);
  }
  return { result, junitFile, auditLog: log, diagrams, code: result.failed === 0 ? 0 : 1 };
}

export function registerTest(program: Command, ctx: CommandContext): void {
  auditFlags(
    solutionFlags(
      program
        .command('test')
        .description("run the PAL tests (assert blocks) of a solution's policy, print every case, and write JUnit XML")
        .argument('[solution]', 'solution directory (KasperskyOS layout)', undefined)
        .option('--board <id>', 'board whose template variables the policy is built with (see `cordon boards`)')
        .option('--junit <file>', 'JUnit XML file', 'out/pal-junit.xml'),
    ),
    'the PAL run (each case decided, numbered from 1)',
  ).action(
    (
      solution: string | undefined,
      o: {
        board?: string;
        junit: string;
        auditLog: string;
        auditLevel?: number;
        define?: Record<string, string>;
        sdk?: string;
        include: string[];
      },
    ) => {
      ctx.setCode(
        testCommand(
          {
            ...(solution ? { solution } : {}),
            ...(o.board === undefined ? {} : { board: o.board }),
            junit: o.junit,
            auditLog: o.auditLog,
            ...(o.auditLevel === undefined ? {} : { auditLevel: o.auditLevel }),
            ...(o.define ? { defines: o.define } : {}),
            imports: importsOf(o),
          },
          ctx.out,
        ).code,
      );
    },
  );
}
