// Kernel services at their edges (src/kernel/services.ts), through step()
// only: each check a service makes before it writes is probed on both sides
// of its boundary, and each refusal is checked by return code and detail, so
// that a weakened bound or a dropped check fails here. Each test names the
// security requirement the check protects (src/evidence/requirements.ts);
// they kill Stryker survivors of services.ts.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as t from 'io-ts';
import { boot, type BootResult } from '../src/kernel/boot.ts';
import { step } from '../src/kernel/step.ts';
import { KERNEL_ENDPOINTS, KERNEL_INTERFACES, SECURITY_RIID } from '../src/kernel/kernel-api.ts';
import { MAX_PRIORITY } from '../src/kernel/tables.ts';
import { objectSid } from '../src/kernel/types.ts';
import { compileRules } from '../src/monitor/rules.ts';
import {
  Rights,
  type KernelEvent,
  type KernelState,
  type StepResult,
  type ThreadResult,
  type Tid,
} from '../src/kernel/types.ts';
import type { Machine } from '../src/kernel/machine.ts';

const x86: Machine = {
  name: 'edge-x86',
  arch: 'x86_64',
  cpus: 1,
  pageSize: 4096,
  irqLines: 4,
  reservedIrqs: [0],
  portIo: true,
  ports: [{ base: 0x60, count: 16 }],
  mmio: [{ base: 0x1000, size: 0x100 }],
  dma: { base: 0x8000_0000, pages: 4 },
  iommu: true,
  tickNs: 1000,
  memoryPages: 4,
};
const arm: Machine = { ...x86, name: 'edge-arm', arch: 'armv8', portIo: false, ports: [], dma: null };

