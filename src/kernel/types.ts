// Kernel state, events and results. Everything here is plain, immutable data:
// `step` (step.ts) maps a KernelState and a KernelEvent to a new KernelState
// without touching its inputs. Names follow DESIGN.md's vocabulary and the
// TLA+ module spec/Kernel.tla.

import type { Decision, MonitorState, SecurityEvent } from '../monitor/types.ts';
import type { Monitor } from '../monitor/monitor.ts';
import type { SolutionTables } from './tables.ts';
import type { Machine } from './machine.ts';
import type { PVec } from './pvec.ts';
import type { RunQueue } from './runqueue.ts';

/**
 * Security identifier: the label of a process or of a kernel object, the only
 * name a policy knows a resource by. SID 0 is the kernel (and its endpoint,
 * object 0), SID 1 is Einit; a process's SID is its index into
 * KernelState.processes. Every other kernel object is labelled when it is
 * created with OBJECT_SID_BASE + its ObjectId: unique, never a process's SID,
 * and the same in every run of the same events.
 */
export type Sid = number;
/** Thread identifier (index into KernelState.threads). */
export type Tid = number;
/** Kernel object identifier (index into KernelState.objects). Object 0 is the kernel endpoint. */
export type ObjectId = number;
/** A process's descriptor of a kernel object: an index into its own handle table. */
export type Handle = number;

export const KERNEL_SID: Sid = 0;
export const EINIT_SID: Sid = 1;
export const KERNEL_OBJECT: ObjectId = 0;
/**
 * The first object SID: processes take the SIDs below it (createProcess
 * refuses a process that would reach it), objects the ones from it on. 2^30
 * keeps every label a TLC integer (< 2^31) and a PSL `Sid` (< 2^32).
 */
export const OBJECT_SID_BASE: Sid = 0x40000000;
/** The SID a kernel object created with this id carries: the kernel's own for object 0. */
export const objectSid = (id: ObjectId): Sid => (id === KERNEL_OBJECT ? KERNEL_SID : OBJECT_SID_BASE + id);
/** Every process holds the kernel endpoint at this handle. */
export const KERNEL_HANDLE: Handle = 0;

/** Handle rights (a bit set). A handle can only ever lose rights. */
export const Rights = {
  call: 1, // client end of a channel, or the kernel endpoint
  recv: 2, // server end of a channel
  read: 4,
  write: 8,
  map: 16,
  transfer: 32, // may be sent inside a message
  duplicate: 64,
} as const;
export const ALL_RIGHTS = 127;
/**
 * Whether `v` is a rights mask a message or a service argument may carry: an
 * integer 0..ALL_RIGHTS. Anything else (2^32 + 127, a negative or fractional
 * number, a bigint) is a malformed message, refused before any check of what
 * the handle holds (step.ts badMessage, kernel-api.ts RightsMask, the IDL
 * `Handle` codec).
 */
export const isRights = (v: unknown): v is number =>
  typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= ALL_RIGHTS;
/** Whether `rights` asks for no right beyond `held` (and none beyond ALL_RIGHTS: bit operations see only 32 bits). */
export const rightsWithin = (rights: number, held: number): boolean => rights <= ALL_RIGHTS && (rights & ~held) === 0;

/** A handle descriptor in a message's payload (an IDL `Handle` or `handle<I>` parameter or field). */
export interface HandleDesc {
  readonly handle: number;
  readonly rights: number;
}

/**
 * A method codec that knows where its type holds handle descriptors (the IDL
 * codecs of src/interfaces/codecs.ts). The kernel uses it to present a message
 * to the monitor with each descriptor's handle replaced by the SID of the
 * object it names, and to deliver it with the receiver's own handle numbers.
 * Both walks visit the descriptors in the same order; both are called only on
 * a value of the codec's type.
 */
export interface HandleCarrier {
  /** whether a value of this type can hold a handle descriptor at all */
  readonly carriesHandles: boolean;
  /** whether `u` is a value of the type */
  is(u: unknown): boolean;
  /** pushes every descriptor `u` holds, in order */
  handleFields(u: unknown, out: HandleDesc[]): void;
  /** `u` with the handle of its k-th descriptor (from `at.next` on) replaced by `values[k]`; `at.next` advances */
  withHandles(u: unknown, values: readonly number[], at: { next: number }): unknown;
}

