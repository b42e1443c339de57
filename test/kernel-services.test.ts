// Every kernel service, one scenario each, through step() only.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as t from 'io-ts';
import { boot, bootWith } from '../src/kernel/boot.ts';
import { compileSolution } from '../src/kernel/tables.ts';
import { rulesKey, type CompiledPolicy } from '../src/monitor/types.ts';
import { step } from '../src/kernel/step.ts';
import { Nat, KERNEL_ENDPOINTS, KERNEL_INTERFACES } from '../src/kernel/kernel-api.ts';
import { compileRules, type AllowRule } from '../src/monitor/rules.ts';
import type { KernelEvent, KernelState, StepResult, ThreadResult, Tid } from '../src/kernel/types.ts';
import type { Machine } from '../src/kernel/machine.ts';
import { changedTables } from '../src/properties/checks.ts';

const x86: Machine = {
  name: 'test-x86',
  arch: 'x86_64',
  cpus: 2,
  pageSize: 4096,
  irqLines: 4,
  portIo: true,
  ports: [{ base: 0x60, count: 16 }],
  mmio: [{ base: 0x1000, size: 0x100 }],
  dma: { base: 0x8000_0000, pages: 4 },
  iommu: true,
  tickNs: 1000,
  memoryPages: 8,
};
const arm: Machine = { ...x86, name: 'test-arm', arch: 'armv8', portIo: false, ports: [], dma: null };

const solution = {
  name: 'services',
  interfaces: [
    { name: 'demo.Svc', methods: [{ name: 'Give', request: t.type({}), response: t.type({}), error: t.type({}) }] },
  ],
  classes: [
    { name: 'Driver', endpoints: [] },
    { name: 'Peer', endpoints: [{ name: 'svc', interface: 'demo.Svc' }] },
    { name: 'Spare', endpoints: [] },
  ],
  processes: [
    { name: 'driver', taskClass: 'Driver' },
    { name: 'peer', taskClass: 'Peer' },
  ],
  connections: [{ client: 'driver', server: 'peer', id: 'svc' }],
};

function start(machine: Machine, extra: AllowRule[] = []) {
  const b = boot(
    solution,
    (tables) =>
      compileRules(tables, {
        name: 'p',
        rules: [
          { kind: 'execute' },
          { kind: 'request', dst: 'kl.core.Core' },
          { kind: 'request', dst: 'Peer' },
          { kind: 'response' },
          ...extra,
        ],
      }),
    machine,
  );
  if (!b.ok) throw new Error(b.errors.join('\n'));
  const w = { s: b.value.state, b: b.value };
  return w;
}

const riid = (ep: string) => KERNEL_ENDPOINTS.indexOf(ep as (typeof KERNEL_ENDPOINTS)[number]);
const mid = (ep: string, m: string) => KERNEL_INTERFACES[riid(ep)]!.methods.findIndex((x) => x.name === m);

function run(w: { s: KernelState }, e: KernelEvent): StepResult {
  const r = step(w.s, e);
  assert.equal(r.rejected, undefined, r.rejected);
  w.s = r.state;
  return r;
}
function running(w: { s: KernelState }, tid: Tid) {
  for (let i = 0; i < 8 && w.s.threads.get(tid)!.state.tag !== 'running'; i++)
    run(w, { kind: 'schedule', cpu: i % w.s.cpus.length });
  assert.equal(w.s.threads.get(tid)!.state.tag, 'running');
}
function kcall(w: { s: KernelState }, tid: Tid, ep: string, m: string, payload: unknown): ThreadResult | undefined {
  running(w, tid);
  const r = run(w, {
    kind: 'syscall',
    tid,
    call: { op: 'Call', handle: 0, message: { riid: riid(ep), mid: mid(ep, m), payload } },
  });
  return r.results.find((x) => x.tid === tid);
}
const value = (r: ThreadResult | undefined) => r?.value as Record<string, number>;

