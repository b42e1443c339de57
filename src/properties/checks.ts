// The kernel's requirements, stated as checks on one step: the state before,
// the event, and what step() returned. Each returns null when the requirement
// holds and a sentence saying how it was broken otherwise.

import { KERNEL_OBJECT, KERNEL_SID, objectSid } from '../kernel/types.ts';
import type {
  DecisionRecord,
  HandleEntry,
  KernelEvent,
  KernelState,
  ObjectId,
  Sid,
  StepResult,
} from '../kernel/types.ts';
import type { SecurityEvent } from '../monitor/types.ts';
import type { DecisionOracle } from './oracle.ts';
import { describeEvent } from '../monitor/audit.ts';

export interface StepView {
  readonly before: KernelState;
  readonly event: KernelEvent;
  readonly result: StepResult;
  /** every call the instrumented monitor received during this step, in order */
  readonly monitorCalls: readonly SecurityEvent[];
}

export type Check = (v: StepView) => string | null;

const objectsHeld = (s: KernelState, sid: Sid): Set<ObjectId> =>
  new Set((s.processes.get(sid)?.handles ?? []).filter((h): h is HandleEntry => h !== null).map((h) => h.object));

/** The calling process of a syscall event, or null. */
function caller(v: StepView): Sid | null {
  return v.event.kind === 'syscall' ? (v.before.threads.get(v.event.tid)?.sid ?? null) : null;
}

/** The tables of a kernel state, each compared by identity (`step` copies only what it writes). */
export const STATE_TABLES = [
  'processes',
  'threads',
  'objects',
  'cpus',
  'runQueue',
  'futexQueue',
  'sleepers',
  'irqs',
  'clock',
  'io',
  'monitor',
] as const;

/** The tables that differ between two kernel states. */
export function changedTables(a: KernelState, b: KernelState): (typeof STATE_TABLES)[number][] {
  return STATE_TABLES.filter((k) => a[k] !== b[k]);
}

function unchanged(a: KernelState, b: KernelState): string | null {
  return changedTables(a, b)[0] ?? null;
}

// ------------------------------------------------------------------ default deny

/**
 * Default deny: every decision agrees with the oracle (a direct reading of
 * the rules: a grant only where an explicit rule allows, with budget left; or
 * PSL's reference interpreter, on its own monitor states), and an event
 * no rule grants changes nothing but the caller's result and the decision record.
 */
export function defaultDeny(oracle: DecisionOracle): Check {
  return (v) => {
    const t = v.before.config.tables;
    if (oracle.broken !== null) return oracle.broken;
    for (const { event, decision } of v.result.decisions) {
      const why = oracle.judge(event, decision);
      if (why !== null) return why;
    }
    for (const e of v.result.effects)
      if (!v.result.decisions.some((d) => d.event === e.event && d.decision.verdict === 'grant'))
        return `the ${e.kind} ${describeEvent(t, e.event)} took effect though no rule granted it`;
    if (v.event.kind !== 'syscall' || v.result.decisions.length === 0) return null;
    const denied = v.result.decisions.filter((d) => d.decision.verdict === 'deny');
    if (denied.length === 0) return null;
    if (v.result.state.monitor !== v.before.monitor && v.result.decisions.every((d) => d.decision.verdict === 'deny'))
      return 'a denied event changed the monitor state';
    for (const d of denied) {
      if (v.result.effects.some((e) => e.event === d.event))
        return `${describeEvent(t, d.event)} was denied yet took effect`;
      if (d.event.kind === 'execute' && v.result.state.processes.get(d.event.dst)?.status === 'alive')
        return `a denied execute started process ${d.event.dst}`;
    }
    if (v.result.decisions.length !== denied.length) return null; // e.g. a granted task.Execute whose execute was denied: checked above
    const s = v.result.state;
    const kind = denied[0]!.event.kind;
    if (kind === 'request' || kind === 'security' || kind === 'execute') {
      const k = unchanged(v.before, s);
      return k === null ? null : `a denied ${kind} changed the kernel state (${k})`;
    }
    // a denied response or error ends the call for both parties, and nothing of it crosses
    for (const k of ['processes', 'objects', 'irqs', 'clock', 'io', 'monitor'] as const)
      if (v.before[k] !== s[k]) return `a denied ${kind} changed ${k}`;
    const replier = v.event.tid;
    const client = v.before.threads.get(replier)!.serving?.client;
    for (let i = 0; i < s.threads.length; i++)
      if (s.threads.get(i) !== v.before.threads.get(i) && i !== replier && i !== client)
        return `a denied ${kind} changed thread ${i}, which is neither the replier nor its caller`;
    for (const r of v.result.results)
      if (r.message !== undefined) return `a denied ${kind} still delivered a message to thread ${r.tid}`;
    return null;
  };
}

