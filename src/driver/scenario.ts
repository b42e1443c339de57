// Scenarios: a solution, its policy, scripted programs and adversaries built
// for a board from a small shape — ping client/server pairs, device drivers
// (IRQ, MMIO, DMA, port I/O) aimed at the board's real devices, and untrusted
// processes granted a chosen set of kernel services. The property suites
// draw shapes at random; the benchmark and the examples use fixed ones.

import * as t from 'io-ts';
import { deviceLines } from '../../boards/hardware.ts';
import { offered, type Board } from '../../boards/types.ts';
import { boot, type BootResult } from '../kernel/boot.ts';
import { Nat } from '../kernel/kernel-api.ts';
import type { SolutionDecl } from '../kernel/tables.ts';
import { compileRules, type AllowRule, type RulePolicy } from '../monitor/rules.ts';
import { setupThenLoop, loop, type Op, type Program } from './program.ts';

export type DriverKind = 'irq' | 'mmio' | 'dma' | 'ports';

export interface ScenarioShape {
  /** ping client/server pairs */
  readonly pings: number;
  /** device drivers; `device` picks among the board's candidates (modulo their number) */
  readonly drivers: readonly { readonly kind: DriverKind; readonly device: number }[];
  /** untrusted processes making arbitrary system calls */
  readonly adversaries: number;
  /** kernel services ("irq.Attach", "dma.Start", …) the policy grants the adversaries */
  readonly adversaryServices: readonly string[];
  /** adversaries are also clients of the ping servers, allowed to call them */
  readonly adversaryPeers: boolean;
  /** priorities, cycled over the processes in order (default all 10) */
  readonly priorities?: readonly number[];
}

export interface Scenario {
  readonly board: Board;
  readonly shape: ScenarioShape;
  readonly solution: SolutionDecl;
  readonly policy: RulePolicy;
  readonly programs: Readonly<Record<string, Program>>;
  readonly adversaries: readonly string[];
}

export const PING_INTERFACE = 'cordon.Ping';
export const SERVER_CLASS = 'cordon.PingServer';
export const CLIENT_CLASS = 'cordon.PingClient';
export const DRIVER_CLASS = 'cordon.Driver';
export const ADVERSARY_CLASS = 'cordon.Adversary';

const PING = {
  name: PING_INTERFACE,
  methods: [
    { name: 'Ping', request: t.type({ n: Nat }), response: t.type({ n: Nat }), error: t.type({ reason: t.string }) },
  ],
};

/** The kernel services every driver may use. */
export const DRIVER_SERVICES = [
  'irq.Attach',
  'irq.Wait',
  'irq.Ack',
  'io.AttachPorts',
  'io.PortRead',
  'io.PortWrite',
  'io.AttachMmio',
  'io.MmioRead',
  'io.MmioWrite',
  'dma.Allocate',
  'dma.Map',
  'dma.Start',
  'time.Read',
];

const kernel = (service: string, payload: unknown, save?: string): Op => {
  const [endpoint, method] = service.split('.') as [Extract<Op, { op: 'kernel' }>['endpoint'], string];
  return { op: 'kernel', endpoint, method, payload, ...(save !== undefined ? { save } : {}) };
};
const ref = (path: string) => ({ $ref: path });

/** The program of one driver on this board. */
export function driverProgram(board: Board, kind: DriverKind, device: number): Program {
  switch (kind) {
    case 'irq': {
      const lines = deviceLines(board);
      const line = lines.length === 0 ? 0 : lines[device % lines.length]!.line;
      return setupThenLoop(
        [kernel('irq.Attach', { line }, 'irq')],
        [kernel('irq.Wait', { handle: ref('irq.handle') }), kernel('irq.Ack', { handle: ref('irq.handle') })],
      );
    }
    case 'mmio': {
      const ranges = offered(board.facts, 'mmio');
      const r = ranges.length === 0 ? { base: 0, size: 0x1000 } : ranges[device % ranges.length]!;
      const size = Math.min(r.size, 0x1000);
      return setupThenLoop(
        [kernel('io.AttachMmio', { base: r.base, size }, 'dev')],
        [
          kernel('io.MmioWrite', { handle: ref('dev.handle'), offset: 0, value: 0x55 + device }),
          kernel('io.MmioRead', { handle: ref('dev.handle'), offset: 0 }),
        ],
      );
    }
    case 'dma':
      return setupThenLoop(
        [kernel('dma.Allocate', { pages: 1 + (device % 2) }, 'buf'), kernel('dma.Map', { handle: ref('buf.handle') })],
        [kernel('dma.Start', { handle: ref('buf.handle') }), kernel('time.Read', { clock: 'monotonic' })],
      );
    case 'ports': {
      const ranges = offered(board.facts, 'ports');
      // off the x86 family the driver asks for COM1's ports over and over, and is refused each time
      const r = ranges.length === 0 ? { base: 0x3f8, size: 8 } : ranges[device % ranges.length]!;
      const attach = kernel('io.AttachPorts', { base: r.base, count: r.size }, 'ports');
      const body = [
        kernel('io.PortWrite', { handle: ref('ports.handle'), port: r.base, value: 0x41 }),
        kernel('io.PortRead', { handle: ref('ports.handle'), port: r.base }),
      ];
      return board.arch.portIo ? setupThenLoop([attach], body) : loop(attach, ...body);
    }
  }
}

