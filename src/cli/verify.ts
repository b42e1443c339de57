// `cordon verify [solution|tree]`: the main job on one solution, or on each
// einit configuration of a tree; the report printed and written.

import { existsSync, statSync } from 'node:fs';
import { basename, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { findKosSolutions } from '../solution/kos.ts';
import { verify, verifyWithTlc, VerifyError } from '../verify/verify.ts';
import { addedLines, SolutionError, type Loaded } from '../solution/load.ts';
import { CheckError } from '../check/check.ts';
import { ManifestError } from '../solution/manifest.ts';
import { writeReport, type Report } from '../evidence/report.ts';
import { progressReporter } from '../tlc/progress-lines.ts';
import { importsOf, int, progressInterval, solutionFlags, type CommandContext } from './options.ts';

/** The einit configurations `cordon verify <tree>` verifies one by one: more than one, in a tree without solution.yaml. */
export function configurationsOf(path: string): string[] {
  const abs = resolve(path);
  if (!existsSync(abs) || !statSync(abs).isDirectory() || existsSync(resolve(abs, 'solution.yaml'))) return [];
  const found = findKosSolutions(abs);
  return found.length > 1 ? found : [];
}

export function printReport(r: Report, out: (s: string) => void): void {
  out(`solution ${r.solution} on board ${r.board}, seed ${r.seed}`);
  for (const c of r.checks) {
    const steps =
      typeof c.details === 'object' && c.details !== null && 'steps' in c.details
        ? `, ${(c.details as { steps: number }).steps} steps`
        : '';
    const t = c.kind === 'tlc' ? (c.details as { distinct?: number; depth?: number } | undefined) : undefined;
    const tlc = t?.distinct !== undefined ? `, ${t.distinct} distinct states, depth ${t.depth}` : '';
    out(
      `  ${c.status === 'pass' ? 'PASS' : c.status.toUpperCase()}  ${c.id.padEnd(30)} ${String(c.runs).padStart(6)} runs${steps}${tlc}, ${c.durationMs} ms`,
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
      .option('--out <file>', 'report file', 'out/verify.json')
      .option('--no-tlc', 'skip the TLC checks (the kernel models and the solution model)')
      .option(
        '--progress-interval <seconds>',
        'TLC runs: when stderr is not a terminal, a progress line this often (default 5)',
        progressInterval,
      ),
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
        tlc: boolean;
        progressInterval?: number;
        define?: Record<string, string>;
        sdk?: string;
        include: string[];
      },
    ) => {
      if (o.path !== undefined && o.seed === undefined)
        throw new VerifyError(
          "--path replays a counterexample of the run it was printed with: give that run's --seed too",
        );
      const { define, sdk: _sdk, include: _include, progressInterval: intervalMs, ...rest } = o;
      const progress = (label: string) =>
        progressReporter({ label, ...(intervalMs === undefined ? {} : { intervalMs }) });
      const load = {
        ...(define ? { defines: define } : {}),
        imports: importsOf(o),
        onLoaded: (l: Pick<Loaded, 'added'>) => addedLines(l).forEach(out),
      };
      const configs = solution === undefined ? [] : configurationsOf(solution);
      if (configs.length > 0) {
        // a tree with several einit configurations: each in turn, a report each, a summary line each
        out(`${solution}: ${configs.length} einit configurations`);
        const summary: string[] = [];
        for (const c of configs) {
          const name = relative(resolve(solution!), c) || basename(c);
          out(`== ${name}`);
          const one = {
            ...rest,
            solution: c,
            ...load,
            progress,
            onCheck: (id: string) => process.stderr.write(`… ${name}: ${id}\n`),
          };
          try {
            const report = o.tlc ? await verifyWithTlc(one) : verify(one);
            const file = o.out.replace(/(\.json)?$/, `.${name.replace(/[\\/]/g, '.')}.json`);
            writeReport(resolve(file), report);
            printReport(report, out);
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
        return;
      }
      const opts = {
        ...(solution ? { solution } : {}),
        ...rest,
        ...load,
        progress,
        onCheck: (id: string) => process.stderr.write(`… ${id}\n`),
      };
      const report = o.tlc ? await verifyWithTlc(opts) : verify(opts);
      const file = resolve(o.out);
      writeReport(file, report);
      printReport(report, out);
      out(`report written to ${o.out}`);
      out(
        `evidence bundle: npx cordon evidence${solution ? ` ${solution}` : ''}${o.board ? ` --board ${o.board}` : ''}${o.out === 'out/verify.json' ? '' : ` --reuse ${o.out}`} (reuses this report's checks when its inputs are the bundle's)`,
      );
      ctx.setCode(report.checks.every((c) => c.status === 'pass' || c.status === 'skipped') ? 0 : 1);
    },
  );
}