// ------------------------------------------------------------------ complete mediation

/**
 * Complete mediation: every delivered request, response and error, every
 * process start and every executed kernel service has exactly one granted
 * monitor decision for exactly that event in the same step; the monitor is
 * asked nothing that is not recorded; nothing crosses without an effect.
 */
export const completeMediation: Check = (v) => {
  const { before, result } = v;
  const s = result.state;
  const t = before.config.tables;
  if (
    v.monitorCalls.length !== result.decisions.length ||
    v.monitorCalls.some((e, i) => result.decisions[i]!.event !== e)
  )
    return `the monitor was asked ${v.monitorCalls.length} times but ${result.decisions.length} decisions were recorded`;
  const used = new Set<DecisionRecord>();
  for (const eff of result.effects) {
    const grants = result.decisions.filter((d) => d.event === eff.event);
    if (grants.length !== 1)
      return `the ${eff.kind} ${describeEvent(t, eff.event)} has ${grants.length} decisions in its step, not one`;
    if (grants[0]!.decision.verdict !== 'grant')
      return `the ${eff.kind} ${describeEvent(t, eff.event)} happened on a ${grants[0]!.decision.verdict}`;
    if (used.has(grants[0]!)) return `one decision was used for two effects`;
    used.add(grants[0]!);
    if (eff.kind !== 'service' && eff.kind !== eff.event.kind)
      return `a ${eff.kind} effect carries a ${eff.event.kind} event`;
  }
  // process starts
  for (let sid = 0; sid < s.processes.length; sid++)
    if (
      s.processes.get(sid)!.status === 'alive' &&
      before.processes.get(sid)?.status !== 'alive' &&
      !result.effects.some((e) => e.kind === 'execute' && e.event.dst === sid)
    )
      return `process ${sid} started without a granted execute`;
  // authority: a process gains an object only by a granted transfer or a granted service that created it
  for (let sid = 0; sid < s.processes.length; sid++) {
    if (s.processes.get(sid) === before.processes.get(sid)) continue;
    const had = objectsHeld(before, sid);
    for (const o of objectsHeld(s, sid)) {
      if (had.has(o)) continue;
      const covered = result.effects.some(
        (e) => e.transfers.some(([x, y]) => x === sid && y === o) || e.created.some(([x, y]) => x === sid && y === o),
      );
      if (!covered && !(sid >= before.processes.length && o === 0))
        return `process ${sid} gained object ${o} with no granted transfer or service`;
    }
  }
  // information: requests entering a queue or a waiting server, and answers reaching a caller
  for (let id = 0; id < s.objects.length; id++) {
    const o = s.objects.get(id)!;
    const b = before.objects.get(id);
    if (o.kind !== 'channel' || o === b) continue;
    const old = b?.kind === 'channel' ? b.queue : [];
    for (const r of o.queue)
      if (
        !old.includes(r) &&
        !result.effects.some(
          (e) =>
            e.kind === 'request' && e.event.message === r.payload && e.event.src === before.threads.get(r.client)!.sid,
        )
      )
        return `a request from thread ${r.client} entered channel ${id} without a granted request event`;
  }
  for (const r of result.results) {
    if (r.message === undefined) continue;
    const was = before.threads.get(r.tid)!.state.tag;
    const recipient = s.threads.get(r.tid)!.sid;
    if (
      was === 'recv' &&
      !result.effects.some(
        (e) => e.kind === 'request' && e.event.dst === recipient && e.event.message === r.message!.payload,
      )
    )
      return `thread ${r.tid} received a request without a granted request event in this step`;
    if (
      was === 'reply' &&
      !result.effects.some(
        (e) =>
          (e.kind === 'response' || e.kind === 'error') &&
          e.event.dst === recipient &&
          e.event.message === r.message!.payload,
      )
    )
      return `thread ${r.tid} received an answer without a granted response or error event in this step`;
  }
  // kernel services: a Call on the kernel handle that changed anything ran a granted service
  if (v.event.kind === 'syscall' && v.event.call.op === 'Call') {
    const entry = before.processes.get(caller(v)!)!.handles[v.event.call.handle];
    if (entry?.object === 0) {
      const k = unchanged(before, s);
      const changedBeyondMonitor = k !== null && k !== 'monitor';
      const service = result.effects.some((e) => e.kind === 'service' || e.kind === 'security');
      if (changedBeyondMonitor && !service) return `a kernel call changed ${k} without a granted kernel service`;
      if (result.results.some((r) => r.tid === (v.event as { tid: number }).tid && r.rc === 'rcOk') && !service)
        return 'a kernel call returned rcOk without a granted kernel service';
    }
  }
  return null;
};

