// `cordon verify [solution|tree]`: the main job on one solution, or on each
// einit configuration of a tree; the report printed and written.

import { writeAuditLog, type AuditLog } from '../audit/log.ts';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { findKosSolutions } from '../solution/kos.ts';
import { verify, verifyWithTlc, VerifyError } from '../verify/verify.ts';
import { addedLines, SolutionError, type Loaded } from '../solution/load.ts';
import { CheckError } from '../check/check.ts';
import { ManifestError } from '../solution/manifest.ts';
import { REPORT_SCHEMA_VERSION, type Report } from '../evidence/report.ts';
import { reportJUnitXml } from '../evidence/junit.ts';
import { solutionDot } from '../solution/dot.ts';
import { coverageLcov as coverageLcov_, coverageText, type CoverageReport } from '../policy/compile/coverage.ts';
import { progressReporter } from '../tlc/progress-lines.ts';
import {
  auditFlags,
  importsOf,
  int,
  nowhere,
  oneDocument,
  paintStatus,
  percent,
  progressInterval,
  solutionFlags,
  solutionHere,
  writeOutput,
  type CommandContext,
} from './options.ts';

/** The einit configurations `cordon verify <tree>` verifies one by one: more than one, in a tree without solution.yaml. */
export function configurationsOf(path: string): string[] {
  const abs = resolve(path);
  if (!existsSync(abs) || !statSync(abs).isDirectory() || existsSync(resolve(abs, 'solution.yaml'))) return [];
  const found = findKosSolutions(abs);
  return found.length > 1 ? found : [];
}

export function printReport(r: Report, out: (s: string) => void, color = false): void {
  out(`solution ${r.solution} on board ${r.board}, seed ${r.seed}`);
  for (const c of r.checks) {
    const steps =
      typeof c.details === 'object' && c.details !== null && 'steps' in c.details
        ? `, ${(c.details as { steps: number }).steps} steps`
        : '';
    const t = c.kind === 'tlc' ? (c.details as { distinct?: number; depth?: number } | undefined) : undefined;
    const tlc = t?.distinct !== undefined ? `, ${t.distinct} distinct states, depth ${t.depth}` : '';
    out(
      `  ${paintStatus(c.status === 'pass' ? 'PASS' : c.status.toUpperCase(), color)}  ${c.id.padEnd(30)} ${String(c.runs).padStart(6)} runs${steps}${tlc}, ${c.durationMs} ms`,
    );
    if (c.status === 'skipped' && typeof c.details === 'object' && c.details !== null && 'reason' in c.details)
      out(`        ${(c.details as { reason: string }).reason}`);
    if (c.counterexample !== undefined)
      out(
        c.counterexample
          .split('\n')
          .map((l) => `        ${l}`)
          .join('\n'),
      );
    if (c.replay !== undefined) out(`        replay: ${c.replay}`);
  }
  const failed = r.checks.filter((c) => c.status === 'fail' || c.status === 'error').length;
  const skipped = r.checks.filter((c) => c.status === 'skipped').length;
  const passed = r.checks.length - failed - skipped;
  out(`verify: ${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`);
}

