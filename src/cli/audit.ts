// `cordon audit explain | query`: thin shells over src/audit. Exit codes: 0
// the question was answered; 1 explain found the compiled policy deciding
// otherwise than the reference interpreter (a Cordon bug, never expected);
// 2 it could not run (a bad solution, event, file or filter; the message
// says what and where).

import type { Command } from 'commander';
import { getBoard, DEFAULT_BOARD } from '../../boards/index.ts';
import { loadSolution } from '../solution/load.ts';
import { ParseError } from '../syntax/errors.ts';
import { AuditError, audited, explain, explanationText, situation } from '../audit/explain.ts';
import { query, queryText } from '../audit/query.ts';
import { rulesKey } from '../monitor/types.ts';
import { loadOptionsOf, solutionFlags, type CommandContext, type SolutionFlags } from './options.ts';

const json = (v: unknown) => JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x), 2);

interface Common extends SolutionFlags {
  board?: string;
  json?: boolean;
}

const load = (solution: string, o: Common) =>
  loadSolution(solution, getBoard(o.board ?? DEFAULT_BOARD), loadOptionsOf(o));

/** Adds `audit` and its subcommands; each run sets the exit code. */
export function registerAudit(program: Command, ctx: CommandContext): void {
  const { out } = ctx;
  const done = (code: number) => ctx.setCode(code);
  const audit = program
    .command('audit')
    .description('ask a policy questions: why one event is granted or denied (explain), what it can grant (query)');
  const guard = (f: () => number) => {
    try {
      done(f());
    } catch (e) {
      if (!(e instanceof AuditError || e instanceof ParseError)) throw e;
      process.stderr.write(`cordon audit: ${e.message}\n`);
      done(2);
    }
  };
  const common = (c: Command) =>
    solutionFlags(
      c
        .option('--json', 'print JSON instead of text')
        .option('--board <id>', 'board whose template variables the solution is read with'),
    );

  common(
    audit
      .command('explain')
      .description(
        'one decision, fully explained: the verdict, the bindings, every expression with its value, the policy-object states before and after, the exact reason of a deny',
      )
      .argument('<solution>', 'solution directory or solution.yaml')
      .requiredOption(
        '--event <event>',
        'the event, as the audit log prints it: request src=ping.Client dst=ping.Server endpoint=pinger method=Ping message={"value":1}',
      )
      .option(
        '--after <file>',
        'ask in the monitor state reached by a replay file of `cordon check`, or by a file of events (one a line) decided in turn after boot',
      ),
  ).action((solution: string, o: Common & { event: string; after?: string }) =>
    guard(() => {
      const a = audited(load(solution, o));
      const x = explain(a, situation(a, o.after), o.event);
      out(o.json === true ? json(x) : explanationText(x));
      return x.compiled.verdict === x.verdict && rulesKey(x.compiled) === rulesKey(x) ? 0 : 1;
    }),
  );

  common(
    audit
      .command('query')
      .description(
        'every event of the alphabet the policy can grant, grouped by (kind, src, dst, endpoint, method): always, only in some reachable monitor states, only for some messages; and what is never granted, and why',
      )
      .argument('<solution>', 'solution directory or solution.yaml')
      .option('--kind <kind>', 'only events of this kind (execute, request, response, error, security)')
      .option('--src <class>', 'only events from this task class')
      .option('--dst <class>', 'only events to this task class')
      .option('--endpoint <endpoint>', 'only events on this endpoint')
      .option('--method <method>', 'only events of this method'),
  ).action(
    (solution: string, o: Common & { kind?: string; src?: string; dst?: string; endpoint?: string; method?: string }) =>
      guard(() => {
        const { kind, src, dst, endpoint, method } = o;
        const q = query(load(solution, o), {
          ...(kind === undefined ? {} : { kind }),
          ...(src === undefined ? {} : { src }),
          ...(dst === undefined ? {} : { dst }),
          ...(endpoint === undefined ? {} : { endpoint }),
          ...(method === undefined ? {} : { method }),
        });
        out(o.json === true ? json(q) : queryText(q));
        return 0;
      }),
  );
}
