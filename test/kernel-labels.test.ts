// Resources carry labels, and policies see the label (issue 12, part 1): every
// kernel object carries a SID (objectSid of its id, disjoint from the process
// SIDs), and a handle descriptor in a message (an IDL `Handle` parameter)
// reaches the policy as the SID of the object it names, with the rights the
// message transfers — never as the sender's handle number. The receiver gets
// its own handle number in the same place. A descriptor naming a handle the
// sender does not hold, or one the message does not transfer, is refused
// before the monitor is asked. Through step() and boot() with a PSL policy.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { boot, type BootResult } from '../src/kernel/boot.ts';
import { step } from '../src/kernel/step.ts';
import {
  OBJECT_SID_BASE,
  Rights,
  objectSid,
  type KernelEvent,
  type KernelState,
  type Message,
  type StepResult,
  type Tid,
} from '../src/kernel/types.ts';
import type { Machine } from '../src/kernel/machine.ts';
import type { SolutionDecl } from '../src/kernel/tables.ts';
import { paramsCodec } from '../src/interfaces/codecs.ts';
import type { ResolvedParam, ResolvedType } from '../src/interfaces/types.ts';
import { compilePsl } from '../src/policy/compile/index.ts';
import { K } from '../src/conformance/catalog.ts';
import { objectLabels } from '../src/properties/checks.ts';
import { loadText } from './psl-compile-helpers.ts';

const machine: Machine = {
  name: 'test',
  arch: 'model',
  cpus: 1,
  pageSize: 4096,
  irqLines: 1,
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
// keys.Keys: Give(in Handle key) and Check(in Handle key); Give's response hands a key back (out Handle back)
const solution: SolutionDecl = {
  name: 'keys',
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
          name: 'Check',
          request: paramsCodec('keys.Keys.Check', [param('key', KEY)]),
          response: paramsCodec('keys.Keys.Check', []),
          error: paramsCodec('keys.Keys.Check', []),
        },
      ],
    },
  ],
  classes: [
    { name: 'Owner', endpoints: [] },
    { name: 'Relay', endpoints: [{ name: 'keys', interface: 'keys.Keys' }] },
    { name: 'Vault', endpoints: [{ name: 'keys', interface: 'keys.Keys' }] },
  ],
  processes: [
    { name: 'alice', taskClass: 'Owner' },
    { name: 'bob', taskClass: 'Relay' },
    { name: 'vault', taskClass: 'Vault' },
  ],
  connections: [
    { client: 'alice', server: 'bob', id: 'relay' },
    { client: 'alice', server: 'vault', id: 'vault' },
    { client: 'bob', server: 'vault', id: 'vault' },
  ],
};
const ALICE: Tid = 0;
const BOB: Tid = 1;
const VAULT: Tid = 2;

// Give: granted when the key is not the sender itself; Check: granted only when the key IS the sender
// (a comparison of a handle field with a process's SID: with labels it never holds for an object).
const POLICY = `execute: kl.core.Execute
use nk.base._
execute { grant () }
request dst=kl.core.Core { grant () }
request dst=Vault, method=Give { assert (message.key.handle != src_sid) }
request dst=Relay, method=Give { grant () }
request dst=Vault, method=Check { assert (message.key.handle == src_sid) }
response { grant () }
response src=kl.core.Core { grant () }
`;

type World = { s: KernelState; b: BootResult };
function start(): World {
  const b = boot(solution, (tables) => ({ ok: true, value: compilePsl(loadText(POLICY), tables) }), machine);
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
  assert.equal(w.s.threads.get(tid)!.state.tag, 'running');
  return run(w, { kind: 'syscall', tid, call });
}
const conn = (w: World, client: string, id: string) =>
  w.b.connections.find((c) => c.id === id && c.client === w.b.sids[client])!;
const give = (handle: number, rights: number): Message => ({
  riid: 0,
  mid: 0,
  payload: { key: { handle, rights } },
  handles: [{ handle, rights }],
});
const CALL_TRANSFER = Rights.call | Rights.transfer;