test('task.Execute starts a process through a mediated execute; task.Exit ends it and frees its callers', () => {
  const w = start(x86);
  const r = kcall(w, 0, 'task', 'Execute', { taskClass: 'Spare', name: 'spare' });
  assert.equal(r?.rc, 'rcOk');
  const sid = value(r).sid!;
  assert.equal(w.s.processes.get(sid)?.status, 'alive');
  assert.equal(
    kcall(w, 0, 'task', 'Execute', { taskClass: 'Spare', name: 'spare' })?.rc,
    'rcInvalidArgument',
    'names are unique',
  );
  assert.equal(kcall(w, 0, 'task', 'Execute', { taskClass: 'Nope', name: 'n' })?.rc, 'rcInvalidArgument');
  // the peer exits while the driver's call waits in its queue: the driver gets rcNotConnected
  running(w, 0);
  const c = run(w, {
    kind: 'syscall',
    tid: 0,
    call: { op: 'Call', handle: w.b.connections[0]!.clientHandle, message: { riid: 0, mid: 0, payload: {} } },
  });
  assert.equal(c.decisions[0]?.decision.verdict, 'grant');
  assert.equal(w.s.threads.get(0)!.state.tag, 'call');
  const exit = kcall(w, 1, 'task', 'Exit', { code: 0 });
  assert.equal(exit, undefined, 'an exited thread gets no result');
  assert.equal(w.s.processes.get(w.b.sids.peer!)!.status, 'exited');
  assert.equal(w.s.threads.get(0)!.state.tag, 'ready');
  running(w, 0);
  const again = run(w, {
    kind: 'syscall',
    tid: 0,
    call: { op: 'Call', handle: w.b.connections[0]!.clientHandle, message: { riid: 0, mid: 0, payload: {} } },
  });
  assert.equal(again.results[0]?.rc, 'rcNotConnected');
});

test('execute denied: no process starts, and the caller hears rcSecurityDisallow', () => {
  const b = boot(
    solution,
    (tables) =>
      compileRules(tables, {
        name: 'p',
        rules: [
          { kind: 'execute', src: 'Einit' },
          { kind: 'request', dst: 'kl.core.Core' },
        ],
      }),
    x86,
  );
  assert.ok(b.ok);
  const w = { s: b.value.state, b: b.value };
  const n = w.s.processes.length;
  assert.equal(kcall(w, 0, 'task', 'Execute', { taskClass: 'Spare', name: 'spare' })?.rc, 'rcSecurityDisallow');
  assert.equal(w.s.processes.length, n);
});

test('threads: create, sleep until a tick wakes them, exit; the last exit ends the process', () => {
  const w = start(x86);
  const tid = value(kcall(w, 0, 'thread', 'Create', { priority: 12 })).tid!;
  assert.equal(w.s.threads.get(tid)!.state.tag, 'ready');
  assert.equal(kcall(w, 0, 'thread', 'Create', { priority: 99 })?.rc, 'rcInvalidArgument');
  assert.equal(kcall(w, 0, 'thread', 'Sleep', { ns: 2500 }), undefined);
  assert.equal(w.s.threads.get(0)!.state.tag, 'sleep');
  run(w, { kind: 'tick' });
  run(w, { kind: 'tick' });
  assert.equal(w.s.threads.get(0)!.state.tag, 'sleep');
  const r = run(w, { kind: 'tick' });
  assert.deepEqual(r.results, [{ tid: 0, rc: 'rcOk' }]);
  assert.equal(w.s.clock.monotonic, 3000);
  kcall(w, tid, 'thread', 'Exit', {});
  assert.equal(w.s.processes.get(w.b.sids.driver!)!.status, 'alive');
  kcall(w, 0, 'thread', 'Exit', {});
  assert.equal(w.s.processes.get(w.b.sids.driver!)!.status, 'exited');
});

