// Security requirements the kernel must keep on paths the property suites do
// not reach on their own, each test naming the requirement it protects (the
// security mutants of src/evidence/mutants.ts that it kills are named too):
// three-syscalls, static-configuration, complete-mediation at boot,
// isolation through the futex services; and, for the scheduler and the
// hardware events (sched.ts, whose Stryker survivors they kill), priority
// scheduling, sleeps on the monotonic clock and DMA completions only of a
// transfer in flight. Through boot() and step() only.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { boot, type BootResult } from '../src/kernel/boot.ts';
import { step } from '../src/kernel/step.ts';
import { KERNEL_ENDPOINTS, KERNEL_INTERFACES } from '../src/kernel/kernel-api.ts';
import { compileRules, type AllowRule } from '../src/monitor/rules.ts';
import type { KernelEvent, KernelState, StepResult, Tid } from '../src/kernel/types.ts';
import type { Machine } from '../src/kernel/machine.ts';
import type { SolutionDecl } from '../src/kernel/tables.ts';

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
  memoryPages: 8,
};

const solution: SolutionDecl = {
  name: 'apps',
  interfaces: [],
  classes: [
    { name: 'App', endpoints: [] },
    { name: 'Other', endpoints: [] },
  ],
  processes: [
    { name: 'a', taskClass: 'App' },
    { name: 'b', taskClass: 'App' },
    { name: 'c', taskClass: 'Other' },
  ],
  connections: [],
};
const RULES: readonly AllowRule[] = [{ kind: 'execute' }, { kind: 'request', dst: 'kl.core.Core' }];

