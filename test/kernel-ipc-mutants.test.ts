// IPC edges (src/kernel/ipc.ts and the thread exits of services.ts) that the
// other kernel tests left open, through step() only: what the monitor is shown
// of a payload that is not of its method's type, which handles an effect says
// changed hands, which queued requests a caller's exit removes, and that a
// channel's receive end never leaves its server. Each test names the security
// requirement it protects (src/evidence/requirements.ts); they kill Stryker
// survivors of ipc.ts and services.ts.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { boot, type BootResult } from '../src/kernel/boot.ts';
import { step } from '../src/kernel/step.ts';
import { KERNEL_ENDPOINTS, KERNEL_INTERFACES } from '../src/kernel/kernel-api.ts';
import { compileRules } from '../src/monitor/rules.ts';
import { paramsCodec } from '../src/interfaces/codecs.ts';
import type { ResolvedParam, ResolvedType } from '../src/interfaces/types.ts';
import type { SolutionDecl } from '../src/kernel/tables.ts';
import {
  Rights,
  type KernelEvent,
  type KernelState,
  type Message,
  type StepResult,
  type Tid,
} from '../src/kernel/types.ts';
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

const loc = { file: 'keys.idl', line: 1, column: 1 };
const param = (name: string, type: ResolvedType): ResolvedParam => ({ name, type, loc });
const KEY: ResolvedType = { kind: 'handle' };
// keys.Keys.Give(in Handle key, out sequence<Handle, 1> back): a request and a response that carry handles;
// keys.Keys.Peek(): one that carries none
const solution: SolutionDecl = {
  name: 'ipc-edges',
  interfaces: [
    {
      name: 'keys.Keys',
      methods: [
        {
          name: 'Give',
          request: paramsCodec('keys.Keys.Give', [param('key', KEY)]),
          response: paramsCodec('keys.Keys.Give', [param('back', { kind: 'sequence', element: KEY, maxLength: 1 })]),
          error: paramsCodec('keys.Keys.Give', []),
        },
        {
          name: 'Peek',
          request: paramsCodec('keys.Keys.Peek', []),
          response: paramsCodec('keys.Keys.Peek', []),
          error: paramsCodec('keys.Keys.Peek', []),
        },
      ],
    },
  ],
  classes: [
    { name: 'Owner', endpoints: [] },
    { name: 'Vault', endpoints: [{ name: 'keys', interface: 'keys.Keys' }] },
  ],
  processes: [
    { name: 'alice', taskClass: 'Owner' },
    { name: 'bob', taskClass: 'Owner' },
    { name: 'vault', taskClass: 'Vault' },
  ],
  connections: [
    { client: 'alice', server: 'vault', id: 'keys' },
    { client: 'bob', server: 'vault', id: 'keys' },
  ],
};
const ALICE: Tid = 0;
const BOB: Tid = 1;
const VAULT: Tid = 2;
const CALL_TRANSFER = Rights.call | Rights.transfer;

