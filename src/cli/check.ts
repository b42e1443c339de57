// `cordon check [solution]`: the solution as a TLC model, with a progress
// bar; a violation printed, replayed in the kernel and written as a replay
// file. `--distributed N` compares distributed and single-process TLC.

import { resolve } from 'node:path';
import type { Command } from 'commander';
import { getBoard, DEFAULT_BOARD } from '../../boards/index.ts';
import { addedLines, loadSolution } from '../solution/load.ts';
import { checkLoaded, counterexampleAuditLog, distributed, writeCounterexample } from '../check/check.ts';
import { diagramPath } from '../check/sequence-diagram.ts';
import { writeAuditLog } from '../audit/log.ts';
import { VerifyError } from '../verify/verify.ts';
import { progressReporter } from '../tlc/progress-lines.ts';
import { auditFlags, int, loadOptionsOf, progressInterval, solutionFlags, type CommandContext } from './options.ts';

export function registerCheck(program: Command, ctx: CommandContext): void {
  const { out } = ctx;
  auditFlags(
    solutionFlags(
      program
        .command('check')
        .description(
          'model-check a solution with TLC: its processes, channels and policy as a TLC model; a violation is replayed in the kernel and written as a replay file',
        )
        .argument('[solution]', 'solution directory or solution.yaml (default: examples/ping-rules)')
        .option('--board <id>', 'board whose template variables the solution is read with')
        .option('--workers <n>', 'TLC worker threads (default: the core count)', int('workers'))
        .option('--timeout <seconds>', 'give up after this long', int('timeout'))
        .option('--replay <file>', 'where to write the counterexample replay file', 'out/check.replay.json')
        .option(
          '--distributed <n>',
          "run the scale model under TLC's distributed engine with n workers on loopback, and a single-process run, and compare",
          int('workers'),
        )
        .option('--size <size>', 'scale model for --distributed: large (over 1,000,000 states) or small', 'large')
        .option(
          '--progress-interval <seconds>',
          'when stderr is not a terminal, a progress line this often (default 5)',
          progressInterval,
        ),
    ),
    'the counterexample replayed in the kernel',
  ).action(
    async (
      solution: string | undefined,
      o: {
        board?: string;
        workers?: number;
        timeout?: number;
        replay: string;
        distributed?: number;
        size: string;
        progressInterval?: number;
        auditLog: string;
        auditLevel?: number;
        define?: Record<string, string>;
        sdk?: string;
        include: string[];
      },
    ) => {
      if (o.distributed !== undefined) {
        if (o.size !== 'large' && o.size !== 'small')
          throw new VerifyError(`--size must be large or small, not "${o.size}"`);
        process.stderr.write(
          `distributed TLC (${o.distributed} workers) and a single-process run of the ${o.size} scale model…\n`,
        );
        const c = await distributed(o.distributed, o.size);
        for (const [mode, f] of [
          ['single process', c.single],
          [`distributed, ${c.workers} workers`, c.distributed],
        ] as const)
          out(
            `  ${mode.padEnd(24)} ${f.verdict.padEnd(8)} ${f.distinct ?? '?'} distinct states, depth ${f.depth ?? '?'}, TLC ${f.tlcSeconds ?? '?'} s, wall ${f.wallSeconds.toFixed(1)} s${f.problem ? `\n    ${f.problem}` : ''}`,
          );
        out(c.sameDistinct ? `the same ${c.single.distinct} distinct states both ways` : 'the runs disagree');
        ctx.setCode(c.sameDistinct ? 0 : 1);
        return;
      }
      const board = getBoard(o.board ?? DEFAULT_BOARD);
      const path = solution ?? 'examples/ping-rules';
      const loaded = loadSolution(path, board, loadOptionsOf(o));
      addedLines(loaded).forEach(out);
      const progress = progressReporter({
        label: loaded.name,
        ...(o.progressInterval === undefined ? {} : { intervalMs: o.progressInterval }),
      });
      const r = await checkLoaded(loaded, {
        path,
        ...(o.workers ? { workers: o.workers } : {}),
        ...(o.timeout ? { timeoutMs: o.timeout * 1000 } : {}),
        onProgress: progress.update,
      }).finally(progress.finish);
      out(
        `model ${r.model} of ${path}: ${r.verdict}, ${r.distinct ?? '?'} distinct states, depth ${r.depth ?? '?'}, TLC ${r.tlcSeconds ?? '?'} s`,
      );
      if (r.counterexample !== null) {
        out(r.counterexample.printed);
        if (await writeCounterexample(r, resolve(o.replay)))
          out(`replay file written to ${o.replay}, its sequence diagram to ${diagramPath(o.replay)}`);
        const log = counterexampleAuditLog(loaded, r, o.auditLevel);
        if (log !== null) {
          writeAuditLog(o.auditLog === '-' ? '-' : resolve(o.auditLog), log, (s) => process.stdout.write(s));
          if (o.auditLog !== '-')
            out(`audit log of the replay written to ${o.auditLog} (${log.records.length} of ${log.decided} decisions)`);
        }
        if (r.counterexample.mappingError)
          out(`the trace could not be replayed in the kernel: ${r.counterexample.mappingError}`);
      } else if (r.problem !== null) out(r.problem);
      ctx.setCode(r.verdict === 'success' ? 0 : 1);
    },
  );
}
