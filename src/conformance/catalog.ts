// The hand-written TLC models of the kernel, from small to large. Each is a
// ModelDef (model.ts); `writeModels()` in models.ts regenerates the files in
// models/, and a test checks that the committed files match.

import * as t from 'io-ts';
import { Nat } from '../kernel/kernel-api.ts';
import type { InterfaceDecl, SolutionDecl } from '../kernel/tables.ts';
import type { Message } from '../kernel/types.ts';
import type { AllowRule } from '../monitor/rules.ts';
import { Rights } from '../kernel/types.ts';
import { modelMachine, type ModelDef } from './model.ts';

const VALUE = t.type({ value: Nat });

/** An interface whose methods all take, return and fail with {value: Nat}. */
export const valueInterface = (name: string, methods: readonly string[]): InterfaceDecl => ({
  name,
  methods: methods.map((m) => ({ name: m, request: VALUE, response: VALUE, error: VALUE })),
});

// Kernel service messages (kernel-api.ts RIID/MID order).
export const K = {
  execute: (taskClass: string, name: string): Message => ({ riid: 0, mid: 0, payload: { taskClass, name } }),
  taskExit: { riid: 0, mid: 1, payload: { code: 0 } } as Message,
  threadExit: { riid: 1, mid: 1, payload: {} } as Message,
  sleep: (ns: number): Message => ({ riid: 1, mid: 2, payload: { ns } }),
  allocate: (pages: number): Message => ({ riid: 2, mid: 0, payload: { pages } }),
  map: (handle: number): Message => ({ riid: 2, mid: 1, payload: { handle } }),
  irqAttach: (line: number): Message => ({ riid: 4, mid: 0, payload: { line } }),
  irqWait: (handle: number): Message => ({ riid: 4, mid: 1, payload: { handle } }),
  irqAck: (handle: number): Message => ({ riid: 4, mid: 2, payload: { handle } }),
  threadCreate: (priority: number): Message => ({ riid: 1, mid: 0, payload: { priority } }),
  timeRead: { riid: 7, mid: 0, payload: { clock: 'monotonic' } } as Message,
  close: (handle: number): Message => ({ riid: 8, mid: 0, payload: { handle } }),
  duplicate: (handle: number, rights: number): Message => ({ riid: 8, mid: 1, payload: { handle, rights } }),
  channelCreate: { riid: 9, mid: 0, payload: {} } as Message,
  unmap: (base: number): Message => ({ riid: 2, mid: 2, payload: { base } }),
  wait: (handle: number, offset: number): Message => ({ riid: 3, mid: 0, payload: { handle, offset } }),
  wake: (handle: number, offset: number, count: number): Message => ({
    riid: 3,
    mid: 1,
    payload: { handle, offset, count },
  }),
  attachPorts: (base: number, count: number): Message => ({ riid: 5, mid: 0, payload: { base, count } }),
  portRead: (handle: number, port: number): Message => ({ riid: 5, mid: 1, payload: { handle, port } }),
  portWrite: (handle: number, port: number, value: number): Message => ({
    riid: 5,
    mid: 2,
    payload: { handle, port, value },
  }),
  attachMmio: (base: number, size: number): Message => ({ riid: 5, mid: 3, payload: { base, size } }),
  mmioRead: (handle: number, offset: number): Message => ({ riid: 5, mid: 4, payload: { handle, offset } }),
  mmioWrite: (handle: number, offset: number, value: number): Message => ({
    riid: 5,
    mid: 5,
    payload: { handle, offset, value },
  }),
  dmaAllocate: (pages: number): Message => ({ riid: 6, mid: 0, payload: { pages } }),
  dmaMap: (handle: number): Message => ({ riid: 6, mid: 1, payload: { handle } }),
  dmaStart: (handle: number): Message => ({ riid: 6, mid: 2, payload: { handle } }),
  setRealtime: (value: number): Message => ({ riid: 7, mid: 1, payload: { value } }),
  /** a malformed kernel request (the payload fits no codec) */
  malformed: { riid: 2, mid: 0, payload: null } as Message,
} as const;

