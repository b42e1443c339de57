/**
 * `cordon test <solution>`: run a solution's PAL tests against its compiled
 * policy, print every case (PASS/FAIL, the event, the rule that decided),
 * and write JUnit XML; with `--coverage`, what of the policy the tests
 * exercised, as text, JSON or lcov, and `--threshold` fails below a percentage.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { AuditLog, writeAuditLog } from '../audit/log.ts';
import { palFailureDiagrams } from '../check/sequence-diagram.ts';
import { getBoard, DEFAULT_BOARD, type Board } from '../../boards/index.ts';
import { reportPath } from '../evidence/report.ts';
import { addedLines, loadSolution, SolutionError, type ImportOptions } from '../solution/load.ts';
import { palJUnitXml } from '../policy/pal/junit.ts';
import { formatPalResults, runPalTests, type PalRunResult } from '../policy/pal/run.ts';
import {
  compileWithCoverage,
  coverageLcov,
  coverageReport,
  coverageText,
  type CoverageReport,
} from '../policy/compile/coverage.ts';
import type { Command } from 'commander';
import {
  defaultSolution,
  auditFlags,
  importsOf,
  oneDocument,
  percent,
  solutionFlags,
  writeOutput,
  type CommandContext,
} from './options.ts';
import { SCHEMA_VERSION } from './schema-version.ts';

export interface TestCommandOptions {
  readonly solution?: string;
  readonly board?: string;
  /** JUnit XML output file (`-`: stdout) */
  readonly junit: string;
  /** `--define NAME=VALUE` values for the solution's build inputs */
  readonly defines?: Readonly<Record<string, string>>;
  /** the SDK (`--sdk`) and folders of stand-ins (`--include`) the solution's imports resolve from */
  readonly imports?: ImportOptions;
  /** measure policy coverage */
  readonly coverage?: boolean;
  /** write the coverage as lcov here (`-`: stdout); implies coverage */
  readonly coverageLcov?: string;
  /** fail (code 1) when the total coverage is below this percentage; implies coverage */
  readonly threshold?: number;
  /** the monitor's audit log of the run (every case decided, numbered from 1): a file, or `-` for stdout */
  readonly auditLog?: string;
  /** the audit runtime level (default: `audit default`'s) */
  readonly auditLevel?: number;
}

export interface TestCommandResult {
  readonly name: string;
  readonly dir: string;
  readonly board: string;
  readonly result: PalRunResult;
  readonly junitFile: string;
  readonly coverage: CoverageReport | null;
  /** the audit log written, if asked for */
  readonly auditLog: AuditLog | null;
  /** the sequence diagrams written, one per failing PAL test */
  readonly diagrams: readonly string[];
  /** process exit code: 0 all passed, 1 a test failed or coverage was below the threshold */
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
  const loaded = loadSolution(opts.solution ?? defaultSolution(), board, {
    ...(opts.defines === undefined ? {} : { defines: opts.defines }),
    ...(opts.imports ?? {}),
  });
  const measure = opts.coverage === true || opts.coverageLcov !== undefined || opts.threshold !== undefined;
  if (measure && loaded.psl === null)
    throw new SolutionError(
      `${loaded.name}: policy coverage needs a PSL policy; this solution's policy is a rule list`,
    );
  const counted = measure ? compileWithCoverage(loaded.psl!, loaded.tables, { name: loaded.name }) : null;
  const log = opts.auditLog === undefined ? null : new AuditLog(loaded.tables, loaded.policy, opts.auditLevel);
  const result = runPalTests(
    loaded.tables,
    counted?.compiled ?? loaded.policy,
    loaded.pal,
    log === null ? undefined : (e, d) => log.decision(log.decided + 1, e, d),
  );
  out(`PAL tests of ${loaded.name} (${reportPath(loaded.dir)}) on board ${board.id}`);
  for (const line of addedLines(loaded)) out(line);
  if (result.tests.length === 0) out('no PAL tests: the policy files hold no assert blocks');
  else for (const line of formatPalResults(result, reportPath)) out(line);
  const junit = palJUnitXml(loaded.name, result, new Date().toISOString(), loaded.dir);
  out(`JUnit XML written to ${writeOutput(opts.junit, junit)}`);
  let code = result.failed === 0 ? 0 : 1;
  const coverage = counted === null ? null : coverageReport(counted.coverage, loaded.dir);
  if (coverage !== null) {
    coverageText(coverage).forEach(out);
    if (opts.coverageLcov !== undefined)
      out(`lcov written to ${writeOutput(opts.coverageLcov, coverageLcov(coverage, loaded.name))}`);
    if (opts.threshold !== undefined && coverage.total.percent < opts.threshold) {
      out(`policy coverage ${coverage.total.percent}% is below the threshold ${opts.threshold}%`);
      code = 1;
    }
  }
  const diagrams: string[] = [];
  const diagramDir = opts.junit === '-' ? resolve('out') : dirname(resolve(opts.junit));
  for (const [name, text] of palFailureDiagrams(result)) {
    const file = join(diagramDir, `pal-failure.${name.replace(/[^A-Za-z0-9_-]+/g, '_')}.mmd`);
    mkdirSync(diagramDir, { recursive: true });
    writeFileSync(file, text);
    diagrams.push(file);
    out(`sequence diagram of the failing test ${name} written to ${relative(process.cwd(), file) || file}`);
  }
  if (log !== null && opts.auditLog !== undefined) {
    writeAuditLog(opts.auditLog === '-' ? '-' : resolve(opts.auditLog), log, (s) => process.stdout.write(s));
    if (opts.auditLog !== '-')
      out(`audit log written to ${opts.auditLog} (${log.records.length} of ${log.decided} decisions)`);
  }
  return {
    name: loaded.name,
    dir: loaded.dir,
    board: board.id,
    result,
    junitFile: opts.junit,
    coverage,
    auditLog: log,
    diagrams,
    code,
  };
}

