// Kernel services: methods of the kernel's endpoints (kernel-api.ts), reached
// only by `Call` on the kernel handle. As in seL4 and Hubris, a request goes
// decode, perform, answer: it is mediated first; on grant the kernel decodes
// the arguments itself with the method's codec (it does not rely on the
// monitor having checked them: a payload that does not decode is
// rcInvalidArgument and changes nothing); the service checks before it
// writes and returns its outcome; callKernel writes the caller's result once.

import * as t from 'io-ts';
import type { Draft } from './draft.ts';
import { SECURITY_RIID, SERVICE_ARGS, serviceOf, type ServiceArgs, type ServiceName } from './kernel-api.ts';
import { disconnect, messageEvent } from './ipc.ts';
import { MAX_PRIORITY } from './tables.ts';
import {
  KERNEL_OBJECT,
  OBJECT_SID_BASE,
  KERNEL_SID,
  Rights,
  rightsWithin,
  type Effect,
  type Handle,
  type KernelObject,
  type Message,
  type ObjectId,
  type ReturnCode,
  type Sid,
  type Tid,
} from './types.ts';

type Created = [Sid, ObjectId][];
/** A failed service: the caller's return code and why. */
type Failure = { readonly rc: Exclude<ReturnCode, 'rcOk'>; readonly detail: string };
/** What a service answers its caller now; null when the thread blocked or exited (its result comes later, or never). */
type Outcome = { readonly rc: 'rcOk'; readonly value?: unknown } | Failure | null;
type Service<A> = (d: Draft, tid: Tid, args: A, created: Created) => Outcome;

const ok = (value?: unknown): Outcome => (value === undefined ? { rc: 'rcOk' } : { rc: 'rcOk', value });
const fail = (rc: Failure['rc'], detail: string): Failure => ({ rc, detail });

/** Looks up a handle of the calling thread's process that must refer to an object of one kind, with some rights. */
function objectOf<K extends KernelObject['kind']>(
  d: Draft,
  tid: Tid,
  h: Handle,
  kind: K,
  rights: number,
): [ObjectId, Extract<KernelObject, { kind: K }>] | Failure {
  const e = d.handle(d.threads.get(tid)!.sid, h);
  if (e === undefined) return fail('rcBadHandle', `handle ${h} is not in the caller's table`);
  const o = d.objects.get(e.object)!;
  if (o.kind !== kind) return fail('rcInvalidArgument', `handle ${h} is not a ${kind} handle`);
  if ((e.rights & rights) !== rights) return fail('rcNoRights', `handle ${h} lacks the rights this needs`);
  return [e.object, o as Extract<KernelObject, { kind: K }>];
}

function give(d: Draft, sid: Sid, created: Created, o: KernelObject, rights: number): Handle {
  const id = d.addObject(o);
  created.push([sid, id]);
  return d.installHandle(sid, { object: id, rights });
}

/**
 * Objects some live process still holds a handle to or maps, and DMA buffers a
 * device is still writing: only these keep their pages (a buffer in flight is
 * never handed to anyone else).
 */
function liveObjects(d: Draft): Set<ObjectId> {
  const live = new Set<ObjectId>();
  d.objects.forEach((o, id) => o.kind === 'dma' && o.status === 'busy' && live.add(id));
  for (const p of d.processes) {
    if (p.status !== 'alive') continue;
    for (const h of p.handles) if (h !== null) live.add(h.object);
    for (const r of p.regions) live.add(r.object);
  }
  return live;
}

function usedPages(d: Draft, kind: 'memory' | 'dma'): number {
  let n = 0;
  for (const id of liveObjects(d)) {
    const o = d.objects.get(id)!;
    if (o.kind === kind) n += o.pages;
  }
  return n;
}

/** First fit in the DMA window among the buffers still live; null when no gap is large enough. */
function dmaAddress(d: Draft, pages: number): number | null {
  const w = d.config.machine.dma!;
  const page = d.config.machine.pageSize;
  const taken = [...liveObjects(d)]
    .map((id) => d.objects.get(id)!)
    .filter((o): o is Extract<KernelObject, { kind: 'dma' }> => o.kind === 'dma')
    .map((o) => [o.deviceAddress, o.deviceAddress + o.pages * page] as const)
    .sort((a, b) => a[0] - b[0]);
  let at = w.base;
  for (const [lo, hi] of taken) {
    if (lo - at >= pages * page) break;
    at = Math.max(at, hi);
  }
  return at + pages * page <= w.base + w.pages * page ? at : null;
}

