// The kernel decodes its own arguments: under a monitor that grants
// everything and checks nothing (no message validation), random payloads to
// every kernel service never throw and never make the state malformed, and a
// payload that does not match the service's codec is rcInvalidArgument with
// the kernel state unchanged.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compileSolution, type SolutionDecl } from '../src/kernel/tables.ts';
import { bootWith } from '../src/kernel/boot.ts';
import { step } from '../src/kernel/step.ts';
import { SERVICE_ARGS, type ServiceName } from '../src/kernel/kernel-api.ts';
import type { KernelEvent, KernelState } from '../src/kernel/types.ts';
import type { Machine } from '../src/kernel/machine.ts';
import type { Monitor } from '../src/monitor/monitor.ts';
import type { CompiledPolicy } from '../src/monitor/types.ts';
import { malformed } from '../src/properties/well-formed.ts';
import {
  arbServiceChoice,
  realizeServiceChoice,
  SERVICES,
  SETUP,
  type ServiceChoice,
} from '../src/properties/payloads.ts';
import { banner, check, countSteps, runs, stepsTaken } from './harness.ts';
import { changedTables } from '../src/properties/checks.ts';

banner(import.meta.filename);

const x86: Machine = {
  name: 'x86',
  arch: 'x86_64',
  cpus: 2,
  pageSize: 4096,
  irqLines: 4,
  reservedIrqs: [0],
  portIo: true,
  ports: [{ base: 0x60, count: 16 }],
  mmio: [{ base: 0x1000, size: 0x100 }],
  dma: { base: 0x8000_0000, pages: 4 },
  iommu: true,
  tickNs: 1000,
  memoryPages: 8,
};
const arm: Machine = {
  ...x86,
  name: 'arm',
  arch: 'armv8',
  cpus: 1,
  reservedIrqs: [],
  portIo: false,
  ports: [],
  dma: null,
};

const solution: SolutionDecl = {
  name: 'services',
  interfaces: [],
  classes: [
    { name: 'Driver', endpoints: [] },
    { name: 'Spare', endpoints: [] },
  ],
  processes: [
    { name: 'a', taskClass: 'Driver' },
    { name: 'b', taskClass: 'Driver', priority: 12 },
  ],
  connections: [],
};
const compiled = compileSolution(solution);
if (!compiled.ok) throw new Error(compiled.errors.join('\n'));
const tables = compiled.value;

/** Grants every event and looks at nothing: no structural check of the message, no policy. */
const grantAll: CompiledPolicy = {
  name: 'grant-all',
  initial: 0,
  decide: (state) => ({ verdict: 'grant', rules: [{ id: 'grant-all' }], next: state }),
};
const unchecked: Monitor = { policy: grantAll, initial: grantAll.initial, decide: grantAll.decide };

const changed = changedTables;

/** Per service: calls whose payload decoded, did not, and that were performed (rcOk, or the caller blocked or exited). */
const seen = new Map<ServiceName, { decoded: number; undecoded: number; performed: number }>(
  SERVICES.map((n) => [n, { decoded: 0, undecoded: 0, performed: 0 }]),
);

const arbRun = fc
  .record({
    machine: fc.constantFrom(x86, arm),
    choices: fc.array(arbServiceChoice(tables.classes.map((c) => c.name)), {
      minLength: 1,
      maxLength: 80,
      size: 'max',
    }),
  })
  .map(({ machine, choices }) => ({ machine, choices: [{ t: 'schedule', cpu: 0 } as const, ...SETUP, ...choices] }));

/** One step as the trace shows it. */
const show = (e: KernelEvent, c: ServiceChoice) =>
  e.kind === 'syscall' && e.call.op === 'Call' && c.t === 'service'
    ? `thread ${e.tid}: ${c.service}(${fc.stringify(e.call.message.payload)})`
    : fc.stringify(e);

test('random payloads to every kernel service under a monitor that checks nothing never throw nor make the state malformed', () => {
  check(
    import.meta.filename,
    'kernel services decode their arguments',
    arbRun,
    ({ machine, choices }) => {
      let s = bootWith(tables, unchecked, machine).state;
      assert.equal(malformed(s), null, 'the booted state is malformed');
      const steps: [KernelEvent, ServiceChoice][] = [];
      const fail = (why: string): never =>
        assert.fail(`${why}\ntrace:\n${steps.map(([e, c], i) => `${i + 1}. ${show(e, c)}`).join('\n')}`);
      for (const c of choices) {
        const e = realizeServiceChoice(s, c);
        steps.push([e, c]);
        const r = step(s, e);
        if (r.rejected !== undefined) fail(`the event was rejected: ${r.rejected}`);
        const bad = malformed(r.state);
        if (bad !== null) fail(`malformed state: ${bad}\nresults: ${JSON.stringify(r.results)}`);
        if (c.t === 'service' && e.kind === 'syscall' && e.call.op === 'Call') {
          const mine = r.results.find((x) => x.tid === e.tid);
          const stats = seen.get(c.service)!;
          if (SERVICE_ARGS[c.service].is(e.call.message.payload)) {
            stats.decoded++;
            if (mine === undefined || mine.rc === 'rcOk') stats.performed++;
            if (/ of [a-z]+\.[A-Za-z]+ (is|are) not a|cannot be read/.test(mine?.detail ?? ''))
              fail(`a payload that matches ${c.service} was refused: ${mine?.detail}`);
          } else {
            stats.undecoded++;
            if (mine?.rc !== 'rcInvalidArgument')
              fail(`${c.service} with a payload that does not match its codec returned ${mine?.rc}`);
            if (changed(s, r.state).length > 0)
              fail(
                `${c.service} with a payload that does not match its codec changed ${changed(s, r.state).join(', ')}`,
              );
            if (r.effects.some((x) => x.created.length > 0))
              fail(`${c.service} created objects from a payload that does not match`);
          }
        }
        s = r.state;
      }
      countSteps(choices.length);
    },
    runs(250),
  );
  // the runs are not vacuous: each service met payloads that decode and that do not, and was performed
  const missing = [...seen]
    .filter(([, v]) => v.decoded === 0 || v.undecoded === 0 || v.performed === 0)
    .map(([n, v]) => `${n} ${JSON.stringify(v)}`);
  const fewest = [...seen].reduce((a, b) => (b[1].performed < a[1].performed ? b : a));
  console.log(`# services.test.ts: fewest calls performed: ${fewest[1].performed} (${fewest[0]})`);
  if (runs(250) >= 100 && process.env.CORDON_PATH === undefined)
    assert.deepEqual(missing, [], 'some services were never reached both ways');
});

after(() => console.log(`# services.test.ts: ${stepsTaken()} kernel steps`));