test('memory: allocate maps a region; it is shared only by transferring its handle in a granted message', () => {
  const w = start(x86);
  const a = value(kcall(w, 0, 'vmm', 'Allocate', { pages: 2 }));
  const drv = w.b.sids.driver!;
  const peer = w.b.sids.peer!;
  assert.equal(w.s.processes.get(drv)!.regions.length, 1);
  assert.equal(kcall(w, 0, 'vmm', 'Allocate', { pages: 99 })?.rc, 'rcOutOfRange');
  // the peer waits; the driver sends the memory handle with read/map rights
  running(w, 1);
  run(w, { kind: 'syscall', tid: 1, call: { op: 'Recv', handle: w.b.connections[0]!.serverHandle } });
  running(w, 0);
  const sent = run(w, {
    kind: 'syscall',
    tid: 0,
    call: {
      op: 'Call',
      handle: w.b.connections[0]!.clientHandle,
      message: { riid: 0, mid: 0, payload: {}, handles: [{ handle: a.handle!, rights: 4 | 16 }] },
    },
  });
  const got = sent.results.find((x) => x.tid === 1)!;
  assert.equal(got.message?.handles.length, 1);
  const h = got.message!.handles[0]!;
  assert.equal(w.s.processes.get(peer)!.handles[h]!.rights, 4 | 16);
  const mapped = value(kcall(w, 1, 'vmm', 'Map', { handle: h }));
  assert.equal(w.s.processes.get(peer)!.regions[0]!.object, w.s.processes.get(drv)!.handles[a.handle!]!.object);
  assert.equal(w.s.processes.get(peer)!.regions[0]!.rights, 4, 'mapped read-only: the write right was not passed');
  assert.equal(kcall(w, 1, 'vmm', 'Unmap', { base: mapped.base })?.rc, 'rcOk');
  assert.equal(kcall(w, 1, 'vmm', 'Unmap', { base: mapped.base })?.rc, 'rcInvalidArgument');
  // a handle cannot pass on rights it does not hold
  assert.equal(kcall(w, 1, 'vmm', 'Map', { handle: 0 })?.rc, 'rcInvalidArgument');
});

test('futex: wait blocks; wake releases waiters on the same word only', () => {
  const w = start(x86);
  const a = value(kcall(w, 0, 'vmm', 'Allocate', { pages: 1 }));
  const t2 = value(kcall(w, 0, 'thread', 'Create', { priority: 10 })).tid!;
  assert.equal(kcall(w, t2, 'sync', 'Wait', { handle: a.handle, offset: 8 }), undefined);
  assert.equal(w.s.threads.get(t2)!.state.tag, 'futex');
  assert.equal(value(kcall(w, 0, 'sync', 'Wake', { handle: a.handle, offset: 0, count: 1 })).woken, 0);
  assert.equal(kcall(w, 0, 'sync', 'Wait', { handle: a.handle, offset: 99999 })?.rc, 'rcOutOfRange');
  assert.equal(value(kcall(w, 0, 'sync', 'Wake', { handle: a.handle, offset: 8, count: 5 })).woken, 1);
  assert.equal(w.s.threads.get(t2)!.state.tag, 'ready');
  assert.deepEqual(w.s.futexQueue, []);
});

test('IRQ: only the thread of the attaching process receives it; masked until acknowledged', () => {
  const w = start(x86);
  const h = value(kcall(w, 0, 'irq', 'Attach', { line: 2 })).handle!;
  assert.equal(kcall(w, 1, 'irq', 'Attach', { line: 2 })?.rc, 'rcBusy');
  assert.equal(kcall(w, 1, 'irq', 'Attach', { line: 9 })?.rc, 'rcOutOfRange');
  assert.equal(kcall(w, 1, 'irq', 'Wait', { handle: h })?.rc, 'rcBadHandle', "the peer's table has no such handle");
  kcall(w, 0, 'irq', 'Wait', { handle: h });
  assert.equal(w.s.threads.get(0)!.state.tag, 'irq');
  assert.deepEqual(run(w, { kind: 'irq', line: 1 }).results, [], 'another line wakes nobody');
  assert.deepEqual(run(w, { kind: 'irq', line: 2 }).results, [{ tid: 0, rc: 'rcOk', value: { line: 2 } }]);
  run(w, { kind: 'irq', line: 2 });
  assert.equal(w.s.irqs[2]!.pending, true);
  assert.equal(w.s.irqs[2]!.masked, true);
  kcall(w, 0, 'irq', 'Ack', { handle: h });
  assert.deepEqual(
    value(kcall(w, 0, 'irq', 'Wait', { handle: h })),
    { line: 2 },
    'the pending interrupt is taken at once',
  );
});

