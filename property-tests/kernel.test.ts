// The kernel's requirements as property suites over random solutions, random
// policies and random (adversarial) event sequences: default deny, complete
// mediation, isolation, one thread per CPU.

import { test, after } from 'node:test';
import { arbCase, type GeneratedCase } from '../src/properties/gen.ts';
import { prepare, runChoices, formatViolation, type Prepared } from '../src/properties/runner.ts';
import { completeMediation, defaultDeny, isolation, oneThreadPerCpu } from '../src/properties/checks.ts';
import { RuleOracle } from '../src/properties/oracle.ts';
import { compileSolution } from '../src/kernel/solution.ts';
import { banner, check, countSteps, runs, stepsTaken } from './harness.ts';

banner(import.meta.filename);

function setup(c: GeneratedCase): string {
  return `solution: ${JSON.stringify({ classes: c.solution.classes, processes: c.solution.processes, connections: c.solution.connections, interfaces: c.solution.interfaces.map((i) => ({ name: i.name, methods: i.methods.map((m) => `${m.name}(${m.request.name} -> ${m.response.name} | ${m.error.name})`) })) })}\npolicy: ${JSON.stringify(c.policy.rules)}\nmachine: ${JSON.stringify(c.machine)}`;
}

function property(name: string, make: (c: GeneratedCase, p: Prepared) => Record<string, import('../src/properties/checks.ts').Check>, numRuns: number, steps: number) {
  test(name, () => {
    check(import.meta.filename, name, arbCase(steps), (c) => {
      const p = prepare(c.solution, c.policy, c.machine);
      if (typeof p === 'string') throw new Error(`generated case does not boot: ${p}`);
      const out = runChoices(p, c.choices, make(c, p));
      countSteps(out.steps);
      if (out.violation) throw new Error(formatViolation(out.violation, setup(c)));
    }, runs(numRuns));
  });
}

property('default deny: only an explicit rule grants, and a denied event changes nothing', (c, p) => {
  const tables = compileSolution(c.solution);
  if (!tables.ok) throw new Error(tables.errors.join('; '));
  // the oracle starts where the monitor starts: after Einit's granted starts at boot
  return { 'default deny': defaultDeny(new RuleOracle(tables.value, c.policy).prime(p.boot.decisions)) };
}, 900, 120);

property('complete mediation: every delivery, start and kernel service has exactly one granted decision', () => ({ 'complete mediation': completeMediation }), 900, 120);

property('isolation: a process affects only its granted peers; foreign handles fail; replies reach only the caller', () => ({ isolation }), 900, 120);

property('scheduling: one current thread per CPU', () => ({ 'one thread per CPU': oneThreadPerCpu }), 200, 120);

after(() => console.log(`# kernel.test.ts: ${stepsTaken()} kernel steps`));
