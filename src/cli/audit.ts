// `cordon audit explain | query | flows | diff | lint | report`: thin shells
// over src/audit. Exit codes: 0 the question was answered (flows: no flow;
// diff: the versions are equivalent, or differ in no way --fail-on counts;
// lint: no error-level finding); 1 explain found the compiled policy deciding
// otherwise than the reference interpreter (a Cordon bug, never expected),
// flows found a flow, diff found differences, lint found an error-level
// finding; 2 it could not run (a bad solution, event, file or filter; the
// message says what and where), flows' search was cut by a bound, or diff
// stopped at a bound before finding what --fail-on counts.

import type { Command } from 'commander';
import { getBoard, DEFAULT_BOARD } from '../../boards/index.ts';
import { loadSolution } from '../solution/load.ts';
import { ParseError } from '../syntax/errors.ts';
import { AuditError, audited, explain, explanationText, situation } from '../audit/explain.ts';
import { query, queryText } from '../audit/query.ts';
import { lint, lintFailed, lintSarif, lintText } from '../audit/lint.ts';
import { diff, diffExit, diffSarif, diffText, witnessFiles, type FailOn } from '../audit/diff.ts';
import { flows, flowsDot, flowsExitCode, flowsMermaid, flowsText } from '../audit/flows.ts';
import { replayText } from '../check/counterexample.ts';
import { auditReport, type ReportFinding } from '../audit/report.ts';
import type { Loaded } from '../solution/load.ts';
import { sarifText } from '../output/sarif.ts';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { InvalidArgumentError } from 'commander';
import { SCHEMA_VERSION } from './schema-version.ts';
import { rulesKey } from '../monitor/types.ts';
import { int, loadOptionsOf, solutionFlags, type CommandContext, type SolutionFlags } from './options.ts';

interface Common extends SolutionFlags {
  board?: string;
  json?: boolean;
}

/** The lint findings the report shows. */
function findingsOf(loaded: Loaded): readonly ReportFinding[] {
  return lint(loaded).findings;
}

const load = (solution: string, o: Common) =>
  loadSolution(solution, getBoard(o.board ?? DEFAULT_BOARD), loadOptionsOf(o));