/** Whether a live process still holds a handle to the object. */
function held(d: Draft, object: ObjectId): boolean {
  return d.processes.some((p) => p.status === 'alive' && p.handles.some((h) => h !== null && h.object === object));
}

/** After a handle is closed: a device resource nobody holds any more is released (an IRQ line wakes its waiters with rcNotConnected). */
function releaseIfUnheld(d: Draft, object: ObjectId): void {
  const o = d.objects.get(object)!;
  if (o.kind !== 'irq' || held(d, object)) return;
  const line = d.irqs[o.line]!;
  if (line.object !== object) return;
  d.setIrq(o.line, { object: null, pending: false, masked: false });
  for (const t of d.threads)
    if (t.state.tag === 'irq' && t.state.line === o.line)
      d.wake({ tid: t.tid, rc: 'rcNotConnected', detail: 'the IRQ line was released' });
}

function mapRegion(d: Draft, sid: Sid, object: ObjectId, pages: number, rights: number): number {
  const p = d.processes.get(sid)!;
  const page = d.config.machine.pageSize;
  const base = p.regions.reduce((top, r) => Math.max(top, r.base + r.pages * page), 0x10000);
  d.setProcess({
    ...p,
    regions: [...p.regions, { base, pages, object, rights: rights & (Rights.read | Rights.write) }],
  });
  return base;
}

// ------------------------------------------------------------------ lifecycle

export function createProcess(d: Draft, name: string, taskClass: number, priority: number): Sid {
  const sid = d.processes.length;
  d.setProcess({
    sid,
    name,
    taskClass,
    status: 'alive',
    handles: [{ object: KERNEL_OBJECT, rights: Rights.call }],
    regions: [],
  });
  spawnThread(d, sid, priority);
  return sid;
}

function spawnThread(d: Draft, sid: Sid, priority: number): Tid {
  return d.addThread(sid, priority);
}

/** A thread ends: whoever it was serving gets rcNotConnected; the last thread's exit ends its process. */
export function exitThread(d: Draft, tid: Tid): void {
  const t = d.threads.get(tid)!;
  if (t.state.tag === 'exited') return;
  if (t.state.tag === 'recv' || t.state.tag === 'call') {
    const id = t.state.channel;
    const ch = d.objects.get(id) as Extract<KernelObject, { kind: 'channel' }>;
    d.setObject(id, {
      ...ch,
      receivers: ch.receivers.filter((x) => x !== tid),
      queue: ch.queue.filter((r) => r.client !== tid),
    });
  }
  if (t.serving !== null) {
    const c = d.threads.get(t.serving.client)!;
    if (c.state.tag === 'reply' && c.state.server === tid)
      d.wake({ tid: c.tid, rc: 'rcNotConnected', detail: 'the server thread exited' });
  }
  d.moveThread(tid, { tag: 'exited' }, null);
  if (d.threads.every((x) => x.sid !== t.sid || x.state.tag === 'exited')) exitProcess(d, t.sid);
}

/** A process ends: its threads end, callers waiting on the channels it served get rcNotConnected, its handles and IRQ lines are released. */
export function exitProcess(d: Draft, sid: Sid): void {
  const p = d.processes.get(sid)!;
  if (p.status !== 'alive') return;
  d.setProcess({ ...p, status: 'exited' });
  for (const t of d.threads) if (t.sid === sid) exitThread(d, t.tid);
  // the channels nobody can receive on any more (only those it held a receive end of can be) answer their callers;
  // the spec's exitProcess runs disconnectFrom over every object, which leaves all the others unchanged
  for (const id of new Set(p.handles.flatMap((h) => (h !== null && (h.rights & Rights.recv) !== 0 ? [h.object] : []))))
    disconnect(d, id);
  d.irqs.forEach((l, line) => {
    const o = l.object === null ? undefined : d.objects.get(l.object);
    if (o?.kind === 'irq' && o.owner === sid) d.setIrq(line, { object: null, pending: false, masked: false });
  });
  const q = d.processes.get(sid)!;
  d.setProcess({ ...q, handles: [], regions: [] });
}

