// The adversary: one generator of adversarial kernel events, shared by the
// property suites (src/properties, src/verify), trace validation
// (src/conformance/traces.ts) and the board driver's untrusted processes
// (src/driver). A choice is abstract ("the 2nd able thread calls its 3rd
// handle with the 1st declared method", "a kernel service with small
// arguments") and is made concrete against the state it meets, so that a
// shrunk sequence stays valid and a counterexample stays readable. Every
// process may issue any syscall: with held, stale or forged handles, declared
// or raw RIID/MID, well-formed or malformed payloads, and handle transfers;
// kernel services are asked for with arguments aimed at the machine's real
// resources (its memory, IRQ lines, ports, MMIO and DMA window) most of the time.

import fc from 'fast-check';
import { KERNEL_ENDPOINTS, KERNEL_INTERFACES, SECURITY_RIID } from '../kernel/kernel-api.ts';
import {
  ALL_RIGHTS,
  KERNEL_HANDLE,
  Rights,
  type KernelEvent,
  type KernelState,
  type Message,
  type Syscall,
  type Tid,
} from '../kernel/types.ts';

/** Every kernel service as "endpoint.Method", in RIID/MID order. */
export const KERNEL_SERVICES: readonly string[] = KERNEL_ENDPOINTS.flatMap((e, i) =>
  KERNEL_INTERFACES[i]!.methods.map((m) => `${e}.${m.name}`),
);

// ------------------------------------------------------------------ choices

/** `held`: the n-th handle the caller holds (preferring those with the right the operation needs); `forged`: a raw number, as an attacker would guess it. */
export type HandlePick = { readonly held: number } | { readonly forged: number };

/** `method`: the n-th method the handle's target declares (for a Reply: the method served); `riid`/`mid`: any numbers. */
export type Address = { readonly method: number } | { readonly riid: number; readonly mid: number };

/**
 * A payload: `value` is `{ value }`; `full` fills every field any method reads
 * with small values picked from the number; `keys` is a random record of those
 * fields; `edge` is one of a few edge cases (null, empty, negative, huge,
 * a bare string); `raw` is any JSON-like value.
 */
export type Payload =
  | { readonly value: number }
  | { readonly full: number }
  | { readonly keys: Readonly<Record<string, unknown>> }
  | { readonly edge: number }
  | { readonly raw: unknown };

/** A handle to transfer, with the rights asked for. */
export type Transfer = readonly [HandlePick, number];

export type SyscallChoice =
  /** a Call on a channel (a held pick names the kernel handle only now and then) */
  | {
      readonly t: 'Call';
      readonly who: number;
      readonly handle: HandlePick;
      readonly addr: Address;
      readonly payload: Payload;
      readonly transfers: readonly Transfer[];
    }
  /** a Call on the kernel handle: service n of KERNEL_SERVICES (n = its length: the caller's security interface; above: no service at all), with arguments aimed at the machine unless a payload is given */
  | {
      readonly t: 'kernel';
      readonly who: number;
      readonly service: number;
      readonly args: readonly number[];
      readonly payload: Payload | null;
      readonly transfers: readonly Transfer[];
    }
  | { readonly t: 'Recv'; readonly who: number; readonly handle: HandlePick }
  | {
      readonly t: 'Reply';
      readonly who: number;
      readonly handle: HandlePick;
      readonly addr: Address;
      readonly payload: Payload;
      readonly transfers: readonly Transfer[];
      readonly error: boolean;
    };

export type Choice =
  | { readonly t: 'schedule'; readonly cpu: number }
  | { readonly t: 'tick' }
  | { readonly t: 'irq'; readonly line: number }
  | { readonly t: 'dma'; readonly slot: number }
  | { readonly t: 'rtc'; readonly value: number }
  | SyscallChoice;

export type ChoiceKind = Choice['t'];

/** Relative weights of the kinds of choice; 0 leaves a kind out (e.g. events a world does not have). */
export type ChoiceWeights = Readonly<Record<ChoiceKind, number>>;