test('port I/O exists on x86 only; MMIO and DMA through attached handles', () => {
  const w = start(x86);
  const p = value(kcall(w, 0, 'io', 'AttachPorts', { base: 0x60, count: 4 })).handle!;
  assert.equal(kcall(w, 1, 'io', 'AttachPorts', { base: 0x62, count: 4 })?.rc, 'rcBusy');
  assert.equal(kcall(w, 0, 'io', 'AttachPorts', { base: 0x200, count: 1 })?.rc, 'rcOutOfRange');
  assert.equal(kcall(w, 0, 'io', 'PortWrite', { handle: p, port: 0x61, value: 0xab })?.rc, 'rcOk');
  assert.equal(value(kcall(w, 0, 'io', 'PortRead', { handle: p, port: 0x61 })).value, 0xab);
  assert.equal(kcall(w, 0, 'io', 'PortRead', { handle: p, port: 0x64 })?.rc, 'rcOutOfRange');
  const m = value(kcall(w, 0, 'io', 'AttachMmio', { base: 0x1000, size: 0x10 })).handle!;
  assert.equal(kcall(w, 0, 'io', 'MmioWrite', { handle: m, offset: 4, value: 7 })?.rc, 'rcOk');
  assert.equal(value(kcall(w, 0, 'io', 'MmioRead', { handle: m, offset: 4 })).value, 7);
  const d = value(kcall(w, 0, 'dma', 'Allocate', { pages: 1 }));
  assert.equal(d.deviceAddress, 0x8000_0000);
  kcall(w, 0, 'dma', 'Start', { handle: d.handle });
  run(w, { kind: 'dma', deviceAddress: d.deviceAddress! });
  const obj = w.s.objects.get(w.s.processes.get(w.b.sids.driver!)!.handles[d.handle!]!.object)!;
  assert.equal(obj.kind === 'dma' && obj.status, 'done');

  const a = start(arm);
  const r = kcall(a, 0, 'io', 'AttachPorts', { base: 0x60, count: 1 });
  assert.equal(r?.rc, 'rcUnsupported');
  assert.match(r!.detail!, /only on the x86 family/);
  assert.equal(kcall(a, 0, 'dma', 'Allocate', { pages: 1 })?.rc, 'rcUnsupported');
});

test('time, handles and run-time channels', () => {
  const w = start(x86);
  run(w, { kind: 'tick' });
  assert.equal(value(kcall(w, 0, 'time', 'Read', { clock: 'monotonic' })).value, 1000);
  kcall(w, 0, 'time', 'SetRealtime', { value: 5 });
  assert.equal(value(kcall(w, 0, 'time', 'Read', { clock: 'realtime' })).value, 5);
  assert.equal(
    kcall(w, 0, 'time', 'Read', { clock: 'sundial' })?.rc,
    'rcSecurityDisallow',
    'a malformed argument is denied before any service',
  );
  const ch = value(kcall(w, 0, 'channel', 'Create', {}));
  const dup = value(kcall(w, 0, 'handle', 'Duplicate', { handle: ch.client, rights: 1 }));
  assert.equal(
    kcall(w, 0, 'handle', 'Duplicate', { handle: dup.handle, rights: 1 })?.rc,
    'rcNoRights',
    'the duplicate lost the duplicate right',
  );
  assert.equal(kcall(w, 0, 'handle', 'Duplicate', { handle: ch.server, rights: 3 })?.rc, 'rcNoRights');
  assert.equal(kcall(w, 0, 'handle', 'Close', { handle: dup.handle })?.rc, 'rcOk');
  assert.equal(kcall(w, 0, 'handle', 'Close', { handle: dup.handle })?.rc, 'rcBadHandle');
  assert.equal(kcall(w, 0, 'handle', 'Close', { handle: 0 })?.rc, 'rcInvalidArgument');
});

test('the kernel decodes its own arguments: under a monitor that checks nothing, vmm.Allocate {} is rcInvalidArgument and changes nothing', () => {
  const tables = compileSolution(solution);
  assert.ok(tables.ok);
  const grantAll: CompiledPolicy = {
    name: 'grant-all',
    initial: 0,
    decide: (state) => ({ verdict: 'grant', rules: [{ id: 'grant-all' }], next: state }),
  };
  const w = { s: bootWith(tables.value, { policy: grantAll, initial: 0, decide: grantAll.decide }, x86).state };
  running(w, 0);
  const before = w.s;
  const r = run(w, {
    kind: 'syscall',
    tid: 0,
    call: { op: 'Call', handle: 0, message: { riid: riid('vmm'), mid: mid('vmm', 'Allocate'), payload: {} } },
  });
  assert.deepEqual(
    r.decisions.map((d) => d.decision.verdict),
    ['grant'],
    'the monitor was asked, and granted',
  );
  assert.deepEqual(r.results, [
    { tid: 0, rc: 'rcInvalidArgument', detail: 'argument pages of vmm.Allocate is not a Nat' },
  ]);
  assert.deepEqual(changedTables(before, w.s), [], 'the state is unchanged');
  assert.deepEqual(
    r.effects.flatMap((e) => e.created),
    [],
  );
  // the same for a wrong type, a fraction, a negative number, and no record at all
  for (const payload of [{ pages: '1' }, { pages: 1.5 }, { pages: -1 }, null, [1]]) {
    const x = run(w, {
      kind: 'syscall',
      tid: 0,
      call: { op: 'Call', handle: 0, message: { riid: riid('vmm'), mid: mid('vmm', 'Allocate'), payload } },
    });
    assert.equal(x.results[0]?.rc, 'rcInvalidArgument', JSON.stringify(payload));
    assert.equal(w.s.objects, before.objects);
  }
  assert.equal(
    value(kcall(w, 0, 'vmm', 'Allocate', { pages: 1, extra: 'ignored' })).base,
    0x10000,
    'a payload that decodes is performed',
  );
});