// ------------------------------------------------------------------ the services

const SERVICES: { readonly [N in ServiceName]: Service<ServiceArgs<N>> } = {
  'task.Execute': (d, tid, a) => {
    const { tables } = d.config;
    const src = d.processes.get(d.threads.get(tid)!.sid)!;
    const cls = tables.classByName.get(a.taskClass);
    if (cls === undefined || cls < 2) return fail('rcInvalidArgument', `unknown task class "${a.taskClass}"`);
    if (a.name === '' || d.processes.some((p) => p.name === a.name))
      return fail('rcInvalidArgument', `process name "${a.name}" is empty or taken`);
    const sid = d.processes.length;
    // process SIDs stay below the object SIDs (types.ts OBJECT_SID_BASE)
    if (sid >= OBJECT_SID_BASE) return fail('rcOutOfRange', 'no process SID is left');
    const event = {
      kind: 'execute',
      src: src.sid,
      srcClass: src.taskClass,
      dst: sid,
      dstClass: cls,
      endpoint: -1,
      method: -1,
      iface: -1,
      riid: -1,
      mid: -1,
      message: null,
      transfers: [],
    } as const;
    if (!d.mediate(event)) return fail('rcSecurityDisallow', 'execute denied');
    createProcess(d, a.name, cls, d.threads.get(tid)!.priority);
    d.effect('execute', event);
    return ok({ sid });
  },
  'task.Exit': (d, tid) => (exitProcess(d, d.threads.get(tid)!.sid), null),

  'thread.Create': (d, tid, a) => {
    if (a.priority > MAX_PRIORITY) return fail('rcInvalidArgument', `priority ${a.priority} exceeds ${MAX_PRIORITY}`);
    return ok({ tid: spawnThread(d, d.threads.get(tid)!.sid, a.priority) });
  },
  'thread.Exit': (d, tid) => (exitThread(d, tid), null),
  // a sleep past the end of the clock's range (2^53 ns) lasts until its end
  'thread.Sleep': (d, tid, a) =>
    a.ns === 0
      ? ok()
      : (d.moveThread(tid, { tag: 'sleep', until: Math.min(d.clock.monotonic + a.ns, Number.MAX_SAFE_INTEGER) }), null),

  'vmm.Allocate': (d, tid, a, created) => {
    const sid = d.threads.get(tid)!.sid;
    if (a.pages === 0 || usedPages(d, 'memory') + a.pages > d.config.machine.memoryPages)
      return fail('rcOutOfRange', `cannot allocate ${a.pages} pages`);
    const rights = Rights.read | Rights.write | Rights.map | Rights.transfer | Rights.duplicate;
    const handle = give(
      d,
      sid,
      created,
      { kind: 'memory', sid: d.nextObjectSid(), creator: sid, pages: a.pages },
      rights,
    );
    return ok({ handle, base: mapRegion(d, sid, d.processes.get(sid)!.handles[handle]!.object, a.pages, rights) });
  },
  'vmm.Map': (d, tid, a) => mapService(d, tid, a.handle, 'memory'),
  'vmm.Unmap': (d, tid, a) => {
    const p = d.processes.get(d.threads.get(tid)!.sid)!;
    if (!p.regions.some((r) => r.base === a.base)) return fail('rcInvalidArgument', `no region starts at ${a.base}`);
    d.setProcess({ ...p, regions: p.regions.filter((r) => r.base !== a.base) });
    return ok();
  },

  'sync.Wait': (d, tid, a) => {
    const o = objectOf(d, tid, a.handle, 'memory', Rights.read);
    if (!Array.isArray(o)) return o;
    if (a.offset >= o[1].pages * d.config.machine.pageSize)
      return fail('rcOutOfRange', `offset ${a.offset} is outside the memory object`);
    d.moveThread(tid, { tag: 'futex', object: o[0], offset: a.offset });
    return null;
  },
  'sync.Wake': (d, tid, a) => {
    const o = objectOf(d, tid, a.handle, 'memory', Rights.read);
    if (!Array.isArray(o)) return o;
    const woken = d.futexQueue
      .filter((w) => {
        const s = d.threads.get(w)!.state;
        return s.tag === 'futex' && s.object === o[0] && s.offset === a.offset;
      })
      .slice(0, a.count);
    for (const w of woken) d.wake({ tid: w, rc: 'rcOk' });
    return ok({ woken: woken.length });
  },

  'irq.Attach': (d, tid, a, created) => {
    const sid = d.threads.get(tid)!.sid;
    const line = d.irqs[a.line];
    if (line === undefined)
      return fail('rcOutOfRange', `IRQ line ${a.line} does not exist on ${d.config.machine.name}`);
    if ((d.config.machine.reservedIrqs ?? []).includes(a.line))
      return fail('rcBusy', `IRQ line ${a.line} belongs to the kernel`);
    if (line.object !== null) return fail('rcBusy', `IRQ line ${a.line} is already attached`);
    const handle = give(
      d,
      sid,
      created,
      { kind: 'irq', sid: d.nextObjectSid(), line: a.line, owner: sid },
      Rights.read | Rights.write,
    );
    d.setIrq(a.line, { object: d.processes.get(sid)!.handles[handle]!.object, pending: false, masked: false });
    return ok({ handle });
  },
  'irq.Wait': (d, tid, a) => {
    const o = objectOf(d, tid, a.handle, 'irq', Rights.read);
    if (!Array.isArray(o)) return o;
    const line = d.irqs[o[1].line]!;
    if (line.object !== o[0]) return fail('rcNotConnected', 'the IRQ line was released');
    if (line.pending && !line.masked) {
      d.setIrq(o[1].line, { ...line, pending: false, masked: true });
      return ok({ line: o[1].line });
    }
    d.moveThread(tid, { tag: 'irq', line: o[1].line });
    return null;
  },
  'irq.Ack': (d, tid, a) => {
    const o = objectOf(d, tid, a.handle, 'irq', Rights.write);
    if (!Array.isArray(o)) return o;
    const line = d.irqs[o[1].line]!;
    if (line.object !== o[0]) return fail('rcNotConnected', 'the IRQ line was released');
    d.setIrq(o[1].line, { ...line, masked: false });
    if (line.pending) deliverIrq(d, o[1].line);
    return ok();
  },

  'io.AttachPorts': (d, tid, a, created) => {
    const m = d.config.machine;
    if (!m.portIo) return fail('rcUnsupported', `port I/O exists only on the x86 family; ${m.name} is ${m.arch}`);
    return attach(
      d,
      tid,
      created,
      'ports',
      a.base,
      a.count,
      m.ports.map((r) => ({ base: r.base, size: r.count })),
    );
  },
  'io.PortRead': (d, tid, a) => register(d, tid, 'ports', a.handle, a.port, Rights.read),
  'io.PortWrite': (d, tid, a) => register(d, tid, 'ports', a.handle, a.port, Rights.write, a.value),
  'io.AttachMmio': (d, tid, a, created) => attach(d, tid, created, 'mmio', a.base, a.size, d.config.machine.mmio),
  'io.MmioRead': (d, tid, a) => register(d, tid, 'mmio', a.handle, a.offset, Rights.read),
  'io.MmioWrite': (d, tid, a) => register(d, tid, 'mmio', a.handle, a.offset, Rights.write, a.value),

  'dma.Allocate': (d, tid, a, created) => {
    const w = d.config.machine.dma;
    if (w === null) return fail('rcUnsupported', `${d.config.machine.name} has no DMA`);
    const deviceAddress = a.pages === 0 ? null : dmaAddress(d, a.pages);
    if (deviceAddress === null) return fail('rcOutOfRange', `cannot allocate ${a.pages} DMA pages`);
    const sid = d.threads.get(tid)!.sid;
    const rights = Rights.read | Rights.write | Rights.map | Rights.transfer;
    return ok({
      handle: give(
        d,
        sid,
        created,
        { kind: 'dma', sid: d.nextObjectSid(), creator: sid, pages: a.pages, deviceAddress, status: 'idle' },
        rights,
      ),
      deviceAddress,
    });
  },
  'dma.Map': (d, tid, a) => mapService(d, tid, a.handle, 'dma'),
  'dma.Start': (d, tid, a) => {
    const o = objectOf(d, tid, a.handle, 'dma', Rights.write);
    if (!Array.isArray(o)) return o;
    d.setObject(o[0], { ...o[1], status: 'busy' });
    return ok();
  },

  'time.Read': (d, _tid, a) => ok({ value: d.clock[a.clock] }),
  'time.SetRealtime': (d, _tid, a) => {
    d.clock = { ...d.clock, realtime: a.value };
    return ok();
  },

  'handle.Close': (d, tid, a) => {
    const sid = d.threads.get(tid)!.sid;
    if (a.handle === 0) return fail('rcInvalidArgument', 'the kernel handle cannot be closed');
    if (d.handle(sid, a.handle) === undefined)
      return fail('rcBadHandle', `handle ${a.handle} is not in the caller's table`);
    const p = d.processes.get(sid)!;
    const object = p.handles[a.handle]!.object;
    const handles = p.handles.slice();
    handles[a.handle] = null;
    d.setProcess({ ...p, handles });
    releaseIfUnheld(d, object);
    disconnect(d, object);
    return ok();
  },
  'handle.Duplicate': (d, tid, a) => {
    const sid = d.threads.get(tid)!.sid;
    const e = d.handle(sid, a.handle);
    if (e === undefined) return fail('rcBadHandle', `handle ${a.handle} is not in the caller's table`);
    if ((e.rights & Rights.duplicate) === 0 || !rightsWithin(a.rights, e.rights))
      return fail('rcNoRights', `handle ${a.handle} cannot be duplicated with those rights`);
    return ok({ handle: d.installHandle(sid, { object: e.object, rights: a.rights }) });
  },

  'channel.Create': (d, tid, _a, created) => {
    const sid = d.threads.get(tid)!.sid;
    const client = give(
      d,
      sid,
      created,
      { kind: 'channel', sid: d.nextObjectSid(), server: sid, queue: [], receivers: [] },
      Rights.call | Rights.transfer | Rights.duplicate,
    );
    const server = d.installHandle(sid, { object: d.processes.get(sid)!.handles[client]!.object, rights: Rights.recv });
    return ok({ client, server });
  },
};