export const DEFAULT_WEIGHTS: ChoiceWeights = {
  schedule: 6,
  tick: 2,
  irq: 1,
  dma: 1,
  rtc: 1,
  Call: 7,
  kernel: 8,
  Recv: 6,
  Reply: 6,
};

/** Payload fields the kernel services and the generated interfaces read. */
export const PAYLOAD_KEYS = [
  'value',
  'text',
  'n',
  'handle',
  'pages',
  'offset',
  'count',
  'line',
  'base',
  'size',
  'port',
  'priority',
  'ns',
  'clock',
  'taskClass',
  'name',
  'rights',
  'code',
] as const;

/** Argument values far outside every resource (pages, lines, handles), yet small enough for the TLA+ model. */
const HUGE = [1 << 20, (1 << 20) + 3] as const;
/** Payloads at the edges: none, empty, a negative or huge or fractional number, a bare string. */
const EDGES: readonly unknown[] = [
  null,
  {},
  { value: -1 },
  { value: 2 ** 40 },
  { text: 'x' },
  'garbage',
  { value: 1.5 },
];
const RIGHTS = [
  Rights.call,
  Rights.call | Rights.transfer,
  Rights.recv,
  Rights.read | Rights.write,
  124,
  ALL_RIGHTS,
  0,
  1 << 20,
] as const;

export const arbHandlePick: fc.Arbitrary<HandlePick> = fc.oneof(
  { weight: 7, arbitrary: fc.nat({ max: 7 }).map((held) => ({ held })) },
  {
    weight: 2,
    arbitrary: fc
      .oneof(fc.nat({ max: 9 }), fc.constant(1 << 20), fc.integer({ min: 1000, max: 1 << 20 }))
      .map((forged) => ({ forged })),
  },
);

export const arbPayload: fc.Arbitrary<Payload> = fc.oneof(
  { weight: 5, arbitrary: fc.nat({ max: 1000 }).map((value) => ({ value })) },
  { weight: 4, arbitrary: fc.nat({ max: 1000 }).map((full) => ({ full })) },
  {
    weight: 2,
    arbitrary: fc
      .dictionary(
        fc.constantFrom(...PAYLOAD_KEYS),
        fc.oneof(fc.nat({ max: 8 }), fc.constantFrom('monotonic', 'x', 'C0', -1, 1.5)),
        { maxKeys: 4 },
      )
      .map((keys) => ({ keys })),
  },
  { weight: 2, arbitrary: fc.nat({ max: EDGES.length - 1 }).map((edge) => ({ edge })) },
  // any JSON-like value, its integers kept within what a model can write
  {
    weight: 1,
    arbitrary: fc
      .anything({
        maxDepth: 2,
        values: [
          fc.integer({ min: -1000, max: 1000 }),
          fc.string({ maxLength: 6 }),
          fc.boolean(),
          fc.constant(null),
          fc.double({ noNaN: true }),
        ],
      })
      .map((raw) => ({ raw })),
  },
);

const arbTransfers: fc.Arbitrary<readonly Transfer[]> = fc.oneof(
  { weight: 5, arbitrary: fc.constant([]) },
  {
    weight: 1,
    arbitrary: fc.array(fc.tuple(arbHandlePick, fc.constantFrom(...RIGHTS)), { minLength: 1, maxLength: 2 }),
  },
);

const arbAddress: fc.Arbitrary<Address> = fc.oneof(
  { weight: 6, arbitrary: fc.nat({ max: 40 }).map((method) => ({ method })) },
  {
    weight: 1,
    arbitrary: fc.record({
      riid: fc.oneof(fc.nat({ max: 3 }), fc.nat({ max: 64 })),
      mid: fc.oneof(fc.nat({ max: 3 }), fc.nat({ max: 40 })),
    }),
  },
);

const arbWho = fc.nat({ max: 3 });
const arbArg = fc.oneof(
  { weight: 12, arbitrary: fc.nat({ max: 12 }) },
  { weight: 1, arbitrary: fc.constantFrom(...HUGE) },
);

