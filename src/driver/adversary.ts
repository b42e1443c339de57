// Adversarial programs: an untrusted process's threads make arbitrary system
// calls — random operations, handle numbers (valid, stale and invalid), RIID
// and MID, payloads and transfers. Half of the kernel calls are well-formed
// requests for a real kernel service with random arguments aimed at the
// board's resources, so that the monitor and the services are both exercised.

import type { Board } from '../../boards/types.ts';
import { offered } from '../../boards/types.ts';
import type { Random } from '../../boards/prng.ts';
import { KERNEL_ENDPOINTS, KERNEL_INTERFACES } from '../kernel/kernel-api.ts';
import { ALL_RIGHTS, KERNEL_HANDLE, type KernelState, type Message, type Syscall, type Tid } from '../kernel/types.ts';

/** Every kernel service as "endpoint.Method". */
export const KERNEL_SERVICES: readonly string[] = KERNEL_ENDPOINTS.flatMap((e, i) => KERNEL_INTERFACES[i]!.methods.map((m) => `${e}.${m.name}`));

const FIELDS = ['handle', 'line', 'pages', 'base', 'size', 'count', 'offset', 'port', 'value', 'n', 'clock', 'ns', 'priority', 'rights', 'name', 'taskClass', 'code'];

/** A random JSON-like value: the payloads no codec expects. */
export function randomValue(r: Random, depth = 2): unknown {
  switch (r.int(depth > 0 ? 9 : 7)) {
    case 0:
      return r.int(16);
    case 1:
      return r.u32();
    case 2:
      return -1 - r.int(8);
    case 3:
      return r.int(4) + 0.5;
    case 4:
      return r.pick(['', 'monotonic', 'realtime', 'x', 'kl.core.Core']);
    case 5:
      return r.chance(0.5);
    case 6:
      return null;
    case 7:
      return Array.from({ length: r.int(3) }, () => randomValue(r, depth - 1));
    default:
      return Object.fromEntries(Array.from({ length: r.int(4) }, () => [r.pick(FIELDS), randomValue(r, depth - 1)]));
  }
}

/** A handle number: mostly within (or just past) the process's table, sometimes far outside it. */
function handleNumber(r: Random, tableSize: number): number {
  return r.chance(0.9) ? r.int(tableSize + 2) : r.int(1 << 16);
}

/** Arguments for a kernel service, aimed at the board's real resources most of the time. */
function serviceArgs(r: Random, service: string, board: Board, state: KernelState, tableSize: number): unknown {
  const m = board.toMachine();
  const h = () => handleNumber(r, tableSize);
  const mmio = offered(board.facts, 'mmio');
  const ports = [...offered(board.facts, 'ports'), { base: 0x3f8, size: 8 }];
  const page = m.pageSize;
  switch (service) {
    case 'task.Execute':
      return { taskClass: r.pick(state.config.tables.classes.map((c) => c.name).concat(['no.such.Class'])), name: `spawn${r.int(4)}` };
    case 'task.Exit':
      return { code: r.int(3) };
    case 'thread.Create':
      return { priority: r.int(40) };
    case 'thread.Exit':
    case 'channel.Create':
      return {};
    case 'thread.Sleep':
      return { ns: r.int(4) * m.tickNs };
    case 'vmm.Allocate':
    case 'dma.Allocate':
      return { pages: r.chance(0.9) ? r.int(4) : r.u32() };
    case 'vmm.Unmap':
      return { base: 0x10000 + r.int(8) * page };
    case 'sync.Wait':
      return { handle: h(), offset: r.int(2 * page) };
    case 'sync.Wake':
      return { handle: h(), offset: r.int(2 * page), count: r.int(3) };
    case 'irq.Attach':
      return { line: r.int(m.irqLines + 4) };
    case 'io.AttachPorts': {
      const p = r.pick(ports);
      return r.chance(0.8) ? { base: p.base + r.int(p.size), count: 1 + r.int(p.size) } : { base: r.int(0x10000), count: r.int(16) };
    }
    case 'io.PortRead':
      return { handle: h(), port: r.pick(ports).base + r.int(12) };
    case 'io.PortWrite':
      return { handle: h(), port: r.pick(ports).base + r.int(12), value: r.chance(0.9) ? r.int(256) : 2 ** 33 };
    case 'io.AttachMmio': {
      if (mmio.length === 0 || r.chance(0.2)) return { base: r.u32(), size: r.int(0x2000) };
      const d = r.pick(mmio);
      return { base: d.base + r.int(Math.min(d.size, 0x100)), size: 1 + r.int(Math.min(d.size, 0x1000)) };
    }
    case 'io.MmioRead':
      return { handle: h(), offset: r.int(0x1100) };
    case 'io.MmioWrite':
      return { handle: h(), offset: r.int(0x1100), value: r.chance(0.9) ? r.u32() : 2 ** 33 };
    case 'time.Read':
      return { clock: r.pick(['monotonic', 'realtime']) };
    case 'time.SetRealtime':
      return { value: r.int(1 << 30) };
    case 'handle.Duplicate':
      return { handle: h(), rights: r.int(ALL_RIGHTS + 1) };
    default: // vmm.Map, irq.Wait, irq.Ack, dma.Map, dma.Start, handle.Close
      return { handle: h() };
  }
}

