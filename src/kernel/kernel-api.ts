// The kernel's endpoints (as KasperskyOS's `kl.core.Core`): every kernel
// service is a method here, reached only by `Call` on the kernel handle.
// Their argument codecs are what the monitor validates a kernel request
// against before any policy rule sees it.

import * as t from 'io-ts';
import type { InterfaceDecl, TaskClassDecl } from './solution.ts';

export const KERNEL_CLASS = 'kl.core.Core';
export const EINIT_CLASS = 'Einit';

const isNat = (u: unknown): u is number => typeof u === 'number' && Number.isSafeInteger(u) && u >= 0;
/** A non-negative safe integer. */
export const Nat = new t.Type<number, number, unknown>('Nat', isNat, (u, c) => (isNat(u) ? t.success(u) : t.failure(u, c)), t.identity);

const empty = t.type({});
const handleArg = t.type({ handle: Nat });

const iface = (name: string, methods: Record<string, t.Mixed>): InterfaceDecl => ({
  name,
  methods: Object.entries(methods).map(([m, request]) => ({ name: m, request, response: t.unknown, error: t.unknown })),
});

/** Kernel interfaces, in RIID order of the kernel class's endpoints. */
export const KERNEL_INTERFACES: readonly InterfaceDecl[] = [
  iface('kl.core.Task', {
    Execute: t.type({ taskClass: t.string, name: t.string }),
    Exit: t.type({ code: Nat }),
  }),
  iface('kl.core.Thread', {
    Create: t.type({ priority: Nat }),
    Exit: empty,
    Sleep: t.type({ ns: Nat }),
  }),
  iface('kl.core.VMM', {
    Allocate: t.type({ pages: Nat }),
    Map: handleArg,
    Unmap: t.type({ base: Nat }),
  }),
  iface('kl.core.Sync', {
    Wait: t.type({ handle: Nat, offset: Nat }),
    Wake: t.type({ handle: Nat, offset: Nat, count: Nat }),
  }),
  iface('kl.core.Irq', {
    Attach: t.type({ line: Nat }),
    Wait: handleArg,
    Ack: handleArg,
  }),
  iface('kl.core.IO', {
    AttachPorts: t.type({ base: Nat, count: Nat }),
    PortRead: t.type({ handle: Nat, port: Nat }),
    PortWrite: t.type({ handle: Nat, port: Nat, value: Nat }),
    AttachMmio: t.type({ base: Nat, size: Nat }),
    MmioRead: t.type({ handle: Nat, offset: Nat }),
    MmioWrite: t.type({ handle: Nat, offset: Nat, value: Nat }),
  }),
  iface('kl.core.DMA', {
    Allocate: t.type({ pages: Nat }),
    Map: handleArg,
    Start: handleArg,
  }),
  iface('kl.core.Time', {
    Read: t.type({ clock: t.keyof({ monotonic: null, realtime: null }) }),
    SetRealtime: t.type({ value: Nat }),
  }),
  iface('kl.core.Handle', {
    Close: handleArg,
    Duplicate: t.type({ handle: Nat, rights: Nat }),
  }),
  iface('kl.core.Channel', {
    Create: empty,
  }),
];

/** Endpoint names of the kernel class; RIID = index. */
export const KERNEL_ENDPOINTS = ['task', 'thread', 'vmm', 'sync', 'irq', 'io', 'dma', 'time', 'handle', 'channel'] as const;
export type KernelEndpoint = (typeof KERNEL_ENDPOINTS)[number];

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