const SYSCALL_ARBS: Readonly<Record<SyscallChoice['t'], fc.Arbitrary<SyscallChoice>>> = {
  Call: fc.record({
    t: fc.constant('Call' as const),
    who: arbWho,
    handle: arbHandlePick,
    addr: arbAddress,
    payload: arbPayload,
    transfers: arbTransfers,
  }),
  kernel: fc.record({
    t: fc.constant('kernel' as const),
    who: arbWho,
    service: fc.oneof(
      { weight: 20, arbitrary: fc.nat({ max: KERNEL_SERVICES.length - 1 }) },
      { weight: 2, arbitrary: fc.constant(KERNEL_SERVICES.length) },
      { weight: 1, arbitrary: fc.constant(KERNEL_SERVICES.length + 1) },
    ),
    args: fc.array(arbArg, { minLength: 3, maxLength: 3 }),
    payload: fc.oneof({ weight: 5, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: arbPayload }),
    transfers: fc.oneof({ weight: 9, arbitrary: fc.constant([]) }, { weight: 1, arbitrary: arbTransfers }),
  }),
  Recv: fc.record({ t: fc.constant('Recv' as const), who: arbWho, handle: arbHandlePick }),
  Reply: fc.record({
    t: fc.constant('Reply' as const),
    who: arbWho,
    handle: arbHandlePick,
    addr: arbAddress,
    payload: arbPayload,
    transfers: arbTransfers,
    error: fc.boolean(),
  }),
};

const EVENT_ARBS: Readonly<Record<Exclude<ChoiceKind, SyscallChoice['t']>, fc.Arbitrary<Choice>>> = {
  schedule: fc.nat({ max: 3 }).map((cpu) => ({ t: 'schedule' as const, cpu })),
  tick: fc.constant({ t: 'tick' as const }),
  irq: fc.nat({ max: 5 }).map((line) => ({ t: 'irq' as const, line })),
  dma: fc.nat({ max: 3 }).map((slot) => ({ t: 'dma' as const, slot })),
  rtc: fc.nat({ max: 1e9 }).map((value) => ({ t: 'rtc' as const, value })),
};

function weighted<T>(
  arbs: Readonly<Record<string, fc.Arbitrary<T>>>,
  weights: Readonly<Record<string, number>>,
): fc.Arbitrary<T> {
  const parts = Object.entries(arbs)
    .filter(([k]) => (weights[k] ?? 0) > 0)
    .map(([k, arbitrary]) => ({ weight: weights[k]!, arbitrary }));
  if (parts.length === 0) throw new Error('the adversary was given no kind of choice to make');
  return fc.oneof(...parts);
}

/** One adversarial choice; `weights` override DEFAULT_WEIGHTS kind by kind. */
export function arbChoice(weights: Partial<ChoiceWeights> = {}): fc.Arbitrary<Choice> {
  return weighted<Choice>({ ...EVENT_ARBS, ...SYSCALL_ARBS }, { ...DEFAULT_WEIGHTS, ...weights });
}

/** One system call of an untrusted thread (no board or scheduling events). */
export function arbSyscallChoice(
  weights: Partial<Pick<ChoiceWeights, SyscallChoice['t']>> = {},
): fc.Arbitrary<SyscallChoice> {
  return weighted<SyscallChoice>(SYSCALL_ARBS, { ...DEFAULT_WEIGHTS, ...weights });
}

/** A sequence of choices (at most `maxLength`), generated at full size. */
export function arbChoices(
  maxLength: number,
  options: { readonly minLength?: number; readonly weights?: Partial<ChoiceWeights> } = {},
): fc.Arbitrary<Choice[]> {
  return fc.array(arbChoice(options.weights), { minLength: options.minLength ?? 1, maxLength, size: 'max' });
}

// ------------------------------------------------------------------ making a choice concrete

