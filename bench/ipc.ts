// Mediated IPC round trips per second: client Call -> server Recv -> Reply,
// each request and response decided by the monitor, through the pure step
// function (scheduling steps included). The baseline in the same run is the
// same loop under a monitor that grants without looking at any policy.

import { bootWith } from '../src/kernel/boot.ts';
import { step } from '../src/kernel/step.ts';
import { createMonitor, type Monitor } from '../src/monitor/monitor.ts';
import type { KernelEvent, KernelState } from '../src/kernel/types.ts';
import { loadSolution } from '../src/solution/load.ts';
import { getBoard, DEFAULT_BOARD } from '../boards/index.ts';
import { ROOT } from '../src/evidence/report.ts';
import { join } from 'node:path';

export interface IpcFigures {
  readonly roundTrips: number;
  readonly seconds: number;
  readonly roundTripsPerSecond: number;
  readonly stepsPerRoundTrip: number;
  readonly decisionsPerRoundTrip: number;
}

function loop(monitorOf: (m: Monitor) => Monitor, roundTrips: number): IpcFigures {
  const loaded = loadSolution(join(ROOT, 'examples', 'ping-rules'));
  const machine = { ...getBoard(DEFAULT_BOARD).toMachine(), cpus: 2 };
  const b = bootWith(loaded.tables, monitorOf(createMonitor(loaded.tables, loaded.policy)), machine);
  const conn = b.connections[0]!;
  const client = b.state.threads.find((t) => t.sid === conn.client)!.tid;
  const server = b.state.threads.find((t) => t.sid === conn.server)!.tid;
  let s: KernelState = b.state;
  let decisions = 0;
  let steps = 0;
  const go = (e: KernelEvent) => {
    const r = step(s, e);
    if (r.rejected !== undefined) throw new Error(`bench event rejected: ${r.rejected}`);
    decisions += r.decisions.length;
    steps++;
    s = r.state;
  };
  // client on CPU 0, server on CPU 1, the server waiting in Recv
  go({ kind: 'schedule', cpu: 0 });
  go({ kind: 'schedule', cpu: 1 });
  if (s.cpus[0] !== client) go({ kind: 'schedule', cpu: 0 });
  const serverCpu = s.cpus[0] === server ? 0 : 1;
  const clientCpu = 1 - serverCpu;
  go({ kind: 'syscall', tid: server, call: { op: 'Recv', handle: conn.serverHandle } });
  const call: KernelEvent = {
    kind: 'syscall',
    tid: client,
    call: { op: 'Call', handle: conn.clientHandle, message: { riid: 0, mid: 0, payload: { value: 7 } } },
  };
  const reply: KernelEvent = {
    kind: 'syscall',
    tid: server,
    call: { op: 'Reply', handle: conn.serverHandle, message: { riid: 0, mid: 0, payload: { value: 8 } } },
  };
  const recv: KernelEvent = { kind: 'syscall', tid: server, call: { op: 'Recv', handle: conn.serverHandle } };
  const toServer: KernelEvent = { kind: 'schedule', cpu: serverCpu };
  const toClient: KernelEvent = { kind: 'schedule', cpu: clientCpu };
  decisions = 0;
  steps = 0;
  const t0 = performance.now();
  for (let i = 0; i < roundTrips; i++) {
    go(call);
    go(toServer);
    go(reply);
    go(recv);
    go(toClient);
  }
  const seconds = (performance.now() - t0) / 1000;
  return {
    roundTrips,
    seconds,
    roundTripsPerSecond: roundTrips / seconds,
    stepsPerRoundTrip: steps / roundTrips,
    decisionsPerRoundTrip: decisions / roundTrips,
  };
}

export function benchIpc(roundTrips = 300_000): { mediated: IpcFigures; baseline: IpcFigures } {
  loop((m) => m, 20_000); // warm-up
  const mediated = loop((m) => m, roundTrips);
  const grantAll = (m: Monitor): Monitor => ({
    ...m,
    decide: (state) => ({ verdict: 'grant', rules: [{ id: 'bench-grant-all' }], next: state }),
  });
  loop(grantAll, 20_000);
  const baseline = loop(grantAll, roundTrips);
  return { mediated, baseline };
}