function mapService(d: Draft, tid: Tid, h: Handle, kind: 'memory' | 'dma'): Outcome {
  const o = objectOf(d, tid, h, kind, Rights.map);
  if (!Array.isArray(o)) return o;
  const e = d.handle(d.threads.get(tid)!.sid, h)!;
  return ok({ base: mapRegion(d, d.threads.get(tid)!.sid, o[0], o[1].pages, e.rights) });
}

/** Attaches a port or MMIO range the board offers and no live process holds. */
function attach(
  d: Draft,
  tid: Tid,
  created: Created,
  kind: 'ports' | 'mmio',
  base: number,
  size: number,
  offered: readonly { base: number; size: number }[],
): Outcome {
  const m = d.config.machine;
  const what = kind === 'ports' ? `ports ${base}..${base + size - 1}` : `MMIO ${base}+${size}`;
  if (size === 0 || !offered.some((r) => base >= r.base && base + size <= r.base + r.size))
    return fail('rcOutOfRange', `${what} is not offered by ${m.name}`);
  const overlaps = (o: KernelObject): boolean => {
    if (o.kind !== kind) return false;
    const r = o as Extract<KernelObject, { kind: 'ports' | 'mmio' }>;
    const n = r.kind === 'ports' ? r.count : r.size;
    return base < r.base + n && r.base < base + size;
  };
  if (d.objects.some((o, id) => overlaps(o) && held(d, id)))
    return fail('rcBusy', `${what} overlaps a range already attached`);
  const sid = d.threads.get(tid)!.sid;
  const object: KernelObject =
    kind === 'ports'
      ? { kind, sid: d.nextObjectSid(), base, count: size, owner: sid }
      : { kind, sid: d.nextObjectSid(), base, size, owner: sid };
  return ok({ handle: give(d, sid, created, object, Rights.read | Rights.write) });
}