const SEC = { name: 'e.Sec', methods: [{ name: 'Ask', request: t.type({}), response: t.type({}), error: t.type({}) }] };
type World = { s: KernelState; b: BootResult };
function start(machine: Machine = x86): World {
  const b = boot(
    {
      name: 'edges',
      interfaces: [SEC],
      classes: [
        { name: 'Drv', endpoints: [], security: 'e.Sec' },
        { name: 'Spare', endpoints: [] },
      ],
      processes: [
        { name: 'drv', taskClass: 'Drv' },
        { name: 'other', taskClass: 'Drv' },
      ],
      connections: [],
    },
    (tables) =>
      compileRules(tables, {
        name: 'p',
        rules: [{ kind: 'execute' }, { kind: 'request', dst: 'kl.core.Core' }, { kind: 'security' }],
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
/** Runs thread `tid` on the one CPU: the thread there (if another) sleeps 1 ns, and ticks pass until `tid` is scheduled. */
function running(w: World, tid: Tid): void {
  const tag = (): string => w.s.threads.get(tid)!.state.tag;
  for (let i = 0; i < 12 && tag() !== 'running'; i++) {
    const cur = w.s.cpus[0];
    if (cur !== null && cur !== undefined && cur !== tid) run(w, kcallEvent(cur, 'thread', 'Sleep', { ns: 1 }));
    run(w, { kind: 'schedule', cpu: 0 });
    if (tag() !== 'running') run(w, { kind: 'tick' });
  }
  assert.equal(tag(), 'running', `thread ${tid} could not be run`);
}
const riid = (ep: string) => KERNEL_ENDPOINTS.indexOf(ep as (typeof KERNEL_ENDPOINTS)[number]);
const mid = (ep: string, m: string) => KERNEL_INTERFACES[riid(ep)]!.methods.findIndex((x) => x.name === m);
function kcallEvent(tid: Tid, ep: string, m: string, payload: unknown): KernelEvent {
  return {
    kind: 'syscall',
    tid,
    call: { op: 'Call', handle: 0, message: { riid: riid(ep), mid: mid(ep, m), payload } },
  };
}
function kcall(w: World, tid: Tid, ep: string, m: string, payload: unknown): ThreadResult | undefined {
  running(w, tid);
  return run(w, kcallEvent(tid, ep, m, payload)).results.find((x) => x.tid === tid);
}
const val = (r: ThreadResult | undefined) => {
  assert.equal(r?.rc, 'rcOk', `${r?.rc}: ${r?.detail}`);
  return r!.value as Record<string, number>;
};
const fails = (r: ThreadResult | undefined, rc: string, detail: string) =>
  assert.deepEqual(r, { tid: r?.tid ?? -1, rc, detail });

test("one-thread-per-cpu: thread.Create takes priorities 0..MAX_PRIORITY only; the new thread is ready in the caller's process", () => {
  const w = start();
  const t1 = val(kcall(w, 0, 'thread', 'Create', { priority: MAX_PRIORITY })).tid!;
  assert.equal(t1, w.s.threads.length - 1);
  assert.deepEqual(
    [w.s.threads.get(t1)!.sid, w.s.threads.get(t1)!.priority, w.s.threads.get(t1)!.state.tag],
    [w.b.sids.drv, MAX_PRIORITY, 'ready'],
  );
  fails(
    kcall(w, 0, 'thread', 'Create', { priority: MAX_PRIORITY + 1 }),
    'rcInvalidArgument',
    `priority ${MAX_PRIORITY + 1} exceeds ${MAX_PRIORITY}`,
  );
});

test("board-monotonic-clock: a zero sleep returns at once; a sleep past the clock's range lasts until its end", () => {
  const w = start();
  assert.deepEqual(kcall(w, 0, 'thread', 'Sleep', { ns: 0 }), { tid: 0, rc: 'rcOk' });
  assert.equal(w.s.threads.get(0)!.state.tag, 'running');
  run(w, { kind: 'tick' });
  assert.equal(kcall(w, 0, 'thread', 'Sleep', { ns: Number.MAX_SAFE_INTEGER }), undefined);
  assert.deepEqual(w.s.threads.get(0)!.state, { tag: 'sleep', until: Number.MAX_SAFE_INTEGER });
  const v = start();
  run(v, { kind: 'tick' });
  kcall(v, 0, 'thread', 'Sleep', { ns: 500 });
  assert.deepEqual(v.s.threads.get(0)!.state, { tag: 'sleep', until: 1500 });
});

test("isolation: memory is allocated only within the machine's pages, mapped above the last region, with all rights of its creator", () => {
  const w = start();
  fails(kcall(w, 0, 'vmm', 'Allocate', { pages: 0 }), 'rcOutOfRange', 'cannot allocate 0 pages');
  fails(kcall(w, 0, 'vmm', 'Allocate', { pages: 5 }), 'rcOutOfRange', 'cannot allocate 5 pages');
  const a = val(kcall(w, 0, 'vmm', 'Allocate', { pages: 3 }));
  assert.equal(a.base, 0x10000);
  const b = val(kcall(w, 0, 'vmm', 'Allocate', { pages: 1 }));
  assert.equal(b.base, 0x10000 + 3 * 4096, 'the next region starts where the last one ends');
  fails(kcall(w, 0, 'vmm', 'Allocate', { pages: 1 }), 'rcOutOfRange', 'cannot allocate 1 pages');
  const p = w.s.processes.get(w.b.sids.drv!)!;
  const h = p.handles[a.handle!]!;
  assert.equal(h.rights, Rights.read | Rights.write | Rights.map | Rights.transfer | Rights.duplicate);
  assert.deepEqual(w.s.objects.get(h.object), {
    kind: 'memory',
    sid: objectSid(h.object),
    creator: w.b.sids.drv,
    pages: 3,
  });
  assert.deepEqual(p.regions[0], { base: 0x10000, pages: 3, object: h.object, rights: Rights.read | Rights.write });
  // another process's allocations count against the same pages
  fails(kcall(w, 1, 'vmm', 'Allocate', { pages: 1 }), 'rcOutOfRange', 'cannot allocate 1 pages');
  // closing the handle and unmapping gives the pages back
  val(kcall(w, 0, 'handle', 'Close', { handle: b.handle }));
  fails(kcall(w, 1, 'vmm', 'Allocate', { pages: 1 }), 'rcOutOfRange', 'cannot allocate 1 pages');
  val(kcall(w, 0, 'vmm', 'Unmap', { base: b.base }));
  assert.equal(val(kcall(w, 1, 'vmm', 'Allocate', { pages: 1 })).base, 0x10000);
  fails(kcall(w, 0, 'vmm', 'Unmap', { base: b.base }), 'rcInvalidArgument', `no region starts at ${b.base}`);
  fails(
    kcall(w, 0, 'vmm', 'Unmap', { base: a.base + 4096 }),
    'rcInvalidArgument',
    `no region starts at ${a.base + 4096}`,
  );
  assert.equal(w.s.processes.get(w.b.sids.drv!)!.regions.length, 1);
});

test('unforgeable-handles: a handle is used only by its holder, for its kind of object, within its rights', () => {
  const w = start();
  const a = val(kcall(w, 0, 'vmm', 'Allocate', { pages: 1 }));
  fails(kcall(w, 0, 'vmm', 'Map', { handle: 9 }), 'rcBadHandle', "handle 9 is not in the caller's table");
  fails(
    kcall(w, 1, 'vmm', 'Map', { handle: a.handle }),
    'rcBadHandle',
    `handle ${a.handle} is not in the caller's table`,
  );
  fails(kcall(w, 0, 'dma', 'Map', { handle: a.handle }), 'rcInvalidArgument', `handle ${a.handle} is not a dma handle`);
  // a read-only duplicate: map gives a read-only region, wait works, a map right is needed to map
  const ro = val(kcall(w, 0, 'handle', 'Duplicate', { handle: a.handle, rights: Rights.read | Rights.map })).handle!;
  assert.equal(val(kcall(w, 0, 'vmm', 'Map', { handle: ro })).base, 0x10000 + 4096);
  assert.equal(w.s.processes.get(w.b.sids.drv!)!.regions[1]!.rights, Rights.read);
  const bare = val(kcall(w, 0, 'handle', 'Duplicate', { handle: a.handle, rights: Rights.read })).handle!;
  fails(kcall(w, 0, 'vmm', 'Map', { handle: bare }), 'rcNoRights', `handle ${bare} lacks the rights this needs`);
  const none = val(kcall(w, 0, 'handle', 'Duplicate', { handle: a.handle, rights: 0 })).handle!;
  fails(
    kcall(w, 0, 'sync', 'Wake', { handle: none, offset: 0, count: 1 }),
    'rcNoRights',
    `handle ${none} lacks the rights this needs`,
  );
  fails(
    kcall(w, 0, 'sync', 'Wait', { handle: none, offset: 0 }),
    'rcNoRights',
    `handle ${none} lacks the rights this needs`,
  );
  // duplicating needs the duplicate right and rights within the original's
  fails(
    kcall(w, 0, 'handle', 'Duplicate', { handle: ro, rights: Rights.read }),
    'rcNoRights',
    `handle ${ro} cannot be duplicated with those rights`,
  );
  fails(
    kcall(w, 0, 'handle', 'Duplicate', { handle: a.handle, rights: Rights.read | Rights.call }),
    'rcNoRights',
    `handle ${a.handle} cannot be duplicated with those rights`,
  );
  fails(
    kcall(w, 0, 'handle', 'Duplicate', { handle: 40, rights: 0 }),
    'rcBadHandle',
    "handle 40 is not in the caller's table",
  );
  const full = val(
    kcall(w, 0, 'handle', 'Duplicate', { handle: a.handle, rights: w.s.processes.get(2)!.handles[a.handle!]!.rights }),
  );
  assert.equal(w.s.processes.get(2)!.handles[full.handle!]!.object, w.s.processes.get(2)!.handles[a.handle!]!.object);
  // closing: never the kernel handle, never twice
  fails(kcall(w, 0, 'handle', 'Close', { handle: 0 }), 'rcInvalidArgument', 'the kernel handle cannot be closed');
  val(kcall(w, 0, 'handle', 'Close', { handle: ro }));
  fails(kcall(w, 0, 'handle', 'Close', { handle: ro }), 'rcBadHandle', `handle ${ro} is not in the caller's table`);
  fails(kcall(w, 0, 'vmm', 'Map', { handle: ro }), 'rcBadHandle', `handle ${ro} is not in the caller's table`);
  assert.equal(w.s.processes.get(2)!.handles[ro], null);
});

test('isolation: a futex word lies inside its memory object; a wake wakes at most count waiters, first come first', () => {
  const w = start();
  const a = val(kcall(w, 0, 'vmm', 'Allocate', { pages: 1 }));
  fails(
    kcall(w, 0, 'sync', 'Wait', { handle: a.handle, offset: 4096 }),
    'rcOutOfRange',
    'offset 4096 is outside the memory object',
  );
  const t1 = val(kcall(w, 0, 'thread', 'Create', { priority: 10 })).tid!;
  const t2 = val(kcall(w, 0, 'thread', 'Create', { priority: 10 })).tid!;
  assert.equal(kcall(w, t1, 'sync', 'Wait', { handle: a.handle, offset: 4095 }), undefined);
  assert.equal(kcall(w, t2, 'sync', 'Wait', { handle: a.handle, offset: 4095 }), undefined);
  assert.deepEqual(w.s.threads.get(t1)!.state, {
    tag: 'futex',
    object: w.s.processes.get(2)!.handles[a.handle!]!.object,
    offset: 4095,
  });
  running(w, 0);
  const r = run(w, kcallEvent(0, 'sync', 'Wake', { handle: a.handle, offset: 4095, count: 1 }));
  assert.deepEqual(r.results, [
    { tid: t1, rc: 'rcOk' },
    { tid: 0, rc: 'rcOk', value: { woken: 1 } },
  ]);
  assert.equal(w.s.threads.get(t2)!.state.tag, 'futex');
  assert.equal(val(kcall(w, 0, 'sync', 'Wake', { handle: a.handle, offset: 4095, count: 0 })).woken, 0);
  assert.equal(w.s.threads.get(t2)!.state.tag, 'futex');
  // the waiter left behind is still queued, and the next wake reaches it: no wake-up is lost
  assert.deepEqual(w.s.futexQueue, [t2]);
  assert.equal(val(kcall(w, 0, 'sync', 'Wake', { handle: a.handle, offset: 4095, count: 1 })).woken, 1);
  assert.notEqual(w.s.threads.get(t2)!.state.tag, 'futex');
  assert.deepEqual(w.s.futexQueue, []);
});

test("board-irq-holder: an IRQ line exists, is not the kernel's and has one holder; only its holder waits and acks it", () => {
  const w = start();
  fails(kcall(w, 0, 'irq', 'Attach', { line: 4 }), 'rcOutOfRange', 'IRQ line 4 does not exist on edge-x86');
  fails(kcall(w, 0, 'irq', 'Attach', { line: 0 }), 'rcBusy', 'IRQ line 0 belongs to the kernel');
  const h = val(kcall(w, 0, 'irq', 'Attach', { line: 3 })).handle!;
  fails(kcall(w, 1, 'irq', 'Attach', { line: 3 }), 'rcBusy', 'IRQ line 3 is already attached');
  const e = w.s.processes.get(2)!.handles[h]!;
  assert.equal(e.rights, Rights.read | Rights.write);
  assert.deepEqual(w.s.objects.get(e.object), { kind: 'irq', sid: objectSid(e.object), line: 3, owner: 2 });
  assert.deepEqual(w.s.irqs[3], { object: e.object, pending: false, masked: false });
  fails(kcall(w, 0, 'irq', 'Wait', { handle: 0 }), 'rcInvalidArgument', 'handle 0 is not a irq handle');
  // an interrupt with nobody waiting is kept pending; a wait then takes it at once and masks the line
  run(w, { kind: 'irq', line: 3 });
  assert.deepEqual(w.s.irqs[3], { object: e.object, pending: true, masked: false });
  assert.deepEqual(kcall(w, 0, 'irq', 'Wait', { handle: h }), { tid: 0, rc: 'rcOk', value: { line: 3 } });
  assert.deepEqual(w.s.irqs[3], { object: e.object, pending: false, masked: true });
  // masked: the next interrupt stays pending even with a waiter; the ack unmasks and delivers it
  const t1 = val(kcall(w, 0, 'thread', 'Create', { priority: 10 })).tid!;
  assert.equal(kcall(w, t1, 'irq', 'Wait', { handle: h }), undefined);
  run(w, { kind: 'irq', line: 3 });
  assert.equal(w.s.threads.get(t1)!.state.tag, 'irq');
  assert.deepEqual(w.s.irqs[3], { object: e.object, pending: true, masked: true });
  running(w, 0);
  const ack = run(w, kcallEvent(0, 'irq', 'Ack', { handle: h }));
  assert.deepEqual(ack.results, [
    { tid: t1, rc: 'rcOk', value: { line: 3 } },
    { tid: 0, rc: 'rcOk' },
  ]);
  assert.deepEqual(w.s.irqs[3], { object: e.object, pending: false, masked: true });
  // an ack with nothing pending only unmasks
  val(kcall(w, 0, 'irq', 'Ack', { handle: h }));
  assert.deepEqual(w.s.irqs[3], { object: e.object, pending: false, masked: false });
  // an IRQ handle cannot be duplicated (no duplicate right): nobody else can hold the line through a copy
  fails(
    kcall(w, 0, 'handle', 'Duplicate', { handle: h, rights: Rights.read }),
    'rcNoRights',
    `handle ${h} cannot be duplicated with those rights`,
  );
});

test('board-irq-holder: closing the handle of a line releases it and wakes its waiters; then another process may attach it', () => {
  const w = start();
  const h = val(kcall(w, 0, 'irq', 'Attach', { line: 2 })).handle!;
  fails(kcall(w, 1, 'irq', 'Attach', { line: 2 }), 'rcBusy', 'IRQ line 2 is already attached');
  const t1 = val(kcall(w, 0, 'thread', 'Create', { priority: 10 })).tid!;
  assert.equal(kcall(w, t1, 'irq', 'Wait', { handle: h }), undefined);
  running(w, 0);
  const closed = run(w, kcallEvent(0, 'handle', 'Close', { handle: h }));
  assert.deepEqual(closed.results, [
    { tid: t1, rc: 'rcNotConnected', detail: 'the IRQ line was released' },
    { tid: 0, rc: 'rcOk' },
  ]);
  assert.deepEqual(w.s.irqs[2], { object: null, pending: false, masked: false });
  val(kcall(w, 1, 'irq', 'Attach', { line: 2 }));
  assert.equal(w.s.irqs[2]!.object, w.s.processes.get(3)!.handles.at(-1)!.object);
});

test('board-no-port-io: ports and MMIO are attached only inside what the board offers, once, and registers only inside the range', () => {
  const w = start();
  fails(
    kcall(w, 0, 'io', 'AttachPorts', { base: 0x60, count: 0 }),
    'rcOutOfRange',
    'ports 96..95 is not offered by edge-x86',
  );
  fails(
    kcall(w, 0, 'io', 'AttachPorts', { base: 0x5f, count: 2 }),
    'rcOutOfRange',
    'ports 95..96 is not offered by edge-x86',
  );
  fails(
    kcall(w, 0, 'io', 'AttachPorts', { base: 0x6f, count: 2 }),
    'rcOutOfRange',
    'ports 111..112 is not offered by edge-x86',
  );
  const p = val(kcall(w, 0, 'io', 'AttachPorts', { base: 0x68, count: 8 })).handle!;
  assert.deepEqual(w.s.objects.get(w.s.processes.get(2)!.handles[p]!.object), {
    kind: 'ports',
    sid: objectSid(w.s.processes.get(2)!.handles[p]!.object),
    base: 0x68,
    count: 8,
    owner: 2,
  });
  fails(
    kcall(w, 1, 'io', 'AttachPorts', { base: 0x6f, count: 1 }),
    'rcBusy',
    'ports 111..111 overlaps a range already attached',
  );
  const q = val(kcall(w, 1, 'io', 'AttachPorts', { base: 0x60, count: 8 })).handle!;
  fails(
    kcall(w, 0, 'io', 'PortRead', { handle: p, port: 0x67 }),
    'rcOutOfRange',
    'port 103 is outside the attached range',
  );
  fails(
    kcall(w, 0, 'io', 'PortRead', { handle: p, port: 0x70 }),
    'rcOutOfRange',
    'port 112 is outside the attached range',
  );
  assert.deepEqual(
    val(kcall(w, 0, 'io', 'PortRead', { handle: p, port: 0x6f })),
    { value: 0 },
    'an unwritten port reads 0',
  );
  val(kcall(w, 0, 'io', 'PortWrite', { handle: p, port: 0x68, value: 0xffffffff }));
  assert.equal(val(kcall(w, 0, 'io', 'PortRead', { handle: p, port: 0x68 })).value, 0xffffffff);
  fails(
    kcall(w, 0, 'io', 'PortWrite', { handle: p, port: 0x68, value: 0x1_0000_0000 }),
    'rcInvalidArgument',
    `value ${0x1_0000_0000} is wider than 32 bits`,
  );
  assert.deepEqual(w.s.io, { 'port:104': 0xffffffff });
  fails(
    kcall(w, 1, 'io', 'PortRead', { handle: q, port: 0x68 }),
    'rcOutOfRange',
    'port 104 is outside the attached range',
  );
  fails(
    kcall(w, 0, 'io', 'MmioRead', { handle: p, offset: 0 }),
    'rcInvalidArgument',
    `handle ${p} is not a mmio handle`,
  );
  // closing the handle frees the range for another process
  val(kcall(w, 0, 'handle', 'Close', { handle: p }));
  val(kcall(w, 1, 'io', 'AttachPorts', { base: 0x68, count: 8 }));

  // MMIO: an offset into the attached range
  fails(
    kcall(w, 0, 'io', 'AttachMmio', { base: 0x1000, size: 0x101 }),
    'rcOutOfRange',
    'MMIO 4096+257 is not offered by edge-x86',
  );
  fails(
    kcall(w, 0, 'io', 'AttachMmio', { base: 0x1000, size: 0 }),
    'rcOutOfRange',
    'MMIO 4096+0 is not offered by edge-x86',
  );
  const m = val(kcall(w, 0, 'io', 'AttachMmio', { base: 0x1080, size: 0x80 })).handle!;
  assert.deepEqual(w.s.objects.get(w.s.processes.get(2)!.handles[m]!.object), {
    kind: 'mmio',
    sid: objectSid(w.s.processes.get(2)!.handles[m]!.object),
    base: 0x1080,
    size: 0x80,
    owner: 2,
  });
  fails(
    kcall(w, 1, 'io', 'AttachMmio', { base: 0x1000, size: 0x81 }),
    'rcBusy',
    'MMIO 4096+129 overlaps a range already attached',
  );
  val(kcall(w, 1, 'io', 'AttachMmio', { base: 0x1000, size: 0x80 }));
  val(kcall(w, 0, 'io', 'MmioWrite', { handle: m, offset: 0x7f, value: 9 }));
  assert.equal((w.s.io as Record<string, number>)['mmio:4351'], 9);
  assert.equal(val(kcall(w, 0, 'io', 'MmioRead', { handle: m, offset: 0x7f })).value, 9);
  fails(
    kcall(w, 0, 'io', 'MmioRead', { handle: m, offset: 0x80 }),
    'rcOutOfRange',
    'offset 128 is outside the attached range',
  );
  fails(
    kcall(w, 0, 'io', 'MmioWrite', { handle: m, offset: 0, value: 2 ** 32 }),
    'rcInvalidArgument',
    `value ${2 ** 32} is wider than 32 bits`,
  );

  const a = start(arm);
  fails(
    kcall(a, 0, 'io', 'AttachPorts', { base: 0x60, count: 1 }),
    'rcUnsupported',
    'port I/O exists only on the x86 family; edge-arm is armv8',
  );
});

test('board-dma-granted: DMA buffers are allocated first fit inside the window, never overlapping a live one', () => {
  const w = start();
  fails(kcall(w, 0, 'dma', 'Allocate', { pages: 0 }), 'rcOutOfRange', 'cannot allocate 0 DMA pages');
  fails(kcall(w, 0, 'dma', 'Allocate', { pages: 5 }), 'rcOutOfRange', 'cannot allocate 5 DMA pages');
  const base = 0x8000_0000;
  const a = val(kcall(w, 0, 'dma', 'Allocate', { pages: 1 }));
  const b = val(kcall(w, 0, 'dma', 'Allocate', { pages: 2 }));
  assert.deepEqual([a.deviceAddress, b.deviceAddress], [base, base + 4096]);
  const ea = w.s.processes.get(2)!.handles[a.handle!]!;
  assert.equal(ea.rights, Rights.read | Rights.write | Rights.map | Rights.transfer);
  assert.deepEqual(w.s.objects.get(ea.object), {
    kind: 'dma',
    sid: objectSid(ea.object),
    creator: 2,
    pages: 1,
    deviceAddress: base,
    status: 'idle',
  });
  fails(kcall(w, 0, 'dma', 'Allocate', { pages: 2 }), 'rcOutOfRange', 'cannot allocate 2 DMA pages');
  // the last page fits exactly
  const c = val(kcall(w, 0, 'dma', 'Allocate', { pages: 1 }));
  assert.equal(c.deviceAddress, base + 3 * 4096);
  // freeing the first buffer leaves a one-page gap at the start: one page fits there, two do not
  val(kcall(w, 0, 'handle', 'Close', { handle: a.handle }));
  fails(kcall(w, 0, 'dma', 'Allocate', { pages: 2 }), 'rcOutOfRange', 'cannot allocate 2 DMA pages');
  assert.equal(val(kcall(w, 0, 'dma', 'Allocate', { pages: 1 })).deviceAddress, base);
  // a buffer in flight keeps its pages even when its handle is closed
  val(kcall(w, 0, 'dma', 'Start', { handle: b.handle }));
  assert.equal(
    (w.s.objects.get(w.s.processes.get(2)!.handles[b.handle!]!.object) as { status: string }).status,
    'busy',
  );
  val(kcall(w, 0, 'handle', 'Close', { handle: b.handle }));
  fails(kcall(w, 0, 'dma', 'Allocate', { pages: 1 }), 'rcOutOfRange', 'cannot allocate 1 DMA pages');
  // mapping and starting need the map / write rights
  // a DMA handle has no duplicate right
  fails(
    kcall(w, 0, 'handle', 'Duplicate', { handle: c.handle, rights: Rights.read }),
    'rcNoRights',
    `handle ${c.handle} cannot be duplicated with those rights`,
  );
  assert.equal(val(kcall(w, 0, 'dma', 'Map', { handle: c.handle })).base, 0x10000);
  assert.deepEqual(w.s.processes.get(2)!.regions[0]!.rights, Rights.read | Rights.write);
  fails(kcall(w, 0, 'dma', 'Start', { handle: 0 }), 'rcInvalidArgument', 'handle 0 is not a dma handle');
  fails(kcall(w, 0, 'dma', 'Allocate', { pages: 1 }), 'rcOutOfRange', 'cannot allocate 1 DMA pages');
  fails(kcall(start(arm), 0, 'dma', 'Allocate', { pages: 1 }), 'rcUnsupported', 'edge-arm has no DMA');
});

test('board-monotonic-clock: at the end of its range (2^53 ns) a tick stops both clocks there, never past or losing precision', () => {
  const w = start();
  const end = Number.MAX_SAFE_INTEGER;
  run(w, { kind: 'rtc', realtime: end - 10 });
  run(w, { kind: 'tick' });
  assert.deepEqual(w.s.clock, { monotonic: 1000, realtime: end }, 'the real-time clock stops at its end');
  // a kernel whose monotonic clock is one tick short of the end
  w.s = { ...w.s, clock: { monotonic: end - 10, realtime: 0 } };
  run(w, { kind: 'tick' });
  assert.deepEqual(w.s.clock, { monotonic: end, realtime: 1000 });
  run(w, { kind: 'tick' });
  assert.equal(w.s.clock.monotonic, end, 'the monotonic clock stays at its end');
  assert.ok(Number.isSafeInteger(w.s.clock.monotonic) && Number.isSafeInteger(w.s.clock.realtime));
});

test('board-monotonic-clock: time.Read reads either clock; time.SetRealtime moves only the real-time one', () => {
  const w = start();
  run(w, { kind: 'tick' });
  val(kcall(w, 0, 'time', 'SetRealtime', { value: 77 }));
  assert.deepEqual(w.s.clock, { monotonic: 1000, realtime: 77 });
  assert.deepEqual(val(kcall(w, 0, 'time', 'Read', { clock: 'monotonic' })), { value: 1000 });
  assert.deepEqual(val(kcall(w, 0, 'time', 'Read', { clock: 'realtime' })), { value: 77 });
});

test('complete-mediation: a Call on the kernel handle is one service event, decided first; security calls and unknown methods', () => {
  const w = start();
  running(w, 0);
  // a kernel call carrying handles is refused before the monitor is asked
  const withHandles = run(w, {
    kind: 'syscall',
    tid: 0,
    call: {
      op: 'Call',
      handle: 0,
      message: { riid: riid('time'), mid: 0, payload: { clock: 'monotonic' }, handles: [] },
    },
  });
  assert.equal(withHandles.results[0]?.rc, 'rcOk', 'an empty transfer list is no transfer');
  const r = run(w, {
    kind: 'syscall',
    tid: 0,
    call: {
      op: 'Call',
      handle: 0,
      message: { riid: riid('time'), mid: 0, payload: { clock: 'monotonic' }, handles: [{ handle: 0, rights: 1 }] },
    },
  });
  assert.deepEqual(r.results, [
    { tid: 0, rc: 'rcInvalidArgument', detail: 'kernel services take handle numbers as arguments, not transfers' },
  ]);
  assert.deepEqual(r.decisions, []);
  // a method the kernel interface does not declare is denied by the monitor (typed-interfaces)
  const u = run(w, kcallEvent(0, 'time', 'Read', {}));
  assert.equal(u.results[0]?.rc, 'rcSecurityDisallow');
  assert.equal(u.results[0]?.detail, 'request denied');
  // the caller's own security interface: a security event, granted, no service runs
  const s = run(w, {
    kind: 'syscall',
    tid: 0,
    call: { op: 'Call', handle: 0, message: { riid: SECURITY_RIID, mid: 0, payload: {} } },
  });
  assert.deepEqual(s.results, [{ tid: 0, rc: 'rcOk' }]);
  assert.deepEqual(
    s.decisions.map((d) => [d.event.kind, d.decision.verdict]),
    [['security', 'grant']],
  );
  // the monitor is shown the caller's own security interface and method, and no endpoint
  const tb = w.s.config.tables;
  const sec = s.decisions[0]!.event;
  assert.deepEqual(
    [sec.endpoint, sec.iface, sec.method, sec.srcClass, sec.dstClass],
    [
      -1,
      tb.interfaces.findIndex((i) => i.name === 'e.Sec'),
      tb.methodNames.indexOf('Ask'),
      tb.classByName.get('Drv'),
      0,
    ],
  );
  assert.deepEqual(
    s.effects.map((e) => e.kind),
    ['security'],
  );
  // a method the security interface does not declare: no method and no interface (typed-interfaces), denied
  const undeclared = run(w, {
    kind: 'syscall',
    tid: 0,
    call: { op: 'Call', handle: 0, message: { riid: SECURITY_RIID, mid: 7, payload: {} } },
  });
  assert.deepEqual(
    undeclared.decisions.map((d) => [d.event.kind, d.event.iface, d.event.method, d.event.mid]),
    [['security', -1, -1, 7]],
  );
  // task.Execute: the service effect comes before the execute effect it caused
  const x = run(w, kcallEvent(0, 'task', 'Execute', { taskClass: 'Spare', name: 'spare' }));
  assert.deepEqual(
    x.effects.map((e) => e.kind),
    ['service', 'execute'],
  );
  assert.deepEqual(
    x.decisions.map((d) => d.event.kind),
    ['request', 'execute'],
  );
  const sid = val(x.results[0]).sid!;
  assert.deepEqual(
    [
      w.s.processes.get(sid)!.name,
      w.s.processes.get(sid)!.taskClass,
      w.s.threads.get(w.s.threads.length - 1)!.priority,
    ],
    ['spare', w.s.config.tables.classByName.get('Spare'), w.s.threads.get(0)!.priority],
  );
  fails(
    run(w, kcallEvent(0, 'task', 'Execute', { taskClass: 'Spare', name: '' })).results[0],
    'rcInvalidArgument',
    'process name "" is empty or taken',
  );
  fails(
    run(w, kcallEvent(0, 'task', 'Execute', { taskClass: 'Einit', name: 'e2' })).results[0],
    'rcInvalidArgument',
    'unknown task class "Einit"',
  );
  fails(
    run(w, kcallEvent(0, 'task', 'Execute', { taskClass: 'kl.core.Core', name: 'k2' })).results[0],
    'rcInvalidArgument',
    'unknown task class "kl.core.Core"',
  );
  // channel.Create: a client end (call, transfer, duplicate) and a server end (recv) of one new channel
  const ch = val(run(w, kcallEvent(0, 'channel', 'Create', {})).results[0]);
  const hs = w.s.processes.get(2)!.handles;
  assert.equal(hs[ch.client!]!.object, hs[ch.server!]!.object);
  assert.equal(hs[ch.client!]!.rights, Rights.call | Rights.transfer | Rights.duplicate);
  assert.equal(hs[ch.server!]!.rights, Rights.recv);
  assert.deepEqual(w.s.objects.get(hs[ch.client!]!.object), {
    kind: 'channel',
    sid: objectSid(hs[ch.client!]!.object),
    server: 2,
    queue: [],
    receivers: [],
  });
  const svc = run(w, kcallEvent(0, 'channel', 'Create', {})).effects[0]!;
  assert.equal(svc.kind, 'service');
  assert.equal(svc.kind === 'service' && svc.created.length, 1, 'the service effect names the objects it created');
});

test('complete-mediation: a security call names no endpoint, even from a class with more endpoints than the kernel', () => {
  const many = Array.from({ length: KERNEL_ENDPOINTS.length + 2 }, (_, i) => ({ name: `ep${i}`, interface: 'e.Sec' }));
  const b = boot(
    {
      name: 'wide',
      interfaces: [SEC],
      classes: [{ name: 'Wide', endpoints: many, security: 'e.Sec' }],
      processes: [{ name: 'wide', taskClass: 'Wide' }],
      connections: [],
    },
    (tables) => compileRules(tables, { name: 'p', rules: [{ kind: 'execute' }, { kind: 'security' }] }),
    x86,
  );
  if (!b.ok) throw new Error(b.errors.join('\n'));
  const w: World = { s: b.value.state, b: b.value };
  running(w, 0);
  const s = run(w, {
    kind: 'syscall',
    tid: 0,
    call: { op: 'Call', handle: 0, message: { riid: SECURITY_RIID, mid: 0, payload: {} } },
  });
  assert.deepEqual(s.results, [{ tid: 0, rc: 'rcOk' }]);
  const tb = w.s.config.tables;
  assert.deepEqual(
    s.decisions.map((d) => [d.event.kind, d.event.endpoint, d.event.method, d.decision.verdict]),
    [['security', -1, tb.methodNames.indexOf('Ask'), 'grant']],
  );
});

test('one-thread-per-cpu: the sleepers index is exactly the sleeping threads in TID order, and a tick wakes them in that order', () => {
  const w = start();
  const sleeping = (): Tid[] => [...w.s.threads].filter((th) => th.state.tag === 'sleep').map((th) => th.tid);
  const t2 = val(kcall(w, 0, 'thread', 'Create', { priority: MAX_PRIORITY })).tid!;
  // the higher TID goes to sleep first, the lower one in the same clock tick, both until the same time
  running(w, t2);
  const now = w.s.clock.monotonic;
  run(w, kcallEvent(t2, 'thread', 'Sleep', { ns: 10_000 }));
  running(w, 1);
  assert.equal(w.s.clock.monotonic, now, 'no tick between the two sleeps');
  run(w, kcallEvent(1, 'thread', 'Sleep', { ns: 10_000 }));
  assert.deepEqual(w.s.sleepers, sleeping());
  assert.ok(w.s.sleepers.indexOf(1) < w.s.sleepers.indexOf(t2), `sleepers [${w.s.sleepers.join(', ')}]`);
  let woken: Tid[] = [];
  for (let i = 0; i < 20 && woken.length === 0; i++) {
    woken = run(w, { kind: 'tick' })
      .results.filter((r) => r.rc === 'rcOk' && (r.tid === 1 || r.tid === t2))
      .map((r) => r.tid);
    assert.deepEqual(w.s.sleepers, sleeping());
  }
  assert.deepEqual(woken, [1, t2], 'one tick wakes both, in TID order');
  assert.ok(!w.s.sleepers.includes(1) && !w.s.sleepers.includes(t2));
});

test('board-irq-holder: closing the handle of one line wakes only the waiters of that line; a waiter on another line keeps waiting', () => {
  const w = start();
  const h2 = val(kcall(w, 0, 'irq', 'Attach', { line: 2 })).handle!;
  const h3 = val(kcall(w, 0, 'irq', 'Attach', { line: 3 })).handle!;
  const t1 = val(kcall(w, 0, 'thread', 'Create', { priority: 10 })).tid!;
  assert.equal(kcall(w, t1, 'irq', 'Wait', { handle: h2 }), undefined);
  running(w, 0);
  const closed = run(w, kcallEvent(0, 'handle', 'Close', { handle: h3 }));
  assert.deepEqual(closed.results, [{ tid: 0, rc: 'rcOk' }]);
  assert.deepEqual(w.s.threads.get(t1)!.state, { tag: 'irq', line: 2 });
  assert.equal(w.s.irqs[3]!.object, null);
  assert.equal(w.s.irqs[2]!.object, w.s.processes.get(2)!.handles[h2]!.object, 'line 2 stays attached');
  // an interrupt on line 2 still reaches its waiter
  const irq = run(w, { kind: 'irq', line: 2 });
  assert.deepEqual(irq.results, [{ tid: t1, rc: 'rcOk', value: { line: 2 } }]);
});

test("board-irq-holder: a process's exit releases its own IRQ lines, never another holder's", () => {
  const w = start();
  const mine = val(kcall(w, 0, 'irq', 'Attach', { line: 2 })).handle!;
  val(kcall(w, 1, 'irq', 'Attach', { line: 3 }));
  const object = w.s.processes.get(2)!.handles[mine]!.object;
  assert.equal(kcall(w, 1, 'task', 'Exit', { code: 0 }), undefined);
  assert.equal(w.s.processes.get(3)!.status, 'exited');
  assert.deepEqual(w.s.irqs[3], { object: null, pending: false, masked: false });
  assert.deepEqual(w.s.irqs[2], { object, pending: false, masked: false });
  fails(kcall(w, 0, 'irq', 'Attach', { line: 2 }), 'rcBusy', 'IRQ line 2 is already attached');
  val(kcall(w, 0, 'irq', 'Attach', { line: 3 }));
});

test("complete-mediation: task.Execute shows the monitor exactly one execute event: the caller's SID and class, the new SID and class, and no endpoint, method, interface or message", () => {
  const w = start();
  const t1 = val(kcall(w, 0, 'thread', 'Create', { priority: MAX_PRIORITY - 1 })).tid!;
  running(w, t1);
  const x = run(w, kcallEvent(t1, 'task', 'Execute', { taskClass: 'Spare', name: 'spare' }));
  const sid = val(x.results.find((r) => r.tid === t1)).sid!;
  const tb = w.s.config.tables;
  const execute = {
    kind: 'execute',
    src: w.b.sids.drv,
    srcClass: tb.classByName.get('Drv'),
    dst: sid,
    dstClass: tb.classByName.get('Spare'),
    endpoint: -1,
    method: -1,
    iface: -1,
    riid: -1,
    mid: -1,
    message: null,
    transfers: [],
  };
  assert.deepEqual(x.decisions[1]!.event, execute);
  assert.deepEqual(x.effects[1]!.event, execute, 'the execute effect carries the event that was mediated');
  assert.equal(x.decisions.length, 2);
  // the new process's one thread runs at the priority of the thread that started it
  const started = [...w.s.threads].filter((th) => th.sid === sid);
  assert.deepEqual(
    started.map((th) => [th.priority, th.state.tag]),
    [[MAX_PRIORITY - 1, 'ready']],
  );
});

test('board-no-port-io: port and MMIO ranges are separate address spaces: ports attached at some numbers do not block MMIO at the same numbers', () => {
  const w = start({ ...x86, ports: [{ base: 0x1000, count: 16 }], mmio: [{ base: 0x1000, size: 0x100 }] });
  const p = val(kcall(w, 0, 'io', 'AttachPorts', { base: 0x1000, count: 16 })).handle!;
  const m = val(kcall(w, 1, 'io', 'AttachMmio', { base: 0x1000, size: 0x10 })).handle!;
  assert.equal(w.s.objects.get(w.s.processes.get(2)!.handles[p]!.object)!.kind, 'ports');
  assert.equal(w.s.objects.get(w.s.processes.get(3)!.handles[m]!.object)!.kind, 'mmio');
  // and still one holder per range of each kind
  fails(
    kcall(w, 1, 'io', 'AttachPorts', { base: 0x1008, count: 1 }),
    'rcBusy',
    'ports 4104..4104 overlaps a range already attached',
  );
  fails(
    kcall(w, 0, 'io', 'AttachMmio', { base: 0x1008, size: 1 }),
    'rcBusy',
    'MMIO 4104+1 overlaps a range already attached',
  );
});

test('unforgeable-handles: a new handle goes into the first free slot of the table (Kernel.tla FreeSlot), so a closed number names the next object installed', () => {
  const w = start();
  const a = val(kcall(w, 0, 'vmm', 'Allocate', { pages: 1 })).handle!;
  const b = val(kcall(w, 0, 'vmm', 'Allocate', { pages: 1 })).handle!;
  const c = val(kcall(w, 0, 'channel', 'Create', {}));
  assert.deepEqual([a, b, c.client, c.server], [1, 2, 3, 4]);
  val(kcall(w, 0, 'handle', 'Close', { handle: c.client }));
  val(kcall(w, 0, 'handle', 'Close', { handle: a }));
  const hs = () => w.s.processes.get(2)!.handles;
  assert.deepEqual(
    hs().map((h) => h === null),
    [false, true, false, true, false],
  );
  const d = val(kcall(w, 0, 'handle', 'Duplicate', { handle: b, rights: Rights.read })).handle!;
  assert.equal(d, 1, 'the lowest free slot first');
  assert.equal(hs()[1]!.object, hs()[2]!.object);
  const e = val(kcall(w, 0, 'irq', 'Attach', { line: 1 })).handle!;
  assert.equal(e, 3, 'then the next free one');
  assert.equal(val(kcall(w, 0, 'irq', 'Attach', { line: 2 })).handle, 5, 'and only then a new slot at the end');
  assert.equal(hs().length, 6);
});

test('one-thread-per-cpu: when a process exits, its ready threads leave the run queue and every other ready thread stays in it, once', () => {
  const w = start();
  val(kcall(w, 1, 'thread', 'Create', { priority: 1 }));
  const t1 = val(kcall(w, 0, 'thread', 'Create', { priority: 1 })).tid!;
  const t2 = val(kcall(w, 0, 'thread', 'Create', { priority: 1 })).tid!;
  const ready = () =>
    [...w.s.threads]
      .filter((th) => th.state.tag === 'ready')
      .map((th) => th.tid)
      .sort((x, y) => x - y);
  const queued = () => [...w.s.runQueue.order()].sort((x, y) => x - y);
  const drv = w.b.sids.drv!;
  assert.deepEqual(queued(), ready());
  // a ready thread of the other process is ahead of the driver's ready threads in the queue
  const order = w.s.runQueue.order();
  const others = order.filter((tid) => w.s.threads.get(tid)!.sid !== drv);
  assert.ok(order.includes(t1) && order.includes(t2), `run queue ${order.join(', ')}`);
  assert.ok(others.length > 0 && order.indexOf(others[0]!) < order.indexOf(t1), `run queue ${order.join(', ')}`);
  assert.equal(kcall(w, 0, 'task', 'Exit', { code: 0 }), undefined);
  assert.deepEqual(
    [t1, t2].map((t) => w.s.threads.get(t)!.state.tag),
    ['exited', 'exited'],
  );
  assert.deepEqual(queued(), ready());
  assert.ok(w.s.runQueue.includes(others[0]!), 'the other process keeps its place in the queue');
});

test('board-monotonic-clock: a sleeper wakes on the tick that reaches its deadline exactly, not one tick later', () => {
  const w = start();
  run(w, { kind: 'tick' });
  assert.equal(kcall(w, 0, 'thread', 'Sleep', { ns: 1000 }), undefined);
  const s = w.s.threads.get(0)!.state;
  assert.deepEqual(s, { tag: 'sleep', until: w.s.clock.monotonic + 1000 });
  const r = run(w, { kind: 'tick' });
  assert.equal(w.s.clock.monotonic, s.tag === 'sleep' ? s.until : -1, 'the tick reached the deadline exactly');
  assert.deepEqual(
    r.results.filter((x) => x.tid === 0),
    [{ tid: 0, rc: 'rcOk' }],
  );
  assert.equal(w.s.threads.get(0)!.state.tag, 'ready');
  assert.equal(w.s.sleepers.includes(0), false);
});

test('board-irq-holder: an interrupt on a line nobody holds is dropped: it is not kept for a later holder', () => {
  const w = start();
  const r = run(w, { kind: 'irq', line: 2 });
  assert.deepEqual(r.results, []);
  assert.deepEqual(w.s.irqs[2], { object: null, pending: false, masked: false });
  const h = val(kcall(w, 0, 'irq', 'Attach', { line: 2 })).handle!;
  assert.equal(
    kcall(w, 0, 'irq', 'Wait', { handle: h }),
    undefined,
    'the new holder waits: no earlier interrupt is pending',
  );
  assert.deepEqual(w.s.threads.get(0)!.state, { tag: 'irq', line: 2 });
});

test('board-dma-granted: a DMA completion finishes only the busy buffer at its device address', () => {
  const w = start();
  const a = val(kcall(w, 0, 'dma', 'Allocate', { pages: 1 }));
  const b = val(kcall(w, 0, 'dma', 'Allocate', { pages: 1 }));
  const c = val(kcall(w, 0, 'dma', 'Allocate', { pages: 1 }));
  val(kcall(w, 0, 'dma', 'Start', { handle: a.handle }));
  val(kcall(w, 0, 'dma', 'Start', { handle: c.handle }));
  const status = () =>
    [a, b, c].map(
      (x) => (w.s.objects.get(w.s.processes.get(2)!.handles[x.handle!]!.object) as { status: string }).status,
    );
  assert.deepEqual(status(), ['busy', 'idle', 'busy']);
  run(w, { kind: 'dma', deviceAddress: b.deviceAddress! });
  assert.deepEqual(status(), ['busy', 'idle', 'busy'], 'a completion at an idle buffer changes nothing');
  run(w, { kind: 'dma', deviceAddress: c.deviceAddress! });
  assert.deepEqual(status(), ['busy', 'idle', 'done'], 'only the buffer at that address is done');
  run(w, { kind: 'dma', deviceAddress: c.deviceAddress! + 1 });
  assert.deepEqual(status(), ['busy', 'idle', 'done'], 'an address inside a buffer is not its device address');
});

test('static-configuration: task.Execute starts any declared class, the first one too, and never the kernel or Einit', () => {
  const w = start();
  assert.equal(w.s.config.tables.classByName.get('Drv'), 2, 'Drv is the first declared class');
  const sid = val(kcall(w, 0, 'task', 'Execute', { taskClass: 'Drv', name: 'drv2' })).sid!;
  assert.deepEqual([w.s.processes.get(sid)!.name, w.s.processes.get(sid)!.taskClass], ['drv2', 2]);
});

test('board-no-port-io: MMIO is attached inside any one range the board offers, the second one too', () => {
  const w = start({
    ...x86,
    mmio: [
      { base: 0x1000, size: 0x100 },
      { base: 0x4000, size: 0x40 },
    ],
  });
  val(kcall(w, 0, 'io', 'AttachMmio', { base: 0x4000, size: 0x40 }));
  val(kcall(w, 0, 'io', 'AttachMmio', { base: 0x1000, size: 0x10 }));
  fails(
    kcall(w, 0, 'io', 'AttachMmio', { base: 0x10f0, size: 0x20 }),
    'rcOutOfRange',
    'MMIO 4336+32 is not offered by edge-x86',
  );
});

test('isolation: a futex wake wakes only waiters on the same memory object, not those at the same offset of another', () => {
  const w = start();
  const a = val(kcall(w, 0, 'vmm', 'Allocate', { pages: 1 })).handle!;
  const b = val(kcall(w, 0, 'vmm', 'Allocate', { pages: 1 })).handle!;
  const t1 = val(kcall(w, 0, 'thread', 'Create', { priority: 10 })).tid!;
  assert.equal(kcall(w, t1, 'sync', 'Wait', { handle: a, offset: 0 }), undefined);
  assert.deepEqual(val(kcall(w, 0, 'sync', 'Wake', { handle: b, offset: 0, count: 5 })), { woken: 0 });
  assert.equal(w.s.threads.get(t1)!.state.tag, 'futex');
  assert.deepEqual(val(kcall(w, 0, 'sync', 'Wake', { handle: a, offset: 0, count: 5 })), { woken: 1 });
});

test('board-irq-holder: an interrupt reaches only a waiter on its own line, even within the holder of both lines', () => {
  const w = start();
  const h2 = val(kcall(w, 0, 'irq', 'Attach', { line: 2 })).handle!;
  val(kcall(w, 0, 'irq', 'Attach', { line: 3 }));
  const t1 = val(kcall(w, 0, 'thread', 'Create', { priority: 10 })).tid!;
  assert.equal(kcall(w, t1, 'irq', 'Wait', { handle: h2 }), undefined);
  const r = run(w, { kind: 'irq', line: 3 });
  assert.deepEqual(r.results, []);
  assert.deepEqual(w.s.threads.get(t1)!.state, { tag: 'irq', line: 2 });
  assert.equal(w.s.irqs[3]!.pending, true, 'the interrupt on line 3 waits for a waiter of line 3');
});

test('complete-mediation: a denied task.Execute says so and starts nothing', () => {
  const b = boot(
    {
      name: 'deny',
      interfaces: [],
      classes: [{ name: 'Drv', endpoints: [] }],
      processes: [{ name: 'drv', taskClass: 'Drv' }],
      connections: [],
    },
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
  if (!b.ok) throw new Error(b.errors.join('\n'));
  const w: World = { s: b.value.state, b: b.value };
  fails(kcall(w, 0, 'task', 'Execute', { taskClass: 'Drv', name: 'x' }), 'rcSecurityDisallow', 'execute denied');
  assert.equal(w.s.processes.length, 3);
});
