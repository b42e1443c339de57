// Kernel events in the spec's terms, both ways: the TLA+ record of a TS
// KernelEvent (the action and its parameters, as spec/Trace.tla's Do reads
// them), and the description of a step in DESIGN.md's vocabulary.

import type { KernelEvent, KernelState } from '../kernel/types.ts';
import type { SolutionTables } from '../kernel/tables.ts';
import type { Machine } from '../kernel/machine.ts';
import { KERNEL_ENDPOINTS, KERNEL_INTERFACES, SECURITY_RIID } from '../kernel/kernel-api.ts';
import { abstractCall, abstractReply } from './constants.ts';
import { cpuName, int, mv, rec, str } from './tla.ts';
import type { TlaValue } from '../tlc/value.ts';

/** The page of the DMA window a device address falls in (the spec counts device addresses in pages from the window's base); -1 off the window or between pages. */
export function dmaPage(m: Machine, deviceAddress: number): number {
  if (m.dma === null) return -1;
  const off = deviceAddress - m.dma.base;
  return off >= 0 && off % m.pageSize === 0 && off / m.pageSize < m.dma.pages ? off / m.pageSize : -1;
}

/** The spec action and parameters of a TS event (spec/Trace.tla `Do`); `payload` numbers a message's payload as the model does (MonitorModel.payload). */
export function eventRecord(
  t: SolutionTables,
  machine: Machine,
  e: KernelEvent,
  payload: (p: unknown) => number,
): TlaValue {
  switch (e.kind) {
    case 'schedule':
      return rec({ op: str('Schedule'), cpu: mv(cpuName(e.cpu)) });
    case 'tick':
      return rec({ op: str('Tick') });
    case 'irq':
      return rec({ op: str('Irq'), line: int(e.line) });
    case 'syscall': {
      const c = e.call;
      if (c.op === 'Recv') return rec({ op: str('Recv'), tid: int(e.tid), handle: int(c.handle) });
      if (c.op === 'Call')
        return rec({
          op: str('Call'),
          tid: int(e.tid),
          handle: int(c.handle),
          msg: abstractCall(t, c.message, payload(c.message.payload)),
        });
      return rec({
        op: str('Reply'),
        tid: int(e.tid),
        handle: int(c.handle),
        msg: abstractReply(t, c.message, payload(c.message.payload)),
      });
    }
    case 'dma': {
      const page = dmaPage(machine, e.deviceAddress);
      if (page < 0) throw new RangeError(`a DMA completion at ${e.deviceAddress} is not at a page of the DMA window`);
      return rec({ op: str('Dma'), address: int(page) });
    }
    case 'rtc':
      throw new RangeError(`${e.kind} events are not in the spec`);
  }
}

/** The kernel service a Call on the kernel handle names. */
export function serviceName(riid: number, mid: number): string | null {
  if (riid === SECURITY_RIID) return 'security';
  const ep = KERNEL_ENDPOINTS[riid];
  const m = KERNEL_INTERFACES[riid]?.methods[mid];
  return ep === undefined || m === undefined ? null : `${ep}.${m.name}`;
}

const payloadText = (p: unknown): string => {
  try {
    const s = JSON.stringify(p);
    return s === undefined ? String(p) : s.length > 60 ? `${s.slice(0, 57)}...` : s;
  } catch {
    return 'an unprintable payload';
  }
};

/** One step in DESIGN.md's vocabulary, against the state it meets. */
export function describeKernelEvent(s: KernelState, e: KernelEvent): string {
  const t = s.config.tables;
  switch (e.kind) {
    case 'schedule':
      return `CPU ${e.cpu} schedules`;
    case 'tick':
      return 'the timer ticks';
    case 'irq':
      return `IRQ line ${e.line} fires`;
    case 'dma':
      return `a DMA transfer completes at ${e.deviceAddress}`;
    case 'rtc':
      return `the real-time clock reads ${e.realtime}`;
    case 'syscall': {
      const th = s.threads.get(e.tid);
      const p = th === undefined ? undefined : s.processes.get(th.sid);
      const who = `thread ${e.tid} of ${p?.name ?? '?'} (SID ${th?.sid ?? '?'}, class ${p === undefined ? '?' : t.classes[p.taskClass]?.name})`;
      const c = e.call;
      const entry = p?.handles[c.handle];
      const obj = entry == null ? undefined : s.objects.get(entry.object);
      const target =
        entry == null
          ? `handle ${c.handle}, which is not in its table`
          : obj?.kind === 'kernel'
            ? `the kernel handle ${c.handle}`
            : obj?.kind === 'channel'
              ? `handle ${c.handle} (${(entry.rights & 2) !== 0 ? 'server end' : 'client end'} of the channel to ${s.processes.get(obj.server)?.name} SID ${obj.server})`
              : `handle ${c.handle} (a ${obj?.kind ?? 'missing'} object)`;
      const transfers =
        c.op !== 'Recv' && (c.message.handles ?? []).length > 0
          ? `, transferring ${(c.message.handles ?? []).map((h) => `handle ${h.handle} with rights ${h.rights}`).join(' and ')}`
          : '';
      if (c.op === 'Recv') return `${who} calls Recv on ${target}`;
      if (c.op === 'Reply')
        return `${who} calls Reply on ${target} with ${c.message.error === true ? 'an error' : 'a response'} ${payloadText(c.message.payload)}${transfers}`;
      if (obj?.kind === 'kernel') {
        const svc = serviceName(c.message.riid, c.message.mid);
        return `${who} calls ${svc === null ? `RIID ${c.message.riid} / MID ${c.message.mid} (no kernel service)` : svc} on ${target} with ${payloadText(c.message.payload)}${transfers}`;
      }
      const cls = obj?.kind === 'channel' ? t.classes[s.processes.get(obj.server)?.taskClass ?? -1] : undefined;
      const ep = cls?.endpoints[c.message.riid];
      const m = ep === undefined ? undefined : t.interfaces[ep.iface]?.methods[c.message.mid];
      const method =
        ep === undefined || m === undefined
          ? `RIID ${c.message.riid} / MID ${c.message.mid} (undeclared)`
          : `${ep.name}.${m.name}`;
      return `${who} calls ${method} on ${target} with ${payloadText(c.message.payload)}${transfers}`;
    }
  }
}