function register(
  d: Draft,
  tid: Tid,
  kind: 'ports' | 'mmio',
  h: Handle,
  at: number,
  rights: number,
  value?: number,
): Outcome {
  const o = objectOf(d, tid, h, kind, rights);
  if (!Array.isArray(o)) return o;
  const [base, size] = o[1].kind === 'ports' ? [o[1].base, o[1].count] : [o[1].base, (o[1] as { size: number }).size];
  const addr = kind === 'ports' ? at : base + at;
  if (addr < base || addr >= base + size)
    return fail('rcOutOfRange', `${kind === 'ports' ? 'port' : 'offset'} ${at} is outside the attached range`);
  const key = `${kind === 'ports' ? 'port' : 'mmio'}:${addr}`;
  if (value === undefined) return ok({ value: d.io[key] ?? 0 });
  if (value > 0xffffffff) return fail('rcInvalidArgument', `value ${value} is wider than 32 bits`);
  d.io = { ...d.io, [key]: value };
  return ok();
}

/** Hands a pending interrupt on a line to the first thread waiting for it. */
export function deliverIrq(d: Draft, line: number): void {
  const l = d.irqs[line]!;
  const waiter = d.threads.find((t) => t.state.tag === 'irq' && t.state.line === line);
  if (l.masked || waiter === undefined) return d.setIrq(line, { ...l, pending: true });
  d.setIrq(line, { ...l, pending: false, masked: true });
  d.wake({ tid: waiter.tid, rc: 'rcOk', value: { line } });
}