/** Builds the payload against the classes of the solution (for `full`'s task class). */
export function realizePayload(p: Payload, classNames: readonly string[]): unknown {
  if ('raw' in p) return p.raw;
  if ('keys' in p) return p.keys;
  if ('edge' in p) return EDGES[p.edge % EDGES.length];
  if ('value' in p) return { value: p.value };
  const n = p.full;
  return {
    value: n % 7,
    text: `t${n % 3}`,
    n: n % 100,
    handle: n % 6,
    pages: 1 + (n % 2),
    offset: (n % 3) * 8,
    count: 1 + (n % 2),
    line: n % 5,
    base: [0x60, 0x1000_0000, 0x10000, 0x62][n % 4],
    size: 8 + (n % 2) * 8,
    port: 0x60 + (n % 3),
    priority: 8 + (n % 5),
    ns: (n % 3) * 1_000_000,
    clock: n % 2 ? 'monotonic' : 'realtime',
    taskClass: classNames[n % classNames.length],
    name: `x${n % 4}`,
    rights: [127, 1, 5, 36, 0][n % 5],
    code: 0,
  };
}

/** A held pick prefers handles with the rights the operation needs (`want`), as a working program would; the kernel handle only when `kernel` or the pick is 7. */
function pickHandle(s: KernelState, sid: number, h: HandlePick, want: number, kernel = false): number {
  if ('forged' in h) return h.forged;
  const handles = s.processes.get(sid)!.handles;
  const held: number[] = [];
  handles.forEach(
    (e, i) =>
      e !== null && (e.rights & want) === want && (i !== KERNEL_HANDLE || kernel || h.held === 7) && held.push(i),
  );
  if (held.length === 0) handles.forEach((e, i) => e !== null && held.push(i));
  return held.length === 0 ? h.held : held[h.held % held.length]!;
}

/** A small argument: `a` modulo `n`, unless it is one of the huge values (kept, to be out of every range). */
const small = (a: number, n: number) => ((HUGE as readonly number[]).includes(a) ? a : a % Math.max(1, n));

/** The payload a kernel service reads, aimed at the machine's resources and the caller's table. */
function serviceArgs(s: KernelState, sid: number, service: string, [a, b, c]: readonly number[]): unknown {
  const m = s.config.machine;
  const t = s.config.tables;
  const page = m.pageSize;
  const table = s.processes.get(sid)!.handles.length;
  const h = (x: number) => small(x, table + 2);
  const ports = [...m.ports, { base: 0x3f8, count: 8 }];
  const mmio = m.mmio;
  const value = (x: number) => ((HUGE as readonly number[]).includes(x) ? 2 ** 33 : (x * 37) % 256);
  switch (service) {
    case 'task.Execute': {
      // mostly a class of the solution, preferring those no process runs yet; sometimes the kernel's, Einit's or none
      const own = t.classes.slice(2);
      const idle = own.filter((k) => !s.processes.some((p) => t.classes[p.taskClass] === k));
      const classes = [...idle, ...own, t.classes[0]!, t.classes[1]!].map((k) => k.name).concat('no.such.Class');
      const names = ['w1', 'w2', 'w3', s.processes.get(b! % s.processes.length)!.name, ''];
      return { taskClass: classes[a! % classes.length], name: names[c! % names.length] };
    }
    case 'task.Exit':
      return { code: a! % 3 };
    case 'thread.Create':
      return { priority: [8, 10, 12, 40][a! % 4] };
    case 'thread.Exit':
    case 'channel.Create':
      return {};
    case 'thread.Sleep':
      return { ns: [0, m.tickNs, Math.floor(2.5 * m.tickNs)][a! % 3] };
    case 'vmm.Allocate':
      return { pages: small(a!, m.memoryPages + 2) };
    case 'vmm.Unmap':
      return { base: 0x10000 + (a! % 8) * page };
    case 'sync.Wait':
      return { handle: h(a!), offset: (b! % 4) * 4 };
    case 'sync.Wake':
      return { handle: h(a!), offset: (b! % 4) * 4, count: c! % 3 };
    case 'irq.Attach':
      return { line: small(a!, m.irqLines + 2) };
    case 'io.AttachPorts': {
      const p = ports[a! % ports.length]!;
      return { base: p.base + (b! % p.count), count: 1 + (c! % p.count) };
    }
    case 'io.PortRead':
      return { handle: h(a!), port: ports[b! % ports.length]!.base + (c! % 12) };
    case 'io.PortWrite':
      return { handle: h(a!), port: ports[b! % ports.length]!.base + (c! % 12), value: value(c!) };
    case 'io.AttachMmio': {
      if (mmio.length === 0 || a! >= 10) return { base: (a! * 0x1_0000) >>> 0, size: 1 + b! * 0x100 };
      const d = mmio[a! % mmio.length]!;
      return {
        base: d.base + (b! % 4) * Math.min(0x40, Math.floor(d.size / 4)),
        size: 1 + Math.min(d.size - 1, c! * 0x100),
      };
    }
    case 'io.MmioRead':
      return { handle: h(a!), offset: (b! % 0x11) * 0x100 };
    case 'io.MmioWrite':
      return { handle: h(a!), offset: (b! % 0x11) * 0x100, value: value(c!) };
    case 'dma.Allocate':
      return { pages: small(a!, 4) };
    case 'time.Read':
      return { clock: a! % 3 === 2 ? 'realtime' : 'monotonic' };
    case 'time.SetRealtime':
      return { value: a! * 1_000_000 };
    case 'handle.Duplicate':
      return { handle: h(a!), rights: RIGHTS[b! % RIGHTS.length] };
    default: // vmm.Map, irq.Wait, irq.Ack, dma.Map, dma.Start, handle.Close
      return { handle: h(a!) };
  }
}