/** Kernel requests a policy grants to every process: the modelled services by name. */
export const kernelRule = (endpoint: string, method: string, src?: string): AllowRule => ({
  id: `kernel ${endpoint}.${method}${src === undefined ? '' : ` for ${src}`}`,
  kind: 'request',
  dst: 'kl.core.Core',
  endpoint,
  method,
  ...(src === undefined ? {} : { src }),
});

const einit: AllowRule = { id: 'Einit starts', kind: 'execute', src: 'Einit' };

const msg = (riid: number, mid: number, value: unknown, handles?: Message['handles']): Message => ({
  riid,
  mid,
  payload: value,
  ...(handles === undefined ? {} : { handles }),
});
const answer = (error: boolean, payload: unknown, handles?: Message['handles']): Message => ({
  riid: 0,
  mid: 0,
  payload,
  error,
  ...(handles === undefined ? {} : { handles }),
});

// ------------------------------------------------------------------ Ping: 2 processes, 1 channel

const pingSolution: SolutionDecl = {
  name: 'ping',
  interfaces: [valueInterface('ping.Ping', ['Ping', 'Stop'])],
  classes: [
    { name: 'Client', endpoints: [] },
    { name: 'Server', endpoints: [{ name: 'ping', interface: 'ping.Ping' }] },
  ],
  processes: [
    { name: 'client', taskClass: 'Client' },
    { name: 'server', taskClass: 'Server' },
  ],
  connections: [{ client: 'client', server: 'server', id: 'ping' }],
};

/** Two processes and one channel: Ping is allowed both ways, Stop requests and every error are denied. */
export const Ping: ModelDef = {
  name: 'Ping',
  description:
    'Ping: a client and a server (2 processes, 1 channel, 1 CPU); Ping requests and responses are\nallowed, Stop and errors are denied; threads may exit; adversarial calls with forged handles,\nmalformed payloads and undeclared methods.',
  solution: pingSolution,
  policy: {
    name: 'ping',
    rules: [
      einit,
      { id: 'ping', kind: 'request', src: 'Client', dst: 'Server', endpoint: 'ping', method: 'Ping' },
      { id: 'pong', kind: 'response', src: 'Server', dst: 'Client' },
      kernelRule('thread', 'Exit'),
    ],
  },
  machine: modelMachine({ cpus: 1, irqLines: 0, memoryPages: 4 }),
  alphabet: {
    handles: [0, 1, 2],
    calls: [
      msg(0, 0, { value: 1 }),
      msg(0, 1, { value: 1 }),
      msg(0, 0, { text: 'x' }),
      msg(0, 2, { value: 1 }),
      K.threadExit,
    ],
    replies: [answer(false, { value: 2 }), answer(true, { value: 3 }), answer(false, 'garbage')],
  },
  bounds: { maxHandles: 3, maxRegions: 1, maxObjects: 2 },
  symmetry: false,
  expected: { distinct: 60, depth: 7 },
};

/** Ping under fairness: the server only receives and replies; the client's granted calls must be answered. */
export const PingLive: ModelDef = {
  ...Ping,
  name: 'PingLive',
  description:
    'PingLive: the Ping solution with a well-behaved server (it only receives and replies) under\nfairness (every CPU keeps scheduling, the server keeps serving): a granted call is eventually answered.',
  alphabet: {
    handles: [0, 1, 2],
    calls: [msg(0, 0, { value: 1 }), msg(0, 1, { value: 1 }), K.threadExit],
    replies: [answer(false, { value: 2 }), answer(true, { value: 3 })],
  },
  liveness: { servers: [1], watched: [0] },
  expected: { distinct: 27, depth: 7 },
};

// ------------------------------------------------------------------ Hangup: the server ends with callers waiting

/**
 * The Ping solution where the server may end at any time: it exits (task.Exit)
 * or closes the server end of its channel (handle.Close), with callers queued or
 * a request in hand; the client may start a second thread, so that two calls
 * wait at once. Every call made after that is mediated and ends with rcNotConnected.
 */
