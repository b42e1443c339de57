// `cordon`: the command line. Each command is a thin shell over a room of its
// own (verify, boards, …); errors in the user's inputs are printed as one
// clear message, never a stack trace.

import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { existsSync, statSync } from 'node:fs';
import { basename, relative, resolve } from 'node:path';
import { findKosSolutions } from '../solution/kos.ts';
import { verify, verifyWithTlc, VerifyError } from '../verify/verify.ts';
import { loadSolution, SolutionError } from '../solution/load.ts';
import { checkLoaded, distributed, writeCounterexample, CheckError } from '../check/check.ts';
import { getBoard, DEFAULT_BOARD } from '../../boards/index.ts';
import cliProgress from 'cli-progress';
import { ManifestError } from '../solution/manifest.ts';
import { ROOT, writeReport, type Report } from '../evidence/report.ts';
import { listBoards, boardFacts } from './boards.ts';
import { testCommand } from './test.ts';
import { addAuditCommands } from './audit.ts';

const int = (what: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new InvalidArgumentError(`${what} must be an integer`);
  return n;
};

/** `--define NAME=VALUE`, repeatable: collected into one map (a later one wins). */
export function collectDefine(v: string, previous: Record<string, string> = {}): Record<string, string> {
  const m = /^([A-Za-z_][A-Za-z0-9_]*\+?)=(.*)$/s.exec(v);
  if (m === null) throw new InvalidArgumentError(`expected NAME=VALUE (a CMake variable or placeholder name, "=", its value), not "${v}"`);
  return { ...previous, [m[1]!]: m[2]! };
}

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
    const steps = typeof c.details === 'object' && c.details !== null && 'steps' in c.details ? `, ${(c.details as { steps: number }).steps} steps` : '';
    const t = c.kind === 'tlc' ? (c.details as { distinct?: number; depth?: number } | undefined) : undefined;
    const tlc = t?.distinct !== undefined ? `, ${t.distinct} distinct states, depth ${t.depth}` : '';
    out(`  ${c.status === 'pass' ? 'PASS' : c.status.toUpperCase()}  ${c.id.padEnd(30)} ${String(c.runs).padStart(6)} runs${steps}${tlc}, ${c.durationMs} ms`);
    if (c.status === 'skipped' && typeof c.details === 'object' && c.details !== null && 'reason' in c.details) out(`        ${(c.details as { reason: string }).reason}`);
    if (c.counterexample !== undefined) out(c.counterexample.split('\n').map((l) => `        ${l}`).join('\n'));
    if (c.replay !== undefined) out(`        replay: ${c.replay}`);
  }
  const failed = r.checks.filter((c) => c.status === 'fail' || c.status === 'error').length;
  const skipped = r.checks.filter((c) => c.status === 'skipped').length;
  const passed = r.checks.length - failed - skipped;
  out(`verify: ${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`);
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
    .option('--path <path>', "fast-check replay path (from a failure's replay line; needs --seed)", (v: string) => {
      if (!/^\d+(:\d+)*$/.test(v)) throw new InvalidArgumentError(`a replay path is numbers separated by colons (e.g. 12:0:3), not "${v}"`);
      return v;
    })
    .option('--out <file>', 'report file', 'out/verify.json')
    .option('--no-tlc', 'skip the TLC checks (the kernel models and the solution model)')
    .option('--define <NAME=VALUE>', 'value of a CMake variable or @VAR@ placeholder of the solution (repeatable)', collectDefine)
    .action(async (solution: string | undefined, o: { board?: string; seed?: number; runs?: number; steps?: number; path?: string; out: string; tlc: boolean; define?: Record<string, string> }) => {
      if (o.path !== undefined && o.seed === undefined) throw new VerifyError('--path replays a counterexample of the run it was printed with: give that run\'s --seed too');
      const { define, ...rest } = o;
      const configs = solution === undefined ? [] : configurationsOf(solution);
      if (configs.length > 0) {
        // a tree with several einit configurations: each in turn, a report each, a summary line each
        out(`${solution}: ${configs.length} einit configurations`);
        const summary: string[] = [];
        for (const c of configs) {
          const name = relative(resolve(solution!), c) || basename(c);
          out(`== ${name}`);
          const one = { ...rest, solution: c, ...(define ? { defines: define } : {}), onCheck: (id: string) => process.stderr.write(`… ${name}: ${id}\n`) };
          try {
            const report = o.tlc ? await verifyWithTlc(one) : verify(one);
            const file = o.out.replace(/(\.json)?$/, `.${name.replace(/[\\/]/g, '.')}.json`);
            writeReport(resolve(file), report);
            printReport(report, out);
            const failed = report.checks.filter((k) => k.status === 'fail' || k.status === 'error').length;
            summary.push(`  ${failed === 0 ? 'PASS' : 'FAIL'}  ${name}: ${report.checks.length - failed} of ${report.checks.length} checks passed, report ${file}`);
            if (failed > 0) code = 1;
          } catch (e) {
            if (!(e instanceof SolutionError || e instanceof ManifestError || e instanceof CheckError)) throw e;
            summary.push(`  FAIL  ${name}: ${e.message}`);
            code = 1;
          }
        }
        out(`verify ${solution}:`);
        for (const l of summary) out(l);
        return;
      }
      const opts = { ...(solution ? { solution } : {}), ...rest, ...(define ? { defines: define } : {}), onCheck: (id: string) => process.stderr.write(`… ${id}\n`) };
      const report = o.tlc ? await verifyWithTlc(opts) : verify(opts);
      const file = resolve(o.out);
      writeReport(file, report);
      printReport(report, out);
      out(`report written to ${o.out}`);
      code = report.checks.every((c) => c.status === 'pass' || c.status === 'skipped') ? 0 : 1;
    });

  program
    .command('test')
    .description("run the PAL tests (assert blocks) of a solution's policy, print every case, and write JUnit XML")
    .argument('[solution]', 'solution directory (KasperskyOS layout)', undefined)
    .option('--board <id>', 'board whose template variables the policy is built with (see `cordon boards`)')
    .option('--junit <file>', 'JUnit XML file', 'out/pal-junit.xml')
    .option('--define <NAME=VALUE>', 'value of a CMake variable or @VAR@ placeholder of the solution (repeatable)', collectDefine)
    .action((solution: string | undefined, o: { board?: string; junit: string; define?: Record<string, string> }) => {
      const { define, ...rest } = o;
      code = testCommand({ ...(solution ? { solution } : {}), ...rest, ...(define ? { defines: define } : {}) }, out).code;
    });

  program
    .command('check')
    .description("model-check a solution with TLC: its processes, channels and policy as a TLC model; a violation is replayed in the kernel and written as a replay file")
    .argument('[solution]', 'solution directory or solution.yaml (default: examples/ping-rules)')
    .option('--board <id>', 'board whose template variables the solution is read with')
    .option('--workers <n>', 'TLC worker threads (default: the core count)', int('workers'))
    .option('--timeout <seconds>', 'give up after this long', int('timeout'))
    .option('--replay <file>', 'where to write the counterexample replay file', 'out/check.replay.json')
    .option('--distributed <n>', "run the scale model under TLC's distributed engine with n workers on loopback, and a single-process run, and compare", int('workers'))
    .option('--size <size>', 'scale model for --distributed: large (over 1,000,000 states) or small', 'large')
    .option('--define <NAME=VALUE>', 'value of a CMake variable or @VAR@ placeholder of the solution (repeatable)', collectDefine)
    .action(async (solution: string | undefined, o: { board?: string; workers?: number; timeout?: number; replay: string; distributed?: number; size: string; define?: Record<string, string> }) => {
      const bar = new cliProgress.SingleBar({ format: 'TLC |{bar}| {distinct} distinct states, {queue} on the queue, depth {depth}', hideCursor: true, noTTYOutput: false, stream: process.stderr }, cliProgress.Presets.shades_classic);
      if (o.distributed !== undefined) {
        if (o.size !== 'large' && o.size !== 'small') throw new VerifyError(`--size must be large or small, not "${o.size}"`);
        process.stderr.write(`distributed TLC (${o.distributed} workers) and a single-process run of the ${o.size} scale model…\n`);
        const c = await distributed(o.distributed, o.size);
        for (const [mode, f] of [['single process', c.single], [`distributed, ${c.workers} workers`, c.distributed]] as const)
          out(`  ${mode.padEnd(24)} ${f.verdict.padEnd(8)} ${f.distinct ?? '?'} distinct states, depth ${f.depth ?? '?'}, TLC ${f.tlcSeconds ?? '?'} s, wall ${f.wallSeconds.toFixed(1)} s${f.problem ? `\n    ${f.problem}` : ''}`);
        out(c.sameDistinct ? `the same ${c.single.distinct} distinct states both ways` : 'the runs disagree');
        code = c.sameDistinct ? 0 : 1;
        return;
      }
      const board = getBoard(o.board ?? DEFAULT_BOARD);
      const path = solution ?? 'examples/ping-rules';
      const loaded = loadSolution(path, board, o.define === undefined ? {} : { defines: o.define });
      bar.start(1, 0, { distinct: 0, queue: 0, depth: 0 });
      const r = await checkLoaded(loaded, {
        path,
        ...(o.workers ? { workers: o.workers } : {}),
        ...(o.timeout ? { timeoutMs: o.timeout * 1000 } : {}),
        onProgress: (p) => {
          const total = (p.distinct ?? 0) + (p.leftOnQueue ?? 0);
          bar.setTotal(Math.max(1, total));
          bar.update(p.distinct ?? 0, { distinct: p.distinct ?? 0, queue: p.leftOnQueue ?? 0, depth: p.depth ?? 0 });
        },
      });
      bar.stop();
      out(`model ${r.model} of ${path}: ${r.verdict}, ${r.distinct ?? '?'} distinct states, depth ${r.depth ?? '?'}, TLC ${r.tlcSeconds ?? '?'} s`);
      if (r.counterexample !== null) {
        out(r.counterexample.printed);
        if (await writeCounterexample(r, resolve(o.replay))) out(`replay file written to ${o.replay}`);
        if (r.counterexample.mappingError) out(`the trace could not be replayed in the kernel: ${r.counterexample.mappingError}`);
      } else if (r.problem !== null) out(r.problem);
      code = r.verdict === 'success' ? 0 : 1;
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

  addAuditCommands(program, collectDefine, out, (c) => (code = c));

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
