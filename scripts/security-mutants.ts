// npm run mutants [-- --only id,id] [--json]: the security-mutant suite
// (src/evidence/mutants.ts). Prints the kill table; exit 0 when every mutant
// is killed, 1 when one survives (or does not apply), 2 when the suite could
// not run (a check fails on the unmutated project, an unknown mutant id).

import { Command } from 'commander';
import { runSecurityMutants, SECURITY_MUTANTS, type MutantRun } from '../src/evidence/mutants.ts';

const program = new Command('security-mutants')
  .description('apply each security mutant in a scratch copy and run the checks that claim its requirement')
  .option('--only <ids>', 'comma-separated mutant ids')
  .option('--json', 'print the runs as JSON')
  .option('--timeout <seconds>', 'per check', '120')
  .parse();
const opts = program.opts<{ only?: string; json?: boolean; timeout: string }>();

function table(runs: readonly MutantRun[]): string {
  const rows = runs.map((r) => [
    r.id,
    r.requirement,
    r.killed ? r.killedBy.join(', ') : 'SURVIVED',
    (r.durationMs / 1000).toFixed(1),
  ]);
  const head = ['mutant', 'requirement', 'killed by', 's'];
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: readonly string[]) => r.map((c, i) => (i === 3 ? c.padStart(w[i]!) : c.padEnd(w[i]!))).join('  ');
  return [line(head), ...rows.map(line)].join('\n');
}

let runs: MutantRun[];
const t0 = performance.now();
try {
  runs = await runSecurityMutants({
    only: opts.only?.split(',').map((s) => s.trim()),
    checkTimeoutMs: Number(opts.timeout) * 1000,
    onProgress: opts.json === true ? undefined : (l) => console.error(l),
  });
} catch (e) {
  console.error(`security mutants could not run: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(2);
}
const survivors = runs.filter((r) => !r.killed);
if (opts.json === true) console.log(JSON.stringify(runs, null, 2));
else {
  console.log(table(runs));
  console.log(
    `\n${runs.length - survivors.length} of ${runs.length} killed (${SECURITY_MUTANTS.length} in the suite) in ${((performance.now() - t0) / 1000).toFixed(0)} s`,
  );
  for (const s of survivors) console.log(`\nSURVIVED ${s.id} (${s.requirement}):\n${s.details ?? ''}`);
}
process.exit(survivors.length > 0 ? 1 : 0);
