// Requirement reply-to-caller: a Reply answers the request the thread
// received, through the server end that request came in on, and reaches only
// that request's caller. A Reply through another server end the thread holds
// is rcBadState and answers nobody (the security mutant reply-any-server-end,
// src/evidence/mutants.ts, is killed here). Through step() only.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as t from 'io-ts';
import { boot, type BootResult } from '../src/kernel/boot.ts';
import { step } from '../src/kernel/step.ts';
import { KERNEL_ENDPOINTS, KERNEL_INTERFACES } from '../src/kernel/kernel-api.ts';
import { compileRules } from '../src/monitor/rules.ts';
import type { KernelEvent, KernelState, Message, StepResult, Tid } from '../src/kernel/types.ts';
import type { Machine } from '../src/kernel/machine.ts';

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
  name: 'duo',
  interfaces: [{ name: 'ping.Ping', methods: [{ name: 'Ping', request: VALUE, response: VALUE, error: VALUE }] }],
  classes: [
    { name: 'Client', endpoints: [] },
    { name: 'Server', endpoints: [{ name: 'ping', interface: 'ping.Ping' }] },
  ],
  processes: [
    { name: 'left', taskClass: 'Client' },
    { name: 'right', taskClass: 'Client' },
    { name: 'server', taskClass: 'Server' },
  ],
  connections: [
    { client: 'left', server: 'server', id: 'left' },
    { client: 'right', server: 'server', id: 'right' },
  ],
};
const LEFT: Tid = 0;
const RIGHT: Tid = 1;
const SERVER: Tid = 2;

type World = { s: KernelState; b: BootResult };

function start(): World {
  const b = boot(
    solution,
    (tables) =>
      compileRules(tables, {
        name: 'p',
        rules: [
          { kind: 'execute' },
          { kind: 'request', src: 'Client', dst: 'Server', endpoint: 'ping', method: 'Ping' },
          { kind: 'response' },
        ],
      }),
    machine,
  );
  if (!b.ok) throw new Error(b.errors.join('\n'));
  return { s: b.value.state, b: b.value };
}
function run(w: World, e: KernelEvent): StepResult {
  const r = step(w.s, e);
  assert.equal(r.rejected, undefined, r.rejected);
  w.s = r.state;
  return r;
}
function running(w: World, tid: Tid): void {
  for (let i = 0; i < 8 && w.s.threads.get(tid)!.state.tag !== 'running'; i++) run(w, { kind: 'schedule', cpu: 0 });
  assert.equal(w.s.threads.get(tid)!.state.tag, 'running');
}
const conn = (w: World, id: string) => w.b.connections.find((c) => c.id === id)!;
const PING: Message = { riid: 0, mid: 0, payload: { value: 1 } };
const PONG: Message = { riid: 0, mid: 0, payload: { value: 2 } };
function syscall(w: World, tid: Tid, call: Extract<KernelEvent, { kind: 'syscall' }>['call']): StepResult {
  running(w, tid);
  return run(w, { kind: 'syscall', tid, call });
}

test('reply-to-caller: a Reply through a server end the request did not come in on is rcBadState and answers nobody', () => {
  const w = start();
  syscall(w, LEFT, { op: 'Call', handle: conn(w, 'left').clientHandle, message: PING });
  syscall(w, RIGHT, { op: 'Call', handle: conn(w, 'right').clientHandle, message: PING });
  const got = syscall(w, SERVER, { op: 'Recv', handle: conn(w, 'left').serverHandle });
  assert.equal(got.results[0]?.rc, 'rcOk');
  assert.equal(w.s.threads.get(SERVER)!.serving?.client, LEFT);

  // the server answers through the right channel's end: refused, nothing crosses, nobody is woken
  const before = w.s;
  const wrong = syscall(w, SERVER, { op: 'Reply', handle: conn(w, 'right').serverHandle, message: PONG });
  assert.deepEqual(
    wrong.results.map((r) => [r.tid, r.rc]),
    [[SERVER, 'rcBadState']],
  );
  assert.equal(wrong.decisions.length, 0, 'a refused Reply never reaches the monitor');
  assert.equal(wrong.effects.length, 0);
  assert.equal(w.s.threads.get(LEFT), before.threads.get(LEFT));
  assert.equal(w.s.threads.get(RIGHT), before.threads.get(RIGHT));
  assert.equal(w.s.threads.get(LEFT)!.state.tag, 'reply');
  assert.equal(w.s.threads.get(RIGHT)!.state.tag, 'call');
  assert.equal(w.s.threads.get(SERVER)!.serving?.client, LEFT, 'the server still holds the left request');

  // through the end the request came in on: exactly its caller is answered
  const right = syscall(w, SERVER, { op: 'Reply', handle: conn(w, 'left').serverHandle, message: PONG });
  assert.deepEqual(
    right.results.map((r) => [r.tid, r.rc]),
    [
      [SERVER, 'rcOk'],
      [LEFT, 'rcOk'],
    ],
  );
  assert.deepEqual(right.results[1]!.message?.payload, { value: 2 });
  assert.equal(w.s.threads.get(RIGHT)!.state.tag, 'call', 'the other caller is still waiting for its own answer');
});

