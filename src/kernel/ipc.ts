// The three system calls. Call sends a request and blocks until the response
// or an error; Recv waits for a request on a channel's server end; Reply
// answers the request the thread received, and only that request's caller.
// Every request, response and error is mediated here, once, at the moment it
// crosses from one process to another.

import { READY, type Draft } from './draft.ts';
import { callKernel } from './services.ts';
import { appended } from './pvec.ts';
import { NO_OBJECTS, callState, channelRecord, recvState, replyState, servingRecord } from './records.ts';
import {
  Rights,
  rightsWithin,
  type Handle,
  type HandleCarrier,
  type HandleDesc,
  type HandleEntry,
  type KernelObject,
  type Message,
  type ObjectId,
  type Sid,
  type Tid,
} from './types.ts';
import type { EventKind, SecurityEvent } from '../monitor/types.ts';
import type { SolutionTables } from './tables.ts';

type Channel = Extract<KernelObject, { kind: 'channel' }>;
/** The empty list of transfers, rights, handle fields or installed handles a message without handles has (frozen, shared). */
const NONE: readonly never[] = Object.freeze([]);
type Fail = { readonly rc: 'rcBadHandle' | 'rcNoRights' | 'rcInvalidArgument'; readonly detail: string };
/** Whether a check refused (a Fail) rather than answering its list. */
const failed = (x: readonly unknown[] | Fail): x is Fail => !Array.isArray(x);

/** Checks the handles a message asks to transfer and captures them with the rights passed on. */
function captureTransfers(d: Draft, sid: Sid, message: Message): readonly HandleEntry[] | Fail {
  const asked = message.handles;
  // most messages transfer nothing: one shared empty list, no allocation
  if (asked === undefined || asked.length === 0) return NONE;
  const out: HandleEntry[] = [];
  for (const { handle, rights } of asked) {
    const e = d.handle(sid, handle);
    if (e === undefined)
      return { rc: 'rcBadHandle', detail: `transferred handle ${handle} is not in the sender's table` };
    if ((e.rights & Rights.transfer) === 0)
      return { rc: 'rcNoRights', detail: `handle ${handle} lacks the transfer right` };
    if (!rightsWithin(rights, e.rights))
      return { rc: 'rcNoRights', detail: `handle ${handle}: cannot pass rights it does not hold` };
    out.push({ object: e.object, rights });
  }
  return out;
}

/**
 * The codec of a crossing message's payload when its type can hold handle
 * descriptors (an IDL `Handle` somewhere in the method's parameters), else
 * undefined: the endpoint and method are looked up as securityEvent does.
 */
function handleCarrier(
  tables: SolutionTables,
  kind: 'request' | 'response' | 'error',
  serverClass: number,
  riid: number,
  mid: number,
): HandleCarrier | undefined {
  const ep = tables.classes[serverClass]?.endpoints[riid];
  const method = ep === undefined ? undefined : tables.interfaces[ep.iface]?.methods[mid];
  if (method === undefined) return undefined;
  const codec: Partial<HandleCarrier> =
    kind === 'request' ? method.request : kind === 'response' ? method.response : method.error;
  return codec.carriesHandles === true ? (codec as HandleCarrier) : undefined;
}

/**
 * The handle descriptors of a payload, each matched to the transfer it names:
 * a descriptor { handle, rights } must be one of the message's transfers
 * (the same handle, the same rights). A descriptor naming a handle the sender
 * does not hold is refused as rcBadHandle, one naming no transfer as
 * rcInvalidArgument — before the monitor is asked, so neither a forged handle
 * number nor an untransferred one ever reaches the policy. Returns the index
 * into the transfers of each descriptor, in the codec's order; none when the
 * payload is not of the method's type (the monitor then denies it).
 */
function handleFields(
  d: Draft,
  sid: Sid,
  codec: HandleCarrier | undefined,
  message: Message,
): readonly number[] | Fail {
  if (codec === undefined || !codec.is(message.payload)) return NONE;
  const out: number[] = [];
  const descs: HandleDesc[] = [];
  codec.handleFields(message.payload, descs);
  const transfers = message.handles ?? [];
  for (const { handle, rights } of descs) {
    let j = 0;
    while (j < transfers.length && (transfers[j]!.handle !== handle || transfers[j]!.rights !== rights)) j++;
    if (d.handle(sid, handle) === undefined)
      return { rc: 'rcBadHandle', detail: `the message's handle field ${handle} is not in the sender's table` };
    if (j === transfers.length)
      return {
        rc: 'rcInvalidArgument',
        detail: `the message's handle field { handle: ${handle}, rights: ${rights} } names none of its transfers`,
      };
    out.push(j);
  }
  return out;
}

