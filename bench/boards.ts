// Simulated kernel events per second on each board: a ping-like scenario
// (client/server pairs, an IRQ driver and a DMA driver) driven by the run
// loop with the board's own events, for a few hundred milliseconds per board.
// `npm run bench` wires this in; run alone with `node --import tsx bench/boards.ts`.

import { performance } from 'node:perf_hooks';
import { BOARDS } from '../boards/index.ts';
import { bootScenario, pingScenario, run } from '../src/driver/index.ts';

export interface BoardBench {
  readonly board: string;
  readonly eventsPerSecond: number;
  readonly events: number;
}

/** Milliseconds measured per board (after a short warm-up). */
export const BENCH_MS = 300;
const CHUNK = 2_000;

export async function benchBoards(ms: number = BENCH_MS): Promise<BoardBench[]> {
  const out: BoardBench[] = [];
  const setups = BOARDS.map((board) => {
    const scenario = pingScenario(board, 2);
    return { board, scenario, boot: bootScenario(scenario) };
  });
  // warm-up on every board first, so that the first board measured does not pay for the JIT
  for (let i = 0; i < 5; i++)
    for (const { board, scenario, boot } of setups)
      run({ boot, board, programs: scenario.programs, seed: -1 - i, steps: CHUNK });
  for (const { board, scenario, boot } of setups) {
    const once = (seed: number) => run({ boot, board, programs: scenario.programs, seed, steps: CHUNK }).counts.events;
    let events = 0;
    let seed = 1;
    const start = performance.now();
    let elapsed = 0;
    while (elapsed < ms) {
      events += once(seed++);
      elapsed = performance.now() - start;
    }
    out.push({ board: board.id, eventsPerSecond: Math.round(events / (elapsed / 1000)), events });
    await new Promise((resolve) => setImmediate(resolve)); // let the caller's progress output through
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const r of await benchBoards())
    console.log(`${r.board.padEnd(12)} ${String(r.eventsPerSecond).padStart(8)} events/s  (${r.events} events)`);
}