const request = (src: string, service: string): AllowRule => {
  const [endpoint, method] = service.split('.') as [string, string];
  return { kind: 'request', src, dst: 'kl.core.Core', endpoint, method };
};

export function buildScenario(board: Board, shape: ScenarioShape): Scenario {
  const processes: { name: string; taskClass: string; priority?: number }[] = [];
  const connections: { client: string; server: string; id: string }[] = [];
  const programs: Record<string, Program> = {};
  const adversaries: string[] = [];
  const prio = shape.priorities ?? [];
  const add = (name: string, taskClass: string) => {
    const p = prio.length > 0 ? prio[processes.length % prio.length] : undefined;
    processes.push({ name, taskClass, ...(p !== undefined ? { priority: p } : {}) });
  };

  for (let i = 0; i < shape.pings; i++) {
    add(`server${i}`, SERVER_CLASS);
    add(`client${i}`, CLIENT_CLASS);
    connections.push({ client: `client${i}`, server: `server${i}`, id: 'ping' });
    programs[`client${i}`] = loop({ op: 'call', connection: 'ping', method: 'Ping', payload: { n: i } });
  }
  shape.drivers.forEach((d, k) => {
    add(`driver${k}`, DRIVER_CLASS);
    programs[`driver${k}`] = driverProgram(board, d.kind, d.device);
  });
  for (let m = 0; m < shape.adversaries; m++) {
    add(`adversary${m}`, ADVERSARY_CLASS);
    adversaries.push(`adversary${m}`);
    if (shape.adversaryPeers && shape.pings > 0)
      connections.push({ client: `adversary${m}`, server: `server${m % shape.pings}`, id: 'ping' });
  }
  // a server answers each client on that client's channel, with one thread per client beyond the first
  const serve = (client: string) =>
    loop(
      { op: 'recv', connection: 'ping', client, save: 'req' },
      { op: 'reply', connection: 'ping', client, payload: { n: ref('req.message.payload.n') } },
    );
  for (let i = 0; i < shape.pings; i++) {
    const [first, ...others] = connections.filter((c) => c.server === `server${i}`).map((c) => c.client);
    const main = serve(first!);
    programs[`server${i}`] = {
      ops: [
        ...others.map((c): Op => ({ ...kernel('thread.Create', { priority: 10 }), thread: serve(c) }) as Op),
        ...main.ops,
      ],
      loopFrom: others.length,
    };
  }

  const classes = [
    { name: SERVER_CLASS, endpoints: [{ name: 'ping', interface: PING_INTERFACE }] },
    { name: CLIENT_CLASS, endpoints: [] },
    { name: DRIVER_CLASS, endpoints: [] },
    { name: ADVERSARY_CLASS, endpoints: [] },
  ];
  const rules: AllowRule[] = [
    ...classes.map((c): AllowRule => ({ kind: 'execute', src: 'Einit', dst: c.name })),
    { kind: 'request', src: CLIENT_CLASS, dst: SERVER_CLASS, endpoint: 'ping', method: 'Ping' },
    { kind: 'response', src: SERVER_CLASS, dst: CLIENT_CLASS, endpoint: 'ping', method: 'Ping' },
    { kind: 'error', src: SERVER_CLASS, dst: CLIENT_CLASS, endpoint: 'ping', method: 'Ping' },
    request(SERVER_CLASS, 'thread.Create'),
    ...DRIVER_SERVICES.map((s) => request(DRIVER_CLASS, s)),
    ...shape.adversaryServices.map((s) => request(ADVERSARY_CLASS, s)),
    ...(shape.adversaryPeers
      ? ([
          { kind: 'request', src: ADVERSARY_CLASS, dst: SERVER_CLASS, endpoint: 'ping', method: 'Ping' },
          { kind: 'response', src: SERVER_CLASS, dst: ADVERSARY_CLASS, endpoint: 'ping', method: 'Ping' },
        ] satisfies AllowRule[])
      : []),
  ];
  const solution: SolutionDecl = { name: `scenario-${board.id}`, interfaces: [PING], classes, processes, connections };
  return { board, shape, solution, policy: { name: `scenario-${board.id}`, rules }, programs, adversaries };
}

/** Boots a scenario on its board; a scenario that does not boot is a bug in the builder, reported with every problem. */
export function bootScenario(s: Scenario): BootResult {
  const b = boot(s.solution, (tables) => compileRules(tables, s.policy), s.board.toMachine());
  if (!b.ok) throw new Error(`scenario for ${s.board.id} does not boot:\n  ${b.errors.join('\n  ')}`);
  return b.value;
}

/** A ping-like scenario: `pairs` clients calling their servers, one IRQ driver and one DMA driver, no adversaries. */
export function pingScenario(board: Board, pairs = 2): Scenario {
  return buildScenario(board, {
    pings: pairs,
    drivers: [
      { kind: 'irq', device: 0 },
      { kind: 'dma', device: 0 },
    ],
    adversaries: 0,
    adversaryServices: [],
    adversaryPeers: false,
  });
}