/**
 * The payload with each handle descriptor's handle replaced: by the SID of the
 * object its transfer names (`installed` null: what the monitor is shown), or
 * by the receiver's handle installed for that transfer (what is delivered).
 */
function relabel(
  d: Draft,
  codec: HandleCarrier | undefined,
  payload: unknown,
  fields: readonly number[],
  transfers: readonly HandleEntry[],
  installed: readonly Handle[] | null,
): unknown {
  if (codec === undefined || fields.length === 0) return payload;
  const values: number[] = [];
  for (let k = 0; k < fields.length; k++)
    values.push(installed === null ? d.objects.get(transfers[fields[k]!]!.object)!.sid : installed[fields[k]!]!);
  return codec.withHandles(payload, values, { next: 0 });
}

/** A message crossing between two processes (or a process and the kernel), as the monitor is shown it. */
export interface Crossing {
  readonly kind: EventKind;
  readonly src: Sid;
  readonly dst: Sid;
  readonly riid: number;
  readonly mid: number;
  readonly payload: unknown;
}

/** The security event for a crossing message, the handles it transfers named by their rights. */
export function messageEvent(d: Draft, m: Crossing, transfers: readonly HandleEntry[]): SecurityEvent {
  // one literal of one shape, no spread and no closure: this runs on every request, response and error
  return securityEvent(d.config.tables, {
    kind: m.kind,
    src: m.src,
    srcClass: d.processes.get(m.src)!.taskClass,
    dst: m.dst,
    dstClass: d.processes.get(m.dst)!.taskClass,
    riid: m.riid,
    mid: m.mid,
    payload: m.payload,
    rights: transfers.length === 0 ? NONE : transfers.map((t) => t.rights),
  });
}

/** The same from the processes' classes: the endpoint and method belong to the server's class (the caller's own class for its security interface). */
export function securityEvent(
  tables: SolutionTables,
  m: Crossing & { readonly srcClass: number; readonly dstClass: number; readonly rights: readonly number[] },
): SecurityEvent {
  const { kind, src, srcClass, dst, dstClass, riid, mid, payload, rights } = m;
  const serverClass = tables.classes[kind === 'request' ? dstClass : srcClass]!;
  const ep = serverClass.endpoints[riid];
  const iface = kind === 'security' ? serverClass.security : (ep?.iface ?? -1);
  const method = tables.interfaces[iface]?.methods[mid];
  return {
    kind,
    src,
    srcClass,
    dst,
    dstClass,
    endpoint: kind === 'security' ? -1 : (ep?.nameId ?? -1),
    method: method?.nameId ?? -1,
    iface: method === undefined ? -1 : iface,
    riid,
    mid,
    message: payload,
    transfers: rights,
  };
}

function install(d: Draft, sid: Sid, transfers: readonly HandleEntry[]): readonly Handle[] {
  return transfers.length === 0 ? NONE : transfers.map((e) => d.installHandle(sid, e));
}

