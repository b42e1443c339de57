// DMA isolation: on a board without an IOMMU a device programmed by a driver
// reaches all of physical memory, so a process that may allocate or start DMA
// is trusted with every other process's memory whatever the policy says about
// IPC. `dmaIsolation` asks the solution's own monitor whether any process
// deemed untrusted may call dma.Allocate or dma.Start, and reports the
// guarantee as weakened when one may on such a board.

import type { Board } from '../../boards/types.ts';
import type { BootResult } from '../kernel/boot.ts';
import { KERNEL_ENDPOINTS } from '../kernel/kernel-api.ts';
import { KERNEL_SID } from '../kernel/types.ts';
import type { MonitorState, SecurityEvent } from '../monitor/types.ts';

export interface DmaProcessVerdict {
  readonly name: string;
  readonly allocate: boolean;
  readonly start: boolean;
}

export interface DmaIsolationReport {
  readonly board: string;
  readonly guarantee: 'DMA isolation';
  readonly status: 'ok' | 'weakened';
  readonly iommu: boolean;
  readonly reason: string;
  /** the untrusted processes that were started, and what the policy lets each do */
  readonly processes: readonly DmaProcessVerdict[];
  /** untrusted names that did not start (unknown, or Einit was denied starting them) */
  readonly notStarted: readonly string[];
}

const DMA_RIID = (KERNEL_ENDPOINTS as readonly string[]).indexOf('dma');

/** The request a process makes for a DMA service, as the kernel would put it to the monitor. */
function dmaRequest(boot: BootResult, sid: number, method: 'Allocate' | 'Start'): SecurityEvent {
  const s = boot.state;
  const { tables } = s.config;
  const ep = tables.classes[s.processes.get(KERNEL_SID)!.taskClass]!.endpoints[DMA_RIID]!;
  const m = tables.interfaces[ep.iface]!.methods.find((x) => x.name === method)!;
  return {
    kind: 'request',
    src: sid,
    srcClass: s.processes.get(sid)!.taskClass,
    dst: KERNEL_SID,
    dstClass: s.processes.get(KERNEL_SID)!.taskClass,
    endpoint: ep.nameId,
    method: m.nameId,
    iface: ep.iface,
    riid: DMA_RIID,
    mid: m.mid,
    message: method === 'Allocate' ? { pages: 1 } : { handle: 1 },
    transfers: [],
  };
}

/**
 * Whether DMA isolation holds for these untrusted processes on this board.
 * The policy is asked in the boot state's monitor state and in any further
 * monitor states given (e.g. those a run reached), so a stateful policy that
 * grants DMA only later is caught when such a state is supplied.
 */
export function dmaIsolation(
  board: Board,
  boot: BootResult,
  untrusted: readonly string[],
  options: { readonly states?: readonly MonitorState[] } = {},
): DmaIsolationReport {
  const f = board.facts;
  const base = { board: board.id, guarantee: 'DMA isolation' as const, iommu: f.iommu.present };
  const notStarted = untrusted.filter((n) => boot.sids[n] === undefined);
  const monitor = boot.state.config.monitor;
  const states = [boot.state.monitor, ...(options.states ?? [])];
  const may = (sid: number, method: 'Allocate' | 'Start') => {
    const e = dmaRequest(boot, sid, method);
    return states.some((st) => monitor.decide(st, e).verdict === 'grant');
  };
  const processes = untrusted.flatMap((name): DmaProcessVerdict[] => {
    const sid = boot.sids[name];
    return sid === undefined ? [] : [{ name, allocate: may(sid, 'Allocate'), start: may(sid, 'Start') }];
  });
  if (f.dmaWindow === null) return { ...base, status: 'ok', reason: `${f.name} has no DMA`, processes, notStarted };
  const risky = processes.filter((p) => p.allocate || p.start);
  const what = (p: DmaProcessVerdict) =>
    `${p.name} may ${[p.allocate ? 'dma.Allocate' : '', p.start ? 'dma.Start' : ''].filter(Boolean).join(' and ')}`;
  if (f.iommu.present)
    return {
      ...base,
      status: 'ok',
      reason:
        risky.length === 0
          ? `no untrusted process may use DMA, and ${f.iommu.name} confines devices anyway`
          : `${f.iommu.name} confines each device to the buffers mapped for it (${risky.map(what).join('; ')})`,
      processes,
      notStarted,
    };
  if (risky.length === 0)
    return {
      ...base,
      status: 'ok',
      reason: `${f.name} has no IOMMU, but the policy lets no untrusted process allocate or start DMA`,
      processes,
      notStarted,
    };
  return {
    ...base,
    status: 'weakened',
    reason: `${f.name} has no IOMMU, and untrusted ${risky.map(what).join('; ')}: a device it programs can read and write any physical memory, including other processes' (${f.iommu.note})`,
    processes,
    notStarted,
  };
}