// The edges of Call, Recv and Reply (src/kernel/ipc.ts), each named by the
// requirement it protects; they kill Stryker survivors of ipc.ts.

test('three-syscalls: Recv and Reply need the server end of a channel (recv right); Call needs its client end', () => {
  const w = start();
  const left = conn(w, 'left');
  const rcOf = (r: StepResult) => r.results.map((x) => [x.tid, x.rc, x.detail]);
  // the kernel handle (0) is not a channel
  assert.deepEqual(rcOf(syscall(w, SERVER, { op: 'Recv', handle: 0 })), [
    [SERVER, 'rcNoRights', 'handle 0 is not the server end of a channel'],
  ]);
  assert.deepEqual(rcOf(syscall(w, SERVER, { op: 'Reply', handle: 0, message: PONG })), [
    [SERVER, 'rcNoRights', 'handle 0 is not the server end of a channel'],
  ]);
  // a client end is a channel without the recv right
  assert.deepEqual(rcOf(syscall(w, LEFT, { op: 'Recv', handle: left.clientHandle })), [
    [LEFT, 'rcNoRights', `handle ${left.clientHandle} is not the server end of a channel`],
  ]);
  // a server end has no call right
  assert.deepEqual(rcOf(syscall(w, SERVER, { op: 'Call', handle: left.serverHandle, message: PING })), [
    [SERVER, 'rcNoRights', `handle ${left.serverHandle} is not the client end of a channel`],
  ]);
  // a handle number not in the table
  assert.deepEqual(rcOf(syscall(w, LEFT, { op: 'Call', handle: 77, message: PING })), [
    [LEFT, 'rcBadHandle', "handle 77 is not in the caller's table"],
  ]);
  assert.deepEqual(rcOf(syscall(w, SERVER, { op: 'Recv', handle: 77 })), [
    [SERVER, 'rcBadHandle', "handle 77 is not in the caller's table"],
  ]);
  assert.equal(w.s.threads.get(SERVER)!.state.tag, 'running', 'a refused Recv does not block');
});

test('reply-to-caller: a Reply with no request in hand answers nobody; a thread holding a request must Reply before its next Recv', () => {
  const w = start();
  const left = conn(w, 'left');
  const none = syscall(w, SERVER, { op: 'Reply', handle: left.serverHandle, message: PONG });
  assert.deepEqual(
    none.results.map((x) => [x.tid, x.rc, x.detail]),
    [[SERVER, 'rcBadState', `no request received on handle ${left.serverHandle} awaits a reply`]],
  );
  assert.equal(none.decisions.length, 0);
  syscall(w, LEFT, { op: 'Call', handle: left.clientHandle, message: PING });
  syscall(w, RIGHT, { op: 'Call', handle: conn(w, 'right').clientHandle, message: PING });
  const got = syscall(w, SERVER, { op: 'Recv', handle: left.serverHandle });
  assert.deepEqual(got.results[0]!.message, { riid: 0, mid: 0, payload: { value: 1 }, error: false, handles: [] });
  const again = syscall(w, SERVER, { op: 'Recv', handle: conn(w, 'right').serverHandle });
  assert.deepEqual(
    again.results.map((x) => [x.tid, x.rc, x.detail]),
    [[SERVER, 'rcBadState', 'the thread must Reply to the request it holds first']],
  );
  assert.equal(w.s.threads.get(RIGHT)!.state.tag, 'call', 'the other request stays queued');
});

