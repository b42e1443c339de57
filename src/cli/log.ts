// `cordon log <file>`: the monitor's audit log (out/audit.jsonl, written by
// verify, check and test) printed, filtered by verdict, task class and method.

import { SCHEMA_VERSION } from './schema-version.ts';
import { InvalidArgumentError, type Command } from 'commander';
import { AuditLogError, filterLog, readAuditLog, recordLine } from '../audit/log.ts';
import type { CommandContext } from './options.ts';

const verdict = (v: string): 'grant' | 'deny' => {
  if (v !== 'grant' && v !== 'deny') throw new InvalidArgumentError(`a verdict is grant or deny, not "${v}"`);
  return v;
};

export function registerLog(program: Command, ctx: CommandContext): void {
  program
    .command('log')
    .description("print the monitor's audit log (one JSON record a line, as verify, check and test write it), filtered")
    .argument('<file>', 'the audit log (e.g. out/audit.jsonl)')
    .option('--verdict <verdict>', 'only decisions with this verdict: grant or deny', verdict)
    .option('--class <class>', 'only events whose source or destination is of this task class')
    .option('--method <method>', 'only events naming this method')
    .option('--json', 'one JSON document (schemas/log.schema.json): the matching records')
    .action((file: string, o: { verdict?: 'grant' | 'deny'; class?: string; method?: string; json?: boolean }) => {
      let records;
      try {
        records = readAuditLog(file);
      } catch (e) {
        if (!(e instanceof AuditLogError)) throw e;
        process.stderr.write(`cordon log: ${e.message}\n`);
        ctx.setCode(2);
        return;
      }
      const shown = filterLog(records, {
        ...(o.verdict === undefined ? {} : { verdict: o.verdict }),
        ...(o.class === undefined ? {} : { class: o.class }),
        ...(o.method === undefined ? {} : { method: o.method }),
      });
      if (o.json === true)
        ctx.json({ schemaVersion: SCHEMA_VERSION, command: 'log', file, total: records.length, records: shown });
      else {
        for (const r of shown) ctx.out(recordLine(r));
        ctx.out(`${shown.length} of ${records.length} records`);
      }
      ctx.setCode(0);
    });
}