export function call(d: Draft, tid: Tid, handle: Handle, message: Message): void {
  const t = d.threads.get(tid)!;
  const entry = d.handle(t.sid, handle);
  if (entry === undefined)
    return void d.result({ tid, rc: 'rcBadHandle', detail: `handle ${handle} is not in the caller's table` });
  const obj = d.objects.get(entry.object)!;
  if (obj.kind === 'kernel') return callKernel(d, tid, message);
  if (obj.kind !== 'channel' || (entry.rights & Rights.call) === 0)
    return void d.result({
      tid,
      rc: 'rcNoRights',
      detail: `handle ${handle} is not the client end of a channel`,
    });
  const transfers = captureTransfers(d, t.sid, message);
  if (failed(transfers)) return void d.result({ tid, ...transfers });
  const codec = handleCarrier(
    d.config.tables,
    'request',
    d.processes.get(obj.server)!.taskClass,
    message.riid,
    message.mid,
  );
  const fields = handleFields(d, t.sid, codec, message);
  if (failed(fields)) return void d.result({ tid, ...fields });

  const event = messageEvent(
    d,
    {
      kind: 'request',
      src: t.sid,
      dst: obj.server,
      riid: message.riid,
      mid: message.mid,
      payload: relabel(d, codec, message.payload, fields, transfers, null),
    },
    transfers,
  );
  if (!d.mediate(event)) return void d.result({ tid, rc: 'rcSecurityDisallow' });
  // granted, but no live process can receive it (the server exited or closed its end): nothing crosses
  if (!receivable(d, entry.object))
    return void d.result({
      tid,
      rc: 'rcNotConnected',
      detail: 'no live process holds the server end of the channel',
    });
  // granted: the request (and any handles) enter the server's domain now
  const handles = install(d, obj.server, transfers);
  d.effect(
    'request',
    event,
    handles.length === 0
      ? NO_OBJECTS
      : handles.map((h) => [obj.server, d.processes.get(obj.server)!.handles[h]!.object] as const),
  );
  const chan = d.objects.get(entry.object) as Channel;
  const receiver = chan.receivers[0];
  const payload = relabel(d, codec, message.payload, fields, transfers, handles);
  if (receiver !== undefined) {
    d.setObject(entry.object, channelRecord(chan.sid, chan.server, chan.queue, chan.receivers.slice(1)));
    d.moveThread(tid, replyState(receiver));
    d.moveThread(receiver, READY, servingRecord(tid, entry.object, message.riid, message.mid));
    d.result({
      tid: receiver,
      rc: 'rcOk',
      message: { riid: message.riid, mid: message.mid, payload, error: false, handles },
    });
  } else {
    d.setObject(
      entry.object,
      channelRecord(
        chan.sid,
        chan.server,
        appended(chan.queue, { client: tid, riid: message.riid, mid: message.mid, payload, handles }),
        chan.receivers,
      ),
    );
    d.moveThread(tid, callState(entry.object));
  }
}

/**
 * Whether a live process holds the server end (the recv right) of channel
 * `id`. Only the channel's server can (spec `receivable` asks every process,
 * with the same answer): a server end carries the recv right alone, neither
 * transfer nor duplicate, so it never leaves the process that created the
 * channel (test/kernel-ipc-mutants.test.ts).
 */
export function receivable(d: Draft, id: ObjectId): boolean {
  return holdsServerEnd(d, (d.objects.get(id) as Channel).server, id);
}

/**
 * The channels a handle table holds a receive end of. A function of the
 * (immutable) table alone, so it is remembered per table: a server with
 * thousands of handles is scanned once per change of its table, not once
 * per Call. The memo is invisible to callers, so `step` stays pure.
 */
const recvEnds = new WeakMap<readonly (HandleEntry | null)[], ReadonlySet<ObjectId>>();
function recvEndsOf(handles: readonly (HandleEntry | null)[]): ReadonlySet<ObjectId> {
  let ends = recvEnds.get(handles);
  if (ends === undefined) {
    const s = new Set<ObjectId>();
    for (const h of handles) if (h !== null && (h.rights & Rights.recv) !== 0) s.add(h.object);
    recvEnds.set(handles, s);
    ends = s;
  }
  return ends;
}

/** Whether process `sid` is alive and holds a receive handle on channel `id`. */
function holdsServerEnd(d: Draft, sid: Sid, id: ObjectId): boolean {
  const p = d.processes.get(sid);
  if (p === undefined || p.status !== 'alive') return false;
  const hs = p.handles;
  // a short table is quicker to scan than to look up
  if (hs.length <= 8) {
    for (const h of hs) if (h !== null && h.object === id && (h.rights & Rights.recv) !== 0) return true;
    return false;
  }
  return recvEndsOf(hs).has(id);
}

/**
 * A channel whose server end no live process holds any more (its last receive
 * handle closed, or its server exited) answers everyone waiting on it with
 * rcNotConnected: the queued callers in queue order, then the threads waiting
 * in Recv on it, then the callers whose request a thread received and can no
 * longer answer, in the server thread's TID order (that thread serves nothing).
 */
export function disconnect(d: Draft, id: ObjectId): void {
  const ch = d.objects.get(id)!;
  if (ch.kind !== 'channel' || receivable(d, id)) return;
  if (ch.queue.length > 0 || ch.receivers.length > 0) d.setObject(id, { ...ch, queue: [], receivers: [] });
  for (const r of ch.queue)
    d.wake({ tid: r.client, rc: 'rcNotConnected', detail: 'the server end of the channel was closed' });
  for (const r of ch.receivers)
    d.wake({ tid: r, rc: 'rcNotConnected', detail: 'the server end of the channel was closed' });
  for (let tid = 0; tid < d.threads.length; tid++) {
    const t = d.threads.get(tid)!;
    if (t.serving === null || t.serving.channel !== id) continue;
    const client = d.threads.get(t.serving.client)!;
    d.moveThread(tid, t.state, null);
    if (client.state.tag === 'reply' && client.state.server === tid)
      d.wake({ tid: client.tid, rc: 'rcNotConnected', detail: 'the server end of the channel was closed' });
  }
}