/** The message of a kernel choice: a service with its arguments, a query of the caller's security interface, or no service at all. */
function kernelMessage(s: KernelState, sid: number, c: Extract<SyscallChoice, { t: 'kernel' }>): Message {
  const t = s.config.tables;
  const classNames = t.classes.map((k) => k.name);
  const [a, b] = c.args as [number, number, number];
  if (c.service > KERNEL_SERVICES.length)
    return {
      riid: small(a, SECURITY_RIID + 3),
      mid: small(b, 8),
      payload: realizePayload(c.payload ?? { full: a }, classNames),
    };
  if (c.service === KERNEL_SERVICES.length) {
    const own = t.classes[s.processes.get(sid)!.taskClass]!;
    const methods = own.security >= 0 ? t.interfaces[own.security]!.methods.length : 2;
    return { riid: SECURITY_RIID, mid: a % methods, payload: realizePayload(c.payload ?? { full: a }, classNames) };
  }
  const name = KERNEL_SERVICES[c.service]!;
  const [ep, method] = name.split('.') as [string, string];
  const riid = (KERNEL_ENDPOINTS as readonly string[]).indexOf(ep);
  const mid = KERNEL_INTERFACES[riid]!.methods.findIndex((x) => x.name === method);
  return {
    riid,
    mid,
    payload: c.payload === null ? serviceArgs(s, sid, name, c.args) : realizePayload(c.payload, classNames),
  };
}

/** The RIID/MID of the n-th method reachable through a handle (for a Reply: the method being served). */
function address(
  s: KernelState,
  sid: number,
  tid: Tid,
  handle: number,
  c: Extract<SyscallChoice, { t: 'Call' | 'Reply' }>,
): [number, number] {
  if ('riid' in c.addr) return [c.addr.riid, c.addr.mid];
  const n = c.addr.method;
  if (c.t === 'Reply') {
    const serving = s.threads.get(tid)!.serving;
    return serving === null ? [0, 0] : [serving.riid, serving.mid];
  }
  const entry = s.processes.get(sid)!.handles[handle];
  const obj = entry == null ? undefined : s.objects.get(entry.object);
  const t = s.config.tables;
  const cls =
    obj?.kind === 'kernel'
      ? t.classes[0]!
      : obj?.kind === 'channel'
        ? t.classes[s.processes.get(obj.server)!.taskClass]!
        : undefined;
  if (cls === undefined) return [0, n % 3];
  const all: [number, number][] = cls.endpoints.flatMap((ep) =>
    t.interfaces[ep.iface]!.methods.map((m) => [ep.riid, m.mid] as [number, number]),
  );
  const own = t.classes[s.processes.get(sid)!.taskClass]!;
  if (obj?.kind === 'kernel' && own.security >= 0)
    all.push(...t.interfaces[own.security]!.methods.map((m) => [SECURITY_RIID, m.mid] as [number, number]));
  return all.length === 0 ? [0, 0] : all[n % all.length]!;
}

