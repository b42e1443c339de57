// Kernel events and their results in words, for counterexamples and logs:
// threads by process name, kernel calls by service name.

import { KERNEL_ENDPOINTS, KERNEL_INTERFACES } from '../kernel/kernel-api.ts';
import { KERNEL_HANDLE, type KernelEvent, type KernelState, type StepResult } from '../kernel/types.ts';
import { showRules } from '../monitor/types.ts';

/** "endpoint.Method" of a kernel call, or null when RIID/MID name no kernel service. */
export function kernelService(riid: number, mid: number): string | null {
  const ep = KERNEL_ENDPOINTS[riid];
  const m = KERNEL_INTERFACES[riid]?.methods[mid];
  return ep === undefined || m === undefined ? null : `${ep}.${m.name}`;
}

const json = (v: unknown) => JSON.stringify(v) ?? 'undefined';

export function describeEvent(s: KernelState, e: KernelEvent): string {
  switch (e.kind) {
    case 'tick':
      return `tick (monotonic ${s.clock.monotonic} -> ${s.clock.monotonic + s.config.machine.tickNs} ns)`;
    case 'irq': {
      const l = s.irqs[e.line];
      const o = l?.object === null || l === undefined ? undefined : s.objects.get(l.object);
      return `irq line ${e.line}${o?.kind === 'irq' ? ` (attached by ${s.processes.get(o.owner)?.name ?? o.owner})` : ' (not attached)'}`;
    }
    case 'dma':
      return `dma completion at device address 0x${e.deviceAddress.toString(16)}`;
    case 'rtc':
      return `rtc realtime=${e.realtime}`;
    case 'schedule':
      return `schedule cpu ${e.cpu}`;
    case 'syscall': {
      const t = s.threads.get(e.tid);
      const who = t === undefined ? `thread ${e.tid}` : `${s.processes.get(t.sid)?.name ?? `sid ${t.sid}`}/t${e.tid}`;
      const c = e.call;
      if (c.op === 'Recv') return `${who}: Recv(handle ${c.handle})`;
      const m = c.message;
      const service = c.op === 'Call' && c.handle === KERNEL_HANDLE ? kernelService(m.riid, m.mid) : null;
      const what = service !== null ? `kernel ${service}` : `riid ${m.riid} mid ${m.mid}`;
      const extra = `${m.handles?.length ? ` transfers ${json(m.handles)}` : ''}${m.error ? ' error' : ''}`;
      return `${who}: ${c.op}(handle ${c.handle}, ${what}, ${json(m.payload)}${extra})`;
    }
  }
}

export function describeResult(s: KernelState, r: StepResult): string[] {
  const out: string[] = [];
  if (r.rejected !== undefined) out.push(`rejected: ${r.rejected}`);
  for (const d of r.decisions)
    if (d.decision.verdict === 'deny')
      out.push(`deny (${showRules(d.decision)}${d.decision.reason ? `: ${d.decision.reason}` : ''})`);
  for (const x of r.results) {
    const t = s.threads.get(x.tid);
    const who = t === undefined ? `t${x.tid}` : `${s.processes.get(t.sid)?.name ?? t.sid}/t${x.tid}`;
    out.push(
      `-> ${who}: ${x.rc}${x.value !== undefined ? ` ${json(x.value)}` : ''}${x.message ? ` message ${json({ riid: x.message.riid, mid: x.message.mid, payload: x.message.payload, error: x.message.error })}` : ''}${x.detail ? ` (${x.detail})` : ''}`,
    );
  }
  return out;
}