/** Rights outside 0..127: beyond the 32 bits a bit operation sees (2^32 + 127 reads as 127 there), negative, fractional. */
const BAD_RIGHTS = [
  2 ** 32 + 127,
  2 ** 32,
  2 ** 40 + 4,
  Number.MAX_SAFE_INTEGER,
  128,
  -1,
  -127,
  0.5,
  4.5,
  127.5,
  Number.NaN,
  Infinity,
];

test('handle.Duplicate: rights outside 0..127 are a malformed argument, denied before the policy and refused by the kernel', () => {
  const w = start(x86);
  const a = value(kcall(w, 0, 'vmm', 'Allocate', { pages: 1 }));
  running(w, 0);
  for (const rights of BAD_RIGHTS) {
    const before = w.s;
    const r = run(w, {
      kind: 'syscall',
      tid: 0,
      call: {
        op: 'Call',
        handle: 0,
        message: { riid: riid('handle'), mid: mid('handle', 'Duplicate'), payload: { handle: a.handle, rights } },
      },
    });
    assert.equal(r.results[0]?.rc, 'rcSecurityDisallow', `rights ${rights}`);
    assert.equal(
      r.decisions[0] === undefined ? undefined : rulesKey(r.decisions[0].decision),
      'structure',
      `rights ${rights}: the message check refused it, not a policy rule`,
    );
    assert.equal(w.s.processes, before.processes);
  }
  // the kernel does not rely on the monitor: under one that grants everything, the same payloads are rcInvalidArgument
  const tables = compileSolution(solution);
  assert.ok(tables.ok);
  const grantAll: CompiledPolicy = {
    name: 'grant-all',
    initial: 0,
    decide: (state) => ({ verdict: 'grant', rules: [{ id: 'grant-all' }], next: state }),
  };
  const g = { s: bootWith(tables.value, { policy: grantAll, initial: 0, decide: grantAll.decide }, x86).state };
  const h = value(kcall(g, 0, 'vmm', 'Allocate', { pages: 1 })).handle!;
  for (const rights of BAD_RIGHTS) {
    const before = g.s;
    assert.deepEqual(
      kcall(g, 0, 'handle', 'Duplicate', { handle: h, rights }),
      { tid: 0, rc: 'rcInvalidArgument', detail: 'argument rights of handle.Duplicate is not a rights mask (0..127)' },
      `rights ${rights}`,
    );
    assert.equal(g.s.processes, before.processes, `rights ${rights}: no handle was installed`);
  }
  assert.equal(
    kcall(g, 0, 'handle', 'Duplicate', { handle: h, rights: 127 })?.rc,
    'rcNoRights',
    'in range, but more than the handle holds',
  );
  assert.equal(kcall(w, 0, 'handle', 'Duplicate', { handle: a.handle, rights: 4 })?.rc, 'rcOk');
});