type World = { s: KernelState; b: BootResult };
function start(): World {
  const b = boot(
    solution,
    (tables) =>
      compileRules(tables, {
        name: 'p',
        rules: [
          { kind: 'execute' },
          { kind: 'request', dst: 'kl.core.Core' },
          { kind: 'request', src: 'Owner', dst: 'Vault', endpoint: 'keys', method: 'Give' },
          { kind: 'request', dst: 'Vault', endpoint: 'keys', method: 'Peek' },
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
function syscall(w: World, tid: Tid, call: Extract<KernelEvent, { kind: 'syscall' }>['call']): StepResult {
  for (let i = 0; i < 8 && w.s.threads.get(tid)!.state.tag !== 'running'; i++) run(w, { kind: 'schedule', cpu: 0 });
  assert.equal(w.s.threads.get(tid)!.state.tag, 'running', `thread ${tid} could not be run`);
  return run(w, { kind: 'syscall', tid, call });
}
const riid = (ep: string) => KERNEL_ENDPOINTS.indexOf(ep as (typeof KERNEL_ENDPOINTS)[number]);
const mid = (ep: string, m: string) => KERNEL_INTERFACES[riid(ep)]!.methods.findIndex((x) => x.name === m);
function kcall(w: World, tid: Tid, ep: string, m: string, payload: unknown): StepResult {
  return syscall(w, tid, { op: 'Call', handle: 0, message: { riid: riid(ep), mid: mid(ep, m), payload } });
}
const conn = (w: World, client: string) => w.b.connections.find((c) => c.client === w.b.sids[client])!;
const give = (handle: number, rights: number): Message => ({
  riid: 0,
  mid: 0,
  payload: { key: { handle, rights } },
  handles: [{ handle, rights }],
});
const PEEK: Message = { riid: 0, mid: 1, payload: {} };
const objectAt = (w: World, sid: number, h: number) => w.s.processes.get(sid)!.handles[h]!.object;

test("typed-interfaces: a request or response not of its method's type is shown to the monitor as sent, no handle field rewritten, and denied", () => {
  const w = start();
  const keys = conn(w, 'alice');
  syscall(w, VAULT, { op: 'Recv', handle: keys.serverHandle });
  // a key without its rights, a key that is no record, no record at all: none is searched for handle fields
  for (const payload of [{ key: { handle: keys.clientHandle } }, { key: 7 }, null]) {
    const r = syscall(w, ALICE, { op: 'Call', handle: keys.clientHandle, message: { riid: 0, mid: 0, payload } });
    assert.deepEqual(
      r.decisions.map((d) => [d.event.kind, d.event.message, d.decision.verdict]),
      [['request', payload, 'deny']],
      JSON.stringify(payload),
    );
    assert.deepEqual(r.results, [{ tid: ALICE, rc: 'rcSecurityDisallow' }]);
    assert.equal(w.s.threads.get(VAULT)!.state.tag, 'recv', 'the server received nothing');
  }
  // a well-typed request crosses; the answer is not of the response's type: shown as written, denied
  const req = syscall(w, ALICE, { op: 'Call', handle: keys.clientHandle, message: give(keys.clientHandle, 1) });
  assert.equal(req.decisions[0]?.decision.verdict, 'grant');
  const bad = { back: [{ handle: keys.serverHandle }] };
  const answer = syscall(w, VAULT, {
    op: 'Reply',
    handle: keys.serverHandle,
    message: { riid: 0, mid: 0, payload: bad },
  });
  assert.deepEqual(
    answer.decisions.map((d) => [d.event.kind, d.event.message, d.decision.verdict]),
    [['response', bad, 'deny']],
  );
  assert.deepEqual(answer.results, [
    { tid: VAULT, rc: 'rcSecurityDisallow' },
    { tid: ALICE, rc: 'rcSecurityDisallow', detail: 'the response was denied' },
  ]);
});

test('unforgeable-handles: the effect of a request or response names each handle it installed, as [receiver SID, object]; one transferring none names none', () => {
  const w = start();
  const keys = conn(w, 'alice');
  const { alice, vault } = w.b.sids as Record<string, number>;
  syscall(w, VAULT, { op: 'Recv', handle: keys.serverHandle });
  const object = objectAt(w, alice!, keys.clientHandle);
  // a request transferring alice's client end: vault's new handle is on that channel
  const req = syscall(w, ALICE, {
    op: 'Call',
    handle: keys.clientHandle,
    message: give(keys.clientHandle, CALL_TRANSFER),
  });
  const got = req.results.find((x) => x.tid === VAULT)!.message!.handles;
  assert.equal(got.length, 1);
  assert.equal(objectAt(w, vault!, got[0]!), object);
  assert.deepEqual(
    req.effects.map((e) => [e.kind, e.transfers]),
    [['request', [[vault, object]]]],
  );
  // the response hands that handle back: alice's new handle, named in the effect
  const back = syscall(w, VAULT, {
    op: 'Reply',
    handle: keys.serverHandle,
    message: {
      riid: 0,
      mid: 0,
      payload: { back: [{ handle: got[0]!, rights: Rights.call }] },
      handles: [{ handle: got[0]!, rights: Rights.call }],
    },
  });
  const toAlice = back.results.find((x) => x.tid === ALICE)!.message!;
  assert.equal(toAlice.handles.length, 1);
  assert.deepEqual(toAlice.payload, { back: [{ handle: toAlice.handles[0], rights: Rights.call }] });
  assert.equal(objectAt(w, alice!, toAlice.handles[0]!), object);
  assert.equal(w.s.processes.get(alice!)!.handles[toAlice.handles[0]!]!.rights, Rights.call);
  assert.deepEqual(
    back.effects.map((e) => [e.kind, e.transfers]),
    [['response', [[alice, object]]]],
  );
  // a request and a response that transfer nothing name no objects
  const bobKeys = conn(w, 'bob');
  syscall(w, VAULT, { op: 'Recv', handle: bobKeys.serverHandle });
  const plain = syscall(w, BOB, { op: 'Call', handle: bobKeys.clientHandle, message: PEEK });
  assert.deepEqual(
    plain.effects.map((e) => [e.kind, e.transfers]),
    [['request', []]],
  );
  const none = syscall(w, VAULT, {
    op: 'Reply',
    handle: bobKeys.serverHandle,
    message: { riid: 0, mid: 1, payload: {} },
  });
  assert.deepEqual(
    none.effects.map((e) => [e.kind, e.transfers]),
    [['response', []]],
  );
  assert.deepEqual(none.results.find((x) => x.tid === BOB)!.message, {
    riid: 0,
    mid: 1,
    payload: {},
    error: false,
    handles: [],
  });
});

test("reply-to-caller: a queued caller whose process exits leaves the queue; other processes' requests stay queued, in order, and are received", () => {
  const w = start();
  const keys = conn(w, 'alice');
  const vault = w.b.sids.vault!;
  // vault creates a channel and hands alice a client end of it in a response; its own second thread holds one too
  const made = kcall(w, VAULT, 'channel', 'Create', {}).results[0]!.value as { client: number; server: number };
  syscall(w, VAULT, { op: 'Recv', handle: keys.serverHandle });
  syscall(w, ALICE, { op: 'Call', handle: keys.clientHandle, message: give(keys.clientHandle, 1) });
  const handedOn = syscall(w, VAULT, {
    op: 'Reply',
    handle: keys.serverHandle,
    message: {
      riid: 0,
      mid: 0,
      payload: { back: [{ handle: made.client, rights: Rights.call }] },
      handles: [{ handle: made.client, rights: Rights.call }],
    },
  });
  const aliceEnd = handedOn.results.find((x) => x.tid === ALICE)!.message!.handles[0]!;
  const channel = objectAt(w, vault, made.server);
  assert.equal(objectAt(w, w.b.sids.alice!, aliceEnd), channel);
  const queue = () => (w.s.objects.get(channel) as { queue: readonly { client: Tid }[] }).queue.map((r) => r.client);
  const aliceExits = (kcall(w, ALICE, 'thread', 'Create', { priority: 10 }).results[0]!.value as { tid: Tid }).tid;
  const vault2 = (kcall(w, VAULT, 'thread', 'Create', { priority: 10 }).results[0]!.value as { tid: Tid }).tid;
  syscall(w, vault2, { op: 'Call', handle: made.client, message: PEEK });
  syscall(w, ALICE, { op: 'Call', handle: aliceEnd, message: PEEK });
  assert.deepEqual(queue(), [vault2, ALICE]);
  const exit = kcall(w, aliceExits, 'task', 'Exit', { code: 0 });
  assert.deepEqual(exit.results, [], 'nobody is answered: the exited caller never will be, the other still waits');
  assert.equal(w.s.processes.get(w.b.sids.alice!)!.status, 'exited');
  assert.deepEqual(queue(), [vault2], "only the exited process's request left the queue");
  assert.deepEqual(w.s.threads.get(vault2)!.state, { tag: 'call', channel });
  const got = syscall(w, VAULT, { op: 'Recv', handle: made.server });
  assert.deepEqual(
    got.results.map((x) => [x.tid, x.rc, x.message?.mid]),
    [[VAULT, 'rcOk', 1]],
  );
  assert.deepEqual(w.s.threads.get(vault2)!.state, { tag: 'reply', server: VAULT });
  assert.deepEqual(queue(), []);
});

test("unforgeable-handles: a channel's server end carries the recv right alone: it is neither transferred nor duplicated, so its receive end never leaves its server", () => {
  const w = start();
  const keys = conn(w, 'alice');
  const vault = w.b.sids.vault!;
  assert.equal(w.s.processes.get(vault)!.handles[keys.serverHandle]!.rights, Rights.recv);
  // a run-time channel's server end too
  const created = kcall(w, VAULT, 'channel', 'Create', {}).results[0]!.value as { client: number; server: number };
  assert.equal(w.s.processes.get(vault)!.handles[created.server]!.rights, Rights.recv);
  // vault tries to pass a server end on, in a Call on the client end of the channel it created
  for (const h of [keys.serverHandle, created.server]) {
    const r = syscall(w, VAULT, {
      op: 'Call',
      handle: created.client,
      message: { riid: 0, mid: 0, payload: {}, handles: [{ handle: h, rights: Rights.recv }] },
    });
    assert.deepEqual(r.results, [{ tid: VAULT, rc: 'rcNoRights', detail: `handle ${h} lacks the transfer right` }]);
    assert.deepEqual(r.decisions, []);
    const dup = kcall(w, VAULT, 'handle', 'Duplicate', { handle: h, rights: Rights.recv });
    assert.deepEqual(dup.results, [
      { tid: VAULT, rc: 'rcNoRights', detail: `handle ${h} cannot be duplicated with those rights` },
    ]);
  }
  // so no process but the server ever holds a receive end
  for (const p of w.s.processes)
    for (const h of p.handles)
      if (h !== null && (h.rights & Rights.recv) !== 0) {
        const o = w.s.objects.get(h.object)!;
        assert.ok(o.kind === 'channel' && o.server === p.sid, `${p.name} holds a receive end of object ${h.object}`);
      }
});
