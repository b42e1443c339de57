// `cordon check [solution]`: the solution as a TLC model, with a progress
// bar; a violation printed, replayed in the kernel and written as a replay
// file. `--distributed N` compares distributed and single-process TLC.

import { resolve } from 'node:path';
import type { Command } from 'commander';
import { getBoard, DEFAULT_BOARD } from '../../boards/index.ts';
import { addedLines, loadSolution } from '../solution/load.ts';
import { checkEntry, checkLoaded, counterexampleAuditLog, distributed, writeCounterexample } from '../check/check.ts';
import { diagramPath } from '../check/sequence-diagram.ts';
import { writeAuditLog } from '../audit/log.ts';
import { checksJUnitXml } from '../evidence/junit.ts';
import { reportPath } from '../evidence/report.ts';
import { SCHEMA_VERSION } from './schema-version.ts';
import { VerifyError } from '../verify/verify.ts';
import { progressReporter } from '../tlc/progress-lines.ts';
import {
  auditFlags,
  defaultSolution,
  int,
  nowhere,
  loadOptionsOf,
  oneDocument,
  progressInterval,
  solutionFlags,
  writeOutput,
  type CommandContext,
} from './options.ts';

export function registerCheck(program: Command, ctx: CommandContext): void {
  auditFlags(
    solutionFlags(
      program
        .command('check')
        .description(
          'model-check a solution with TLC: its processes, channels and policy as a TLC model; a violation is replayed in the kernel and written as a replay file',
        )
        .argument(
          '[solution]',
          'solution directory or solution.yaml (default: the current directory when it holds one, else examples/ping)',
        )
        .option('--json', 'print one JSON document (schemas/check.schema.json) instead of text')
        .option('--junit <file>', 'write the check as a JUnit testcase (- for stdout)')
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
        json?: boolean;
        junit?: string;
        define?: Record<string, string>;
        sdk?: string;
        include: string[];
      },
    ) => {
      oneDocument(o.json, { '--junit': o.junit });
      const out = o.json === true ? () => {} : ctx.out;
      if (o.distributed !== undefined) {
        if (o.size !== 'large' && o.size !== 'small')
          throw new VerifyError(`--size must be large or small, not "${o.size}"`);
        ctx.note(`distributed TLC (${o.distributed} workers) and a single-process run of the ${o.size} scale model…`);
        const c = await distributed(o.distributed, o.size);
        for (const [mode, f] of [
          ['single process', c.single],
          [`distributed, ${c.workers} workers`, c.distributed],
        ] as const)
          out(
            `  ${mode.padEnd(24)} ${f.verdict.padEnd(8)} ${f.distinct ?? '?'} distinct states, depth ${f.depth ?? '?'}, TLC ${f.tlcSeconds ?? '?'} s, wall ${f.wallSeconds.toFixed(1)} s${f.problem ? `\n    ${f.problem}` : ''}`,
          );
        out(c.sameDistinct ? `the same ${c.single.distinct} distinct states both ways` : 'the runs disagree');
        if (o.json === true) ctx.json({ schemaVersion: SCHEMA_VERSION, command: 'check', distributed: c });
        ctx.setCode(c.sameDistinct ? 0 : 1);
        return;
      }
      const board = getBoard(o.board ?? DEFAULT_BOARD);
      const path = solution ?? defaultSolution();
      const loaded = loadSolution(path, board, loadOptionsOf(o));
      addedLines(loaded).forEach(out);
      const progress = progressReporter({
        label: loaded.name,
        ...(ctx.quiet() ? { stream: nowhere } : {}),
        ...(o.progressInterval === undefined ? {} : { intervalMs: o.progressInterval }),
      });
      const r = await checkLoaded(loaded, {
        path,
        ...(o.workers ? { workers: o.workers } : {}),
        ...(o.timeout ? { timeoutMs: o.timeout * 1000 } : {}),
        onProgress: progress.update,
      }).finally(progress.finish);
      const shown = reportPath(resolve(path));
      out(
        `model ${r.model} of ${shown}: ${r.verdict}, ${r.distinct ?? '?'} distinct states, depth ${r.depth ?? '?'}, TLC ${r.tlcSeconds ?? '?'} s`,
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
      const entry = checkEntry(r);
      if (o.junit !== undefined)
        out(
          `JUnit XML written to ${writeOutput(o.junit, checksJUnitXml(`check ${shown}`, shown, [entry], new Date().toISOString()))}`,
        );
      if (o.json === true)
        ctx.json({
          schemaVersion: SCHEMA_VERSION,
          command: 'check',
          solution: shown,
          board: board.id,
          model: r.model,
          verdict: r.verdict,
          distinct: r.distinct,
          depth: r.depth,
          tlcSeconds: r.tlcSeconds,
          wallSeconds: r.wallSeconds,
          problem: r.problem,
          counterexample: r.counterexample === null ? null : r.counterexample.printed,
          replay: r.counterexample === null ? null : o.replay,
          check: entry,
        });
      ctx.setCode(r.verdict === 'success' ? 0 : 1);
    },
  );
}