test('every kernel object carries its own SID, none of them a process SID', () => {
  const w = start();
  assert.deepEqual(
    w.s.objects.map((o) => o.sid),
    w.s.objects.map((_, id) => objectSid(id)),
  );
  assert.equal(w.s.objects.get(0)!.sid, 0, 'the kernel endpoint carries the kernel SID');
  const sids = new Set(w.s.objects.map((o) => o.sid));
  assert.equal(sids.size, w.s.objects.length, 'unique');
  for (const p of w.s.processes) assert.ok(p.sid < OBJECT_SID_BASE && (p.sid === 0 || !sids.has(p.sid)));
  // objects created at run time (a memory region, an IRQ line, a channel's one object) get the next SIDs
  const before = w.s.objects.length;
  for (const message of [K.allocate(1), K.irqAttach(0), K.channelCreate]) {
    const r = syscall(w, ALICE, { op: 'Call', handle: 0, message });
    assert.equal(r.results[0]?.rc, 'rcOk', JSON.stringify(r.results[0]));
  }
  assert.deepEqual(
    w.s.objects.slice(before).map((o) => [o.kind, o.sid]),
    [
      ['memory', objectSid(before)],
      ['irq', objectSid(before + 1)],
      ['channel', objectSid(before + 2)],
    ],
  );
});

test('two processes transferring the same object present the same label; each receiver gets its own handle', () => {
  const w = start();
  const vaultEnd = conn(w, 'alice', 'vault');
  const aliceHandle = vaultEnd.clientHandle;
  const channel = w.s.processes.get(w.b.sids.alice!)!.handles[aliceHandle]!.object;
  const label = w.s.objects.get(channel)!.sid;
  assert.ok(label >= OBJECT_SID_BASE);

  // alice gives her end of the vault channel to the vault
  syscall(w, VAULT, { op: 'Recv', handle: vaultEnd.serverHandle });
  const first = syscall(w, ALICE, { op: 'Call', handle: aliceHandle, message: give(aliceHandle, CALL_TRANSFER) });
  assert.equal(first.decisions.length, 1);
  assert.deepEqual(first.decisions[0]!.event.message, { key: { handle: label, rights: CALL_TRANSFER } });
  assert.equal(first.decisions[0]!.decision.verdict, 'grant');
  const atVault = first.results.find((r) => r.tid === VAULT)!;
  const vaultHandle = atVault.message!.handles[0]!;
  assert.deepEqual(atVault.message!.payload, { key: { handle: vaultHandle, rights: CALL_TRANSFER } });
  assert.equal(w.s.processes.get(w.b.sids.vault!)!.handles[vaultHandle]!.object, channel);
  syscall(w, VAULT, {
    op: 'Reply',
    handle: vaultEnd.serverHandle,
    message: { riid: 0, mid: 0, payload: { back: [] } },
  });

  // alice gives the same handle to bob, bob (another process, another handle number) gives it to the vault
  const relay = conn(w, 'alice', 'relay');
  syscall(w, BOB, { op: 'Recv', handle: relay.serverHandle });
  const toBob = syscall(w, ALICE, {
    op: 'Call',
    handle: relay.clientHandle,
    message: give(aliceHandle, CALL_TRANSFER),
  });
  assert.deepEqual(toBob.decisions[0]!.event.message, { key: { handle: label, rights: CALL_TRANSFER } });
  const bobHandle = toBob.results.find((r) => r.tid === BOB)!.message!.handles[0]!;
  assert.notEqual(bobHandle, aliceHandle, 'the two senders hold the object under different numbers');
  const bobVault = conn(w, 'bob', 'vault');
  syscall(w, VAULT, { op: 'Recv', handle: bobVault.serverHandle });
  const second = syscall(w, BOB, {
    op: 'Call',
    handle: bobVault.clientHandle,
    message: give(bobHandle, CALL_TRANSFER),
  });
  assert.deepEqual(second.decisions[0]!.event.message, { key: { handle: label, rights: CALL_TRANSFER } });
  assert.equal(second.decisions[0]!.decision.verdict, 'grant');

  // the vault answers bob with the key in its response: the policy is shown the label, bob gets a handle of his own
  const back = syscall(w, VAULT, {
    op: 'Reply',
    handle: bobVault.serverHandle,
    message: {
      riid: 0,
      mid: 0,
      payload: { back: [{ handle: vaultHandle, rights: Rights.call }] },
      handles: [{ handle: vaultHandle, rights: Rights.call }],
    },
  });
  assert.deepEqual(back.decisions[0]!.event.message, { back: [{ handle: label, rights: Rights.call }] });
  const woken = back.results.find((r) => r.tid === BOB)!;
  assert.deepEqual(woken.message!.payload, { back: [{ handle: woken.message!.handles[0], rights: Rights.call }] });
});

