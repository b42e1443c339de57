// The kernel's endpoints (as KasperskyOS's `kl.core.Core`): every kernel
// service is a method here, reached only by `Call` on the kernel handle.
// Their argument codecs are what the monitor validates a kernel request
// against before any policy rule sees it, and what the kernel itself decodes
// a granted request's arguments with (services.ts): it does not rely on the
// monitor's check.

import * as t from 'io-ts';
import type { InterfaceDecl, TaskClassDecl } from './tables.ts';
import { ALL_RIGHTS, isRights } from './types.ts';

export const KERNEL_CLASS = 'kl.core.Core';
export const EINIT_CLASS = 'Einit';

const isNat = (u: unknown): u is number => typeof u === 'number' && Number.isSafeInteger(u) && u >= 0;
/** A non-negative safe integer. */
export const Nat = new t.Type<number, number, unknown>(
  'Nat',
  isNat,
  (u, c) => (isNat(u) ? t.success(u) : t.failure(u, c)),
  t.identity,
);

/** A rights mask, 0..ALL_RIGHTS (types.ts isRights): any other value is a malformed argument. */
export const RightsMask = new t.Type<number, number, unknown>(
  `rights mask (0..${ALL_RIGHTS})`,
  isRights,
  (u, c) => (isRights(u) ? t.success(u) : t.failure(u, c)),
  t.identity,
);

const empty = t.type({});
const handleArg = t.type({ handle: Nat });

/** Endpoint names of the kernel class; RIID = index. */
export const KERNEL_ENDPOINTS = [
  'task',
  'thread',
  'vmm',
  'sync',
  'irq',
  'io',
  'dma',
  'time',
  'handle',
  'channel',
] as const;
export type KernelEndpoint = (typeof KERNEL_ENDPOINTS)[number];
const INTERFACE_NAMES = [
  'kl.core.Task',
  'kl.core.Thread',
  'kl.core.VMM',
  'kl.core.Sync',
  'kl.core.Irq',
  'kl.core.IO',
  'kl.core.DMA',
  'kl.core.Time',
  'kl.core.Handle',
  'kl.core.Channel',
] as const;

/** The argument codec of every kernel service, `endpoint.Method`, in RIID / MID order (spec/Kernel.tla ServiceNames). */
export const SERVICE_ARGS = {
  'task.Execute': t.type({ taskClass: t.string, name: t.string }),
  'task.Exit': t.type({ code: Nat }),
  'thread.Create': t.type({ priority: Nat }),
  'thread.Exit': empty,
  'thread.Sleep': t.type({ ns: Nat }),
  'vmm.Allocate': t.type({ pages: Nat }),
  'vmm.Map': handleArg,
  'vmm.Unmap': t.type({ base: Nat }),
  'sync.Wait': t.type({ handle: Nat, offset: Nat }),
  'sync.Wake': t.type({ handle: Nat, offset: Nat, count: Nat }),
  'irq.Attach': t.type({ line: Nat }),
  'irq.Wait': handleArg,
  'irq.Ack': handleArg,
  'io.AttachPorts': t.type({ base: Nat, count: Nat }),
  'io.PortRead': t.type({ handle: Nat, port: Nat }),
  'io.PortWrite': t.type({ handle: Nat, port: Nat, value: Nat }),
  'io.AttachMmio': t.type({ base: Nat, size: Nat }),
  'io.MmioRead': t.type({ handle: Nat, offset: Nat }),
  'io.MmioWrite': t.type({ handle: Nat, offset: Nat, value: Nat }),
  'dma.Allocate': t.type({ pages: Nat }),
  'dma.Map': handleArg,
  'dma.Start': handleArg,
  'time.Read': t.type({ clock: t.keyof({ monotonic: null, realtime: null }) }),
  'time.SetRealtime': t.type({ value: Nat }),
  'handle.Close': handleArg,
  'handle.Duplicate': t.type({ handle: Nat, rights: RightsMask }),
  'channel.Create': empty,
} as const;
export type ServiceName = keyof typeof SERVICE_ARGS;
export type ServiceArgs<N extends ServiceName> = t.TypeOf<(typeof SERVICE_ARGS)[N]>;

const SERVICES_AT: readonly (readonly ServiceName[])[] = KERNEL_ENDPOINTS.map((ep) =>
  (Object.keys(SERVICE_ARGS) as ServiceName[]).filter((n) => n.startsWith(`${ep}.`)),
);

/** The kernel service a request on the kernel handle names by its RIID / MID, or undefined (spec ServiceOf). */
export const serviceOf = (riid: number, mid: number): ServiceName | undefined => SERVICES_AT[riid]?.[mid];

/** Kernel interfaces, in RIID order of the kernel class's endpoints. */
export const KERNEL_INTERFACES: readonly InterfaceDecl[] = SERVICES_AT.map((names, riid) => ({
  name: INTERFACE_NAMES[riid]!,
  methods: names.map((n) => ({
    name: n.slice(n.indexOf('.') + 1),
    request: SERVICE_ARGS[n],
    response: t.unknown,
    error: t.unknown,
  })),
}));

export const KERNEL_CLASS_DECL: TaskClassDecl = {
  name: KERNEL_CLASS,
  endpoints: KERNEL_ENDPOINTS.map((name, i) => ({ name, interface: KERNEL_INTERFACES[i]!.name })),
};

export const EINIT_CLASS_DECL: TaskClassDecl = { name: EINIT_CLASS, endpoints: [] };

/**
 * RIID under which a process reaches its own class's security interface
 * (EDL `security`) on the kernel handle: such a Call becomes a `security`
 * event rather than a kernel service.
 */
export const SECURITY_RIID = KERNEL_ENDPOINTS.length;