export const Hangup: ModelDef = {
  name: 'Hangup',
  description:
    'Hangup: a client and a server (2 processes, 1 channel, 1 CPU); the client may start a second\nthread, so that two calls wait at once; the server may exit (task.Exit) or close its server end\n(handle.Close) with callers queued or a request in hand: they are answered rcNotConnected, and so\nis every later call, after it is mediated.',
  solution: pingSolution,
  policy: {
    name: 'hangup',
    rules: [
      einit,
      { id: 'ping', kind: 'request', src: 'Client', dst: 'Server', endpoint: 'ping', method: 'Ping' },
      { id: 'pong', kind: 'response', src: 'Server', dst: 'Client' },
      kernelRule('thread', 'Create', 'Client'),
      kernelRule('task', 'Exit', 'Server'),
      kernelRule('handle', 'Close', 'Server'),
    ],
  },
  machine: modelMachine({ cpus: 1, irqLines: 0, memoryPages: 1 }),
  alphabet: {
    handles: [0, 1],
    calls: [msg(0, 0, { value: 1 }), K.threadCreate(10), K.taskExit, K.close(1)],
    replies: [answer(false, { value: 2 })],
  },
  bounds: { maxHandles: 2, maxRegions: 0, maxObjects: 2, maxThreads: 3 },
  symmetry: false,
  expected: { distinct: 243, depth: 14 },
};

/** Hangup under fairness, with one client thread: the server serves, and may end at any step; it is not assumed to live. Every granted call is answered. */
export const HangupLive: ModelDef = {
  ...Hangup,
  name: 'HangupLive',
  description:
    'HangupLive: the Hangup solution with one client thread under fairness (every CPU keeps scheduling,\nthe server keeps receiving and replying while it holds its server end) where the server may also\nexit or close its server end at any step, or never: a granted call is eventually answered.',
  alphabet: { ...Hangup.alphabet, calls: [msg(0, 0, { value: 1 }), K.taskExit, K.close(1)] },
  liveness: { servers: [1], mortal: [1], watched: [0] },
  expected: { distinct: 41, depth: 7 },
};

// ------------------------------------------------------------------ Services: kernel services and interrupts

const servicesSolution: SolutionDecl = {
  name: 'services',
  interfaces: [valueInterface('dev.Device', ['Read'])],
  classes: [
    { name: 'Driver', endpoints: [{ name: 'dev', interface: 'dev.Device' }] },
    { name: 'App', endpoints: [] },
  ],
  processes: [
    { name: 'driver', taskClass: 'Driver' },
    { name: 'app', taskClass: 'App' },
  ],
  connections: [{ client: 'app', server: 'driver', id: 'dev' }],
};

/** Kernel services: memory, interrupts, handles, sleep, exit, on one CPU with one IRQ line. */
export const Services: ModelDef = {
  name: 'Services',
  description:
    'Services: a driver and an application (2 processes, 1 channel, 1 CPU, 1 IRQ line, 2 pages):\nvmm.Allocate/Map, irq.Attach/Wait/Ack with the Irq hardware event, handle.Close/Duplicate,\nthread.Sleep with Tick, task.Exit; the application may only Read the device and sleep.',
  solution: servicesSolution,
  policy: {
    name: 'services',
    rules: [
      einit,
      { id: 'read', kind: 'request', src: 'App', dst: 'Driver', endpoint: 'dev', method: 'Read' },
      { id: 'data', kind: 'response', src: 'Driver', dst: 'App' },
      kernelRule('vmm', 'Allocate', 'Driver'),
      kernelRule('vmm', 'Map', 'Driver'),
      kernelRule('irq', 'Attach', 'Driver'),
      kernelRule('irq', 'Wait', 'Driver'),
      kernelRule('irq', 'Ack', 'Driver'),
      kernelRule('handle', 'Close'),
      kernelRule('handle', 'Duplicate'),
      kernelRule('thread', 'Sleep', 'App'),
      kernelRule('task', 'Exit', 'Driver'),
    ],
  },
  machine: modelMachine({ cpus: 1, irqLines: 1, memoryPages: 1 }),
  alphabet: {
    handles: [0, 1, 2, 3],
    calls: [
      msg(0, 0, { value: 1 }),
      K.allocate(1),
      K.map(2),
      K.irqAttach(0),
      K.irqWait(2),
      K.irqWait(3),
      K.irqAck(3),
      K.close(2),
      K.sleep(1_000_000),
      K.taskExit,
    ],
    replies: [answer(false, { value: 7 })],
  },
  bounds: { maxHandles: 4, maxRegions: 2, maxObjects: 5 },
  symmetry: false,
  expected: { distinct: 9924, depth: 16 },
};