/** Adds `audit` and its subcommands; each run sets the exit code. */
export function registerAudit(program: Command, ctx: CommandContext): void {
  const { out } = ctx;
  const done = (code: number) => ctx.setCode(code);
  const audit = program
    .command('audit')
    .description(
      'ask a policy questions: why one event is granted or denied (explain), what it can grant (query), where information can flow (flows), what changed between two versions (diff), what looks wrong in it (lint); one HTML page of it all (report)',
    );
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
      if (o.json === true) ctx.json({ schemaVersion: SCHEMA_VERSION, command: 'audit explain', ...x });
      else out(explanationText(x));
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
        if (o.json === true) ctx.json({ schemaVersion: SCHEMA_VERSION, command: 'audit query', ...q });
        else out(queryText(q));
        return 0;
      }),
  );

  common(
    audit
      .command('lint')
      .description(
        'findings over the reachable monitor states: dead and shadowed bindings, unused and undeclared methods, constant conditions, static policy objects, unreached Flow states, execute rules for classes never started, untrusted classes granted everything',
      )
      .argument('<solution>', 'solution directory or solution.yaml')
      .option(
        '--sarif <file>',
        'also write the findings as SARIF 2.1.0 to <file> (- for standard output, instead of the text)',
      ),
  ).action((solution: string, o: Common & { sarif?: string }) =>
    guard(() => {
      const r = lint(load(solution, o));
      if (o.sarif !== undefined) {
        const text = sarifText(lintSarif(r));
        if (o.sarif === '-') process.stdout.write(text);
        else
          try {
            writeFileSync(o.sarif, text);
          } catch (e) {
            throw new AuditError(`cannot write ${o.sarif}: ${(e as Error).message}`);
          }
      }
      if (o.sarif !== '-') {
        if (o.json === true) ctx.json({ schemaVersion: SCHEMA_VERSION, command: 'audit lint', ...r });
        else out(lintText(r));
      }
      return lintFailed(r) ? 1 : 0;
    }),
  );

  const FAIL_ON: readonly FailOn[] = ['any', 'more-permissive', 'less-permissive'];
  const failOn = (v: string): FailOn => {
    if (!FAIL_ON.includes(v as FailOn))
      throw new InvalidArgumentError(`--fail-on takes ${FAIL_ON.join(', ')}, not "${v}"`);
    return v as FailOn;
  };
  common(
    audit
      .command('diff')
      .description(
        "exact change-impact analysis: the product of both versions' monitors explored from boot over the union of their alphabets; equivalent, more permissive, less permissive or incomparable, with every event decided differently, the states, and the shortest witness trace from boot",
      )
      .argument('<old>', 'the old version: solution directory or solution.yaml')
      .argument('<new>', 'the new version: solution directory or solution.yaml')
      .option(
        '--fail-on <what>',
        'which differences exit 1: any (default), more-permissive (the new version grants something the old did not), less-permissive',
        failOn,
        'any' as FailOn,
      )
      .option('--sarif <file>', 'also write the differences as SARIF 2.1.0, located at the bindings that decide them')
      .option(
        '--witnesses <dir>',
        "also write each difference's witness as a file of events that `cordon audit explain --after` replays",
      )
      .option('--max-states <n>', 'most product states to explore (default 20000)', int('--max-states'))
      .option(
        '--max-decisions <n>',
        'most events to ask, product states x events (default 4000000)',
        int('--max-decisions'),
      ),
  ).action(
    (
      oldPath: string,
      newPath: string,
      o: Common & { failOn: FailOn; sarif?: string; witnesses?: string; maxStates?: number; maxDecisions?: number },
    ) =>
      guard(() => {
        const r = diff(load(oldPath, o), load(newPath, o), {
          ...(o.maxStates === undefined ? {} : { states: o.maxStates }),
          ...(o.maxDecisions === undefined ? {} : { decisions: o.maxDecisions }),
        });
        if (o.sarif !== undefined) {
          try {
            writeFileSync(o.sarif, sarifText(diffSarif(r)));
          } catch (e) {
            throw new AuditError(`cannot write ${o.sarif}: ${(e as Error).message}`);
          }
        }
        if (o.witnesses !== undefined) {
          try {
            mkdirSync(o.witnesses, { recursive: true });
            for (const [name, text] of witnessFiles(r)) writeFileSync(join(o.witnesses, name), text);
          } catch (e) {
            throw new AuditError(`cannot write the witnesses to ${o.witnesses}: ${(e as Error).message}`);
          }
        }
        if (o.json === true) ctx.json({ schemaVersion: SCHEMA_VERSION, command: 'audit diff', ...r });
        else out(diffText(r));
        const code = diffExit(r, o.failOn);
        if (code === 2)
          process.stderr.write(
            `cordon audit diff: undecided: the exploration stopped at its bound (${r.bound?.which}) before finding ${o.failOn === 'any' ? 'a difference' : `a ${o.failOn} difference`}; raise --max-${r.bound?.which}\n`,
          );
        return code;
      }),
  );

  common(
    audit
      .command('flows')
      .description(
        'the information-flow graph over every kernel state reachable from boot (requests, responses, errors, execute, handle transfers); --from X --to Y: can anything from X ever reach Y (exit 1 with the shortest witness from boot, 0 when no reachable state lets it)',
      )
      .argument('<solution>', 'solution directory or solution.yaml')
      .option('--from <class>', 'where the information starts: a task class (or a process name)')
      .option('--to <class>', 'where it must never arrive: a task class (or a process name)')
      .option('--data-only', 'follow only messages that can carry data, not signals (messages with no fields)')
      .option('--dot <file>', 'write the graph as Graphviz DOT (- for standard output)')
      .option('--mermaid <file>', 'write the graph as a Mermaid flowchart (- for standard output)')
      .option('--replay <file>', 'where to write the witness as a replay file', 'out/flows.replay.json')
      .option('--max-states <n>', 'stop beyond this many distinct states (the answer then says so)'),
  ).action(
    (
      solution: string,
      o: Common & {
        from?: string;
        to?: string;
        dataOnly?: boolean;
        dot?: string;
        mermaid?: string;
        replay: string;
        maxStates?: string;
      },
    ) =>
      guard(() => {
        if (o.dot === '-' && o.mermaid === '-')
          throw new AuditError('--dot - and --mermaid - both want standard output: write one of them to a file');
        const max = o.maxStates === undefined ? undefined : Number(o.maxStates);
        if (max !== undefined && (!Number.isSafeInteger(max) || max < 1))
          throw new AuditError(`--max-states ${o.maxStates}: not a positive integer`);
        const r = flows(load(solution, o), {
          ...(o.from === undefined ? {} : { from: o.from }),
          ...(o.to === undefined ? {} : { to: o.to }),
          ...(o.dataOnly === true ? { dataOnly: true } : {}),
          ...(max === undefined ? {} : { maxStates: max }),
          path: solution,
        });
        const emit = (file: string, text: string) => {
          if (file === '-') return out(text.trimEnd());
          mkdirSync(dirname(resolve(file)), { recursive: true });
          writeFileSync(file, text);
        };
        if (o.dot !== undefined) emit(o.dot, flowsDot(r.graph));
        if (o.mermaid !== undefined) emit(o.mermaid, flowsMermaid(r.graph));
        const replay = r.reach?.replay ?? null;
        if (replay !== null) {
          mkdirSync(dirname(resolve(o.replay)), { recursive: true });
          writeFileSync(o.replay, replayText(replay));
        }
        if (o.dot !== '-' && o.mermaid !== '-') {
          if (o.json === true) ctx.json({ schemaVersion: SCHEMA_VERSION, command: 'audit flows', ...r });
          else out(flowsText(r));
          if (replay !== null && o.json !== true) out(`replay file written to ${o.replay}`);
        }
        return flowsExitCode(r);
      }),
  );

  solutionFlags(
    audit
      .command('report')
      .description(
        'one self-contained HTML page: the flow graph drawn as SVG (Graphviz), the query table, the lint findings with their source lines',
      )
      .argument('<solution>', 'solution directory or solution.yaml')
      .option('-o, --output <file>', 'where to write the page', 'out/audit.html')
      .option('--board <id>', 'board whose template variables the solution is read with'),
  ).action(async (solution: string, o: Common & { output: string }) => {
    try {
      const loaded = load(solution, o);
      const r = await auditReport(loaded, findingsOf(loaded));
      mkdirSync(dirname(resolve(o.output)), { recursive: true });
      writeFileSync(o.output, r.html);
      out(
        `report written to ${o.output}: ${r.graph.nodes.length} processes, ${r.graph.edges.length} flows over ${r.graph.exploration.states} kernel states${r.graph.exploration.complete ? '' : ' (NOT every reachable one: a bound was crossed)'}, ${r.query.groups.length} query groups`,
      );
      done(0);
    } catch (e) {
      if (!(e instanceof AuditError || e instanceof ParseError)) throw e;
      process.stderr.write(`cordon audit: ${e.message}\n`);
      done(2);
    }
  });
}