function transfers(r: Random, tableSize: number): Message['handles'] {
  if (!r.chance(0.2)) return undefined;
  return Array.from({ length: 1 + r.int(2) }, () => ({ handle: handleNumber(r, tableSize), rights: r.int(ALL_RIGHTS + 1) }));
}

/**
 * Whether a call would block its thread with nobody else able to wake it: a
 * Recv on an empty channel the process serves itself, a Call into such a
 * channel, a futex wait. The adversary knows its own handle table and avoids
 * these most of the time, so that it keeps making calls.
 */
export function blocksItself(state: KernelState, tid: Tid, call: Syscall): boolean {
  const sid = state.threads[tid]!.sid;
  const e = state.processes[sid]!.handles[call.handle];
  if (e === null || e === undefined) return false;
  const o = state.objects[e.object]!;
  if (call.op === 'Recv') return o.kind === 'channel' && o.queue.length === 0;
  if (call.op === 'Call' && o.kind === 'channel') return o.server === sid;
  return call.op === 'Call' && o.kind === 'kernel' && call.message.riid === (KERNEL_ENDPOINTS as readonly string[]).indexOf('sync') && call.message.mid === 0;
}

/** One arbitrary system call for a running thread of an untrusted process (mostly not one that blocks it for good). */
export function adversarialSyscall(r: Random, board: Board, state: KernelState, tid: Tid): Syscall {
  let call = anySyscall(r, board, state, tid);
  for (let i = 0; i < 3 && blocksItself(state, tid, call) && r.chance(0.9); i++) call = anySyscall(r, board, state, tid);
  return call;
}

function anySyscall(r: Random, board: Board, state: KernelState, tid: Tid): Syscall {
  const proc = state.processes[state.threads[tid]!.sid]!;
  const n = proc.handles.length;
  const choice = r.weighted([5, 3, 1, 1]);
  if (choice === 0) {
    // a kernel service, well-formed or not
    const service = r.pick(KERNEL_SERVICES);
    const [ep, method] = service.split('.') as [string, string];
    const riid = (KERNEL_ENDPOINTS as readonly string[]).indexOf(ep);
    const mid = KERNEL_INTERFACES[riid]!.methods.findIndex((x) => x.name === method);
    const wellFormed = r.chance(0.85);
    const message: Message = wellFormed
      ? { riid, mid, payload: serviceArgs(r, service, board, state, n) }
      : { riid: r.int(KERNEL_ENDPOINTS.length + 3), mid: r.int(8), payload: randomValue(r), handles: transfers(r, n) };
    return { op: 'Call', handle: KERNEL_HANDLE, message };
  }
  if (choice === 1) {
    const message: Message = { riid: r.int(4), mid: r.int(4), payload: r.chance(0.5) ? { n: r.int(100) } : randomValue(r), handles: transfers(r, n) };
    return { op: 'Call', handle: handleNumber(r, n), message };
  }
  if (choice === 2) return { op: 'Recv', handle: handleNumber(r, n) };
  const message: Message = { riid: r.int(4), mid: r.int(4), payload: r.chance(0.5) ? { n: r.int(100) } : randomValue(r), handles: transfers(r, n), error: r.chance(0.3) };
  return { op: 'Reply', handle: handleNumber(r, n), message };
}