// ------------------------------------------------------------------ Devices: futexes, DMA, port and MMIO I/O

const devicesSolution: SolutionDecl = {
  name: 'devices',
  interfaces: [],
  classes: [
    { name: 'Driver', endpoints: [] },
    { name: 'App', endpoints: [] },
  ],
  processes: [
    { name: 'driver', taskClass: 'Driver' },
    { name: 'app', taskClass: 'App' },
  ],
  connections: [],
};

/**
 * The device services: a driver with two threads that wait on and wake
 * futexes in its memory, allocates and starts a DMA buffer that the device
 * (the Dma hardware event) completes, and writes an MMIO register; an
 * application that may read an I/O port but not write it, and whose wakes
 * name no memory of its own. The policy grants some services and denies
 * the others (dma.Map for everyone, memory and DMA for the application).
 */
export const Devices: ModelDef = {
  name: 'Devices',
  description:
    "Devices: a driver and an application (2 processes, 1 CPU, 1 page, a 1-page DMA window, one I/O port,\none MMIO range): sync.Wait/Wake on two offsets of the driver's memory by its two threads;\ndma.Allocate/Start with the Dma completion event (dma.Map is denied); io.AttachMmio/MmioWrite for the\ndriver; io.AttachPorts/PortRead for the application, PortWrite denied; the application's wakes and\nallocations are denied or name no memory it holds.",
  solution: devicesSolution,
  policy: {
    name: 'devices',
    rules: [
      einit,
      kernelRule('thread', 'Create', 'Driver'),
      kernelRule('vmm', 'Allocate', 'Driver'),
      kernelRule('sync', 'Wait', 'Driver'),
      kernelRule('sync', 'Wake'),
      kernelRule('dma', 'Allocate', 'Driver'),
      kernelRule('dma', 'Start', 'Driver'),
      kernelRule('io', 'AttachMmio', 'Driver'),
      kernelRule('io', 'MmioWrite', 'Driver'),
      kernelRule('io', 'AttachPorts', 'App'),
      kernelRule('io', 'PortRead', 'App'),
      kernelRule('vmm', 'Unmap', 'Driver'),
      kernelRule('time', 'SetRealtime', 'App'),
    ],
  },
  machine: modelMachine({
    cpus: 1,
    irqLines: 0,
    memoryPages: 1,
    ports: [{ base: 0x60, count: 1 }],
    mmio: [{ base: 0x1000, size: 0x100 }],
    dma: { base: 0x100000, pages: 1 },
  }),
  alphabet: {
    handles: [0, 1, 2],
    calls: [
      K.threadCreate(10),
      K.allocate(1),
      K.wait(1, 0),
      K.wait(1, 8),
      K.wake(1, 0, 1),
      K.dmaAllocate(1),
      K.dmaStart(2),
      K.dmaMap(2),
      K.attachMmio(0x1000, 0x100),
      K.mmioWrite(2, 0, 1),
      K.attachPorts(0x60, 1),
      K.portRead(1, 0x60),
      K.portWrite(1, 0x60, 1),
    ],
    replies: [],
  },
  bounds: { maxHandles: 3, maxRegions: 1, maxObjects: 4, maxThreads: 3 },
  symmetry: false,
  expected: { distinct: 8451, depth: 17 },
};

/** A part of Devices: the same solution, policy and machine with only these calls (small enough to compare transitions). */
export const devicesPart = (name: string, calls: readonly Message[]): ModelDef => ({
  ...Devices,
  name,
  description: `${name}: a part of ${Devices.description}`,
  alphabet: { ...Devices.alphabet, calls },
  expected: undefined,
});