// ------------------------------------------------------------------ isolation

/**
 * Processes P shares a kernel object with (a channel, shared memory, …), or a
 * granted call still outstanding (queued on a channel P serves, taken by a
 * thread of P, or one of P's own awaiting its answer — the caller may have
 * closed its handle since): the only ones P can affect.
 */
function peers(s: KernelState, sid: Sid): Set<Sid> {
  const mine = objectsHeld(s, sid);
  mine.delete(0);
  const out = new Set<Sid>();
  for (const o of mine) {
    const obj = s.objects.get(o)!;
    if (obj.kind === 'channel') out.add(obj.server);
  }
  for (const obj of s.objects)
    if (obj.kind === 'channel' && obj.server === sid) for (const r of obj.queue) out.add(s.threads.get(r.client)!.sid);
  for (const t of s.threads) {
    if (t.sid === sid && t.serving !== null) out.add(s.threads.get(t.serving.client)!.sid);
    if (t.sid !== sid && t.state.tag === 'reply' && s.threads.get(t.state.server)?.sid === sid) out.add(t.sid);
  }
  s.processes.forEach((p, q) => {
    if (q === sid) return;
    for (const h of p.handles) if (h !== null && mine.has(h.object)) out.add(q);
    for (const h of p.handles)
      if (
        h !== null &&
        s.objects.get(h.object)?.kind === 'channel' &&
        (s.objects.get(h.object) as { server: Sid }).server === sid
      )
        out.add(q);
  });
  return out;
}

/**
 * Isolation: a process affects only processes it shares a granted channel (or
 * object) with; a handle value not in the caller's table fails and changes
 * nothing; memory is mapped only through a handle; a reply reaches only the
 * thread that called.
 */
