// Board properties on every board, over random scenarios: ping pairs, device
// drivers aimed at the board's devices, and adversaries granted a random set
// of kernel services, interleaved with the board's own events under a random
// seed. Per step: an interrupt goes only to the process holding its line; no
// port I/O off the x86 family; DMA only into granted buffers; the monotonic
// clock moves only on ticks and never back; one current thread per CPU; a
// rejected event changes nothing. Per run: replay reaches the same state, and
// the DMA isolation verdict matches the board and the policy. The adversaries'
// system calls are a list of the adversary's choices (src/adversary), which
// fast-check shrinks with the rest of the case.
//
// CORDON_SEED / CORDON_PATH replay a failure; CORDON_SCALE multiplies the runs.

import { test, after } from 'node:test';
import fc from 'fast-check';
import { BOARDS, type Board } from '../boards/index.ts';
import {
  KERNEL_SERVICES,
  arbAdversaryProgram,
  bootScenario,
  buildScenario,
  checkBoardStep,
  describeEvent,
  describeResult,
  dmaIsolation,
  replay,
  run,
  stateDigest,
  type DriverKind,
  type ScenarioShape,
  type Violation,
} from '../src/driver/index.ts';
import type { KernelEvent } from '../src/kernel/types.ts';
import type { SyscallChoice } from '../src/adversary/index.ts';
import { banner, check, runs } from './harness.ts';

banner(import.meta.filename);

const NON_EXIT = KERNEL_SERVICES.filter((s) => !s.endsWith('.Exit'));
const EXITS = KERNEL_SERVICES.filter((s) => s.endsWith('.Exit'));

interface Case {
  readonly shape: ScenarioShape;
  readonly seed: number;
  readonly steps: number;
  readonly weights: { readonly board: number; readonly schedule: number; readonly thread: number };
  /** the adversaries' choices, taken in turn */
  readonly adversary: readonly SyscallChoice[];
}

const arbCase: fc.Arbitrary<Case> = fc.record({
  shape: fc
    .record({
      pings: fc.integer({ min: 0, max: 3 }),
      drivers: fc.array(
        fc.record({ kind: fc.constantFrom<DriverKind>('irq', 'mmio', 'dma', 'ports'), device: fc.nat({ max: 15 }) }),
        { maxLength: 4 },
      ),
      adversaries: fc.integer({ min: 0, max: 3 }),
      services: fc.subarray(NON_EXIT),
      mayExit: fc.boolean(),
      adversaryPeers: fc.boolean(),
      priorities: fc.option(fc.array(fc.integer({ min: 8, max: 12 }), { minLength: 1, maxLength: 4 }), {
        nil: undefined,
      }),
    })
    .map(({ services, mayExit, priorities, ...rest }): ScenarioShape => ({
      ...rest,
      adversaryServices: mayExit ? [...services, ...EXITS] : services,
      ...(priorities !== undefined ? { priorities } : {}),
    })),
  seed: fc.integer(),
  steps: fc.integer({ min: 20, max: 800 }),
  weights: fc.record({
    board: fc.integer({ min: 1, max: 4 }),
    schedule: fc.integer({ min: 1, max: 4 }),
    thread: fc.integer({ min: 2, max: 10 }),
  }),
  adversary: arbAdversaryProgram(300),
});

const eventsSeen = new Map<string, number>();

function explain(
  board: Board,
  c: Case,
  index: number,
  violations: readonly Violation[],
  events: readonly KernelEvent[],
  lines: readonly string[],
): string {
  const tail = events.slice(Math.max(0, events.length - 40));
  return [
    `board ${board.id}: ${violations.map((v) => `${v.property}: ${v.message}`).join('; ')}`,
    `at step ${index} of a run with seed ${c.seed}, weights ${JSON.stringify(c.weights)}, scenario ${JSON.stringify(c.shape)}`,
    `the adversaries' choices: ${JSON.stringify(c.adversary)}`,
    `the last steps (event -> results):`,
    ...lines.slice(-25).map((l) => `  ${l}`),
    `concrete events ${events.length - tail.length}..${events.length - 1} of ${events.length} (JSON, replay them with replay(bootScenario(buildScenario(board, scenario)), events)):`,
    `  ${JSON.stringify(tail)}`,
  ].join('\n');
}

for (const board of BOARDS) {
  const name = `${board.id}: board properties hold under random drivers and adversaries`;
  test(name, () => {
    check(
      import.meta.filename,
      name,
      arbCase,
      (c) => {
        const sc = buildScenario(board, c.shape);
        const b = bootScenario(sc);
        const lines: string[] = [];
        const events: KernelEvent[] = [];
        const result = run({
          boot: b,
          board,
          programs: sc.programs,
          adversaries: sc.adversaries,
          seed: c.seed,
          steps: c.steps,
          weights: c.weights,
          adversary: c.adversary,
          onStep: ({ index, before, event, result: r }) => {
            events.push(event);
            lines.push(
              `[${index}] ${describeEvent(before, event)}${describeResult(r.state, r)
                .map((x) => `\n        ${x}`)
                .join('')}`,
            );
            if (lines.length > 25) lines.shift();
            const v = checkBoardStep(board, before, event, r);
            if (v.length > 0) throw new Error(explain(board, c, index, v, events, lines));
          },
        });
        eventsSeen.set(board.id, (eventsSeen.get(board.id) ?? 0) + result.events.length);
        // replay from the events alone reaches the same state
        const again = replay(b, result.events);
        if (stateDigest(again.state) !== stateDigest(result.final))
          throw new Error(
            `board ${board.id}: replaying ${result.events.length} events did not reach the run's final state\nscenario ${JSON.stringify(c.shape)} seed ${c.seed}\nevents: ${JSON.stringify(result.events)}`,
          );
        // DMA isolation: weakened exactly when an untrusted process may use DMA on a board without an IOMMU
        const report = dmaIsolation(board, b, sc.adversaries);
        const granted =
          sc.adversaries.length > 0 && c.shape.adversaryServices.some((s) => s === 'dma.Allocate' || s === 'dma.Start');
        const expected = granted && board.facts.dmaWindow !== null && !board.facts.iommu.present ? 'weakened' : 'ok';
        if (report.status !== expected)
          throw new Error(
            `board ${board.id}: DMA isolation is ${report.status}, expected ${expected}: ${report.reason}\nscenario ${JSON.stringify(c.shape)}`,
          );
      },
      runs(250),
    );
  });
}

after(() => {
  const total = [...eventsSeen.values()].reduce((a, b) => a + b, 0);
  console.log(
    `# boards.test.ts: ${total} kernel events simulated (${[...eventsSeen].map(([id, n]) => `${id} ${n}`).join(', ')})`,
  );
});