/** The system call a choice makes for a given thread. */
export function realizeSyscall(s: KernelState, tid: Tid, c: SyscallChoice): Syscall {
  const sid = s.threads.get(tid)!.sid;
  const classNames = s.config.tables.classes.map((k) => k.name);
  const transfers = (xs: readonly Transfer[]) =>
    xs.map(([h, rights]) => ({ handle: pickHandle(s, sid, h, Rights.transfer), rights }));
  switch (c.t) {
    case 'Recv':
      return { op: 'Recv', handle: pickHandle(s, sid, c.handle, Rights.recv) };
    case 'kernel':
      return {
        op: 'Call',
        handle: KERNEL_HANDLE,
        message: { ...kernelMessage(s, sid, c), handles: transfers(c.transfers) },
      };
    case 'Reply': {
      // a server mostly answers on the channel it serves
      const serving = s.threads.get(tid)!.serving;
      const own =
        serving === null
          ? -1
          : s.processes
              .get(sid)!
              .handles.findIndex((e) => e !== null && e.object === serving.channel && (e.rights & Rights.recv) !== 0);
      const handle =
        own >= 0 && 'held' in c.handle && c.handle.held < 6 ? own : pickHandle(s, sid, c.handle, Rights.recv);
      const [riid, mid] = address(s, sid, tid, handle, c);
      return {
        op: 'Reply',
        handle,
        message: {
          riid,
          mid,
          payload: realizePayload(c.payload, classNames),
          error: c.error,
          handles: transfers(c.transfers),
        },
      };
    }
    case 'Call': {
      const handle = pickHandle(s, sid, c.handle, Rights.call);
      const [riid, mid] = address(s, sid, tid, handle, c);
      return {
        op: 'Call',
        handle,
        message: { riid, mid, payload: realizePayload(c.payload, classNames), handles: transfers(c.transfers) },
      };
    }
  }
}

/** Makes a choice concrete against the state it meets: the thread that makes a syscall is picked among those running. */
export function realize(s: KernelState, c: Choice): KernelEvent {
  switch (c.t) {
    case 'schedule':
      return { kind: 'schedule', cpu: c.cpu % s.cpus.length };
    case 'tick':
      return { kind: 'tick' };
    case 'irq':
      return s.irqs.length === 0 ? { kind: 'tick' } : { kind: 'irq', line: c.line % s.irqs.length };
    case 'dma': {
      const w = s.config.machine.dma;
      return { kind: 'dma', deviceAddress: (w?.base ?? 0) + c.slot * s.config.machine.pageSize };
    }
    case 'rtc':
      return { kind: 'rtc', realtime: c.value };
  }
  const running = s.cpus.filter((x): x is number => x !== null);
  // nothing runs yet: the scheduler runs instead
  if (running.length === 0) return { kind: 'schedule', cpu: c.who % s.cpus.length };
  // a working program does what it can: mostly a running thread able to make this call
  const holds = (x: number, right: number) =>
    s.processes
      .get(s.threads.get(x)!.sid)!
      .handles.some((e, i) => i !== KERNEL_HANDLE && e !== null && (e.rights & right) !== 0);
  const able =
    c.t === 'Reply'
      ? running.filter((x) => s.threads.get(x)!.serving !== null)
      : c.t === 'Recv'
        ? running.filter((x) => s.threads.get(x)!.serving === null && holds(x, Rights.recv))
        : c.t === 'Call'
          ? running.filter((x) => holds(x, Rights.call))
          : running;
  // nobody running can do it (e.g. every server waits in Recv): mostly the scheduler runs instead
  if (able.length === 0 && c.who < 3) return { kind: 'schedule', cpu: c.who % s.cpus.length };
  const pool = able.length > 0 && c.who < 3 ? able : running;
  const tid = pool[c.who % pool.length]!;
  return { kind: 'syscall', tid, call: realizeSyscall(s, tid, c) };
}