export const isolation: Check = (v) => {
  const { before, event, result } = v;
  const s = result.state;
  // mapped memory is always backed by a handle the process holds or held when it mapped it: regions only appear with a handle
  for (let sid = 0; sid < s.processes.length; sid++) {
    const p = s.processes.get(sid)!;
    if (p === before.processes.get(sid)) continue;
    const old = new Set((before.processes.get(sid)?.regions ?? []).map((r) => r.base));
    const held = objectsHeld(s, sid);
    for (const r of p.regions)
      if (!old.has(r.base) && !held.has(r.object))
        return `process ${sid} mapped object ${r.object} without holding a handle to it`;
  }
  if (event.kind !== 'syscall') return null;
  // a malformed syscall (e.g. a transfer with rights outside 0..127) is refused before any handle is looked up
  if (result.rejected !== undefined)
    return s === before && result.decisions.length === 0 && result.results.length === 0
      ? null
      : `a rejected ${event.call.op} (${result.rejected}) changed the state, reached the monitor or returned`;
  const me = caller(v)!;
  const h = event.call.handle;
  if (before.processes.get(me)!.handles[h] == null) {
    const rc = result.results.find((r) => r.tid === event.tid)?.rc;
    if (rc !== 'rcBadHandle')
      return `a ${event.call.op} on handle ${h}, which is not in the caller's table, returned ${rc ?? 'nothing'} instead of rcBadHandle`;
    const k = unchanged(before, s);
    if (k !== null) return `a ${event.call.op} on a foreign handle ${h} changed ${k}`;
    if (result.decisions.length > 0) return `a ${event.call.op} on a foreign handle reached the monitor`;
    return null;
  }
  const allowed = peers(before, me);
  allowed.add(me);
  for (let sid = before.processes.length; sid < s.processes.length; sid++) allowed.add(sid); // started by this call
  const touched = new Set<Sid>();
  s.processes.forEach((p, sid) => {
    if (p !== before.processes.get(sid) && sid < before.processes.length) touched.add(sid);
  });
  s.threads.forEach((th, tid) => {
    if (th !== before.threads.get(tid) && tid < before.threads.length) touched.add(th.sid);
  });
  for (const r of result.results) touched.add(s.threads.get(r.tid)!.sid);
  for (const q of touched)
    if (!allowed.has(q)) return `process ${me} affected process ${q}, with which it shares no channel or object`;
  // a reply reaches only the calling thread
  if (event.call.op === 'Reply') {
    const client = before.threads.get(event.tid)!.serving?.client;
    for (const r of result.results) {
      if (r.tid === event.tid) continue;
      if (r.tid !== client)
        return `a Reply by thread ${event.tid} delivered to thread ${r.tid}, but thread ${client ?? 'none'} made the call`;
    }
  }
  return null;
};

// ------------------------------------------------------------------ scheduling sanity (used on every board)

/**
 * One current thread per CPU, and every current thread is running on that
 * CPU; and the sleepers index is exactly the sleeping threads, in TID order
 * (the order a tick wakes them in).
 */
export const oneThreadPerCpu: Check = (v) => {
  const s = v.result.state;
  const seen = new Set<number>();
  for (let cpu = 0; cpu < s.cpus.length; cpu++) {
    const tid = s.cpus[cpu];
    if (tid === null || tid === undefined) continue;
    if (seen.has(tid)) return `thread ${tid} is current on two CPUs`;
    seen.add(tid);
    const st = s.threads.get(tid)!.state;
    if (st.tag !== 'running' || st.cpu !== cpu) return `CPU ${cpu}'s current thread ${tid} is ${st.tag}`;
  }
  const sleeping: number[] = [];
  for (const th of s.threads) {
    if (th.state.tag === 'running' && s.cpus[th.state.cpu] !== th.tid)
      return `thread ${th.tid} claims CPU ${th.state.cpu} but is not current there`;
    if (th.state.tag === 'sleep') sleeping.push(th.tid);
  }
  if (s.sleepers.length !== sleeping.length || s.sleepers.some((tid, i) => tid !== sleeping[i]))
    return `the sleepers index is [${s.sleepers.join(', ')}], but the sleeping threads are [${sleeping.join(', ')}]`;
  return null;
};

// ------------------------------------------------------------------ devices (spec/Properties.tla FutexWokenByOwnWake, DmaSteps, IrqToHolder)

/** The kernel service a step's event calls, with its payload, when it is a Call on the caller's kernel handle. */
function kernelService(v: StepView): { readonly riid: number; readonly mid: number; readonly payload: unknown } | null {
  if (v.event.kind !== 'syscall' || v.event.call.op !== 'Call') return null;
  const sid = caller(v);
  const e = sid === null ? undefined : v.before.processes.get(sid)?.handles[v.event.call.handle];
  if (e == null || v.before.objects.get(e.object)?.kind !== 'kernel') return null;
  const m = v.event.call.message;
  return { riid: m.riid, mid: m.mid, payload: m.payload };
}

