// The kernel's requirements as property suites over random solutions, random
// policies and random (adversarial) event sequences: default deny, complete
// mediation, isolation, one thread per CPU. Default deny is differential: the
// monitor's decisions against an oracle written independently of the compiled
// policy — the rules read directly, and for PSL (the bundled KasperskyOS
// examples) the reference interpreter on its own monitor states.

import { test, after } from 'node:test';
import { join } from 'node:path';
import fc from 'fast-check';
import { arbCase, arbChoice, type Choice, type GeneratedCase } from '../src/properties/gen.ts';
import { instrument, prepare, runChoices, formatViolation, type Prepared } from '../src/properties/runner.ts';
import { completeMediation, defaultDeny, isolation, objectLabels, oneThreadPerCpu } from '../src/properties/checks.ts';
import { InterpreterOracle, RuleOracle } from '../src/properties/oracle.ts';
import { compileSolution } from '../src/kernel/tables.ts';
import { bootWith } from '../src/kernel/boot.ts';
import { createMonitor } from '../src/monitor/monitor.ts';
import type { SecurityEvent } from '../src/monitor/types.ts';
import { loadKosSolution } from '../src/solution/kos.ts';
import { interpretPsl } from '../src/policy/compile/interpret.ts';
import { getBoard } from '../boards/index.ts';
import { witness } from '../src/check/solution-model.ts';
import { programPayloads } from '../src/check/check.ts';
import { banner, check, countSteps, runs, stepsTaken } from './harness.ts';

banner(import.meta.filename);

function setup(c: GeneratedCase): string {
  return `solution: ${JSON.stringify({ classes: c.solution.classes, processes: c.solution.processes, connections: c.solution.connections, interfaces: c.solution.interfaces.map((i) => ({ name: i.name, methods: i.methods.map((m) => `${m.name}(${m.request.name} -> ${m.response.name} | ${m.error.name})`) })) })}\npolicy: ${JSON.stringify(c.policy.rules)}\nmachine: ${JSON.stringify(c.machine)}`;
}

function property(
  name: string,
  make: (c: GeneratedCase, p: Prepared) => Record<string, import('../src/properties/checks.ts').Check>,
  numRuns: number,
  steps: number,
) {
  test(name, () => {
    check(
      import.meta.filename,
      name,
      arbCase(steps),
      (c) => {
        const p = prepare(c.solution, c.policy, c.machine);
        if (typeof p === 'string') throw new Error(`generated case does not boot: ${p}`);
        const out = runChoices(p, c.choices, make(c, p));
        countSteps(out.steps);
        if (out.violation) throw new Error(formatViolation(out.violation, setup(c)));
      },
      runs(numRuns),
    );
  });
}

property(
  'default deny: only an explicit rule grants, and a denied event changes nothing',
  (c, p) => {
    const tables = compileSolution(c.solution);
    if (!tables.ok) throw new Error(tables.errors.join('; '));
    // the oracle starts where the monitor starts: after Einit's granted starts at boot
    return { 'default deny': defaultDeny(new RuleOracle(tables.value, c.policy).prime(p.boot.decisions)) };
  },
  900,
  120,
);

// PSL at the kernel: the bundled examples' compiled policies, asked by the kernel under adversarial
// event sequences, against the reference interpreter behind the same message check
const machine = getBoard('qemu-x86_64').toMachine();
const PSL = ['ping', 'echo', 'diode', 'gateway'].map((name) => {
  const k = loadKosSolution(join(import.meta.dirname, '..', 'examples', name));
  // well-formed messages of the solution's own methods, not the kernel's (a witness of each declaration, and the payloads its
  // programs send), so that calls and replies pass the message check and reach the policy's rules
  const payloads = new Map<string, unknown>();
  for (const i of k.tables.interfaces.filter((x) => !x.name.startsWith('kl.core.')))
    for (const m of i.methods)
      for (const v of [witness(m.request), witness(m.response), witness(m.error)])
        if (v !== undefined) payloads.set(JSON.stringify(v), v);
  for (const v of programPayloads({ manifest: { programs: k.programs ?? {}, untrusted: [] } }))
    payloads.set(JSON.stringify(v), v);
  return {
    name,
    tables: k.tables,
    policy: k.policy,
    interpreter: interpretPsl(k.policyAst, k.tables, { name: k.name }),
    payloads: [...payloads.values()],
  };
});

/** A choice whose Call or Reply carries, three times in four, one of the solution's well-formed payloads. */
const arbPslChoice = (payloads: readonly unknown[]): fc.Arbitrary<Choice> =>
  fc
    .tuple(arbChoice(), fc.nat(3), fc.constantFrom(...payloads))
    .map(([c, keep, raw]) => (keep === 0 || (c.t !== 'Call' && c.t !== 'Reply') ? c : { ...c, payload: { raw } }));

test("default deny, PSL: every decision of the compiled policy is the reference interpreter's, on its own monitor states", () => {
  let judged = 0;
  let granted = 0;
  const arb = fc.nat(PSL.length - 1).chain((example) =>
    fc.record({
      example: fc.constant(example),
      choices: fc.array(arbPslChoice(PSL[example]!.payloads), { minLength: 1, maxLength: 120, size: 'max' }),
    }),
  );
  check(
    import.meta.filename,
    'psl default deny at the kernel',
    arb,
    ({ example, choices }) => {
      const x = PSL[example]!;
      const log: SecurityEvent[] = [];
      const p: Prepared = {
        boot: bootWith(x.tables, instrument(createMonitor(x.tables, x.policy), log), machine),
        log,
      };
      const oracle = new InterpreterOracle(x.tables, x.interpreter).prime(p.boot.decisions);
      const out = runChoices(p, choices, { 'default deny': defaultDeny(oracle) }, (r) => {
        judged += r.decisions.length;
        granted += r.decisions.filter((d) => d.decision.verdict === 'grant').length;
      });
      countSteps(out.steps);
      if (out.violation) throw new Error(formatViolation(out.violation, `example ${x.name}`));
    },
    runs(300),
  );
  console.log(`# kernel.test.ts: ${judged} PSL decisions (${granted} grants) judged by the reference interpreter`);
});

property(
  'complete mediation: every delivery, start and kernel service has exactly one granted decision',
  () => ({ 'complete mediation': completeMediation }),
  900,
  120,
);

property(
  'isolation: a process affects only its granted peers; foreign handles fail; replies reach only the caller',
  () => ({ isolation }),
  900,
  120,
);

property(
  'labels: every object carries its own SID, unchanged, unique and no process SID',
  () => ({ 'object labels': objectLabels }),
  200,
  120,
);

property('scheduling: one current thread per CPU', () => ({ 'one thread per CPU': oneThreadPerCpu }), 200, 120);

after(() => console.log(`# kernel.test.ts: ${stepsTaken()} kernel steps`));