test('a transfer with rights outside 0..127 is a malformed message: step rejects the Call or Reply and changes nothing', () => {
  const w = start(x86);
  const a = value(kcall(w, 0, 'vmm', 'Allocate', { pages: 1 }));
  running(w, 0);
  const client = w.b.connections[0]!.clientHandle;
  for (const rights of [...BAD_RIGHTS, '4', 4n, null]) {
    for (const op of ['Call', 'Reply'] as const) {
      const e = {
        kind: 'syscall',
        tid: 0,
        call: {
          op,
          handle: client,
          message: { riid: 0, mid: 0, payload: {}, handles: [{ handle: a.handle!, rights }] },
        },
      } as unknown as KernelEvent;
      const r = step(w.s, e);
      assert.equal(r.state, w.s, `${op} with rights ${String(rights)}: the state is unchanged`);
      assert.deepEqual([r.results, r.decisions, r.effects], [[], [], []], 'nothing was mediated or delivered');
      assert.match(
        r.rejected ?? '',
        new RegExp(`^transferred handle ${a.handle}: rights must be an integer 0\\.\\.127, not `),
        `${op} with rights ${String(rights)}`,
      );
    }
  }
  // the bound itself is a message the kernel takes (and refuses only for what the handle does not hold)
  const r = run(w, {
    kind: 'syscall',
    tid: 0,
    call: {
      op: 'Call',
      handle: client,
      message: { riid: 0, mid: 0, payload: {}, handles: [{ handle: a.handle!, rights: 127 }] },
    },
  });
  assert.equal(r.results.find((x) => x.tid === 0)?.rc, 'rcNoRights');
});

test('a kernel service the policy does not grant does not run', () => {
  const b = boot(
    solution,
    (tables) =>
      compileRules(tables, {
        name: 'p',
        rules: [{ kind: 'execute' }, { kind: 'request', dst: 'kl.core.Core', endpoint: 'time' }],
      }),
    x86,
  );
  assert.ok(b.ok);
  const w = { s: b.value.state, b: b.value };
  const before = w.s;
  assert.equal(kcall(w, 0, 'vmm', 'Allocate', { pages: 1 })?.rc, 'rcSecurityDisallow');
  assert.equal(w.s.objects, before.objects);
  assert.equal(kcall(w, 0, 'time', 'Read', { clock: 'monotonic' })?.rc, 'rcOk');
});

test('boot refuses a solution with an unknown class, a duplicate name or a dangling connection, naming each', () => {
  const bad = {
    ...solution,
    processes: [...solution.processes, { name: 'peer', taskClass: 'Nope' }],
    connections: [...solution.connections, { client: 'driver', server: 'ghost', id: 'x' }],
  };
  const b = boot(bad, (tables) => compileRules(tables, { name: 'p', rules: [] }), x86);
  assert.equal(b.ok, false);
  const msg = b.ok ? '' : b.errors.join('\n');
  assert.match(msg, /process "peer": the name is already taken/);
  assert.match(msg, /connection "x" \(driver -> ghost\): dangling: no process "ghost"/);
  const b2 = boot(
    { ...solution, processes: [{ name: 'z', taskClass: 'Nope' }], connections: [] },
    (tables) => compileRules(tables, { name: 'p', rules: [] }),
    x86,
  );
  assert.match(b2.ok ? '' : b2.errors.join('\n'), /process "z": unknown task class "Nope"/);
  const b3 = boot(
    solution,
    (tables) => compileRules(tables, { name: 'p', rules: [{ kind: 'request', dst: 'Nobody' }] }),
    x86,
  );
  assert.match(b3.ok ? '' : b3.errors.join('\n'), /unknown destination class "Nobody"/);
  const b4 = boot(solution, (tables) => compileRules(tables, { name: 'p', rules: [] }), { ...x86, cpus: 0 });
  assert.match(b4.ok ? '' : b4.errors.join('\n'), /cpus must be a positive integer/);
  void Nat;
});