export interface HandleEntry {
  readonly object: ObjectId;
  readonly rights: number;
}

/** Every kernel object carries its SID (objectSid of its id), set when it is created and never changed. */
export type KernelObject =
  | { readonly kind: 'kernel'; readonly sid: Sid }
  | {
      readonly kind: 'channel';
      readonly sid: Sid;
      readonly server: Sid;
      readonly queue: readonly PendingRequest[];
      readonly receivers: readonly Tid[];
    }
  | { readonly kind: 'memory'; readonly sid: Sid; readonly creator: Sid; readonly pages: number }
  | { readonly kind: 'irq'; readonly sid: Sid; readonly line: number; readonly owner: Sid }
  | { readonly kind: 'ports'; readonly sid: Sid; readonly base: number; readonly count: number; readonly owner: Sid }
  | { readonly kind: 'mmio'; readonly sid: Sid; readonly base: number; readonly size: number; readonly owner: Sid }
  | {
      readonly kind: 'dma';
      readonly sid: Sid;
      readonly creator: Sid;
      readonly pages: number;
      readonly deviceAddress: number;
      readonly status: 'idle' | 'busy' | 'done';
    };

/** A granted request waiting in a channel for the server's Recv. */
export interface PendingRequest {
  readonly client: Tid;
  readonly riid: number;
  readonly mid: number;
  readonly payload: unknown;
  /** handles installed in the server's table when the request was granted */
  readonly handles: readonly Handle[];
}

/** A region of a process's address space: pages of one memory or DMA object. */
export interface Region {
  readonly base: number;
  readonly pages: number;
  readonly object: ObjectId;
  readonly rights: number;
}

export interface Process {
  readonly sid: Sid;
  readonly name: string;
  /** Index into SolutionTables.classes (the task class). */
  readonly taskClass: number;
  readonly status: 'alive' | 'exited';
  /** The handle table: index = handle value; null = free slot. */
  readonly handles: readonly (HandleEntry | null)[];
  readonly regions: readonly Region[];
}

export type ThreadState =
  | { readonly tag: 'ready' }
  | { readonly tag: 'running'; readonly cpu: number }
  /** blocked in Call: the granted request waits in the channel's queue */
  | { readonly tag: 'call'; readonly channel: ObjectId }
  /** waiting for the reply: a server thread has received the request */
  | { readonly tag: 'reply'; readonly server: Tid }
  /** blocked in Recv on a channel's server end */
  | { readonly tag: 'recv'; readonly channel: ObjectId }
  | { readonly tag: 'futex'; readonly object: ObjectId; readonly offset: number }
  | { readonly tag: 'sleep'; readonly until: number }
  | { readonly tag: 'irq'; readonly line: number }
  | { readonly tag: 'exited' };

/** The request a server thread has received and not yet answered. */
export interface Serving {
  readonly client: Tid;
  readonly channel: ObjectId;
  readonly riid: number;
  readonly mid: number;
}

export interface Thread {
  readonly tid: Tid;
  readonly sid: Sid;
  readonly priority: number;
  readonly state: ThreadState;
  readonly serving: Serving | null;
}

export interface IrqLine {
  /** the irq object attached to this line, if any */
  readonly object: ObjectId | null;
  readonly pending: boolean;
  /** set when an interrupt was delivered and not yet acknowledged */
  readonly masked: boolean;
}

/** Static configuration shared by every state of one run. */
export interface KernelConfig {
  readonly tables: SolutionTables;
  readonly machine: Machine;
  readonly monitor: Monitor;
}