/** The futex part of Devices (with vmm.Unmap), and the DMA, MMIO and port part (with time.SetRealtime). */
export const DEVICES_PARTS: readonly ModelDef[] = [
  devicesPart('DevicesFutex', [
    K.threadCreate(10),
    K.allocate(1),
    K.wait(1, 0),
    K.wait(1, 8),
    K.wake(1, 0, 1),
    K.unmap(0x10000),
  ]),
  devicesPart('DevicesIo', [
    K.dmaAllocate(1),
    K.dmaStart(1),
    K.dmaMap(1),
    K.attachMmio(0x1000, 0x100),
    K.mmioWrite(1, 0, 1),
    K.attachPorts(0x60, 1),
    K.portRead(1, 0x60),
    K.portWrite(1, 0x60, 1),
    K.setRealtime(5),
  ]),
];

// ------------------------------------------------------------------ Gateway: 3 processes, 2 channels, handle transfer

const gatewaySolution: SolutionDecl = {
  name: 'gateway',
  interfaces: [valueInterface('gw.Forward', ['Put']), valueInterface('gw.Store', ['Put'])],
  classes: [
    { name: 'Sensor', endpoints: [] },
    { name: 'Gateway', endpoints: [{ name: 'in', interface: 'gw.Forward' }] },
    { name: 'Store', endpoints: [{ name: 'store', interface: 'gw.Store' }] },
  ],
  processes: [
    { name: 'sensor', taskClass: 'Sensor' },
    { name: 'gateway', taskClass: 'Gateway' },
    { name: 'store', taskClass: 'Store' },
  ],
  connections: [
    { client: 'sensor', server: 'gateway', id: 'in' },
    { client: 'gateway', server: 'store', id: 'store' },
  ],
};

/** A one-way chain sensor -> gateway -> store; requests carry handles. */
export const Gateway: ModelDef = {
  name: 'Gateway',
  description:
    'Gateway: sensor -> gateway -> store (3 processes, 2 channels, 1 CPU); requests may carry a handle:\nthe sensor may pass its channel handle on (call right only), the gateway may pass its store handle;\nresponses are allowed, errors denied; the store may not call anyone.',
  solution: gatewaySolution,
  policy: {
    name: 'gateway',
    rules: [
      einit,
      { id: 'sensor puts', kind: 'request', src: 'Sensor', dst: 'Gateway', endpoint: 'in', method: 'Put' },
      { id: 'gateway stores', kind: 'request', src: 'Gateway', dst: 'Store', endpoint: 'store', method: 'Put' },
      { id: 'acks', kind: 'response' },
      kernelRule('handle', 'Duplicate'),
    ],
  },
  machine: modelMachine({ cpus: 1, irqLines: 0, memoryPages: 1 }),
  alphabet: {
    handles: [0, 1, 2, 3],
    calls: [
      msg(0, 0, { value: 1 }),
      msg(0, 0, { value: 1 }, [{ handle: 1, rights: Rights.call }]),
      msg(0, 0, { value: 1 }, [{ handle: 1, rights: Rights.call | Rights.recv }]),
      msg(0, 0, { value: 1 }, [{ handle: 2, rights: Rights.call }]),
      K.duplicate(1, Rights.call | Rights.transfer),
    ],
    replies: [answer(false, { value: 1 }), answer(true, { value: 1 })],
  },
  bounds: { maxHandles: 4, maxRegions: 0, maxObjects: 3 },
  symmetry: false,
  expected: { distinct: 3169, depth: 23 },
};

// ------------------------------------------------------------------ Broker: 4 processes, 3 channels, 2 CPUs

const brokerSolution: SolutionDecl = {
  name: 'broker',
  interfaces: [valueInterface('bus.Broker', ['Put']), valueInterface('bus.Store', ['Put'])],
  classes: [
    { name: 'Client', endpoints: [] },
    { name: 'Broker', endpoints: [{ name: 'bus', interface: 'bus.Broker' }] },
    { name: 'Store', endpoints: [{ name: 'store', interface: 'bus.Store' }] },
  ],
  processes: [
    { name: 'alice', taskClass: 'Client' },
    { name: 'bob', taskClass: 'Client' },
    { name: 'broker', taskClass: 'Broker' },
    { name: 'store', taskClass: 'Store' },
  ],
  connections: [
    { client: 'alice', server: 'broker', id: 'bus' },
    { client: 'bob', server: 'broker', id: 'bus' },
    { client: 'broker', server: 'store', id: 'store' },
  ],
};

