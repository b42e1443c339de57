// The records a step writes over and over (threads, channels, blocked states,
// the request a server holds), made by constructors rather than literals.
// V8 decides per literal (allocation site) whether its objects are born in
// the old generation: a boot or a setup that creates thousands of threads and
// channels which all survive marks the kernel's literals "pretenured", and
// from then on every short-lived record of every step is allocated old and
// points at young ones, which the scavenger must then keep and promote — the
// garbage collector's cost grew with the solution (2,000 processes: a third
// of the CPU time). A constructor call has no allocation site, so its records
// are always born young. Each constructor's prototype is Object.prototype:
// the records are plain objects, indistinguishable from the literals they
// replace (same keys in the same order, same prototype).

import type {
  DecisionRecord,
  Effect,
  KernelObject,
  ObjectId,
  PendingRequest,
  Serving,
  Sid,
  Thread,
  ThreadState,
  Tid,
} from './types.ts';
import type { Decision, SecurityEvent } from '../monitor/types.ts';

type Channel = Extract<KernelObject, { kind: 'channel' }>;
type Writable<T> = { -readonly [K in keyof T]: T[K] };

function ThreadRecord(
  this: Writable<Thread>,
  tid: Tid,
  sid: Sid,
  priority: number,
  state: ThreadState,
  serving: Serving | null,
): void {
  this.tid = tid;
  this.sid = sid;
  this.priority = priority;
  this.state = state;
  this.serving = serving;
}
ThreadRecord.prototype = Object.prototype;
const NewThread = ThreadRecord as unknown as new (
  tid: Tid,
  sid: Sid,
  priority: number,
  state: ThreadState,
  serving: Serving | null,
) => Thread;

export function threadRecord(
  tid: Tid,
  sid: Sid,
  priority: number,
  state: ThreadState,
  serving: Serving | null,
): Thread {
  return new NewThread(tid, sid, priority, state, serving);
}

function ChannelRecord(
  this: Writable<Channel>,
  sid: Sid,
  server: Sid,
  queue: readonly PendingRequest[],
  receivers: readonly Tid[],
): void {
  this.kind = 'channel';
  this.sid = sid;
  this.server = server;
  this.queue = queue;
  this.receivers = receivers;
}
ChannelRecord.prototype = Object.prototype;
const NewChannel = ChannelRecord as unknown as new (
  sid: Sid,
  server: Sid,
  queue: readonly PendingRequest[],
  receivers: readonly Tid[],
) => Channel;

export function channelRecord(
  sid: Sid,
  server: Sid,
  queue: readonly PendingRequest[],
  receivers: readonly Tid[],
): Channel {
  return new NewChannel(sid, server, queue, receivers);
}

function ServingRecord(this: Writable<Serving>, client: Tid, channel: ObjectId, riid: number, mid: number): void {
  this.client = client;
  this.channel = channel;
  this.riid = riid;
  this.mid = mid;
}
ServingRecord.prototype = Object.prototype;
const NewServing = ServingRecord as unknown as new (
  client: Tid,
  channel: ObjectId,
  riid: number,
  mid: number,
) => Serving;

export function servingRecord(client: Tid, channel: ObjectId, riid: number, mid: number): Serving {
  return new NewServing(client, channel, riid, mid);
}

/** The blocked states `call` and `recv` (on a channel) and `reply` (to a server thread). */
function ChannelState(this: { tag: string; channel: ObjectId }, tag: string, channel: ObjectId): void {
  this.tag = tag;
  this.channel = channel;
}
ChannelState.prototype = Object.prototype;
const NewChannelState = ChannelState as unknown as new (tag: 'call' | 'recv', channel: ObjectId) => ThreadState;

function ReplyState(this: { tag: string; server: Tid }, server: Tid): void {
  this.tag = 'reply';
  this.server = server;
}
ReplyState.prototype = Object.prototype;
const NewReplyState = ReplyState as unknown as new (server: Tid) => ThreadState;

export function callState(channel: ObjectId): ThreadState {
  return new NewChannelState('call', channel);
}
export function recvState(channel: ObjectId): ThreadState {
  return new NewChannelState('recv', channel);
}
export function replyState(server: Tid): ThreadState {
  return new NewReplyState(server);
}

function DecisionRec(this: Writable<DecisionRecord>, event: SecurityEvent, decision: Decision): void {
  this.event = event;
  this.decision = decision;
}
DecisionRec.prototype = Object.prototype;
const NewDecision = DecisionRec as unknown as new (event: SecurityEvent, decision: Decision) => DecisionRecord;

/** A decision the step recorded. (A boot records thousands in one step: the case this file is for.) */
export function decisionRecord(event: SecurityEvent, decision: Decision): DecisionRecord {
  return new NewDecision(event, decision);
}

function EffectRec(
  this: Writable<Effect>,
  kind: Effect['kind'],
  event: SecurityEvent,
  transfers: Effect['transfers'],
  created: Effect['created'],
): void {
  this.kind = kind;
  this.event = event;
  this.transfers = transfers;
  this.created = created;
}
EffectRec.prototype = Object.prototype;
const NewEffect = EffectRec as unknown as new (
  kind: Effect['kind'],
  event: SecurityEvent,
  transfers: Effect['transfers'],
  created: Effect['created'],
) => Effect;

export function effectRecord(
  kind: Effect['kind'],
  event: SecurityEvent,
  transfers: Effect['transfers'],
  created: Effect['created'],
): Effect {
  return new NewEffect(kind, event, transfers, created);
}

/** The empty list of an effect that moved or created nothing: one shared (frozen) array. */
export const NO_OBJECTS: Effect['transfers'] = Object.freeze([]);