/**
 * The kernel's own reading of a service's arguments (spec `decode`): the
 * payload decoded with the method's codec, or why it does not match. Total:
 * a payload that cannot even be read is a failure too.
 */
export function decode<N extends ServiceName>(
  name: N,
  payload: unknown,
): { readonly ok: true; readonly args: ServiceArgs<N> } | { readonly ok: false; readonly why: string } {
  const codec: t.Decoder<unknown, ServiceArgs<N>> = SERVICE_ARGS[name];
  let r: t.Validation<ServiceArgs<N>>;
  try {
    r = codec.decode(payload);
  } catch {
    return { ok: false, why: `the arguments of ${name} cannot be read` };
  }
  if (r._tag === 'Right') return { ok: true, args: r.right };
  const path = r.left[0]!.context.map((c) => c.key).filter((k) => k !== '');
  const type = r.left[0]!.context[r.left[0]!.context.length - 1]!.type.name;
  return {
    ok: false,
    why:
      path.length === 0
        ? `the arguments of ${name} are not a ${type}`
        : `argument ${path.join('.')} of ${name} is not a ${type}`,
  };
}

/** Decode, then perform: a payload that does not decode is rcInvalidArgument, and the service does not run. */
function perform<N extends ServiceName>(d: Draft, tid: Tid, name: N, payload: unknown, created: Created): Outcome {
  const a = decode(name, payload);
  if (!a.ok) return fail('rcInvalidArgument', a.why);
  const service: Service<ServiceArgs<N>> = SERVICES[name];
  return service(d, tid, a.args, created);
}

/** A Call on the kernel handle: mediated, then a kernel service or a query of the caller's security interface. */
function kernelCall(d: Draft, tid: Tid, message: Message): Outcome {
  const sid = d.threads.get(tid)!.sid;
  if ((message.handles ?? []).length > 0)
    return fail('rcInvalidArgument', 'kernel services take handle numbers as arguments, not transfers');
  const kind = message.riid === SECURITY_RIID ? 'security' : 'request';
  const event = messageEvent(
    d,
    { kind, src: sid, dst: KERNEL_SID, riid: message.riid, mid: message.mid, payload: message.payload },
    [],
  );
  if (!d.mediate(event)) return fail('rcSecurityDisallow', `${kind} denied`);
  if (kind === 'security') {
    d.effect('security', event);
    return ok();
  }
  const name = serviceOf(message.riid, message.mid);
  if (name === undefined)
    return fail('rcInvalidArgument', `RIID ${message.riid} / MID ${message.mid} name no kernel service`);
  const created: Created = [];
  const before = d.effects.length;
  const outcome = perform(d, tid, name, message.payload, created);
  // the service effect goes before any effect the service itself caused (e.g. execute)
  d.insertEffect(before, { kind: 'service', event, transfers: [], created } satisfies Effect);
  return outcome;
}

/** A Call on the kernel handle; the caller's result is written here, once (none if the thread blocked or exited). */
export function callKernel(d: Draft, tid: Tid, message: Message): void {
  const outcome = kernelCall(d, tid, message);
  if (outcome !== null) d.result({ tid, ...outcome });
}

export const SERVICE_NAMES: readonly string[] = Object.keys(SERVICES);