const SYNC_WAKE = [3, 1] as const;
const DMA_START = [6, 2] as const;

/** A field of a payload when it is a non-negative integer (the codec's Nat), else null. */
function natField(payload: unknown, k: string): number | null {
  if (typeof payload !== 'object' || payload === null) return null;
  const v = (payload as Record<string, unknown>)[k];
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : null;
}

/**
 * A futex waiter is woken only by a wake on its own address: it leaves its
 * wait only by exiting, or in a step that is a granted sync.Wake whose handle
 * names, in the waker's own table, the memory object it waits on, at its
 * offset. And every waiter waits on memory its process holds with the read
 * right, inside the object.
 */
export const futexWokenByOwnWake: Check = (v) => {
  const { before, result } = v;
  const s = result.state;
  for (const th of before.threads) {
    const st = th.state;
    if (st.tag !== 'futex') continue;
    const now = s.threads.get(th.tid)!.state.tag;
    if (now === 'futex' || now === 'exited') continue;
    const svc = kernelService(v);
    if (svc === null || svc.riid !== SYNC_WAKE[0] || svc.mid !== SYNC_WAKE[1])
      return `futex waiter ${th.tid} (object ${st.object}, offset ${st.offset}) was woken by a step that is no sync.Wake`;
    if (!result.decisions.some((d) => d.decision.verdict === 'grant'))
      return `futex waiter ${th.tid} was woken by a sync.Wake the monitor did not grant`;
    const h = natField(svc.payload, 'handle');
    const e = h === null ? null : (before.processes.get(caller(v)!)?.handles[h] ?? null);
    if (e === null || e.object !== st.object)
      return `futex waiter ${th.tid} waits on object ${st.object}, but the wake named ${e === null ? 'no object of the waker' : `object ${e.object}`}`;
    const offset = natField(svc.payload, 'offset');
    if (offset !== st.offset)
      return `futex waiter ${th.tid} waits at offset ${st.offset}, but the wake named offset ${offset ?? '?'}`;
  }
  for (const tid of s.futexQueue) {
    const th = s.threads.get(tid)!;
    if (th.state.tag !== 'futex') return `thread ${tid} is in the futex queue but ${th.state.tag}`;
    const o = s.objects.get(th.state.object);
    if (o?.kind !== 'memory' || th.state.offset >= o.pages * s.config.machine.pageSize)
      return `futex waiter ${tid} waits at offset ${th.state.offset} of object ${th.state.object}, which is no address of a memory object`;
    const object = th.state.object;
    if (
      !(s.processes.get(th.sid)?.handles ?? []).some((x) => x !== null && x.object === object && (x.rights & 4) !== 0)
    )
      return `futex waiter ${tid} waits on object ${object}, which its process does not hold with the read right`;
  }
  return null;
};

/**
 * DMA writes only into a granted buffer: a buffer becomes busy (the device may
 * write it) only through a granted dma.Start by a process that held it with
 * the write right; a completion marks done only a busy buffer at the event's
 * device address; a new buffer is idle and inside the DMA window.
 */