/** Two clients, a broker and a store on two CPUs; requests carry handles; the store's answers are limited. */
export const Broker: ModelDef = {
  name: 'Broker',
  description:
    "Broker: two clients -> broker -> store (4 processes, 3 channels, 2 CPUs as a symmetry set):\nrequests may carry the sender's channel handle (call right) or a forged one; the store may answer\nat most twice (a limited rule); errors are denied.",
  solution: brokerSolution,
  policy: {
    name: 'broker',
    rules: [
      einit,
      { id: 'clients put', kind: 'request', src: 'Client', dst: 'Broker', endpoint: 'bus', method: 'Put' },
      { id: 'broker stores', kind: 'request', src: 'Broker', dst: 'Store', endpoint: 'store', method: 'Put' },
      { id: 'broker answers', kind: 'response', src: 'Broker', dst: 'Client' },
      { id: 'store answers', kind: 'response', src: 'Store', dst: 'Broker', limit: 2 },
    ],
  },
  machine: modelMachine({ cpus: 2, irqLines: 0, memoryPages: 1 }),
  alphabet: {
    handles: [0, 1, 2, 3, 5],
    calls: [
      msg(0, 0, { value: 1 }),
      msg(0, 0, { value: 1 }, [{ handle: 1, rights: Rights.call }]),
      msg(0, 0, { value: 1 }, [{ handle: 3, rights: Rights.call }]),
    ],
    replies: [answer(false, { value: 1 }), answer(true, { value: 1 })],
  },
  bounds: { maxHandles: 5, maxRegions: 0, maxObjects: 4 },
  symmetry: true,
  expected: { distinct: 37538, depth: 31 },
};

// ------------------------------------------------------------------ Duo: one server, two channels

const duoSolution: SolutionDecl = {
  name: 'duo',
  interfaces: [valueInterface('duo.Echo', ['Echo'])],
  classes: [
    { name: 'Left', endpoints: [] },
    { name: 'Right', endpoints: [] },
    { name: 'Echo', endpoints: [{ name: 'echo', interface: 'duo.Echo' }] },
  ],
  processes: [
    { name: 'left', taskClass: 'Left' },
    { name: 'right', taskClass: 'Right' },
    { name: 'echo', taskClass: 'Echo' },
  ],
  connections: [
    { client: 'left', server: 'echo', id: 'echo' },
    { client: 'right', server: 'echo', id: 'echo' },
  ],
};

/** A server with two channels: Reply must answer on the channel the request came in on. */
export const Duo: ModelDef = {
  name: 'Duo',
  description:
    'Duo: two clients of one server over two channels (3 processes, 2 channels, 1 CPU): a reply must\nname the server end the request came in on; the right client may only be answered with errors.',
  solution: duoSolution,
  policy: {
    name: 'duo',
    rules: [
      einit,
      { id: 'echo', kind: 'request', dst: 'Echo', endpoint: 'echo', method: 'Echo' },
      { id: 'left answers', kind: 'response', src: 'Echo', dst: 'Left' },
      { id: 'right errors', kind: 'error', src: 'Echo', dst: 'Right' },
    ],
  },
  machine: modelMachine({ cpus: 1, irqLines: 0, memoryPages: 1 }),
  alphabet: {
    handles: [0, 1, 2],
    calls: [msg(0, 0, { value: 1 })],
    replies: [answer(false, { value: 2 }), answer(true, { value: 3 })],
  },
  bounds: { maxHandles: 3, maxRegions: 0, maxObjects: 3 },
  symmetry: false,
  expected: { distinct: 85, depth: 11 },
};

// ------------------------------------------------------------------ Spawn: threads and channels made at run time

const spawnSolution: SolutionDecl = {
  name: 'spawn',
  interfaces: [valueInterface('spawn.Self', ['Ping'])],
  classes: [{ name: 'Worker', endpoints: [{ name: 'self', interface: 'spawn.Self' }] }],
  processes: [{ name: 'worker', taskClass: 'Worker' }],
  connections: [],
};

