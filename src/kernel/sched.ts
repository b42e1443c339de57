// The scheduler and the hardware events: priorities with round robin among
// equals, one current thread per CPU; timer ticks advance the monotonic clock
// and wake sleepers; interrupts reach only the thread waiting on their line.

import { READY, running, type Draft } from './draft.ts';
import type { KernelObject } from './types.ts';
import { deliverIrq } from './services.ts';

/** Preempts the current thread of a CPU (it goes to the back of the run queue) and runs the best ready thread. */
export function schedule(d: Draft, cpu: number): void {
  const current = d.cpus[cpu];
  if (current !== null && current !== undefined) d.moveThread(current, READY);
  // the first ready thread of the highest priority: the head of the highest non-empty FIFO
  const best = d.runQueue.first();
  if (best === undefined) return;
  d.moveThread(best, running(cpu));
  d.setCpu(cpu, best);
}

export function tick(d: Draft): void {
  // both clocks stop at the end of their range (2^53 ns) rather than lose precision
  const now = Math.min(d.clock.monotonic + d.config.machine.tickNs, Number.MAX_SAFE_INTEGER);
  d.clock = { monotonic: now, realtime: Math.min(d.clock.realtime + d.config.machine.tickNs, Number.MAX_SAFE_INTEGER) };
  // the sleepers in TID order (the spec's tickFrom scans every thread in that order); waking one
  // replaces d.sleepers with a new array, so this loop reads the tick's starting set
  const sleepers = d.sleepers;
  for (let i = 0; i < sleepers.length; i++) {
    const tid = sleepers[i]!;
    const t = d.threads.get(tid)!;
    if (t.state.tag === 'sleep' && t.state.until <= now) d.wake({ tid, rc: 'rcOk' });
  }
}

export function irq(d: Draft, line: number): void {
  if (d.irqs[line]!.object === null) return; // nobody attached: the interrupt is dropped
  deliverIrq(d, line);
}

export function dma(d: Draft, deviceAddress: number): void {
  const id = d.objects.findIndex((o) => o.kind === 'dma' && o.deviceAddress === deviceAddress && o.status === 'busy');
  if (id < 0) return; // no transfer in flight there: spurious completion
  d.setObject(id, { ...(d.objects.get(id) as Extract<KernelObject, { kind: 'dma' }>), status: 'done' });
}