type World = { s: KernelState; b: BootResult };
function start(decl: SolutionDecl = solution, rules: readonly AllowRule[] = RULES): World {
  const b = boot(decl, (tables) => compileRules(tables, { name: 'p', rules }), machine);
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
const valueOf = (r: StepResult, tid: Tid) => r.results.find((x) => x.tid === tid)?.value as Record<string, number>;

test('three-syscalls: only Call, Recv and Reply enter the kernel; any other system call is rejected and changes nothing (kills unknown-syscall-is-reply)', () => {
  const w = start();
  running(w, 0);
  const before = w.s;
  for (const op of ['Send', 'Signal', 'reply', 'call', 'RECV', '', 'Reply ', 'ReplyWait', 'Call\u0000']) {
    const r = step(before, {
      kind: 'syscall',
      tid: 0,
      call: { op, handle: 0, message: { riid: 0, mid: 0, payload: {} } },
    } as unknown as KernelEvent);
    assert.equal(r.state, before, `the system call ${JSON.stringify(op)} changed the state`);
    assert.match(
      r.rejected ?? '',
      /only Call, Recv and Reply exist/,
      `the system call ${JSON.stringify(op)} was not rejected`,
    );
    assert.deepEqual([r.results, r.decisions, r.effects], [[], [], []]);
  }
});

test('static-configuration: boot refuses a connection naming a process the solution does not declare, client or server (kills dangling-connection-boots)', () => {
  const policy = (tables: Parameters<typeof compileRules>[0]) => compileRules(tables, { name: 'p', rules: RULES });
  for (const [client, server] of [
    ['ghost', 'a'],
    ['a', 'ghost'],
  ] as const) {
    const b = boot({ ...solution, connections: [{ client, server, id: 'x' }] }, policy, machine);
    assert.equal(b.ok, false, `a connection ${client} -> ${server} booted`);
    assert.match(
      b.ok ? '' : b.errors.join('\n'),
      new RegExp(`connection "x" \\(${client} -> ${server}\\): dangling: no process "ghost"`),
    );
  }
  // and the channels at boot are exactly the solution's connections
  const w = start({
    ...solution,
    classes: [...solution.classes, { name: 'Srv', endpoints: [{ name: 'e', interface: 'kl.core.Time' }] }],
    processes: [...solution.processes, { name: 's', taskClass: 'Srv' }],
    connections: [{ client: 'a', server: 's', id: 'k' }],
  });
  assert.equal(w.s.objects.filter((o) => o.kind === 'channel').length, 1);
  assert.deepEqual(
    w.b.connections.map((c) => [c.id, c.client, c.server]),
    [['k', w.b.sids.a, w.b.sids.s]],
  );
});

test('complete-mediation: every process Einit starts at boot has exactly one granted execute decision; a denied one does not start (kills einit-execute-unmediated)', () => {
  const w = start(solution, [{ kind: 'execute', dst: 'App' }]);
  const executes = w.b.decisions.filter((d) => d.event.kind === 'execute');
  assert.deepEqual(
    executes.map((d) => [d.event.src, d.event.dstClass, d.decision.verdict]),
    [
      [1, w.s.config.tables.classByName.get('App'), 'grant'],
      [1, w.s.config.tables.classByName.get('App'), 'grant'],
      [1, w.s.config.tables.classByName.get('Other'), 'deny'],
    ],
  );
  assert.deepEqual(Object.keys(w.b.sids), ['a', 'b']);
  assert.deepEqual(w.b.denied, ['c']);
  for (const [name, sid] of Object.entries(w.b.sids)) {
    const granted = executes.filter((d) => d.event.dst === sid && d.decision.verdict === 'grant');
    assert.equal(granted.length, 1, `process ${name} started with ${granted.length} granted executes`);
    assert.ok(
      w.b.effects.some((e) => e.kind === 'execute' && e.event === granted[0]!.event),
      `the start of ${name} is not the effect of its granted execute`,
    );
  }
  assert.equal(
    w.s.processes.filter((p) => p.status === 'alive').length,
    2 + 2,
    'the kernel, Einit and the two granted processes are alive, nothing else',
  );
});

test("isolation: sync.Wake on one process's memory never wakes a waiter on another process's memory (kills futex-wake-any-object)", () => {
  const w = start();
  const [ta, tb] = [0, 1];
  const ma = valueOf(kcall(w, ta, 'vmm', 'Allocate', { pages: 1 }), ta).handle!;
  const mb = valueOf(kcall(w, tb, 'vmm', 'Allocate', { pages: 1 }), tb).handle!;
  const a2 = valueOf(kcall(w, ta, 'thread', 'Create', { priority: 10 }), ta).tid!;
  kcall(w, ta, 'sync', 'Wait', { handle: ma, offset: 0 });
  assert.equal(w.s.threads.get(ta)!.state.tag, 'futex');
  const other = kcall(w, tb, 'sync', 'Wake', { handle: mb, offset: 0, count: 10 });
  assert.equal(valueOf(other, tb).woken, 0, "b's wake reached a waiter on a's memory");
  assert.equal(w.s.threads.get(ta)!.state.tag, 'futex');
  assert.deepEqual(
    other.results.map((r) => r.tid),
    [tb],
  );
  // a's own wake, by its second thread, does wake it
  assert.equal(valueOf(kcall(w, a2, 'sync', 'Wake', { handle: ma, offset: 0, count: 10 }), a2).woken, 1);
  assert.equal(w.s.threads.get(ta)!.state.tag, 'ready');
});

// ------------------------------------------------------------ the scheduler and the hardware events (sched.ts)

const withDma: Machine = { ...machine, dma: { base: 0x100000, pages: 4 } };
function startOn(m: Machine, decl: SolutionDecl = solution): World {
  const b = boot(decl, (tables) => compileRules(tables, { name: 'p', rules: RULES }), m);
  if (!b.ok) throw new Error(b.errors.join('\n'));
  return { s: b.value.state, b: b.value };
}

test('one-thread-per-cpu (spec Scheduling, schedule): a CPU runs the highest-priority ready thread, the first of equals', () => {
  const w = startOn(machine, {
    ...solution,
    processes: [
      { name: 'low', taskClass: 'App', priority: 5 },
      { name: 'high', taskClass: 'App', priority: 20 },
      { name: 'also-high', taskClass: 'App', priority: 20 },
    ],
  });
  assert.deepEqual(w.s.runQueue.order(), [0, 1, 2]);
  run(w, { kind: 'schedule', cpu: 0 });
  assert.deepEqual(w.s.cpus, [1], 'the first of the highest priority runs, not the head of the queue');
  run(w, { kind: 'schedule', cpu: 0 });
  assert.deepEqual(w.s.cpus, [2], 'the preempted thread goes behind its equal');
  assert.deepEqual(w.s.runQueue.order(), [0, 1]);
});

test('board-monotonic-clock: a sleep of n ns ends on the tick at which the monotonic clock reaches it, not later', () => {
  const w = startOn(machine);
  kcall(w, 0, 'thread', 'Sleep', { ns: machine.tickNs });
  assert.equal(w.s.threads.get(0)!.state.tag, 'sleep');
  const r = run(w, { kind: 'tick' });
  assert.equal(w.s.clock.monotonic, machine.tickNs);
  assert.deepEqual(r.results, [{ tid: 0, rc: 'rcOk' }]);
  assert.equal(w.s.threads.get(0)!.state.tag, 'ready');
});

test('board-dma-granted: a DMA completion finishes only a transfer in flight at that address; any other completion changes nothing', () => {
  const w = startOn(withDma);
  const buf = valueOf(kcall(w, 0, 'dma', 'Allocate', { pages: 1 }), 0);
  const id = w.s.processes.get(w.b.sids.a!)!.handles[buf.handle!]!.object;
  // nothing in flight: neither at the idle buffer's address nor anywhere else
  for (const deviceAddress of [buf.deviceAddress!, 0x100000 + 3 * 4096, 0]) {
    const before = w.s;
    const r = run(w, { kind: 'dma', deviceAddress });
    assert.equal(
      r.state.objects,
      before.objects,
      `a completion at ${deviceAddress} with nothing in flight changed the objects`,
    );
    assert.deepEqual(Object.keys(r.state.objects.toArray()), Object.keys(before.objects.toArray()));
  }
  assert.equal((w.s.objects.get(id) as { status: string }).status, 'idle');
  kcall(w, 0, 'dma', 'Start', { handle: buf.handle });
  assert.equal((w.s.objects.get(id) as { status: string }).status, 'busy');
  run(w, { kind: 'dma', deviceAddress: buf.deviceAddress! });
  assert.equal((w.s.objects.get(id) as { status: string }).status, 'done');
});
