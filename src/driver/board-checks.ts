// Board properties, checked on one kernel step (state before, event, result):
//   irq-to-holder       an interrupt is handed only to a thread of the process that attached its line
//                       (the IRQ object's owner); when no live process holds a handle to the IRQ
//                       object any more (handle.Close) or its owner exits, the kernel detaches the
//                       line and a thread waiting on it returns rcNotConnected
//   no-port-io-off-x86  off the x86 family no port range is ever attached, read or written
//   dma-granted-only    DMA buffers come only from a granted dma.Allocate inside the board's window,
//                       start only through a handle with the right, and a completion touches only
//                       the started buffer at that device address
//   monotonic-clock     the monotonic clock never goes back and moves only on ticks, by one tick
//   one-thread-per-cpu  each CPU has at most one current thread, which is `running` on that CPU
//   rejected-unchanged  a rejected event leaves the state as it was
// Each check returns the violations it found, in words.

import type { Board } from '../../boards/types.ts';
import { KERNEL_ENDPOINTS } from '../kernel/kernel-api.ts';
import {
  KERNEL_HANDLE,
  Rights,
  type KernelEvent,
  type KernelObject,
  type KernelState,
  type ObjectId,
  type Sid,
  type StepResult,
} from '../kernel/types.ts';
import { kernelService } from './describe.ts';

export const BOARD_PROPERTIES = [
  'irq-to-holder',
  'no-port-io-off-x86',
  'dma-granted-only',
  'monotonic-clock',
  'one-thread-per-cpu',
  'rejected-unchanged',
] as const;
export type BoardProperty = (typeof BOARD_PROPERTIES)[number];

export interface Violation {
  readonly property: BoardProperty;
  readonly message: string;
}

type Dma = Extract<KernelObject, { kind: 'dma' }>;

function holds(s: KernelState, sid: Sid, object: ObjectId, rights: number): boolean {
  return (s.processes.get(sid)?.handles ?? []).some(
    (h) => h !== null && h.object === object && (h.rights & rights) === rights,
  );
}

/** The kernel service a syscall event asks for, or null. */
function serviceOf(e: KernelEvent): string | null {
  if (e.kind !== 'syscall' || e.call.op !== 'Call' || e.call.handle !== KERNEL_HANDLE) return null;
  return kernelService(e.call.message.riid, e.call.message.mid);
}

export function irqToHolder(before: KernelState, event: KernelEvent, r: StepResult): Violation[] {
  const out: Violation[] = [];
  for (const x of r.results) {
    const line = (x.value as { line?: unknown } | undefined)?.line;
    if (x.rc !== 'rcOk' || typeof line !== 'number') continue;
    const t = before.threads.get(x.tid)!;
    const attached = before.irqs[line]?.object ?? null;
    const o = attached === null ? undefined : before.objects.get(attached);
    if (o?.kind !== 'irq' || o.line !== line)
      out.push({
        property: 'irq-to-holder',
        message: `thread ${x.tid} was handed interrupt line ${line}, which no IRQ object holds`,
      });
    else if (o.owner !== t.sid)
      out.push({
        property: 'irq-to-holder',
        message: `interrupt line ${line}, attached by ${before.processes.get(o.owner)?.name}, was handed to thread ${x.tid} of ${before.processes.get(t.sid)?.name}`,
      });
  }
  if (event.kind === 'irq') {
    const l = before.irqs[event.line];
    if (
      l !== undefined &&
      l.object === null &&
      (r.state.irqs !== before.irqs || r.state.threads !== before.threads || r.results.length > 0)
    )
      out.push({
        property: 'irq-to-holder',
        message: `an interrupt on unattached line ${event.line} changed the state`,
      });
  }
  return out;
}