export function registerVerify(program: Command, ctx: CommandContext): void {
  const { out } = ctx;
  auditFlags(
    solutionFlags(
      program
        .command('verify')
        .description(
          'boot a solution, run the property suites against it with a recorded seed, and write the evidence report',
        )
        .argument('[solution]', 'solution directory or solution.yaml', undefined)
        .option('--board <id>', 'board to run on (see `cordon boards`)')
        .option('--seed <n>', 'seed for the property suites', int('seed'))
        .option('--runs <n>', 'runs per property', int('runs'))
        .option('--steps <n>', 'kernel steps per run, at most', int('steps'))
        .option('--path <path>', "fast-check replay path (from a failure's replay line; needs --seed)", (v: string) => {
          if (!/^\d+(:\d+)*$/.test(v))
            throw new InvalidArgumentError(`a replay path is numbers separated by colons (e.g. 12:0:3), not "${v}"`);
          return v;
        })
        .option('--out <file>', 'report file (- for stdout)', 'out/verify.json')
        .option('--json', 'print the report as one JSON document (schemas/verify.schema.json) instead of text')
        .option('--junit <file>', 'also write every check as a JUnit testcase (- for stdout)')
        .option('--dot <file>', "also write the solution's processes and channels as Graphviz DOT (- for stdout)")
        .option(
          '--coverage',
          'policy coverage of every check that decides with the policy (PAL tests, scenario, properties)',
        )
        .option('--coverage-lcov <file>', 'write the policy coverage as lcov (- for stdout; implies --coverage)')
        .option(
          '--threshold <pct>',
          'exit 1 when the policy coverage is below this percentage (implies --coverage)',
          percent,
        )
        .option('--no-tlc', 'skip the TLC checks (the kernel models and the solution model)')
        .option(
          '--progress-interval <seconds>',
          'TLC runs: when stderr is not a terminal, a progress line this often (default 5)',
          progressInterval,
        ),
    ),
    'the boot and the scenario run',
  ).action(
    async (
      solution: string | undefined,
      o: {
        board?: string;
        seed?: number;
        runs?: number;
        steps?: number;
        path?: string;
        out: string;
        json?: boolean;
        junit?: string;
        dot?: string;
        coverage?: boolean;
        coverageLcov?: string;
        threshold?: number;
        tlc: boolean;
        progressInterval?: number;
        auditLog: string;
        auditLevel?: number;
        define?: Record<string, string>;
        sdk?: string;
        include: string[];
      },
    ) => {
      if (o.path !== undefined && o.seed === undefined)
        throw new VerifyError(
          "--path replays a counterexample of the run it was printed with: give that run's --seed too",
        );
      const {
        define,
        sdk: _sdk,
        include: _include,
        progressInterval: intervalMs,
        json: _json,
        junit: _junit,
        dot: _dot,
        coverage: _coverage,
        coverageLcov,
        threshold,
        auditLog: auditFile,
        auditLevel: level,
        ...rest
      } = o;
      const coverage = o.coverage === true || coverageLcov !== undefined || threshold !== undefined;
      oneDocument(o.json, { '--junit': o.junit, '--dot': o.dot, '--coverage-lcov': o.coverageLcov });
      const out = o.json === true ? () => {} : ctx.out;
      const color = ctx.color();
      const progress = (label: string) =>
        progressReporter({
          label,
          ...(intervalMs === undefined ? {} : { intervalMs }),
          ...(ctx.quiet() ? { stream: nowhere } : {}),
        });
      const load = {
        ...(define ? { defines: define } : {}),
        imports: importsOf(o),
        commandLine: ctx.argv,
        ...(coverage ? { coverage: true } : {}),
        onLoaded: (l: Loaded) => {
          addedLines(l).forEach(out);
          if (o.dot !== undefined) out(`DOT written to ${writeOutput(o.dot, solutionDot(l.tables))}`);
        },
      };
      /** the audit log option of verify: written to `file` (- for stdout) once the scenario has run */
      const auditLog = (file: string) => ({
        ...(level === undefined ? {} : { level }),
        written: (log: AuditLog) => {
          writeAuditLog(file === '-' ? '-' : resolve(file), log, (s) => process.stdout.write(s));
          if (file !== '-') out(`audit log written to ${file} (${log.records.length} of ${log.decided} decisions)`);
        },
      });
      const configs = solution === undefined ? [] : configurationsOf(solution);
      if (configs.length > 0) {
        // a tree with several einit configurations: each in turn, a report each, a summary line each
        out(`${solution}: ${configs.length} einit configurations`);
        const summary: string[] = [];
        const reports: Report[] = [];
        for (const c of configs) {
          const name = relative(resolve(solution!), c) || basename(c);
          out(`== ${name}`);
          const one = {
            ...rest,
            solution: c,
            ...load,
            progress,
            auditLog: auditLog(
              auditFile === '-' ? '-' : auditFile.replace(/(\.jsonl)?$/, `.${name.replace(/[\\/]/g, '.')}.jsonl`),
            ),
            onCheck: (id: string) => ctx.note(`… ${name}: ${id}`),
          };
          try {
            const report = o.tlc ? await verifyWithTlc(one) : verify(one);
            const file = o.out.replace(/(\.json)?$/, `.${name.replace(/[\\/]/g, '.')}.json`);
            writeOutput(file, `${JSON.stringify(report, null, 2)}\n`);
            reports.push(report);
            printReport(report, out, color);
            const failed = report.checks.filter((k) => k.status === 'fail' || k.status === 'error').length;
            summary.push(
              `  ${failed === 0 ? 'PASS' : 'FAIL'}  ${name}: ${report.checks.length - failed} of ${report.checks.length} checks passed, report ${file}`,
            );
            if (failed > 0) ctx.setCode(1);
          } catch (e) {
            if (!(e instanceof SolutionError || e instanceof ManifestError || e instanceof CheckError)) throw e;
            summary.push(`  FAIL  ${name}: ${e.message}`);
            ctx.setCode(1);
          }
        }
        out(`verify ${solution}:`);
        for (const l of summary) out(l);
        if (o.json === true)
          ctx.json({
            schemaVersion: REPORT_SCHEMA_VERSION,
            command: 'verify',
            tree: solution,
            configurations: reports,
          });
        return;
      }
      const diagrams: string[] = [];
      const opts = {
        auditLog: auditLog(auditFile),
        onDiagram: (id: string, text: string) => {
          const file = join(dirname(resolve(o.out === '-' ? 'out/verify.json' : o.out)), `${id}.counterexample.mmd`);
          mkdirSync(dirname(file), { recursive: true });
          writeFileSync(file, text);
          diagrams.push(
            `${id}: sequence diagram of the counterexample written to ${relative(process.cwd(), file) || file}`,
          );
        },
        ...(solution !== undefined ? { solution } : solutionHere() === undefined ? {} : { solution: solutionHere()! }),
        ...rest,
        ...load,
        progress,
        onCheck: (id: string) => ctx.note(`… ${id}`),
      };
      const report = o.tlc ? await verifyWithTlc(opts) : verify(opts);
      const json = `${JSON.stringify(report, null, 2)}\n`;
      printReport(report, out, color);
      diagrams.forEach(out);
      if (!(o.json === true && o.out === '-')) out(`report written to ${writeOutput(o.out, json)}`);
      if (o.junit !== undefined) out(`JUnit XML written to ${writeOutput(o.junit, reportJUnitXml(report))}`);
      if (o.out !== '-')
        out(
          `evidence bundle: npx cordon evidence${solution ? ` ${solution}` : ''}${o.board ? ` --board ${o.board}` : ''}${o.out === 'out/verify.json' ? '' : ` --reuse ${o.out}`} (reuses this report's checks when its inputs are the bundle's)`,
        );
      let below = false;
      if (report.coverage !== undefined) {
        const c = report.coverage as CoverageReport;
        coverageText(c).forEach(out);
        if (coverageLcov !== undefined)
          out(`lcov written to ${writeOutput(coverageLcov, coverageLcov_(c, report.solution))}`);
        if (threshold !== undefined && c.total.percent < threshold) {
          out(`policy coverage ${c.total.percent}% is below the threshold ${threshold}%`);
          below = true;
        }
      }
      if (o.json === true) ctx.json(report);
      ctx.setCode(report.checks.every((c) => c.status === 'pass' || c.status === 'skipped') && !below ? 0 : 1);
    },
  );
}