test('complete-mediation: a request to a thread already waiting in Recv is delivered at once, as a request (error false)', () => {
  const w = start();
  const left = conn(w, 'left');
  const wait = syscall(w, SERVER, { op: 'Recv', handle: left.serverHandle });
  assert.deepEqual(wait.results, []);
  assert.equal(w.s.threads.get(SERVER)!.state.tag, 'recv');
  const sent = syscall(w, LEFT, { op: 'Call', handle: left.clientHandle, message: PING });
  assert.equal(sent.decisions.length, 1, 'the request is mediated');
  assert.deepEqual(
    sent.results.map((x) => [x.tid, x.rc, x.message]),
    [[SERVER, 'rcOk', { riid: 0, mid: 0, payload: { value: 1 }, error: false, handles: [] }]],
  );
  assert.equal(w.s.threads.get(LEFT)!.state.tag, 'reply');
  assert.equal(w.s.threads.get(SERVER)!.serving?.client, LEFT);
  const server = w.s.processes.get(w.s.threads.get(SERVER)!.sid)!;
  const ch = w.s.objects.get(server.handles[left.serverHandle]!.object)!;
  assert.ok(ch.kind === 'channel');
  assert.deepEqual([ch.queue, ch.receivers], [[], []], 'the receiver is taken off the channel');
});

test('complete-mediation: an error reply is mediated as an error (this policy allows responses only), and its caller learns it was denied', () => {
  const w = start();
  const left = conn(w, 'left');
  syscall(w, LEFT, { op: 'Call', handle: left.clientHandle, message: PING });
  syscall(w, SERVER, { op: 'Recv', handle: left.serverHandle });
  const r = syscall(w, SERVER, { op: 'Reply', handle: left.serverHandle, message: { ...PONG, error: true } });
  assert.deepEqual(
    r.decisions.map((d) => [d.event.kind, d.decision.verdict]),
    [['error', 'deny']],
  );
  assert.deepEqual(
    r.results.map((x) => [x.tid, x.rc, x.detail]),
    [
      [SERVER, 'rcSecurityDisallow', undefined],
      [LEFT, 'rcSecurityDisallow', 'the error was denied'],
    ],
  );
  // a response is granted and arrives marked as no error
  syscall(w, LEFT, { op: 'Call', handle: left.clientHandle, message: PING });
  syscall(w, SERVER, { op: 'Recv', handle: left.serverHandle });
  const ok = syscall(w, SERVER, { op: 'Reply', handle: left.serverHandle, message: { ...PONG, error: false } });
  assert.deepEqual(
    ok.decisions.map((d) => [d.event.kind, d.decision.verdict]),
    [['response', 'grant']],
  );
  assert.equal(ok.results[1]!.message?.error, false);
});

test('unforgeable-handles: a Call may transfer only a handle the caller holds, with the transfer right, and no rights it lacks', () => {
  const w = start();
  const left = conn(w, 'left');
  const rcOf = (r: StepResult) => r.results.map((x) => [x.tid, x.rc, x.detail]);
  const send = (handles: Message['handles']) =>
    syscall(w, LEFT, { op: 'Call', handle: left.clientHandle, message: { ...PING, handles } });
  assert.deepEqual(rcOf(send([{ handle: 55, rights: 1 }])), [
    [LEFT, 'rcBadHandle', "transferred handle 55 is not in the sender's table"],
  ]);
  const held = w.s.processes.get(w.s.threads.get(LEFT)!.sid)!.handles;
  const noTransfer = held.findIndex((h) => h !== null && (h.rights & 32) === 0);
  assert.ok(noTransfer >= 0, 'the client holds a handle without the transfer right');
  assert.deepEqual(rcOf(send([{ handle: noTransfer, rights: 0 }])), [
    [LEFT, 'rcNoRights', `handle ${noTransfer} lacks the transfer right`],
  ]);
  // the client end (call, transfer, duplicate) may pass on a subset of its rights, never a right it lacks
  const own = left.clientHandle;
  const rights = held[own]!.rights;
  assert.equal(rights & 32, 32, 'the client end carries the transfer right');
  assert.deepEqual(rcOf(send([{ handle: own, rights: rights | 2 }])), [
    [LEFT, 'rcNoRights', `handle ${own}: cannot pass rights it does not hold`],
  ]);
  assert.equal(w.s.threads.get(LEFT)!.state.tag, 'running', 'nothing was sent');
  const sent = send([{ handle: own, rights: 1 }]);
  assert.deepEqual(rcOf(sent), []);
  const got = syscall(w, SERVER, { op: 'Recv', handle: left.serverHandle });
  const installed = got.results[0]!.message!.handles;
  assert.equal(installed.length, 1);
  const server = w.s.processes.get(w.s.threads.get(SERVER)!.sid)!;
  assert.deepEqual(
    server.handles[installed[0]!],
    { object: held[own]!.object, rights: 1 },
    'exactly the rights passed',
  );
});