function serverEnd(d: Draft, tid: Tid, handle: Handle): ObjectId | undefined {
  const entry = d.handle(d.threads.get(tid)!.sid, handle);
  if (entry === undefined)
    return void d.result({ tid, rc: 'rcBadHandle', detail: `handle ${handle} is not in the caller's table` });
  if (d.objects.get(entry.object)!.kind !== 'channel' || (entry.rights & Rights.recv) === 0)
    return void d.result({
      tid,
      rc: 'rcNoRights',
      detail: `handle ${handle} is not the server end of a channel`,
    });
  return entry.object;
}

export function recv(d: Draft, tid: Tid, handle: Handle): void {
  const id = serverEnd(d, tid, handle);
  if (id === undefined) return;
  if (d.threads.get(tid)!.serving !== null)
    return void d.result({
      tid,
      rc: 'rcBadState',
      detail: 'the thread must Reply to the request it holds first',
    });
  const chan = d.objects.get(id) as Channel;
  const next = chan.queue[0];
  if (next === undefined) {
    d.setObject(id, channelRecord(chan.sid, chan.server, chan.queue, appended(chan.receivers, tid)));
    return d.moveThread(tid, recvState(id));
  }
  d.setObject(id, channelRecord(chan.sid, chan.server, chan.queue.slice(1), chan.receivers));
  d.moveThread(next.client, replyState(tid));
  d.moveThread(tid, d.threads.get(tid)!.state, servingRecord(next.client, id, next.riid, next.mid));
  d.result({
    tid,
    rc: 'rcOk',
    message: { riid: next.riid, mid: next.mid, payload: next.payload, error: false, handles: next.handles },
  });
}

export function reply(d: Draft, tid: Tid, handle: Handle, message: Message): void {
  const id = serverEnd(d, tid, handle);
  if (id === undefined) return;
  const t = d.threads.get(tid)!;
  const serving = t.serving;
  if (serving === null || serving.channel !== id)
    return void d.result({
      tid,
      rc: 'rcBadState',
      detail: `no request received on handle ${handle} awaits a reply`,
    });
  const client = d.threads.get(serving.client)!;
  if (client.state.tag !== 'reply' || client.state.server !== tid) {
    d.moveThread(tid, t.state, null);
    return void d.result({ tid, rc: 'rcNotConnected', detail: 'the caller is gone' });
  }
  const transfers = captureTransfers(d, t.sid, message);
  if (failed(transfers)) return void d.result({ tid, ...transfers });
  const kind = message.error === true ? 'error' : 'response';
  const codec = handleCarrier(d.config.tables, kind, d.processes.get(t.sid)!.taskClass, serving.riid, serving.mid);
  const fields = handleFields(d, t.sid, codec, message);
  if (failed(fields)) return void d.result({ tid, ...fields });
  // the reply answers the method that was called, whatever RIID/MID the server wrote
  const event = messageEvent(
    d,
    {
      kind,
      src: t.sid,
      dst: client.sid,
      riid: serving.riid,
      mid: serving.mid,
      payload: relabel(d, codec, message.payload, fields, transfers, null),
    },
    transfers,
  );
  d.moveThread(tid, t.state, null);
  if (!d.mediate(event)) {
    // KasperskyOS: a refused reply ends the Call with rcSecurityDisallow; nothing of the reply crosses
    d.result({ tid, rc: 'rcSecurityDisallow' });
    return d.wake({ tid: serving.client, rc: 'rcSecurityDisallow', detail: `the ${kind} was denied` });
  }
  const handles = install(d, client.sid, transfers);
  d.effect(
    kind,
    event,
    handles.length === 0
      ? NO_OBJECTS
      : handles.map((h) => [client.sid, d.processes.get(client.sid)!.handles[h]!.object] as const),
  );
  d.result({ tid, rc: 'rcOk' });
  d.wake({
    tid: serving.client,
    rc: 'rcOk',
    message: {
      riid: serving.riid,
      mid: serving.mid,
      payload: relabel(d, codec, message.payload, fields, transfers, handles),
      error: kind === 'error',
      handles,
    },
  });
}