export interface KernelState {
  readonly config: KernelConfig;
  /** index = SID (a persistent vector: `processes.get(sid)`; a step copies O(log n) of it) */
  readonly processes: PVec<Process>;
  /** index = TID */
  readonly threads: PVec<Thread>;
  /** index = ObjectId */
  readonly objects: PVec<KernelObject>;
  /** the current thread of each CPU */
  readonly cpus: readonly (Tid | null)[];
  /**
   * ready threads, one FIFO per priority; `runQueue.order()` is the spec's one
   * arrival-ordered sequence. The scheduler takes the first of the highest priority.
   */
  readonly runQueue: RunQueue;
  /** futex waiters in arrival order */
  readonly futexQueue: readonly Tid[];
  /**
   * The sleeping threads in TID order: an index of `threads` (exactly the
   * threads whose state is `sleep`), so a tick visits the sleepers, not every
   * thread. The spec has no such variable: its `tick` scans every thread in
   * TID order, the same order this keeps.
   */
  readonly sleepers: readonly Tid[];
  readonly irqs: readonly IrqLine[];
  /**
   * Nanoseconds as safe integers: exact up to 2^53 ns, about 104 days. The
   * monotonic clock counts from boot; a realtime value is counted from the
   * model's own epoch (boards start their RTC there), not from 1970.
   */
  readonly clock: { readonly monotonic: number; readonly realtime: number };
  /** last value written to each device register: key `port:N` or `mmio:N` */
  readonly io: Readonly<Record<string, number>>;
  readonly monitor: MonitorState;
}

// ---------------------------------------------------------------- events

/** A message as a process builds it: RIID/MID select endpoint and method. */
export interface Message {
  readonly riid: number;
  readonly mid: number;
  readonly payload?: unknown;
  /** handles of the sender to transfer, with the rights to pass on */
  readonly handles?: readonly { readonly handle: Handle; readonly rights: number }[];
  /** on Reply: an error response (IDL error parameters) */
  readonly error?: boolean;
}

export type Syscall =
  | { readonly op: 'Call'; readonly handle: Handle; readonly message: Message }
  | { readonly op: 'Recv'; readonly handle: Handle }
  | { readonly op: 'Reply'; readonly handle: Handle; readonly message: Message };

export type KernelEvent =
  | { readonly kind: 'syscall'; readonly tid: Tid; readonly call: Syscall }
  | { readonly kind: 'tick' }
  | { readonly kind: 'irq'; readonly line: number }
  | { readonly kind: 'dma'; readonly deviceAddress: number }
  | { readonly kind: 'rtc'; readonly realtime: number }
  | { readonly kind: 'schedule'; readonly cpu: number };

// ---------------------------------------------------------------- results

export type ReturnCode =
  | 'rcOk'
  | 'rcInvalidArgument' // malformed syscall arguments
  | 'rcBadHandle' // the handle value is not in the caller's table
  | 'rcNoRights' // the handle lacks a right the operation needs
  | 'rcSecurityDisallow' // the monitor denied
  | 'rcNotConnected' // the peer is gone
  | 'rcBadState' // e.g. Reply without a received request
  | 'rcBusy' // resource already attached
  | 'rcOutOfRange' // address, line or port not on this board
  | 'rcUnsupported'; // not on this architecture (e.g. port I/O off x86)

/** What a syscall returned to a thread, in the step where it returned. */
export interface ThreadResult {
  readonly tid: Tid;
  readonly rc: ReturnCode;
  /** the received request (Recv) or the response (Call) */
  readonly message?: {
    readonly riid: number;
    readonly mid: number;
    readonly payload: unknown;
    readonly error: boolean;
    readonly handles: readonly Handle[];
  };
  /** kernel service output */
  readonly value?: unknown;
  readonly detail?: string;
}

/** A decision the monitor took in this step. */
export interface DecisionRecord {
  readonly event: SecurityEvent;
  readonly decision: Decision;
}

/** A mediated transition that happened in this step, with the event that was mediated for it. */
export interface Effect {
  readonly kind: 'execute' | 'request' | 'response' | 'error' | 'service' | 'security';
  readonly event: SecurityEvent;
  /** objects that changed hands: [receiving SID, object] */
  readonly transfers: readonly (readonly [Sid, ObjectId])[];
  /** objects created for a process by a kernel service: [SID, object] */
  readonly created: readonly (readonly [Sid, ObjectId])[];
}

export interface StepResult {
  readonly state: KernelState;
  readonly results: readonly ThreadResult[];
  readonly decisions: readonly DecisionRecord[];
  readonly effects: readonly Effect[];
  /** set when the event itself was malformed; the state is then unchanged */
  readonly rejected?: string;
}