/** One process that makes threads and a channel to itself at run time, and calls itself on it. */
export const Spawn: ModelDef = {
  name: 'Spawn',
  description:
    'Spawn: one process (1 channel made at run time, 1 CPU): thread.Create (a valid and an out-of-range\npriority) and channel.Create, then Call, Recv and Reply between its own threads on the new channel;\nthe second channel.Create is denied by a limited rule.',
  solution: spawnSolution,
  policy: {
    name: 'spawn',
    rules: [
      einit,
      kernelRule('thread', 'Create'),
      { ...kernelRule('channel', 'Create'), limit: 1 },
      kernelRule('thread', 'Exit'),
      { id: 'ping', kind: 'request', src: 'Worker', dst: 'Worker', endpoint: 'self', method: 'Ping' },
      { id: 'pong', kind: 'response', src: 'Worker', dst: 'Worker' },
    ],
  },
  machine: modelMachine({ cpus: 1, irqLines: 0, memoryPages: 1 }),
  alphabet: {
    handles: [0, 1, 2],
    calls: [K.threadCreate(0), K.threadCreate(32), K.channelCreate, K.threadExit, msg(0, 0, { value: 1 })],
    replies: [answer(false, { value: 2 })],
  },
  bounds: { maxHandles: 3, maxRegions: 0, maxObjects: 2, maxThreads: 2 },
  symmetry: false,
  expected: { distinct: 140, depth: 12 },
};

// ------------------------------------------------------------------ Swarm: the scale model (distributed TLC)

/** `clients` clients of one server, each over its own channel, on `cpus` CPUs: the model for distributed TLC. */
export function swarm(clients: number, cpus: number, name = `Swarm${clients}x${cpus}`): ModelDef {
  const names = Array.from({ length: clients }, (_, i) => `client${i + 1}`);
  return {
    name,
    description: `${name}: ${clients} clients of one server, each over its own channel, ${cpus} CPUs; requests and\nresponses allowed, errors denied; threads may exit (the scale model for distributed TLC).`,
    solution: {
      name: 'swarm',
      interfaces: [valueInterface('swarm.Echo', ['Echo'])],
      classes: [
        { name: 'Client', endpoints: [] },
        { name: 'Server', endpoints: [{ name: 'echo', interface: 'swarm.Echo' }] },
      ],
      processes: [...names.map((n) => ({ name: n, taskClass: 'Client' })), { name: 'server', taskClass: 'Server' }],
      connections: names.map((n) => ({ client: n, server: 'server', id: 'echo' })),
    },
    policy: {
      name: 'swarm',
      rules: [
        einit,
        { id: 'echo', kind: 'request', src: 'Client', dst: 'Server', endpoint: 'echo', method: 'Echo' },
        { id: 'answers', kind: 'response', src: 'Server', dst: 'Client' },
        kernelRule('thread', 'Exit', 'Client'),
      ],
    },
    machine: modelMachine({ cpus, irqLines: 0, memoryPages: 1 }),
    alphabet: {
      handles: [0, ...Array.from({ length: clients }, (_, i) => i + 1)],
      calls: [msg(0, 0, { value: 1 }), K.threadExit],
      replies: [answer(false, { value: 1 }), answer(true, { value: 1 })],
    },
    bounds: { maxHandles: clients + 1, maxRegions: 0, maxObjects: clients + 1 },
    symmetry: false,
    invariants: ['TypeOK', 'DefaultDeny', 'CompleteMediation'],
  };
}

export const CATALOG: readonly ModelDef[] = [
  Ping,
  PingLive,
  Hangup,
  HangupLive,
  Duo,
  Services,
  Devices,
  Spawn,
  Gateway,
  Broker,
];

/**
 * The catalog models whose reachable sets test/conformance-reachable.test.ts
 * compares with the TS explorer's: that TLC run checks each model's
 * invariants and properties and its distinct count and depth too, so
 * test/spec-models.test.ts runs only the others (no symmetry or fairness
 * needed there: the liveness models and Broker).
 */
export const REACHABLE_COMPARED: readonly ModelDef[] = [Ping, Hangup, Duo, Services, Devices, Spawn, Gateway];
