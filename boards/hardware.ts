// The hardware as a pure step function. One board step is one period of the
// kernel's timer: the tick, the device interrupts that fired in it, the DMA
// transfers that completed, and (every few ticks) an RTC reading — all drawn
// deterministically from the hardware state and a seeded generator.

import type { KernelEvent } from '../src/kernel/types.ts';
import { nextChance, nextInt, rng, type Rng } from './prng.ts';
import type { Board } from './types.ts';

/** A DMA transfer a driver programmed into a device, completing at a tick. */
export interface DmaTransfer {
  readonly deviceAddress: number;
  readonly due: number;
}

export interface HardwareState {
  readonly board: string;
  /** timer periods since reset */
  readonly ticks: number;
  /** nanoseconds since reset */
  readonly timeNs: number;
  /** the RTC's reading at reset, nanoseconds since the model's epoch */
  readonly rtcBaseNs: number;
  /** transfers in flight, in the order they were programmed */
  readonly dma: readonly DmaTransfer[];
}

export interface BoardStepResult {
  readonly events: readonly KernelEvent[];
  readonly hw: HardwareState;
  readonly rng: Rng;
}

/** Chance per step that a device raises an interrupt when it names no rate. */
export const DEFAULT_IRQ_RATE = 0.15;
/** Chance per step of a stray DMA completion (a device reporting an address no transfer uses). */
export const STRAY_DMA_RATE = 0.05;

/**
 * The hardware at reset. The RTC starts somewhere in the first day after the
 * model's epoch: the kernel keeps time as nanoseconds in a safe integer, which
 * cannot hold nanoseconds since 1970.
 */
export function initialHardware(board: Board, seed: number): HardwareState {
  const [offset] = nextInt(rng(seed), 86_400);
  return { board: board.id, ticks: 0, timeNs: 0, rtcBaseNs: offset * 1_000_000_000, dma: [] };
}

/** Device lines that raise interrupts in simulation: every line of a device the kernel does not own. */
export function deviceLines(board: Board): { line: number; rate: number }[] {
  return board.facts.devices
    .filter((d) => d.kernel !== true)
    .flatMap((d) => (d.irqs ?? []).map((line) => ({ line, rate: d.irqRate ?? DEFAULT_IRQ_RATE })));
}

/** One timer period of hardware: its events, the next hardware state and the generator after it. */
export function boardStep(board: Board, hw: HardwareState, r: Rng): BoardStepResult {
  const f = board.facts;
  const events: KernelEvent[] = [{ kind: 'tick' }];
  const ticks = hw.ticks + 1;
  const timeNs = hw.timeNs + f.timer.tickNs;
  let g = r;
  let fire: boolean;
  for (const { line, rate } of deviceLines(board)) {
    [fire, g] = nextChance(g, rate);
    if (fire) events.push({ kind: 'irq', line });
  }
  const due = hw.dma.filter((t) => t.due <= ticks);
  for (const t of due) events.push({ kind: 'dma', deviceAddress: t.deviceAddress });
  const w = f.dmaWindow;
  if (w !== null) {
    [fire, g] = nextChance(g, STRAY_DMA_RATE);
    if (fire) {
      let page: number;
      [page, g] = nextInt(g, Math.floor(w.size / board.arch.basePage));
      events.push({ kind: 'dma', deviceAddress: w.base + page * board.arch.basePage });
    }
  }
  if (ticks % f.rtcEveryTicks === 0)
    events.push({ kind: 'rtc', realtime: hw.rtcBaseNs + Math.floor(timeNs / 1_000_000) * 1_000_000 });
  const dma = due.length === 0 ? hw.dma : hw.dma.filter((t) => t.due > ticks);
  return { events, hw: { ...hw, ticks, timeNs, dma }, rng: g };
}

/**
 * A driver started a transfer at a device address: the device completes it
 * one to four timer periods later. Addresses outside the board's DMA window
 * are not device-visible and are ignored.
 */
export function programDma(
  board: Board,
  hw: HardwareState,
  deviceAddress: number,
  r: Rng,
): { hw: HardwareState; rng: Rng } {
  const w = board.facts.dmaWindow;
  if (w === null || deviceAddress < w.base || deviceAddress >= w.base + w.size) return { hw, rng: r };
  if (hw.dma.some((t) => t.deviceAddress === deviceAddress)) return { hw, rng: r };
  const [delay, g] = nextInt(r, 4);
  return { hw: { ...hw, dma: [...hw.dma, { deviceAddress, due: hw.ticks + 1 + delay }] }, rng: g };
}
