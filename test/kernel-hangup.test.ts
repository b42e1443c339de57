// A call to a dead or closed server answers: when no live process holds the
// server end of a channel, Call is mediated and then returns rcNotConnected,
// and the callers already waiting on it are woken with rcNotConnected when the
// last receive handle closes or its process exits. Through step() only.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as t from 'io-ts';
import { boot, type BootResult } from '../src/kernel/boot.ts';
import { step } from '../src/kernel/step.ts';
import { KERNEL_ENDPOINTS, KERNEL_INTERFACES } from '../src/kernel/kernel-api.ts';
import { compileRules } from '../src/monitor/rules.ts';
import { auditRecord } from '../src/monitor/audit.ts';
import type { KernelEvent, KernelState, Message, StepResult, ThreadResult, Tid } from '../src/kernel/types.ts';
import type { Machine } from '../src/kernel/machine.ts';
import { isolation } from '../src/properties/checks.ts';
import { rulesKey } from '../src/monitor/types.ts';

const machine: Machine = {
  name: 'test',
  arch: 'model',
  cpus: 1,
  pageSize: 4096,
  irqLines: 0,
  portIo: false,
  ports: [],
  mmio: [],
  dma: null,
  iommu: false,
  tickNs: 1000,
  memoryPages: 4,
};