export const dmaIntoGrantedBuffer: Check = (v) => {
  const { before, event, result } = v;
  const s = result.state;
  if (s.objects === before.objects) return null;
  const w = s.config.machine.dma;
  const page = s.config.machine.pageSize;
  for (let id = 0; id < s.objects.length; id++) {
    const o = s.objects.get(id)!;
    const was = before.objects.get(id);
    if (o.kind !== 'dma' || o === was) continue;
    if (w === null || o.deviceAddress < w.base || o.deviceAddress + o.pages * page > w.base + w.pages * page)
      return `DMA buffer ${id} at ${o.deviceAddress} lies outside the DMA window`;
    const from = was?.kind === 'dma' ? was.status : null;
    if (from === null && o.status !== 'idle') return `DMA buffer ${id} was created ${o.status}`;
    if (o.status === 'busy' && from !== 'busy') {
      const svc = kernelService(v);
      if (svc === null || svc.riid !== DMA_START[0] || svc.mid !== DMA_START[1])
        return `DMA buffer ${id} became busy in a step that is no dma.Start`;
      if (!result.decisions.some((d) => d.decision.verdict === 'grant'))
        return `DMA buffer ${id} became busy through a dma.Start the monitor did not grant`;
      const h = natField(svc.payload, 'handle');
      const e = h === null ? null : (before.processes.get(caller(v)!)?.handles[h] ?? null);
      if (e === null || e.object !== id || (e.rights & 8) === 0)
        return `DMA buffer ${id} became busy through a dma.Start by a process that does not hold it with the write right`;
    }
    if (o.status === 'done' && from !== 'done') {
      if (from !== 'busy') return `DMA buffer ${id} completed though no transfer was in flight (it was ${from})`;
      if (event.kind !== 'dma' || event.deviceAddress !== o.deviceAddress)
        return `DMA buffer ${id} completed in a step that is no DMA completion at its address`;
    }
  }
  return null;
};

/**
 * An interrupt is delivered only to its holder: a thread woken from an IRQ
 * wait with rcOk, and every thread waiting on a line, belongs to the process
 * that attached the line and holds its IRQ handle with the read right.
 */
export const irqToHolder: Check = (v) => {
  const { before, result } = v;
  const holds = (s: KernelState, sid: Sid, line: number): boolean => {
    const object = s.irqs[line]?.object ?? null;
    if (object === null) return false;
    const o = s.objects.get(object);
    return (
      o?.kind === 'irq' &&
      o.owner === sid &&
      (s.processes.get(sid)?.handles ?? []).some((x) => x !== null && x.object === object && (x.rights & 4) !== 0)
    );
  };
  for (const r of result.results) {
    const st = before.threads.get(r.tid)?.state;
    if (st?.tag !== 'irq' || r.rc !== 'rcOk') continue;
    if (!holds(before, before.threads.get(r.tid)!.sid, st.line))
      return `an interrupt on line ${st.line} was delivered to thread ${r.tid}, whose process does not hold the line`;
  }
  const s = result.state;
  if (s.threads === before.threads && s.irqs === before.irqs && s.processes === before.processes) return null;
  for (const th of s.threads)
    if (th.state.tag === 'irq' && !holds(s, th.sid, th.state.line))
      return `thread ${th.tid} waits on IRQ line ${th.state.line}, which its process does not hold`;
  return null;
};

// ------------------------------------------------------------------ labels (spec/Properties.tla ObjectLabels)

/**
 * Every kernel object carries one label: objectSid of its id (the kernel
 * endpoint the kernel's SID), never changed by a step, unique, and no
 * process's SID.
 */
export const objectLabels: Check = (v) => {
  const { before, result } = v;
  const s = result.state;
  if (s.objects === before.objects && s.processes.length === before.processes.length) return null;
  const seen = new Set<Sid>();
  for (let id = 0; id < s.objects.length; id++) {
    const sid = s.objects.get(id)!.sid;
    if (sid !== objectSid(id))
      return `object ${id} (${s.objects.get(id)!.kind}) carries SID ${sid}, not ${objectSid(id)}`;
    if (id < before.objects.length && before.objects.get(id)!.sid !== sid)
      return `object ${id} was relabelled from ${before.objects.get(id)!.sid} to ${sid}`;
    if (seen.has(sid)) return `two objects carry SID ${sid}`;
    seen.add(sid);
    if (id !== KERNEL_OBJECT && sid < s.processes.length) return `object ${id} carries process ${sid}'s SID`;
  }
  if (s.objects.get(KERNEL_OBJECT)?.sid !== KERNEL_SID) return 'the kernel endpoint does not carry the kernel SID';
  return null;
};