test("a handle field compared with a process's SID sees the label, not the sender's handle number", () => {
  const w = start();
  const vaultEnd = conn(w, 'alice', 'vault');
  const alice = w.b.sids.alice!;
  // alice's handle number for her vault channel happens to equal her SID: a policy reading handle numbers
  // would grant Check; the label never equals a process SID, so Check is denied
  assert.equal(vaultEnd.clientHandle, alice, 'the fixture makes the handle number equal the SID');
  syscall(w, VAULT, { op: 'Recv', handle: vaultEnd.serverHandle });
  const check = syscall(w, ALICE, {
    op: 'Call',
    handle: vaultEnd.clientHandle,
    message: { ...give(vaultEnd.clientHandle, CALL_TRANSFER), mid: 1 },
  });
  assert.equal(check.decisions[0]!.decision.verdict, 'deny');
  assert.equal(check.results[0]!.rc, 'rcSecurityDisallow');
  assert.notEqual((check.decisions[0]!.event.message as { key: { handle: number } }).key.handle, alice);
});

test('a forged or untransferred handle field never reaches the policy', () => {
  const w = start();
  const vaultEnd = conn(w, 'alice', 'vault');
  syscall(w, VAULT, { op: 'Recv', handle: vaultEnd.serverHandle });
  const forged = 9;
  assert.equal(w.s.processes.get(w.b.sids.alice!)!.handles[forged], undefined);
  const cases: [Message, string][] = [
    // forged in the payload only, and in the payload and the transfers
    [{ riid: 0, mid: 0, payload: { key: { handle: forged, rights: 1 } } }, 'rcBadHandle'],
    [give(forged, 1), 'rcBadHandle'],
    // a handle alice holds, named in the payload but not transferred, or transferred with other rights
    [{ riid: 0, mid: 0, payload: { key: { handle: vaultEnd.clientHandle, rights: 1 } } }, 'rcInvalidArgument'],
    [
      { ...give(vaultEnd.clientHandle, CALL_TRANSFER), handles: [{ handle: vaultEnd.clientHandle, rights: 1 }] },
      'rcInvalidArgument',
    ],
  ];
  for (const [message, rc] of cases) {
    const r = syscall(w, ALICE, { op: 'Call', handle: vaultEnd.clientHandle, message });
    assert.deepEqual(r.decisions, [], JSON.stringify(message));
    assert.deepEqual(
      r.results.map((x) => [x.tid, x.rc]),
      [[ALICE, rc]],
    );
  }
  // typed-interfaces: a payload not of the method's type is not searched for handle fields; the monitor denies it
  const illTyped = syscall(w, ALICE, {
    op: 'Call',
    handle: vaultEnd.clientHandle,
    message: { riid: 0, mid: 0, payload: { key: { handle: forged } } },
  });
  assert.deepEqual(
    illTyped.decisions.map((d) => d.decision.verdict),
    ['deny'],
  );
  assert.deepEqual(
    illTyped.results.map((x) => [x.tid, x.rc]),
    [[ALICE, 'rcSecurityDisallow']],
  );
  // and a well-formed transfer still goes through
  const ok = syscall(w, ALICE, { op: 'Call', handle: vaultEnd.clientHandle, message: give(vaultEnd.clientHandle, 1) });
  assert.equal(ok.decisions[0]?.decision.verdict, 'grant');
});