const VALUE = t.type({ value: t.number });
const solution = {
  name: 'hangup',
  interfaces: [
    {
      name: 'ping.Ping',
      methods: [
        { name: 'Ping', request: VALUE, response: VALUE, error: VALUE },
        { name: 'Stop', request: VALUE, response: VALUE, error: VALUE },
      ],
    },
  ],
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

type World = { s: KernelState; b: BootResult; log: ReturnType<typeof auditRecord>[]; steps: number };

function start(): World {
  const b = boot(
    solution,
    (tables) =>
      compileRules(tables, {
        name: 'p',
        rules: [
          { id: 'start', kind: 'execute' },
          { id: 'kernel', kind: 'request', dst: 'kl.core.Core' },
          { id: 'ping', kind: 'request', src: 'Client', dst: 'Server', endpoint: 'ping', method: 'Ping' },
          { id: 'pong', kind: 'response' },
        ],
      }),
    machine,
  );
  if (!b.ok) throw new Error(b.errors.join('\n'));
  return { s: b.value.state, b: b.value, log: [], steps: 0 };
}

function run(w: World, e: KernelEvent): StepResult {
  const r = step(w.s, e);
  assert.equal(r.rejected, undefined, r.rejected);
  w.steps++;
  for (const d of r.decisions) w.log.push(auditRecord(w.s.config.tables, w.steps, d.event, d.decision));
  w.s = r.state;
  return r;
}
function running(w: World, tid: Tid) {
  for (let i = 0; i < 8 && w.s.threads.get(tid)!.state.tag !== 'running'; i++) run(w, { kind: 'schedule', cpu: 0 });
  assert.equal(w.s.threads.get(tid)!.state.tag, 'running');
}
const riid = (ep: string) => KERNEL_ENDPOINTS.indexOf(ep as (typeof KERNEL_ENDPOINTS)[number]);
const mid = (ep: string, m: string) => KERNEL_INTERFACES[riid(ep)]!.methods.findIndex((x) => x.name === m);
function kcall(w: World, tid: Tid, ep: string, m: string, payload: unknown): StepResult {
  running(w, tid);
  return run(w, {
    kind: 'syscall',
    tid,
    call: { op: 'Call', handle: 0, message: { riid: riid(ep), mid: mid(ep, m), payload } },
  });
}
const PING: Message = { riid: 0, mid: 0, payload: { value: 1 } };
const STOP: Message = { riid: 0, mid: 1, payload: { value: 1 } };
function ping(w: World, tid: Tid, message: Message = PING): StepResult {
  running(w, tid);
  return run(w, { kind: 'syscall', tid, call: { op: 'Call', handle: w.b.connections[0]!.clientHandle, message } });
}
const resultOf = (r: StepResult, tid: Tid): ThreadResult | undefined => r.results.find((x) => x.tid === tid);
const CLIENT = 0;
const SERVER = 1;
const channel = (w: World) => w.s.objects.findIndex((o) => o.kind === 'channel');
const queue = (w: World) =>
  (w.s.objects.get(channel(w)) as { queue: readonly { client: Tid }[] }).queue.map((r) => r.client);

/** The client starts a second thread; both client threads call and wait in the queue (the server has not received). */
function twoCallersQueued(w: World): Tid {
  const second = (kcall(w, CLIENT, 'thread', 'Create', { priority: 10 }).results[0]!.value as { tid: Tid }).tid;
  assert.equal(ping(w, CLIENT).decisions[0]?.decision.verdict, 'grant');
  assert.equal(ping(w, second).decisions[0]?.decision.verdict, 'grant');
  assert.deepEqual(queue(w), [CLIENT, second]);
  assert.equal(w.s.threads.get(CLIENT)!.state.tag, 'call');
  assert.equal(w.s.threads.get(second)!.state.tag, 'call');
  return second;
}

test('a call to a channel whose server exited is mediated, then returns rcNotConnected; nothing crosses', () => {
  const w = start();
  kcall(w, SERVER, 'task', 'Exit', { code: 0 });
  assert.equal(w.s.processes.get(w.b.sids.server!)!.status, 'exited');
  const before = w.log.length;
  const r = ping(w, CLIENT);
  assert.equal(resultOf(r, CLIENT)?.rc, 'rcNotConnected');
  assert.equal(resultOf(r, CLIENT)?.detail, 'no live process holds the server end of the channel');
  // the policy saw the request: one decision for exactly it, and it is in the audit log
  assert.equal(r.decisions.length, 1);
  assert.equal(r.decisions[0]!.event.kind, 'request');
  assert.equal(r.decisions[0]!.event.dst, w.b.sids.server);
  assert.equal(r.decisions[0]!.decision.verdict, 'grant');
  assert.deepEqual(
    w.log.slice(before).map((a) => [a.verdict, rulesKey(a)]),
    [['grant', 'ping']],
  );
  assert.match(w.log[w.log.length - 1]!.event, /^request src=Client.*dst=Server.*method=Ping/);
  // nothing crossed: no effect, the client does not block, the queue stays empty
  assert.deepEqual(r.effects, []);
  assert.equal(w.s.threads.get(CLIENT)!.state.tag, 'running');
  assert.deepEqual(queue(w), []);
  // a request the policy denies is denied first, whether or not anyone can receive it
  const denied = ping(w, CLIENT, STOP);
  assert.equal(resultOf(denied, CLIENT)?.rc, 'rcSecurityDisallow');
  assert.equal(denied.decisions[0]!.decision.verdict, 'deny');
});

test('task.Exit of the server wakes every queued caller with rcNotConnected, in queue order', () => {
  const w = start();
  const second = twoCallersQueued(w);
  const r = kcall(w, SERVER, 'task', 'Exit', { code: 0 });
  assert.deepEqual(
    r.results.map((x) => [x.tid, x.rc]),
    [
      [CLIENT, 'rcNotConnected'],
      [second, 'rcNotConnected'],
    ],
  );
  assert.equal(w.s.threads.get(CLIENT)!.state.tag, 'ready');
  assert.equal(w.s.threads.get(second)!.state.tag, 'ready');
  assert.deepEqual(queue(w), []);
});

test('closing the last receive handle wakes queued callers, a receiver and a caller whose request is in hand', () => {
  // queued callers
  const w = start();
  const second = twoCallersQueued(w);
  const server = w.b.connections[0]!.serverHandle;
  const r = kcall(w, SERVER, 'handle', 'Close', { handle: server });
  assert.equal(resultOf(r, SERVER)?.rc, 'rcOk');
  assert.equal(w.s.processes.get(w.b.sids.server!)!.status, 'alive', 'the server lives on');
  assert.deepEqual(
    r.results.filter((x) => x.tid !== SERVER).map((x) => [x.tid, x.rc, x.detail]),
    [
      [CLIENT, 'rcNotConnected', 'the server end of the channel was closed'],
      [second, 'rcNotConnected', 'the server end of the channel was closed'],
    ],
  );
  assert.deepEqual(queue(w), []);
  // a later call: mediated (granted), then rcNotConnected
  const later = ping(w, CLIENT);
  assert.equal(later.decisions[0]?.decision.verdict, 'grant');
  assert.equal(resultOf(later, CLIENT)?.rc, 'rcNotConnected');

  // a request the server received and has not answered: its caller is answered, the server serves nothing
  const v = start();
  ping(v, CLIENT);
  running(v, SERVER);
  assert.equal(
    resultOf(
      run(v, { kind: 'syscall', tid: SERVER, call: { op: 'Recv', handle: v.b.connections[0]!.serverHandle } }),
      SERVER,
    )?.rc,
    'rcOk',
  );
  assert.equal(v.s.threads.get(CLIENT)!.state.tag, 'reply');
  const c = kcall(v, SERVER, 'handle', 'Close', { handle: v.b.connections[0]!.serverHandle });
  assert.equal(resultOf(c, CLIENT)?.rc, 'rcNotConnected');
  assert.equal(resultOf(c, CLIENT)?.detail, 'the server end of the channel was closed');
  assert.equal(v.s.threads.get(CLIENT)!.state.tag, 'ready');
  assert.equal(v.s.threads.get(SERVER)!.serving, null);

  // a second server thread waiting in Recv when the first closes the handle: its Recv returns rcNotConnected
  const u = start();
  const helper = (kcall(u, SERVER, 'thread', 'Create', { priority: 10 }).results[0]!.value as { tid: Tid }).tid;
  running(u, helper);
  run(u, { kind: 'syscall', tid: helper, call: { op: 'Recv', handle: u.b.connections[0]!.serverHandle } });
  assert.equal(u.s.threads.get(helper)!.state.tag, 'recv');
  const h = kcall(u, SERVER, 'handle', 'Close', { handle: u.b.connections[0]!.serverHandle });
  assert.equal(resultOf(h, helper)?.rc, 'rcNotConnected');
  assert.equal(resultOf(h, helper)?.detail, 'the server end of the channel was closed');
  assert.equal(u.s.threads.get(helper)!.state.tag, 'ready');
  const ch = u.s.objects.get(channel(u))!;
  assert.ok(ch.kind === 'channel');
  assert.deepEqual([ch.queue, ch.receivers], [[], []], 'nobody waits on a channel without a server end');
});

test('a server whose second thread still holds the server end keeps its callers queued', () => {
  const w = start();
  const helper = (kcall(w, SERVER, 'thread', 'Create', { priority: 10 }).results[0]!.value as { tid: Tid }).tid;
  const second = twoCallersQueued(w);
  // the first server thread exits; the process (and its server handle) lives on in the helper
  const r = kcall(w, SERVER, 'thread', 'Exit', {});
  assert.equal(w.s.threads.get(SERVER)!.state.tag, 'exited');
  assert.equal(w.s.processes.get(w.b.sids.server!)!.status, 'alive');
  assert.deepEqual(r.results, [], 'nobody is woken');
  assert.deepEqual(queue(w), [CLIENT, second]);
  // the helper receives the first queued request
  running(w, helper);
  const got = run(w, { kind: 'syscall', tid: helper, call: { op: 'Recv', handle: w.b.connections[0]!.serverHandle } });
  assert.equal(resultOf(got, helper)?.rc, 'rcOk');
  assert.equal(w.s.threads.get(CLIENT)!.state.tag, 'reply');
  assert.deepEqual(queue(w), [second]);
});

test('a caller whose process closed its client handle while its call waits is still answered when the server exits, and isolation counts that call as a link', () => {
  const w = start();
  const second = (kcall(w, CLIENT, 'thread', 'Create', { priority: 10 }).results[0]!.value as { tid: Tid }).tid;
  assert.equal(ping(w, CLIENT).decisions[0]?.decision.verdict, 'grant');
  assert.deepEqual(queue(w), [CLIENT]);
  // the other client thread closes the handle the call went through: the call stays queued
  assert.equal(
    resultOf(kcall(w, second, 'handle', 'Close', { handle: w.b.connections[0]!.clientHandle }), second)?.rc,
    'rcOk',
  );
  assert.deepEqual(queue(w), [CLIENT]);
  // the server exits: its outstanding caller is answered
  running(w, SERVER);
  const before = w.s;
  const event: KernelEvent = {
    kind: 'syscall',
    tid: SERVER,
    call: { op: 'Call', handle: 0, message: { riid: riid('task'), mid: mid('task', 'Exit'), payload: { code: 0 } } },
  };
  const r = run(w, event);
  assert.equal(resultOf(r, CLIENT)?.rc, 'rcNotConnected');
  // the server shares no handle with the client any more, but the granted call links them
  assert.equal(isolation({ before, event, result: r, monitorCalls: r.decisions.map((d) => d.event) }), null);
});

test('reply-to-caller: a Reply to a caller whose process exited reaches nobody: rcNotConnected, and the server serves nothing', () => {
  const w = start();
  const second = (kcall(w, CLIENT, 'thread', 'Create', { priority: 10 }).results[0]!.value as { tid: Tid }).tid;
  ping(w, CLIENT);
  running(w, SERVER);
  const server = w.b.connections[0]!.serverHandle;
  assert.equal(
    resultOf(run(w, { kind: 'syscall', tid: SERVER, call: { op: 'Recv', handle: server } }), SERVER)?.rc,
    'rcOk',
  );
  assert.equal(w.s.threads.get(SERVER)!.serving?.client, CLIENT);
  // the caller's other thread ends the caller's process
  kcall(w, second, 'task', 'Exit', { code: 0 });
  assert.notEqual(w.s.threads.get(CLIENT)!.state.tag, 'reply');
  running(w, SERVER);
  const r = run(w, {
    kind: 'syscall',
    tid: SERVER,
    call: { op: 'Reply', handle: server, message: { riid: 0, mid: 0, payload: { value: 2 } } },
  });
  assert.deepEqual(
    r.results.map((x) => [x.tid, x.rc, x.detail]),
    [[SERVER, 'rcNotConnected', 'the caller is gone']],
  );
  assert.deepEqual(r.decisions, [], 'nothing is mediated for nobody');
  assert.equal(w.s.threads.get(SERVER)!.serving, null, 'the server may Recv again');

  // the same, but the server closes its end instead of replying: the exited caller is not woken again
  const v = start();
  const other = (kcall(v, CLIENT, 'thread', 'Create', { priority: 10 }).results[0]!.value as { tid: Tid }).tid;
  ping(v, CLIENT);
  running(v, SERVER);
  run(v, { kind: 'syscall', tid: SERVER, call: { op: 'Recv', handle: server } });
  kcall(v, other, 'task', 'Exit', { code: 0 });
  const dead = v.s.threads.get(CLIENT)!.state;
  const c = kcall(v, SERVER, 'handle', 'Close', { handle: server });
  assert.deepEqual(
    c.results.map((x) => [x.tid, x.rc]),
    [[SERVER, 'rcOk']],
    'only the closer is answered',
  );
  assert.deepEqual(v.s.threads.get(CLIENT)!.state, dead, 'the exited caller stays as it was');
  assert.equal(v.s.threads.get(SERVER)!.serving, null);
});

test('unforgeable-handles: a caller holding many handles (client ends only, no recv right) does not keep a channel whose server exited connected', () => {
  const w = start();
  // the client creates channels of its own until its table is long (more than 8 handles)
  for (let i = 0; i < 4; i++) assert.equal(resultOf(kcall(w, CLIENT, 'channel', 'Create', {}), CLIENT)?.rc, 'rcOk');
  const table = w.s.processes.get(w.b.sids.client!)!.handles;
  assert.ok(table.length > 8, `${table.length} handles`);
  kcall(w, SERVER, 'task', 'Exit', { code: 0 });
  const r = ping(w, CLIENT);
  assert.equal(resultOf(r, CLIENT)?.rc, 'rcNotConnected', 'a client end is not a receive end');
  assert.deepEqual(queue(w), []);
});

test('reply-to-caller: a queued caller whose process exits leaves the queue; the server never receives its request', () => {
  const w = start();
  const second = (kcall(w, CLIENT, 'thread', 'Create', { priority: 10 }).results[0]!.value as { tid: Tid }).tid;
  assert.equal(ping(w, CLIENT).decisions[0]?.decision.verdict, 'grant');
  assert.deepEqual(queue(w), [CLIENT]);
  // the client's other thread ends the client process while the call waits in the queue
  assert.equal(
    resultOf(kcall(w, second, 'task', 'Exit', { code: 0 }), CLIENT),
    undefined,
    'an exited caller hears nothing',
  );
  assert.equal(w.s.threads.get(CLIENT)!.state.tag, 'exited');
  assert.deepEqual(queue(w), [], 'the channel keeps no request of an exited thread');
  // the server's Recv finds nothing and waits
  running(w, SERVER);
  const r = run(w, { kind: 'syscall', tid: SERVER, call: { op: 'Recv', handle: w.b.connections[0]!.serverHandle } });
  assert.deepEqual(r.results, []);
  assert.equal(w.s.threads.get(SERVER)!.state.tag, 'recv');
  assert.equal(w.s.threads.get(SERVER)!.serving, null);
});

test('reply-to-caller: a server thread waiting in Recv ends with its process and is never woken', () => {
  const w = start();
  const second = (kcall(w, SERVER, 'thread', 'Create', { priority: 10 }).results[0]!.value as { tid: Tid }).tid;
  running(w, second);
  run(w, { kind: 'syscall', tid: second, call: { op: 'Recv', handle: w.b.connections[0]!.serverHandle } });
  assert.equal(w.s.threads.get(second)!.state.tag, 'recv');
  const r = kcall(w, SERVER, 'task', 'Exit', { code: 0 });
  assert.deepEqual(r.results, [], 'nobody is answered: the receiver exited, no caller waits');
  assert.equal(w.s.threads.get(second)!.state.tag, 'exited');
  assert.equal(w.s.threads.get(SERVER)!.state.tag, 'exited');
  const ch = w.s.objects.get(channel(w)) as { receivers: readonly Tid[]; queue: readonly unknown[] };
  assert.deepEqual([ch.receivers, ch.queue], [[], []]);
  assert.equal(w.s.runQueue.includes(second), false, 'an exited thread is never queued to run');
});

test('reply-to-caller: a server thread that exits holding a request answers its caller rcNotConnected, and only that caller', () => {
  const w = start();
  // the server keeps a second thread, so its process (and its server end) stays alive
  kcall(w, SERVER, 'thread', 'Create', { priority: 10 });
  running(w, SERVER);
  run(w, { kind: 'syscall', tid: SERVER, call: { op: 'Recv', handle: w.b.connections[0]!.serverHandle } });
  const delivered = ping(w, CLIENT);
  assert.equal(resultOf(delivered, SERVER)?.rc, 'rcOk');
  assert.deepEqual(w.s.threads.get(CLIENT)!.state, { tag: 'reply', server: SERVER });
  const r = kcall(w, SERVER, 'thread', 'Exit', {});
  assert.deepEqual(r.results, [{ tid: CLIENT, rc: 'rcNotConnected', detail: 'the server thread exited' }]);
  assert.equal(w.s.processes.get(w.b.sids.server!)!.status, 'alive');
  assert.equal(w.s.threads.get(CLIENT)!.state.tag, 'ready');
});
