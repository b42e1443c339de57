// Arguments for kernel services as a hostile or broken process would pass
// them: well-formed ones (small useful values, and huge ones), and ill-formed
// ones (a field missing, an extra field, a field of the wrong type: negative,
// fractional, unsafe, not a number at all; or no record at all). Built from
// each service's codec in kernel-api.ts, so a new service gets them too.

import fc from 'fast-check';
import * as t from 'io-ts';
import {
  KERNEL_ENDPOINTS,
  KERNEL_INTERFACES,
  RightsMask,
  SERVICE_ARGS,
  type KernelEndpoint,
  type ServiceName,
} from '../kernel/kernel-api.ts';
import type { KernelEvent, KernelObject, KernelState } from '../kernel/types.ts';
import { arbChoice, realize, type Choice } from '../adversary/index.ts';

export const SERVICES = Object.keys(SERVICE_ARGS) as ServiceName[];

/** Numbers the kernel services compare with: board addresses, page and rights bounds, 32-bit and 53-bit edges. */
const EDGES = [
  0,
  1,
  2,
  31,
  32,
  127,
  128,
  4096,
  0x60,
  0x62,
  0x1000,
  0x10000,
  0x1000_0000,
  0x8000_0000,
  0xffff_ffff,
  2 ** 31,
  2 ** 32,
  2 ** 32 + 1,
  2 ** 32 + 5,
  Number.MAX_SAFE_INTEGER,
];

const nat = fc.oneof(
  { weight: 6, arbitrary: fc.nat({ max: 8 }) },
  { weight: 3, arbitrary: fc.constantFrom(...EDGES) },
  { weight: 1, arbitrary: fc.maxSafeNat() },
);

/** Values of the wrong type for any field the kernel reads (and, for a rights mask, integers beyond 0..127: 2^32 + 127 has the low bits of every right). */
const wrong: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(128, 2 ** 32 + 127),
  fc.constantFrom(
    -1,
    -4096,
    -(2 ** 32),
    Number.MIN_SAFE_INTEGER,
    0.5,
    1.5,
    4095.9,
    2 ** 53,
    2 ** 64,
    Number.MAX_VALUE,
    Number.EPSILON,
    NaN,
    Infinity,
    -Infinity,
  ),
  fc.constantFrom('1', '', 'monotonic', true, false, null, undefined, [], [1], {}, { value: 1 }),
  fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }),
  fc.double(),
  fc.anything({ maxDepth: 1 }),
);

/** Values that name something: the boards' port and MMIO ranges, rights a handle may hold. */
const NAMED: Readonly<Record<string, readonly number[]>> = {
  base: [0x60, 0x62, 0x1000, 0x1010],
  port: [0x60, 0x61, 0x62, 0x6f],
  rights: [0, 1, 4, 12, 28, 33, 36, 64, 124, 127],
};

/**
 * A number picked when the call is made: the n-th handle the caller holds to
 * an object of the kind the service needs, or the base of its n-th region, as
 * a working program would pass (`realizeServiceChoice` replaces it).
 */
export class Pick {
  constructor(
    readonly of: 'handle' | 'region',
    readonly n: number,
  ) {}
  [fc.toStringMethod](): string {
    return `${this.of}#${this.n}`;
  }
}

/** A value the field's codec accepts. */
function good(name: ServiceName, key: string, codec: t.Mixed, classNames: readonly string[]): fc.Arbitrary<unknown> {
  const pick = key === 'handle' ? 'handle' : key === 'base' && name === 'vmm.Unmap' ? 'region' : null;
  if (pick !== null)
    return fc.oneof(
      { weight: 3, arbitrary: fc.nat({ max: 7 }).map((n) => new Pick(pick, n)) },
      { weight: 1, arbitrary: nat },
    );
  if (codec.name === 'Nat')
    return NAMED[key] === undefined
      ? nat
      : fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...NAMED[key]!) }, { weight: 1, arbitrary: nat });
  if (codec === RightsMask)
    return fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(...NAMED.rights!) },
      { weight: 1, arbitrary: fc.nat({ max: 127 }) },
    );
  if (codec instanceof t.KeyofType) return fc.constantFrom(...Object.keys(codec.keys as Record<string, unknown>));
  if (codec.name === 'string')
    return fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(...classNames, 'Einit', 'kl.core.Core', 'x', 'y', '') },
      { weight: 1, arbitrary: fc.string({ maxLength: 6 }) },
    );
  throw new Error(`no generator for a kernel argument of type ${codec.name}`);
}

/** Keys of other services' arguments, and keys that name Object.prototype members. */
const EXTRA_KEYS = [
  ...new Set(Object.values(SERVICE_ARGS).flatMap((c) => Object.keys(c.props))),
  'constructor',
  'toString',
  '__proto__',
  'valueOf',
  'hasOwnProperty',
  '',
];