export function registerTest(program: Command, ctx: CommandContext): void {
  auditFlags(
    solutionFlags(
      program
        .command('test')
        .description(
          "run the PAL tests (assert blocks) of a solution's policy, print every case, and write JUnit XML; with --coverage, what of the policy they exercised",
        )
        .argument(
          '[solution]',
          'solution directory (default: the current directory when it holds one, else examples/ping)',
        )
        .option('--board <id>', 'board whose template variables the policy is built with (see `cordon boards`)')
        .option('--junit <file>', 'JUnit XML file (- for stdout)', 'out/pal-junit.xml')
        .option(
          '--coverage',
          'policy coverage: bindings, match sections, choice alternatives, rules, condition outcomes, Flow transitions',
        )
        .option('--coverage-lcov <file>', 'write the policy coverage as lcov (- for stdout; implies --coverage)')
        .option(
          '--threshold <pct>',
          'exit 1 when the policy coverage is below this percentage (implies --coverage)',
          percent,
        )
        .option('--json', 'print one JSON document (schemas/test.schema.json) instead of text'),
    ),
    'the PAL run (each case decided, numbered from 1)',
  ).action(
    (
      solution: string | undefined,
      o: {
        board?: string;
        junit: string;
        coverage?: boolean;
        coverageLcov?: string;
        threshold?: number;
        json?: boolean;
        auditLog: string;
        auditLevel?: number;
        define?: Record<string, string>;
        sdk?: string;
        include: string[];
      },
    ) => {
      oneDocument(o.json, { '--junit': o.junit, '--coverage-lcov': o.coverageLcov });
      const r = testCommand(
        {
          ...(solution ? { solution } : {}),
          ...(o.board === undefined ? {} : { board: o.board }),
          junit: o.junit,
          ...(o.define ? { defines: o.define } : {}),
          imports: importsOf(o),
          ...(o.coverage === true ? { coverage: true } : {}),
          ...(o.coverageLcov === undefined ? {} : { coverageLcov: o.coverageLcov }),
          ...(o.threshold === undefined ? {} : { threshold: o.threshold }),
          auditLog: o.auditLog,
          ...(o.auditLevel === undefined ? {} : { auditLevel: o.auditLevel }),
        },
        o.json === true ? () => {} : ctx.out,
      );
      if (o.json === true)
        ctx.json({
          schemaVersion: SCHEMA_VERSION,
          command: 'test',
          solution: r.name,
          board: r.board,
          passed: r.result.passed,
          failed: r.result.failed,
          skipped: r.result.skipped,
          durationMs: r.result.durationMs,
          tests: r.result.tests.map((t) => ({
            suite: t.suite,
            name: t.name,
            status: t.status,
            file: relative(r.dir, t.loc.file).split('\\').join('/'),
            line: t.loc.line,
            cases: t.cases.length,
          })),
          junit: r.junitFile,
          coverage: r.coverage,
          ...(o.threshold === undefined ? {} : { threshold: o.threshold }),
        });
      ctx.setCode(r.code);
    },
  );
}
