// Entry of a `tlc:<Model>` check of the security-mutant suite (mutants.ts):
// runs one model of the catalog under TLC (one worker) on the spec of the
// project it sits in (a scratch copy, with a mutant applied). Exit 0 when TLC
// checks the model without a violation, 1 when it reports one (an invariant,
// a property, a deadlock), 2 when it could not run (the message says why).

import { CATALOG } from '../conformance/catalog.ts';
import { runModel } from '../models/models.ts';

const VIOLATIONS: readonly string[] = ['invariant-violation', 'liveness-violation', 'deadlock', 'assumption-failure'];

const name = process.argv[2];
const def = CATALOG.find((d) => d.name === name);
if (def === undefined) {
  console.error(`mutant-tlc: no model "${name ?? ''}" in the catalog (${CATALOG.map((d) => d.name).join(', ')})`);
  process.exit(2);
}
const r = await runModel(def, { workers: 1, timeoutMs: Number(process.env.CORDON_TLC_TIMEOUT_MS ?? 120_000) });
if (r.verdict === 'success') {
  console.log(`${def.name}: no violation, ${r.distinct} distinct states, depth ${r.depth}`);
  process.exit(0);
}
console.log(`${def.name}: ${r.problem ?? r.verdict}`);
process.exit(VIOLATIONS.includes(r.verdict) ? 1 : 2);
