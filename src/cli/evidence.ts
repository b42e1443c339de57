// `cordon evidence [solution]`: the certification evidence bundle (see
// src/evidence/bundle.ts); `cordon evidence verify <bundle>`: checks one.

import { SCHEMA_VERSION } from './schema-version.ts';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { runEvidence } from '../evidence/run.ts';
import { bundleFiles, writeBundle, type MutantRun } from '../evidence/bundle.ts';
import { BundleError, verifyBundle } from '../evidence/verify-bundle.ts';
import { int, loadOptionsOf, solutionFlags, type CommandContext, type SolutionFlags } from './options.ts';

/**
 * The security-mutant results of a run's requirements: the committed suite
 * (src/evidence/mutants.ts), each mutant applied in a scratch copy and the
 * checks that claim its requirement run against it. Without it (--no-mutants)
 * no requirement can be green: its checks are not shown to fail.
 */
export async function mutantRunsFor(enabled: boolean, note: (line: string) => void): Promise<readonly MutantRun[]> {
  if (!enabled) return [];
  const { runSecurityMutants } = await import('../evidence/mutants.ts');
  return runSecurityMutants({ onProgress: note });
}

const CELL = { green: 'GREEN', amber: 'AMBER', red: 'RED  ' } as const;

export function registerEvidence(program: Command, ctx: CommandContext): void {
  const { out } = ctx;
  const evidence = solutionFlags(
    program
      .command('evidence')
      .description(
        'run every check (or reuse a verify report of the same inputs) and write the certification evidence bundle; `evidence verify <bundle>` checks one',
      )
      .argument('[solution]', 'solution directory or solution.yaml (default: examples/ping)')
      .option('-o, --out <dir>', 'bundle directory', 'out/evidence')
      .option('--board <id>', 'board to run on (see `cordon boards`)')
      .option('--seed <n>', 'seed of the property suites and the recorded traces (default 1)', int('seed'))
      .option('--runs <n>', 'runs per property (default 200)', int('runs'))
      .option('--steps <n>', 'kernel steps per run, at most (default 100)', int('steps'))
      .option('--scenario-steps <n>', 'kernel steps of the scripted scenario (default 5000)', int('scenario steps'))
      .option('--traces <n>', 'TS kernel traces validated against the spec (default 40)', int('traces'))
      .option('--models <names>', 'only these kernel models, comma-separated (default: every one)')
      .option('--no-tlc', 'leave out the TLC checks (kernel models, solution model)')
      .option('--no-conformance', 'leave out trace validation, the reachable-set comparison and the inductive proof')
      .option('--reuse <file>', "reuse this verify report's checks when it has the bundle's inputs", 'out/verify.json')
      .option('--no-reuse', 'always run the checks here')
      .option('--no-mutants', 'leave out the security-mutant suite (no requirement can then be green)')
      .option('--json', 'print the result as JSON'),
  ).action(
    async (
      solution: string | undefined,
      o: SolutionFlags & {
        out: string;
        board?: string;
        seed?: number;
        runs?: number;
        steps?: number;
        scenarioSteps?: number;
        traces?: number;
        models?: string;
        tlc: boolean;
        conformance: boolean;
        reuse: string | false;
        json?: boolean;
        mutants: boolean;
      },
    ) => {
      const load = loadOptionsOf(o);
      const run = await runEvidence({
        ...(solution !== undefined ? { solution } : {}),
        ...(o.board !== undefined ? { board: o.board } : {}),
        ...(o.seed !== undefined ? { seed: o.seed } : {}),
        ...(o.runs !== undefined ? { runs: o.runs } : {}),
        ...(o.steps !== undefined ? { steps: o.steps } : {}),
        ...(o.scenarioSteps !== undefined ? { scenarioSteps: o.scenarioSteps } : {}),
        ...(o.traces !== undefined ? { traces: o.traces } : {}),
        ...(o.models !== undefined ? { models: o.models.split(',').map((x) => x.trim()) } : {}),
        tlc: o.tlc,
        conformance: o.conformance,
        reuse: o.reuse === false ? null : o.reuse,
        ...(load.defines ? { defines: load.defines } : {}),
        imports: {
          ...(load.sdkRoot ? { sdkRoot: load.sdkRoot } : {}),
          ...(load.includes ? { includes: load.includes } : {}),
        },
        onCheck: (id) => process.stderr.write(`… ${id}\n`),
      });
      const mutants = await mutantRunsFor(o.mutants, (line) => process.stderr.write(`… ${line}\n`));
      const files = bundleFiles(run, mutants);
      const written = writeBundle(resolve(o.out), files);
      const trace = JSON.parse(files.get('traceability.json')!) as {
        requirements: { id: string; cell: 'green' | 'amber' | 'red'; verdict: string; adequacy: string }[];
      };
      const checks = [...run.report.checks, ...run.extra];
      const failed = checks.filter((c) => c.status === 'fail' || c.status === 'error');
      const survived = mutants.filter((m) => !m.killed);
      if (o.json)
        ctx.json({
          schemaVersion: SCHEMA_VERSION,
          command: 'evidence',
          bundle: o.out,
          files: written.sort(),
          reused: run.reused,
          notReused: run.notReused,
          checks: { total: checks.length, failed: failed.map((c) => c.id) },
          requirements: trace.requirements.map((r) => ({
            id: r.id,
            cell: r.cell,
            verdict: r.verdict,
            adequacy: r.adequacy,
          })),
        });
      else {
        if (run.reused !== null) out(`reused the checks of ${run.reused} (same inputs, tools and scale)`);
        else if (run.notReused !== null) out(`ran every check here: ${o.reuse} is not reused (${run.notReused})`);
        for (const r of trace.requirements)
          out(`  ${CELL[r.cell]}  ${r.id.padEnd(22)} ${r.verdict}, ${r.adequacy.replace(/-/g, ' ')}`);
        out(
          `evidence: ${checks.length} checks, ${failed.length} failed; bundle written to ${o.out} (${written.length} files)`,
        );
        for (const c of failed) out(`  FAIL  ${c.id}`);
      }
      ctx.setCode(failed.length > 0 || survived.length > 0 ? 1 : 0);
    },
  );

  evidence
    .command('verify')
    .description(
      "check a bundle: its files and every input against the manifest's sha256, and every check re-run with its recorded seed",
    )
    .argument('<bundle>', 'the bundle directory')
    .option('--no-rerun', 'hashes and internal consistency only, no checks re-run')
    .option('--json', 'print the result as JSON')
    .action(async (bundle: string, o: { rerun: boolean; json?: boolean }) => {
      try {
        const v = await verifyBundle(resolve(bundle), { rerun: o.rerun });
        // `--json` after `verify` may be taken by the parent command, which has the same option
        if (o.json === true || evidence.opts<{ json?: boolean }>().json === true)
          ctx.json({ schemaVersion: SCHEMA_VERSION, command: 'evidence verify', ...v, bundle });
        else {
          for (const m of v.mismatches) out(`  MISMATCH  ${m}`);
          out(
            `evidence verify ${bundle}: ${v.mismatches.length === 0 ? 'matches' : `${v.mismatches.length} mismatch${v.mismatches.length === 1 ? '' : 'es'}`} (${v.compared.files} bundle files, ${v.compared.inputs} inputs, ${v.compared.checks} checks${v.compared.rerun ? ' re-run' : ', not re-run'})`,
          );
        }
        ctx.setCode(v.mismatches.length === 0 ? 0 : 1);
      } catch (e) {
        if (!(e instanceof BundleError)) throw e;
        process.stderr.write(`cordon: ${e.message}\n`);
        ctx.setCode(2);
      }
    });
}