test('objectLabels (spec ObjectLabels) holds on a step and names a relabelled, duplicated or process-SID label', () => {
  const w = start();
  const event: KernelEvent = { kind: 'schedule', cpu: 0 };
  const r = step(w.s, event);
  const view = (objects: KernelState['objects']) => ({
    before: w.s,
    event,
    result: { ...r, state: { ...r.state, objects } },
    monitorCalls: [],
  });
  assert.equal(objectLabels(view(r.state.objects)), null);
  const at = (id: number, sid: number) => r.state.objects.set(id, { ...r.state.objects.get(id)!, sid });
  assert.match(objectLabels(view(at(1, objectSid(2)))) ?? '', /carries SID/);
  assert.match(objectLabels(view(at(2, 3))) ?? '', /carries SID 3/);
  const grown = w.s.objects.push({ kind: 'memory' as const, sid: 3, creator: 2, pages: 1 });
  assert.match(objectLabels({ ...view(grown) }) ?? '', /carries SID 3, not/);
});

test('resource-labels: a handle field names the transfer with its handle and rights, not merely the first one with its rights', () => {
  const w = start();
  const vaultEnd = conn(w, 'alice', 'vault');
  const relay = conn(w, 'alice', 'relay');
  const hs = w.s.processes.get(w.b.sids.alice!)!.handles;
  const relayLabel = w.s.objects.get(hs[relay.clientHandle]!.object)!.sid;
  const vaultLabel = w.s.objects.get(hs[vaultEnd.clientHandle]!.object)!.sid;
  assert.notEqual(relayLabel, vaultLabel);
  syscall(w, VAULT, { op: 'Recv', handle: vaultEnd.serverHandle });
  // two transfers with the same rights; the field names the second
  const r = syscall(w, ALICE, {
    op: 'Call',
    handle: vaultEnd.clientHandle,
    message: {
      riid: 0,
      mid: 0,
      payload: { key: { handle: vaultEnd.clientHandle, rights: CALL_TRANSFER } },
      handles: [
        { handle: relay.clientHandle, rights: CALL_TRANSFER },
        { handle: vaultEnd.clientHandle, rights: CALL_TRANSFER },
      ],
    },
  });
  assert.deepEqual(r.decisions[0]!.event.message, { key: { handle: vaultLabel, rights: CALL_TRANSFER } });
  const atVault = r.results.find((x) => x.tid === VAULT)!;
  const [first, second] = atVault.message!.handles;
  assert.deepEqual(atVault.message!.payload, { key: { handle: second, rights: CALL_TRANSFER } });
  const vh = w.s.processes.get(w.b.sids.vault!)!.handles;
  assert.equal(w.s.objects.get(vh[second!]!.object)!.sid, vaultLabel);
  assert.equal(w.s.objects.get(vh[first!]!.object)!.sid, relayLabel);
});

test('unforgeable-handles: a refused handle field says which handle and why', () => {
  const w = start();
  const vaultEnd = conn(w, 'alice', 'vault');
  syscall(w, VAULT, { op: 'Recv', handle: vaultEnd.serverHandle });
  const forged = syscall(w, ALICE, {
    op: 'Call',
    handle: vaultEnd.clientHandle,
    message: { riid: 0, mid: 0, payload: { key: { handle: 9, rights: 1 } } },
  });
  assert.deepEqual(forged.results, [
    { tid: ALICE, rc: 'rcBadHandle', detail: "the message's handle field 9 is not in the sender's table" },
  ]);
  const h = vaultEnd.clientHandle;
  const untransferred = syscall(w, ALICE, {
    op: 'Call',
    handle: h,
    message: { riid: 0, mid: 0, payload: { key: { handle: h, rights: 1 } } },
  });
  assert.deepEqual(untransferred.results, [
    {
      tid: ALICE,
      rc: 'rcInvalidArgument',
      detail: `the message's handle field { handle: ${h}, rights: 1 } names none of its transfers`,
    },
  ]);
});
