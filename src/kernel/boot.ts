// Boot: from a solution, a policy and a machine, the initial state. The kernel
// (SID 0) and Einit (SID 1) exist; Einit starts every process of the solution
// through a mediated `execute` event; static channels are then created between
// the processes that started.

import { Draft } from './draft.ts';
import { PVec } from './pvec.ts';
import { RunQueue } from './runqueue.ts';
import { createProcess } from './services.ts';
import { checkMachine, type Machine } from './machine.ts';
import { compileSolution, type Result, type SolutionDecl, type SolutionTables } from './tables.ts';
import {
  EINIT_SID,
  KERNEL_SID,
  Rights,
  type DecisionRecord,
  type Effect,
  type Handle,
  type KernelObject,
  type KernelState,
  type Process,
  type Sid,
} from './types.ts';
import type { Monitor } from '../monitor/monitor.ts';
import type { CompiledPolicy } from '../monitor/types.ts';
import { createMonitor } from '../monitor/monitor.ts';

export interface BootResult {
  readonly state: KernelState;
  readonly decisions: readonly DecisionRecord[];
  readonly effects: readonly Effect[];
  /** SID of each solution process that started, by name */
  readonly sids: Readonly<Record<string, Sid>>;
  /** processes Einit was not allowed to start */
  readonly denied: readonly string[];
  /** the handles of each static connection: client handle by process and connection id, server handle likewise */
  readonly connections: readonly {
    readonly id: string;
    readonly client: Sid;
    readonly server: Sid;
    readonly clientHandle: Handle;
    readonly serverHandle: Handle;
  }[];
}

/** Builds the initial state; a solution or machine that cannot boot is refused with every problem named. */
export function boot(
  solution: SolutionDecl | SolutionTables,
  policy: (tables: SolutionTables) => Result<CompiledPolicy>,
  machine: Machine,
): Result<BootResult> {
  const compiled = 'classByName' in solution ? ({ ok: true, value: solution } as const) : compileSolution(solution);
  if (!compiled.ok) return compiled;
  const tables = compiled.value;
  const machineErrors = checkMachine(machine);
  if (machineErrors.length > 0) return { ok: false, errors: machineErrors };
  const p = policy(tables);
  if (!p.ok) return p;
  const monitor: Monitor = createMonitor(tables, p.value);
  return { ok: true, value: bootWith(tables, monitor, machine) };
}

export function bootWith(tables: SolutionTables, monitor: Monitor, machine: Machine): BootResult {
  const empty: KernelState = {
    config: { tables, machine, monitor },
    processes: PVec.from<Process>([
      { sid: KERNEL_SID, name: 'kernel', taskClass: 0, status: 'alive', handles: [], regions: [] },
      { sid: EINIT_SID, name: 'Einit', taskClass: 1, status: 'alive', handles: [], regions: [] },
    ]),
    threads: PVec.empty(),
    objects: PVec.from<KernelObject>([{ kind: 'kernel', sid: KERNEL_SID }]),
    cpus: Array.from({ length: machine.cpus }, () => null),
    runQueue: RunQueue.empty(),
    futexQueue: [],
    sleepers: [],
    irqs: Array.from({ length: machine.irqLines }, () => ({ object: null, pending: false, masked: false })),
    clock: { monotonic: 0, realtime: 0 },
    io: {},
    monitor: monitor.initial,
  };
  const d = new Draft(empty);
  const sids: Record<string, Sid> = {};
  const denied: string[] = [];
  for (const proc of tables.processes) {
    const dst = d.processes.length;
    const event = {
      kind: 'execute',
      src: EINIT_SID,
      srcClass: 1,
      dst,
      dstClass: proc.taskClass,
      endpoint: -1,
      method: -1,
      iface: -1,
      riid: -1,
      mid: -1,
      message: null,
      transfers: [],
    } as const;
    if (!d.mediate(event)) {
      denied.push(proc.name);
      continue;
    }
    sids[proc.name] = createProcess(d, proc.name, proc.taskClass, proc.priority);
    d.effect('execute', event);
  }
  const connections: BootResult['connections'][number][] = [];
  for (const c of tables.connections) {
    const client = sids[tables.processes[c.client]!.name];
    const server = sids[tables.processes[c.server]!.name];
    if (client === undefined || server === undefined) continue;
    const object = d.addObject({ kind: 'channel', sid: d.nextObjectSid(), server, queue: [], receivers: [] });
    const clientHandle = d.installHandle(client, { object, rights: Rights.call | Rights.transfer | Rights.duplicate });
    const serverHandle = d.installHandle(server, { object, rights: Rights.recv });
    connections.push({ id: c.id, client, server, clientHandle, serverHandle });
  }
  return { state: d.finish(), decisions: d.decisions, effects: d.effects, sids, denied, connections };
}