test('reply-to-caller: closing the server end of one channel leaves a request held from another channel in hand', () => {
  const b = boot(
    solution,
    (tables) =>
      compileRules(tables, {
        name: 'p',
        rules: [{ kind: 'execute' }, { kind: 'request' }, { kind: 'response' }],
      }),
    machine,
  );
  if (!b.ok) throw new Error(b.errors.join('\n'));
  const w: World = { s: b.value.state, b: b.value };
  const left = conn(w, 'left');
  syscall(w, LEFT, { op: 'Call', handle: left.clientHandle, message: PING });
  syscall(w, SERVER, { op: 'Recv', handle: left.serverHandle });
  const handle = KERNEL_ENDPOINTS.indexOf('handle');
  const close = KERNEL_INTERFACES[handle]!.methods.findIndex((x) => x.name === 'Close');
  const closed = syscall(w, SERVER, {
    op: 'Call',
    handle: 0,
    message: { riid: handle, mid: close, payload: { handle: conn(w, 'right').serverHandle } },
  });
  assert.deepEqual(
    closed.results.map((x) => [x.tid, x.rc]),
    [[SERVER, 'rcOk']],
    'only the closer is answered',
  );
  assert.equal(w.s.threads.get(SERVER)!.serving?.client, LEFT, 'the left request is still in hand');
  // the server still holds the left channel's receive end, not the right one's: a Call on the right is not connected
  const orphan = syscall(w, RIGHT, { op: 'Call', handle: conn(w, 'right').clientHandle, message: PING });
  assert.deepEqual(
    orphan.results.map((x) => [x.tid, x.rc]),
    [[RIGHT, 'rcNotConnected']],
  );
  assert.equal(w.s.threads.get(LEFT)!.state.tag, 'reply');
  const answered = syscall(w, SERVER, { op: 'Reply', handle: left.serverHandle, message: PONG });
  assert.deepEqual(
    answered.results.map((x) => [x.tid, x.rc]),
    [
      [SERVER, 'rcOk'],
      [LEFT, 'rcOk'],
    ],
  );
});

test('typed-interfaces: a request naming an endpoint or method the server does not declare shows the monitor none, and is denied', () => {
  const w = start();
  const left = conn(w, 'left');
  for (const [riid, mid] of [
    [5, 0],
    [0, 9],
  ] as const) {
    const r = syscall(w, LEFT, {
      op: 'Call',
      handle: left.clientHandle,
      message: { riid, mid, payload: { value: 1 } },
    });
    const e = r.decisions[0]!.event;
    assert.deepEqual(
      [e.kind, e.riid, e.mid, e.endpoint, e.method, e.iface],
      ['request', riid, mid, riid === 0 ? w.s.config.tables.endpointNames.indexOf('ping') : -1, -1, -1],
      `riid ${riid} mid ${mid}`,
    );
    assert.deepEqual(
      r.results.map((x) => [x.tid, x.rc]),
      [[LEFT, 'rcSecurityDisallow']],
    );
  }
});

test('reply-to-caller: a granted error reply reaches its caller marked as an error, a response as none', () => {
  const b = boot(
    solution,
    (tables) =>
      compileRules(tables, {
        name: 'p',
        rules: [{ kind: 'execute' }, { kind: 'request' }, { kind: 'response' }, { kind: 'error' }],
      }),
    machine,
  );
  if (!b.ok) throw new Error(b.errors.join('\n'));
  const w: World = { s: b.value.state, b: b.value };
  const left = conn(w, 'left');
  for (const error of [true, false]) {
    syscall(w, LEFT, { op: 'Call', handle: left.clientHandle, message: PING });
    syscall(w, SERVER, { op: 'Recv', handle: left.serverHandle });
    const r = syscall(w, SERVER, { op: 'Reply', handle: left.serverHandle, message: { ...PONG, error } });
    assert.deepEqual(
      r.decisions.map((d) => [d.event.kind, d.decision.verdict]),
      [[error ? 'error' : 'response', 'grant']],
    );
    assert.deepEqual(
      r.results.map((x) => [x.tid, x.rc, x.message?.error]),
      [
        [SERVER, 'rcOk', undefined],
        [LEFT, 'rcOk', error],
      ],
    );
  }
});