export function noPortIoOffX86(board: Board, before: KernelState, event: KernelEvent, r: StepResult): Violation[] {
  if (board.arch.portIo) return [];
  const out: Violation[] = [];
  const s = r.state;
  if (s.objects !== before.objects)
    for (let i = before.objects.length; i < s.objects.length; i++)
      if (s.objects.get(i)!.kind === 'ports')
        out.push({
          property: 'no-port-io-off-x86',
          message: `a port range was attached on ${board.id} (${board.arch.id})`,
        });
  if (s.io !== before.io && Object.keys(s.io).some((k) => k.startsWith('port:')))
    out.push({ property: 'no-port-io-off-x86', message: `a port was written on ${board.id} (${board.arch.id})` });
  const service = serviceOf(event);
  if (service !== null && (service.startsWith('io.Port') || service === 'io.AttachPorts')) {
    const tid = (event as Extract<KernelEvent, { kind: 'syscall' }>).tid;
    const res = r.results.find((x) => x.tid === tid);
    if (res?.rc === 'rcOk')
      out.push({ property: 'no-port-io-off-x86', message: `${service} succeeded on ${board.id} (${board.arch.id})` });
    const granted = r.decisions.some((d) => d.decision.verdict === 'grant');
    if (service === 'io.AttachPorts' && granted && (res?.rc !== 'rcUnsupported' || !/x86/.test(res.detail ?? '')))
      out.push({
        property: 'no-port-io-off-x86',
        message: `a granted io.AttachPorts on ${board.id} answered ${res?.rc} (${res?.detail ?? 'no detail'}), not rcUnsupported naming the x86 family`,
      });
  }
  return out;
}

export function dmaGrantedOnly(board: Board, before: KernelState, event: KernelEvent, r: StepResult): Violation[] {
  const out: Violation[] = [];
  const s = r.state;
  const v = (message: string) => out.push({ property: 'dma-granted-only', message });
  if (s.objects !== before.objects) {
    const m = s.config.machine;
    const page = m.pageSize;
    const allocated = new Set(
      r.effects.filter((e) => e.kind === 'service').flatMap((e) => e.created.map(([, id]) => id)),
    );
    const dmaRiid = (KERNEL_ENDPOINTS as readonly string[]).indexOf('dma');
    const byAllocate = r.effects.some(
      (e) =>
        e.kind === 'service' && e.event.riid === dmaRiid && kernelService(e.event.riid, e.event.mid) === 'dma.Allocate',
    );
    for (let id = 0; id < s.objects.length; id++) {
      const o = s.objects.get(id)!;
      const was = before.objects.get(id);
      if (o === was || o.kind !== 'dma') continue;
      if (was === undefined) {
        if (!allocated.has(id) || !byAllocate) v(`DMA buffer ${id} appeared without a granted dma.Allocate`);
        const w = m.dma;
        if (w === null) v(`DMA buffer ${id} exists on ${board.id}, which has no DMA`);
        else if (o.deviceAddress < w.base || o.deviceAddress + o.pages * page > w.base + w.pages * page)
          v(
            `DMA buffer ${id} (0x${o.deviceAddress.toString(16)}, ${o.pages} pages) lies outside the DMA window of ${board.id}`,
          );
        // a buffer's window space is reused only once nobody holds or maps it and no transfer into it is in flight
        const live = (k: number) =>
          (s.objects.get(k) as Dma).status === 'busy' ||
          s.processes.some(
            (q) =>
              q.status === 'alive' && (q.handles.some((h) => h?.object === k) || q.regions.some((g) => g.object === k)),
          );
        s.objects.forEach((p, k) => {
          if (
            k !== id &&
            p.kind === 'dma' &&
            live(k) &&
            o.deviceAddress < p.deviceAddress + p.pages * page &&
            p.deviceAddress < o.deviceAddress + o.pages * page
          )
            v(`DMA buffer ${id} overlaps live buffer ${k} at 0x${p.deviceAddress.toString(16)}`);
        });
        continue;
      }
      if (was.kind !== 'dma') {
        v(`object ${id} turned into a DMA buffer`);
        continue;
      }
      const w = was as Dma;
      if (o.deviceAddress !== w.deviceAddress || o.pages !== w.pages || o.creator !== w.creator)
        v(`DMA buffer ${id} moved or changed size`);
      if (o.status === 'busy' && w.status !== 'busy') {
        const caller = event.kind === 'syscall' ? before.threads.get(event.tid)!.sid : null;
        if (serviceOf(event) !== 'dma.Start' || caller === null || !holds(before, caller, id, Rights.write))
          v(
            `DMA buffer ${id} was started by ${event.kind === 'syscall' ? `${before.processes.get(caller!)?.name}, which holds no writable handle to it` : `a ${event.kind} event`}`,
          );
      }
      if (
        o.status === 'done' &&
        w.status !== 'done' &&
        (event.kind !== 'dma' || w.status !== 'busy' || event.deviceAddress !== w.deviceAddress)
      )
        v(
          `DMA buffer ${id} completed on ${event.kind === 'dma' ? `a completion at 0x${event.deviceAddress.toString(16)}` : `a ${event.kind} event`} while ${w.status}`,
        );
    }
  }
  if (event.kind === 'dma') {
    const changed = s.objects === before.objects ? [] : s.objects.filter((o, i) => o !== before.objects.get(i));
    if (changed.length > 1) v(`one DMA completion changed ${changed.length} objects`);
    if (s.processes !== before.processes || s.threads !== before.threads || s.io !== before.io)
      v('a DMA completion changed processes, threads or device registers');
  }
  // regions of DMA buffers appear only where the process holds the buffer with the map right
  if (s.processes !== before.processes)
    for (const p of s.processes) {
      const q = before.processes.get(p.sid);
      if (q === p) continue;
      for (const reg of p.regions) {
        if (
          s.objects.get(reg.object)?.kind !== 'dma' ||
          q?.regions.some((x) => x.base === reg.base && x.object === reg.object)
        )
          continue;
        if (!holds(before, p.sid, reg.object, Rights.map))
          v(`${p.name} mapped DMA buffer ${reg.object} without holding it with the map right`);
      }
    }
  return out;
}