test('one mediation call site: only Draft.mediate asks the monitor', async () => {
  const { readdirSync, readFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const dir = join(import.meta.dirname, '..', 'src', 'kernel');
  const sites = readdirSync(dir)
    .filter((f) => f.endsWith('.ts'))
    .flatMap((f) =>
      readFileSync(join(dir, f), 'utf8')
        .split('\n')
        .map((l, i) => [f, i + 1, l] as const)
        .filter(([, , l]) => /\.decide\(/.test(l)),
    );
  assert.deepEqual(
    sites.map(([f]) => f),
    ['draft.ts'],
  );
});

test('closing the last IRQ handle releases the line and wakes its waiters; kernel lines cannot be attached', () => {
  const w = start({ ...x86, reservedIrqs: [0] });
  assert.equal(kcall(w, 0, 'irq', 'Attach', { line: 0 })?.rc, 'rcBusy');
  const h = value(kcall(w, 0, 'irq', 'Attach', { line: 1 })).handle!;
  const t2 = value(kcall(w, 0, 'thread', 'Create', { priority: 10 })).tid!;
  kcall(w, t2, 'irq', 'Wait', { handle: h });
  assert.equal(w.s.threads.get(t2)!.state.tag, 'irq');
  running(w, 0);
  const r = run(w, {
    kind: 'syscall',
    tid: 0,
    call: {
      op: 'Call',
      handle: 0,
      message: { riid: riid('handle'), mid: mid('handle', 'Close'), payload: { handle: h } },
    },
  });
  assert.deepEqual(
    r.results.map((x) => [x.tid, x.rc]),
    [
      [t2, 'rcNotConnected'],
      [0, 'rcOk'],
    ],
  );
  assert.equal(w.s.irqs[1]!.object, null);
  assert.equal(kcall(w, 1, 'irq', 'Attach', { line: 1 })?.rc, 'rcOk', 'the line is free again');
});

test('pages and DMA window space come back when their last holder exits', () => {
  const w = start(x86);
  assert.equal(kcall(w, 1, 'vmm', 'Allocate', { pages: 8 })?.rc, 'rcOk');
  assert.equal(kcall(w, 0, 'vmm', 'Allocate', { pages: 1 })?.rc, 'rcOutOfRange');
  const a = value(kcall(w, 0, 'dma', 'Allocate', { pages: 3 }));
  const b = value(kcall(w, 0, 'dma', 'Allocate', { pages: 1 }));
  assert.equal(b.deviceAddress, a.deviceAddress! + 3 * 4096);
  assert.equal(kcall(w, 0, 'dma', 'Allocate', { pages: 1 })?.rc, 'rcOutOfRange');
  kcall(w, 0, 'handle', 'Close', { handle: a.handle });
  assert.equal(
    value(kcall(w, 0, 'dma', 'Allocate', { pages: 2 })).deviceAddress,
    a.deviceAddress,
    'first fit reuses the freed buffer',
  );
  kcall(w, 1, 'task', 'Exit', { code: 0 });
  assert.equal(kcall(w, 0, 'vmm', 'Allocate', { pages: 8 })?.rc, 'rcOk', "the exited peer's pages are free");
});

test('typed-interfaces: a granted kernel call the kernel cannot decode is refused, saying which argument is wrong or that none can be read; an unknown method names its RIID and MID', () => {
  const tables = compileSolution(solution);
  assert.ok(tables.ok);
  const grantAll: CompiledPolicy = {
    name: 'grant-all',
    initial: 0,
    decide: (state) => ({ verdict: 'grant', rules: [{ id: 'grant-all' }], next: state }),
  };
  const w = { s: bootWith(tables.value, { policy: grantAll, initial: 0, decide: grantAll.decide }, x86).state };
  const refused = (m: { riid: number; mid: number }, payload: unknown) => {
    running(w, 0);
    const before = w.s;
    const r = run(w, { kind: 'syscall', tid: 0, call: { op: 'Call', handle: 0, message: { ...m, payload } } });
    assert.deepEqual(
      r.decisions.map((d) => d.decision.verdict),
      ['grant'],
    );
    assert.deepEqual(changedTables(before, w.s), [], 'nothing changes');
    return r.results;
  };
  const allocate = { riid: riid('vmm'), mid: mid('vmm', 'Allocate') };
  // no record at all: the arguments as a whole are not of the method's type
  assert.deepEqual(refused(allocate, null), [
    { tid: 0, rc: 'rcInvalidArgument', detail: 'the arguments of vmm.Allocate are not a { pages: Nat }' },
  ]);
  assert.deepEqual(refused(allocate, { pages: -1 }), [
    { tid: 0, rc: 'rcInvalidArgument', detail: 'argument pages of vmm.Allocate is not a Nat' },
  ]);
  // a payload whose reading throws (a hostile getter) is refused, not thrown through step
  const hostile = Object.defineProperty({}, 'pages', {
    enumerable: true,
    get() {
      throw new Error('no');
    },
  });
  assert.deepEqual(refused(allocate, hostile), [
    { tid: 0, rc: 'rcInvalidArgument', detail: 'the arguments of vmm.Allocate cannot be read' },
  ]);
  // an RIID / MID the kernel class does not declare, granted by this monitor, reaches no service
  assert.deepEqual(refused({ riid: riid('vmm'), mid: 99 }, {}), [
    { tid: 0, rc: 'rcInvalidArgument', detail: `RIID ${riid('vmm')} / MID 99 name no kernel service` },
  ]);
});