/** Payloads for one service: about half decode, half do not. */
export function arbServicePayload(name: ServiceName, classNames: readonly string[]): fc.Arbitrary<unknown> {
  const props = Object.entries(SERVICE_ARGS[name].props as Record<string, t.Mixed>);
  const record = fc
    .tuple(...props.map(([k, c]) => good(name, k, c, classNames)))
    .map((vs) => Object.fromEntries(props.map(([k], i) => [k, vs[i]])) as Record<string, unknown>);
  const shapes: fc.WeightedArbitrary<unknown>[] = [
    { weight: 6, arbitrary: record },
    {
      weight: 2,
      arbitrary: fc
        .tuple(record, fc.constantFrom(...EXTRA_KEYS), fc.oneof(nat, wrong))
        .map(([r, k, v]) =>
          Object.defineProperty({ ...r }, k, { value: v, enumerable: true, writable: true, configurable: true }),
        ),
    },
    {
      weight: 1,
      arbitrary: fc.oneof(
        fc.constantFrom(undefined, null, 0, 'x', true, [], [1, 2]),
        fc.anything({ maxDepth: 2, withNullPrototype: true, withBoxedValues: true, withBigInt: true }),
      ),
    },
  ];
  if (props.length > 0) {
    shapes.push({
      weight: 2,
      arbitrary: fc
        .tuple(record, fc.nat())
        .map(([r, i]) => Object.fromEntries(Object.entries(r).filter((_, j) => j !== i % props.length))),
    });
    shapes.push({
      weight: 3,
      arbitrary: fc.tuple(record, fc.nat(), wrong).map(([r, i, v]) => ({ ...r, [props[i % props.length]![0]]: v })),
    });
    shapes.push({ weight: 1, arbitrary: record.map((r) => Object.assign(Object.create(null) as object, r)) });
  }
  return fc.oneof(...shapes);
}

/** One step of a run: a running thread calls a kernel service, or the scheduler, the timer or a device acts (the adversary's hardware choices). */
export type ServiceChoice =
  | { readonly t: 'service'; readonly who: number; readonly service: ServiceName; readonly payload: unknown }
  | HardwareChoice;

/** The scheduler, the timer, an interrupt or a DMA completion: the adversary's own (src/adversary). */
export type HardwareChoice = Extract<Choice, { readonly t: 'schedule' | 'tick' | 'irq' | 'dma' }>;

const arbHardware = arbChoice({
  schedule: 4,
  tick: 1,
  irq: 1,
  dma: 1,
  rtc: 0,
  Call: 0,
  kernel: 0,
  Recv: 0,
  Reply: 0,
}) as fc.Arbitrary<HardwareChoice>;

export const arbServiceChoice = (classNames: readonly string[]): fc.Arbitrary<ServiceChoice> =>
  fc.oneof(
    {
      weight: 12,
      arbitrary: fc.constantFrom(...SERVICES).chain((service) =>
        fc.record({
          t: fc.constant('service' as const),
          who: fc.nat({ max: 7 }),
          service: fc.constant(service),
          payload: arbServicePayload(service, classNames),
        }),
      ),
    },
    { weight: 7, arbitrary: arbHardware },
  );

/** Calls that make one object of each kind, so that later calls find handles to name (a run starts with them). */
export const SETUP: readonly ServiceChoice[] = (
  [
    ['vmm.Allocate', { pages: 1 }],
    ['io.AttachPorts', { base: 0x60, count: 16 }],
    ['io.AttachMmio', { base: 0x1000, size: 0x100 }],
    ['dma.Allocate', { pages: 1 }],
    ['irq.Attach', { line: 1 }],
    ['channel.Create', {}],
  ] as const
).map(([service, payload]) => ({ t: 'service', who: 0, service, payload }));

/** The RIID / MID a request for a service carries. */
export function addressOf(name: ServiceName): { readonly riid: number; readonly mid: number } {
  const riid = KERNEL_ENDPOINTS.indexOf(name.slice(0, name.indexOf('.')) as KernelEndpoint);
  return { riid, mid: KERNEL_INTERFACES[riid]!.methods.findIndex((m) => m.name === name.slice(name.indexOf('.') + 1)) };
}

/** The kind of object a service's `handle` argument names. */
const HANDLE_KIND: Partial<Record<ServiceName, KernelObject['kind']>> = {
  'vmm.Map': 'memory',
  'sync.Wait': 'memory',
  'sync.Wake': 'memory',
  'irq.Wait': 'irq',
  'irq.Ack': 'irq',
  'io.PortRead': 'ports',
  'io.PortWrite': 'ports',
  'io.MmioRead': 'mmio',
  'io.MmioWrite': 'mmio',
  'dma.Map': 'dma',
  'dma.Start': 'dma',
};

/** The payload with each Pick among its fields replaced by the number it picks for the calling process. */
function resolve(s: KernelState, sid: number, service: ServiceName, payload: unknown): unknown {
  if (
    typeof payload !== 'object' ||
    payload === null ||
    Array.isArray(payload) ||
    !Object.values(payload).some((v) => v instanceof Pick)
  )
    return payload;
  const p = s.processes.get(sid)!;
  const out = Object.create(Object.getPrototypeOf(payload) as object | null) as Record<string, unknown>;
  for (const [k, v] of Object.entries(payload)) {
    let x: unknown = v;
    if (v instanceof Pick && v.of === 'region')
      x = p.regions.length === 0 ? v.n : p.regions[v.n % p.regions.length]!.base;
    else if (v instanceof Pick) {
      const held = p.handles.flatMap((e, h) =>
        e !== null &&
        h > 0 &&
        (HANDLE_KIND[service] === undefined || s.objects.get(e.object)!.kind === HANDLE_KIND[service])
          ? [h]
          : [],
      );
      x = held.length === 0 ? v.n : held[v.n % held.length]!;
    }
    Object.defineProperty(out, k, { value: x, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** Makes a choice concrete against the state it meets; a service call with no thread running schedules instead. */
export function realizeServiceChoice(s: KernelState, c: ServiceChoice): KernelEvent {
  switch (c.t) {
    case 'schedule':
    case 'tick':
    case 'irq':
    case 'dma':
      return realize(s, c);
    case 'service': {
      const running = s.cpus.filter((x): x is number => x !== null);
      if (running.length === 0) return { kind: 'schedule', cpu: c.who % s.cpus.length };
      const tid = running[c.who % running.length]!;
      const payload = resolve(s, s.threads.get(tid)!.sid, c.service, c.payload);
      return { kind: 'syscall', tid, call: { op: 'Call', handle: 0, message: { ...addressOf(c.service), payload } } };
    }
  }
}