export function monotonicClock(before: KernelState, event: KernelEvent, r: StepResult): Violation[] {
  const a = before.clock.monotonic;
  const b = r.state.clock.monotonic;
  if (b < a)
    return [
      {
        property: 'monotonic-clock',
        message: `the monotonic clock went back from ${a} to ${b} on a ${event.kind} event`,
      },
    ];
  const want = event.kind === 'tick' && r.rejected === undefined ? a + before.config.machine.tickNs : a;
  if (b !== want)
    return [
      {
        property: 'monotonic-clock',
        message: `the monotonic clock moved from ${a} to ${b} on a ${event.kind} event (expected ${want})`,
      },
    ];
  return [];
}

export function oneThreadPerCpu(s: KernelState): Violation[] {
  const out: Violation[] = [];
  const seen = new Map<number, number>();
  s.cpus.forEach((tid, cpu) => {
    if (tid === null) return;
    const other = seen.get(tid);
    if (other !== undefined)
      out.push({ property: 'one-thread-per-cpu', message: `thread ${tid} is current on CPU ${other} and CPU ${cpu}` });
    seen.set(tid, cpu);
    const st = s.threads.get(tid)?.state;
    if (st?.tag !== 'running' || st.cpu !== cpu)
      out.push({
        property: 'one-thread-per-cpu',
        message: `thread ${tid} is current on CPU ${cpu} but its state is ${JSON.stringify(st)}`,
      });
  });
  for (const t of s.threads)
    if (t.state.tag === 'running' && s.cpus[t.state.cpu] !== t.tid)
      out.push({
        property: 'one-thread-per-cpu',
        message: `thread ${t.tid} is running on CPU ${t.state.cpu}, whose current thread is ${s.cpus[t.state.cpu]}`,
      });
  return out;
}

export function rejectedUnchanged(before: KernelState, r: StepResult): Violation[] {
  return r.rejected !== undefined && r.state !== before
    ? [{ property: 'rejected-unchanged', message: `a rejected event (${r.rejected}) changed the state` }]
    : [];
}

/** Every board property on one step. */
export function checkBoardStep(board: Board, before: KernelState, event: KernelEvent, r: StepResult): Violation[] {
  return [
    ...rejectedUnchanged(before, r),
    ...irqToHolder(before, event, r),
    ...noPortIoOffX86(board, before, event, r),
    ...dmaGrantedOnly(board, before, event, r),
    ...monotonicClock(before, event, r),
    ...(r.state.cpus !== before.cpus || r.state.threads !== before.threads ? oneThreadPerCpu(r.state) : []),
  ];
}
