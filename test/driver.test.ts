// The driver and the board mechanisms, on every board: programs resolve names
// or say why not; runs are deterministic and replay; IRQs reach only the
// process holding the line; port I/O exists only on the x86 family; MMIO and
// DMA only through granted handles; DMA isolation is judged per board; on
// multi-core boards each CPU has its own current thread.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { BOARDS, boardStep, getBoard, initialHardware, offered, programDma, type Board } from '../boards/index.ts';
import { deviceLines } from '../boards/hardware.ts';
import { rng } from '../boards/prng.ts';
import { boot, type BootResult } from '../src/kernel/boot.ts';
import { step } from '../src/kernel/step.ts';
import { KERNEL_ENDPOINTS, KERNEL_INTERFACES } from '../src/kernel/kernel-api.ts';
import type { KernelEvent, KernelState, ThreadResult, Tid } from '../src/kernel/types.ts';
import { objectSid } from '../src/kernel/types.ts';
import { compileRules } from '../src/monitor/rules.ts';
import type { SyscallChoice } from '../src/adversary/index.ts';
import {
  KERNEL_SERVICES,
  adversaryChoices,
  arbAdversaryProgram,
  bootScenario,
  buildScenario,
  checkBoardStep,
  compilePrograms,
  dmaIsolation,
  loop,
  oneThreadPerCpu,
  kernelService,
  replay,
  run,
  stateDigest,
  type RunResult,
  type ScenarioShape,
} from '../src/driver/index.ts';

// ------------------------------------------------------------------ a small harness for direct kernel calls

/** Two processes, "drv" and "other", each granted the kernel services listed for it. */
function bootPair(board: Board, grants: { drv: readonly string[]; other: readonly string[] }): BootResult {
  const classes = [
    { name: 'test.Drv', endpoints: [] },
    { name: 'test.Other', endpoints: [] },
  ];
  const rules = [
    ...classes.map((c) => ({ kind: 'execute' as const, src: 'Einit', dst: c.name })),
    ...(['drv', 'other'] as const).flatMap((who) =>
      grants[who].map((s) => ({
        kind: 'request' as const,
        src: who === 'drv' ? 'test.Drv' : 'test.Other',
        dst: 'kl.core.Core',
        endpoint: s.split('.')[0]!,
        method: s.split('.')[1]!,
      })),
    ),
  ];
  const b = boot(
    {
      name: 'pair',
      interfaces: [],
      classes,
      processes: [
        { name: 'drv', taskClass: 'test.Drv' },
        { name: 'other', taskClass: 'test.Other' },
      ],
      connections: [],
    },
    (tables) => compileRules(tables, { name: 'pair', rules }),
    board.toMachine(),
  );
  if (!b.ok) throw new Error(b.errors.join('\n'));
  return b.value;
}

class Sim {
  state: KernelState;
  readonly results: ThreadResult[] = [];
  constructor(readonly b: BootResult) {
    this.state = b.state;
  }
  tid(name: string): Tid {
    return this.state.threads.find((t) => t.sid === this.b.sids[name])!.tid;
  }
  feed(e: KernelEvent): ThreadResult[] {
    const r = step(this.state, e);
    assert.equal(r.rejected, undefined, r.rejected);
    this.state = r.state;
    this.results.push(...r.results);
    return [...r.results];
  }
  /** Schedules CPU 0 until the thread runs there. */
  runOn(tid: Tid): void {
    for (let i = 0; i < 16 && this.state.threads.get(tid)!.state.tag !== 'running'; i++)
      this.feed({ kind: 'schedule', cpu: 0 });
    assert.equal(this.state.threads.get(tid)!.state.tag, 'running', `thread ${tid} does not get a CPU`);
  }
  /** A kernel service call by a process's main thread; returns its result, or null when the thread blocked. */
  call(name: string, service: string, payload: unknown): ThreadResult | null {
    const tid = this.tid(name);
    this.runOn(tid);
    const [ep, m] = service.split('.');
    const riid = (KERNEL_ENDPOINTS as readonly string[]).indexOf(ep!);
    const mid = KERNEL_INTERFACES[riid]!.methods.findIndex((x) => x.name === m);
    const out = this.feed({ kind: 'syscall', tid, call: { op: 'Call', handle: 0, message: { riid, mid, payload } } });
    return out.find((r) => r.tid === tid) ?? null;
  }
}

/** A kernel service's result value (the fields the tests read). */
interface Value {
  readonly handle: number;
  readonly deviceAddress: number;
  readonly base: number;
  readonly line: number;
  readonly value: number;
}
const value = (r: ThreadResult | null) => r?.value as Value;

// ------------------------------------------------------------------ programs

test('compilePrograms resolves names and reports every one it cannot', () => {
  const board = getBoard('qemu-x86_64');
  const sc = buildScenario(board, {
    pings: 1,
    drivers: [],
    adversaries: 0,
    adversaryServices: [],
    adversaryPeers: false,
  });
  const b = bootScenario(sc);
  const ok = compilePrograms(b, sc.programs);
  assert.ok(ok.ok);
  const client = ok.value.find((p) => p.process === 'client0')!;
  assert.deepEqual(
    { sys: client.ops[0]!.sys, riid: client.ops[0]!.riid, mid: client.ops[0]!.mid },
    { sys: 'Call', riid: 0, mid: 0 },
  );
  const bad = compilePrograms(b, {
    client0: loop(
      { op: 'call', connection: 'nope', method: 'Ping' },
      { op: 'call', connection: 'ping', method: 'Pong' },
      { op: 'kernel', endpoint: 'irq', method: 'Detach' },
    ),
    server0: loop(
      { op: 'recv', connection: 'ping', client: 'someone' },
      { op: 'kernel', endpoint: 'irq', method: 'Attach', thread: loop() },
    ),
    ghost: loop(),
  });
  assert.ok(!bad.ok);
  const text = bad.errors.join('\n');
  assert.match(text, /"client0" is not the client of a connection "nope"/);
  assert.match(text, /server "server0" \(class cordon.PingServer\) has no endpoint with method "Pong"/);
  assert.match(text, /kernel endpoint "irq" has no method "Detach"; it has Attach, Wait, Ack/);
  assert.match(text, /"server0" is not the server of a connection "ping" from "someone"/);
  assert.match(text, /only thread.Create can start a thread program/);
  assert.match(text, /program of "ghost": no such process was started/);
  assert.throws(
    () => run({ boot: b, board, programs: { ghost: loop() }, seed: 1, steps: 10 }),
    /programs do not fit the solution/,
  );
  assert.throws(
    () => run({ boot: b, board: getBoard('rpi4b'), seed: 1, steps: 10 }),
    /booted on "qemu-x86_64" but the run is on board "rpi4b"/,
  );
});

test('a scripted ping: requests and responses cross, the server echoes the payload', () => {
  const board = getBoard('qemu-x86_64');
  const sc = buildScenario(board, {
    pings: 2,
    drivers: [],
    adversaries: 0,
    adversaryServices: [],
    adversaryPeers: false,
  });
  const b = bootScenario(sc);
  const r = run({ boot: b, board, programs: sc.programs, seed: 11, steps: 3000 });
  const clientTid = (i: number) => b.state.threads.find((t) => t.sid === b.sids[`client${i}`])!.tid;
  for (const i of [0, 1]) {
    const responses = r.steps
      .flatMap((s) => s.results)
      .filter((x) => x.tid === clientTid(i) && x.message !== undefined);
    assert.ok(responses.length > 20, `client${i} got ${responses.length} responses`);
    for (const x of responses)
      assert.deepEqual(
        { rc: x.rc, payload: x.message!.payload, error: x.message!.error },
        { rc: 'rcOk', payload: { n: i }, error: false },
      );
  }
  assert.equal(r.counts.denies, 0);
  assert.equal(r.counts.rejected, 0);
  assert.ok(r.counts.programOps.server0! > 40 && r.counts.programOps.client1! > 20);
});

test('a server with several clients serves each on its own thread (thread.Create with a program)', () => {
  const board = getBoard('rpi4b');
  const sc = buildScenario(board, {
    pings: 1,
    drivers: [],
    adversaries: 1,
    adversaryServices: [],
    adversaryPeers: true,
  });
  const b = bootScenario(sc);
  const r = run({ boot: b, board, programs: sc.programs, adversaries: sc.adversaries, seed: 5, steps: 4000 });
  const serverThreads = r.final.threads.filter((t) => t.sid === b.sids.server0);
  assert.equal(serverThreads.length, 2);
  const clientTid = b.state.threads.find((t) => t.sid === b.sids.client0)!.tid;
  assert.ok(
    r.steps.flatMap((s) => s.results).filter((x) => x.tid === clientTid && x.message?.payload !== undefined).length >
      10,
  );
});

// ------------------------------------------------------------------ determinism and replay

const SHAPE: ScenarioShape = {
  pings: 2,
  drivers: [
    { kind: 'irq', device: 0 },
    { kind: 'mmio', device: 1 },
    { kind: 'dma', device: 0 },
    { kind: 'ports', device: 0 },
  ],
  adversaries: 2,
  adversaryServices: KERNEL_SERVICES.filter((s) => !s.endsWith('.Exit')),
  adversaryPeers: true,
};

for (const board of BOARDS) {
  test(`${board.id}: a run is deterministic under its seed and replay reaches the same state`, () => {
    const sc = buildScenario(board, SHAPE);
    const b = bootScenario(sc);
    const go = (seed: number) =>
      run({ boot: b, board, programs: sc.programs, adversaries: sc.adversaries, seed, steps: 1500 });
    const a = go(1234);
    const again = go(1234);
    assert.equal(a.events.length, 1500);
    assert.deepEqual(again.events, a.events);
    assert.equal(stateDigest(again.final), stateDigest(a.final));
    assert.notDeepEqual(go(1235).events, a.events);
    // replay from the recorded events alone, also after a JSON round trip (what a saved trace holds)
    assert.equal(stateDigest(replay(b, a.events).state), stateDigest(a.final));
    assert.equal(stateDigest(replay(b, JSON.parse(JSON.stringify(a.events))).state), stateDigest(a.final));
    for (const k of ['syscall', 'tick', 'irq', 'dma', 'schedule'] as const)
      assert.ok(a.counts.byKind[k] > 0, `no ${k} event`);
    assert.ok(a.counts.bySource.adversary > 50, `adversaries made ${a.counts.bySource.adversary} calls`);
  });
}

test('the adversaries call from their list of choices: none leaves them idle, a list replays, a failing list shrinks', () => {
  const board = getBoard('qemu-x86_64');
  const sc = buildScenario(board, { ...SHAPE, adversaries: 1 });
  const b = bootScenario(sc);
  const go = (adversary: readonly SyscallChoice[]) =>
    run({ boot: b, board, programs: sc.programs, adversaries: sc.adversaries, seed: 3, steps: 300, adversary });
  assert.equal(go([]).counts.bySource.adversary, 0);
  const list = adversaryChoices(11, 40);
  assert.ok(go(list).counts.bySource.adversary > 20);
  assert.deepEqual(go(list).events, go(list).events);
  // a property that fails once the adversary asks for thread.Sleep: fast-check shrinks the list to a choice or two, one of them asking for it
  const sleeps = (r: RunResult) =>
    r.steps.filter(
      (st) =>
        st.source === 'adversary' &&
        st.event.kind === 'syscall' &&
        st.event.call.op === 'Call' &&
        st.event.call.handle === 0 &&
        kernelService(st.event.call.message.riid, st.event.call.message.mid) === 'thread.Sleep',
    ).length;
  const details = fc.check(
    fc.property(arbAdversaryProgram(60), (adversary) => sleeps(go(adversary)) === 0),
    { seed: 5, numRuns: 200 },
  );
  assert.ok(details.failed, 'no list of choices made the adversary sleep');
  const [shrunk] = details.counterexample!;
  assert.ok(details.numShrinks > 0 && shrunk.length <= 2, JSON.stringify(shrunk));
  assert.ok(
    shrunk.some((c) => c.t === 'kernel' && KERNEL_SERVICES[c.service] === 'thread.Sleep'),
    JSON.stringify(shrunk),
  );
  assert.ok(sleeps(go(shrunk)) > 0);
});

// ------------------------------------------------------------------ IRQs

for (const board of BOARDS) {
  test(`${board.id}: an interrupt reaches only the process holding its line`, () => {
    const lines = deviceLines(board).map((l) => l.line);
    const [mine, theirs] = [lines[0]!, lines[1]!];
    const sim = new Sim(
      bootPair(board, { drv: ['irq.Attach', 'irq.Wait', 'irq.Ack'], other: ['irq.Attach', 'irq.Wait', 'irq.Ack'] }),
    );
    const h = value(sim.call('drv', 'irq.Attach', { line: mine })).handle;
    assert.equal(sim.call('other', 'irq.Attach', { line: mine })!.rc, 'rcBusy');
    assert.equal(sim.call('other', 'irq.Attach', { line: board.toMachine().irqLines })!.rc, 'rcOutOfRange');
    const h2 = value(sim.call('other', 'irq.Attach', { line: theirs })).handle;
    // handles are per process: the other process has no handle beyond its own line's
    assert.equal(sim.call('other', 'irq.Ack', { handle: h2 + 1 })!.rc, 'rcBadHandle');
    // both wait; only the holder of `mine` wakes on it
    assert.equal(sim.call('drv', 'irq.Wait', { handle: h }), null);
    assert.equal(sim.call('other', 'irq.Wait', { handle: h2 }), null);
    const woken = sim.feed({ kind: 'irq', line: mine });
    assert.deepEqual(woken, [{ tid: sim.tid('drv'), rc: 'rcOk', value: { line: mine } }]);
    assert.deepEqual(sim.state.threads.get(sim.tid('other'))!.state, { tag: 'irq', line: theirs });
    // an interrupt on a line nobody holds is dropped
    const free = lines.find((l) => l !== mine && l !== theirs)!;
    assert.deepEqual(sim.feed({ kind: 'irq', line: free }), []);
    // masked until acknowledged: a second interrupt waits, the Ack hands it over
    sim.feed({ kind: 'irq', line: mine });
    assert.equal(sim.state.irqs[mine]!.pending, true);
    assert.equal(sim.call('drv', 'irq.Ack', { handle: h })!.rc, 'rcOk');
    assert.deepEqual(value(sim.call('drv', 'irq.Wait', { handle: h })), { line: mine });
    assert.deepEqual(sim.state.threads.get(sim.tid('other'))!.state, { tag: 'irq', line: theirs });
  });
}

// ------------------------------------------------------------------ port I/O

for (const board of BOARDS) {
  test(`${board.id}: port I/O ${board.arch.portIo ? 'works through an attached range' : 'is refused with rcUnsupported'}`, () => {
    const sim = new Sim(
      bootPair(board, {
        drv: ['io.AttachPorts', 'io.PortRead', 'io.PortWrite'],
        other: ['io.PortRead', 'io.PortWrite'],
      }),
    );
    const attach = sim.call('drv', 'io.AttachPorts', { base: 0x3f8, count: 8 })!;
    if (!board.arch.portIo) {
      assert.deepEqual(
        { rc: attach.rc, detail: attach.detail },
        { rc: 'rcUnsupported', detail: `port I/O exists only on the x86 family; ${board.id} is ${board.arch.id}` },
      );
      assert.notEqual(sim.call('drv', 'io.PortWrite', { handle: 1, port: 0x3f8, value: 1 })!.rc, 'rcOk');
      assert.ok(!sim.state.objects.some((o) => o.kind === 'ports'));
      return;
    }
    assert.equal(attach.rc, 'rcOk');
    const h = value(attach).handle;
    assert.equal(sim.call('drv', 'io.PortWrite', { handle: h, port: 0x3f8, value: 0x41 })!.rc, 'rcOk');
    assert.deepEqual(value(sim.call('drv', 'io.PortRead', { handle: h, port: 0x3f8 })), { value: 0x41 });
    assert.equal(sim.call('drv', 'io.PortRead', { handle: h, port: 0x400 })!.rc, 'rcOutOfRange');
    // the 8259's ports belong to the kernel; other processes reach no ports without a handle
    assert.equal(sim.call('drv', 'io.AttachPorts', { base: 0x20, count: 2 })!.rc, 'rcOutOfRange');
    assert.equal(sim.call('other', 'io.PortRead', { handle: h, port: 0x3f8 })!.rc, 'rcBadHandle');
  });
}

// ------------------------------------------------------------------ MMIO

for (const board of BOARDS) {
  test(`${board.id}: MMIO only through a granted handle, never the kernel's devices`, () => {
    const sim = new Sim(
      bootPair(board, {
        drv: ['io.AttachMmio', 'io.MmioRead', 'io.MmioWrite'],
        other: ['io.MmioRead', 'io.MmioWrite', 'io.AttachMmio'],
      }),
    );
    const dev = offered(board.facts, 'mmio')[0]!;
    const size = Math.min(dev.size, 0x100);
    const h = value(sim.call('drv', 'io.AttachMmio', { base: dev.base, size })).handle;
    assert.equal(sim.call('drv', 'io.MmioWrite', { handle: h, offset: 0, value: 0xdead })!.rc, 'rcOk');
    assert.deepEqual(value(sim.call('drv', 'io.MmioRead', { handle: h, offset: 0 })), { value: 0xdead });
    assert.equal(sim.call('drv', 'io.MmioRead', { handle: h, offset: size })!.rc, 'rcOutOfRange');
    assert.equal(sim.call('other', 'io.AttachMmio', { base: dev.base, size: 4 })!.rc, 'rcBusy');
    assert.equal(sim.call('other', 'io.MmioRead', { handle: h, offset: 0 })!.rc, 'rcBadHandle');
    for (const d of board.facts.devices.filter((x) => x.kernel === true && x.mmio !== undefined))
      assert.equal(
        sim.call('other', 'io.AttachMmio', { base: d.mmio![0]!.base, size: 4 })!.rc,
        'rcOutOfRange',
        `${d.name} is attachable`,
      );
    const ram = board.facts.ram[0]!;
    assert.equal(sim.call('other', 'io.AttachMmio', { base: ram.base, size: 0x1000 })!.rc, 'rcOutOfRange');
  });
}

// ------------------------------------------------------------------ DMA

for (const board of BOARDS) {
  test(`${board.id}: DMA buffers come from the board's window and start only through their handle`, () => {
    const sim = new Sim(
      bootPair(board, { drv: ['dma.Allocate', 'dma.Map', 'dma.Start'], other: ['dma.Start', 'dma.Map'] }),
    );
    const w = board.facts.dmaWindow!;
    const a = value(sim.call('drv', 'dma.Allocate', { pages: 2 }));
    assert.equal(a.deviceAddress, w.base);
    const b = value(sim.call('drv', 'dma.Allocate', { pages: 1 }));
    assert.equal(b.deviceAddress, w.base + 2 * 4096);
    assert.equal(sim.call('drv', 'dma.Allocate', { pages: w.size / 4096 })!.rc, 'rcOutOfRange');
    assert.ok(value(sim.call('drv', 'dma.Map', { handle: a.handle })).base > 0);
    assert.equal(sim.call('other', 'dma.Start', { handle: a.handle })!.rc, 'rcBadHandle');
    assert.equal(sim.call('other', 'dma.Map', { handle: a.handle })!.rc, 'rcBadHandle');
    assert.equal(sim.call('drv', 'dma.Start', { handle: a.handle })!.rc, 'rcOk');
    const bufA = sim.state.processes.get(sim.b.sids.drv!)!.handles[a.handle]!.object;
    const bufB = sim.state.processes.get(sim.b.sids.drv!)!.handles[b.handle]!.object;
    // a completion at an address no started transfer uses changes nothing; the device completes the started one
    const before = sim.state.objects;
    sim.feed({ kind: 'dma', deviceAddress: b.deviceAddress });
    assert.equal(sim.state.objects, before);
    let hw = programDma(board, initialHardware(board, 3), a.deviceAddress, rng(3)).hw;
    let r = rng(4);
    for (let i = 0; i < 5; i++) {
      const out = boardStep(board, hw, r);
      hw = out.hw;
      r = out.rng;
      for (const e of out.events) if (e.kind === 'dma') sim.feed(e);
    }
    assert.equal((sim.state.objects.get(bufA) as { status: string }).status, 'done');
    assert.equal((sim.state.objects.get(bufB) as { status: string }).status, 'idle');
  });
}

test('dmaIsolation: weakened wherever an untrusted process may use DMA without an IOMMU', () => {
  for (const board of BOARDS) {
    const risky = bootPair(board, { drv: ['dma.Allocate', 'dma.Start'], other: ['dma.Start'] });
    const r = dmaIsolation(board, risky, ['other', 'nobody']);
    assert.deepEqual(r.processes, [{ name: 'other', allocate: false, start: true }]);
    assert.deepEqual(r.notStarted, ['nobody']);
    if (board.facts.iommu.present) {
      assert.equal(r.status, 'ok', board.id);
      assert.match(r.reason, /VT-d .* confines each device/);
    } else {
      assert.equal(r.status, 'weakened', board.id);
      assert.match(r.reason, /has no IOMMU, and untrusted other may dma.Start/);
    }
    // the trusted driver may use DMA; with only it trusted, isolation holds everywhere
    assert.equal(dmaIsolation(board, risky, []).status, 'ok');
    const safe = bootPair(board, { drv: ['dma.Allocate', 'dma.Start'], other: ['irq.Attach'] });
    const s = dmaIsolation(board, safe, ['other']);
    assert.equal(s.status, 'ok');
    assert.deepEqual(s.processes, [{ name: 'other', allocate: false, start: false }]);
  }
});

test('dmaIsolation asks the policy in later monitor states too (a quota that is spent)', () => {
  const board = getBoard('rpi4b');
  const classes = [{ name: 'test.Other', endpoints: [] }];
  const b = boot(
    {
      name: 'quota',
      interfaces: [],
      classes,
      processes: [{ name: 'other', taskClass: 'test.Other' }],
      connections: [],
    },
    (tables) =>
      compileRules(tables, {
        name: 'quota',
        rules: [
          { kind: 'execute', dst: 'test.Other' },
          { kind: 'request', src: 'test.Other', dst: 'kl.core.Core', endpoint: 'dma', method: 'Allocate', limit: 1 },
        ],
      }),
    board.toMachine(),
  );
  assert.ok(b.ok);
  assert.equal(dmaIsolation(board, b.value, ['other']).status, 'weakened');
  const sim = new Sim(b.value);
  sim.call('other', 'dma.Allocate', { pages: 1 });
  const spent = { ...b.value, state: sim.state };
  assert.equal(dmaIsolation(board, spent, ['other']).status, 'ok');
  assert.equal(dmaIsolation(board, spent, ['other'], { states: [b.value.state.monitor] }).status, 'weakened');
});

// ------------------------------------------------------------------ multi-core

for (const board of BOARDS.filter((b) => b.facts.cpus > 1)) {
  test(`${board.id}: ${board.facts.cpus} CPUs, one current thread each, and they run in parallel`, () => {
    const sc = buildScenario(board, { ...SHAPE, pings: 3 });
    const b = bootScenario(sc);
    let parallel = 0;
    const problems: string[] = [];
    run({
      boot: b,
      board,
      programs: sc.programs,
      adversaries: sc.adversaries,
      seed: 99,
      steps: 2000,
      onStep: ({ result }) => {
        problems.push(...oneThreadPerCpu(result.state).map((v) => v.message));
        parallel = Math.max(parallel, result.state.cpus.filter((t) => t !== null).length);
      },
    });
    assert.deepEqual(problems, []);
    assert.ok(parallel >= Math.min(board.facts.cpus, 3), `at most ${parallel} CPUs were busy at once`);
  });
}

test('every board property holds on a long mixed run on each board', () => {
  for (const board of BOARDS) {
    const sc = buildScenario(board, SHAPE);
    const b = bootScenario(sc);
    const found: string[] = [];
    const r = run({
      boot: b,
      board,
      programs: sc.programs,
      adversaries: sc.adversaries,
      seed: 2024,
      steps: 3000,
      onStep: (i) =>
        void found.push(
          ...checkBoardStep(board, i.before, i.event, i.result).map((v) => `${v.property}: ${v.message}`),
        ),
    });
    assert.deepEqual(found, [], board.id);
    assert.ok(r.counts.irqsDelivered > 0 && r.counts.dmaCompleted > 0, `${board.id}: ${JSON.stringify(r.counts)}`);
  }
});

// ------------------------------------------------------------------ the checks have teeth

test('each board property check flags a step that breaks it', () => {
  const board = getBoard('rpi4b');
  const sim = new Sim(bootPair(board, { drv: ['irq.Attach', 'irq.Wait', 'dma.Allocate'], other: [] }));
  const line = deviceLines(board)[0]!.line;
  sim.call('drv', 'irq.Attach', { line });
  const before = sim.state;
  const drv = sim.tid('drv');
  const other = sim.tid('other');
  const same = { state: before, results: [], decisions: [], effects: [] };
  const tick: KernelEvent = { kind: 'tick' };
  const props = (event: KernelEvent, result: Parameters<typeof checkBoardStep>[3]) => [
    ...new Set(checkBoardStep(board, before, event, result).map((v) => v.property)),
  ];

  // one thread current on two CPUs
  assert.ok(oneThreadPerCpu({ ...before, cpus: [drv, drv, null, null] }).length > 0);
  assert.deepEqual(
    props({ kind: 'schedule', cpu: 1 }, { ...same, state: { ...before, cpus: [drv, drv, null, null] } }),
    ['one-thread-per-cpu'],
  );
  // an interrupt handed to a process that does not hold its line
  assert.deepEqual(props({ kind: 'irq', line }, { ...same, results: [{ tid: other, rc: 'rcOk', value: { line } }] }), [
    'irq-to-holder',
  ]);
  // a port range on an ARM board, and a port write
  assert.deepEqual(
    props(tick, {
      ...same,
      state: {
        ...before,
        clock: { ...before.clock, monotonic: board.facts.timer.tickNs },
        objects: before.objects.push({
          kind: 'ports',
          sid: objectSid(before.objects.length),
          base: 0x3f8,
          count: 8,
          owner: 2,
        }),
      },
    }),
    ['no-port-io-off-x86'],
  );
  // a DMA buffer out of nowhere, and a completion that finishes a buffer nobody started
  const dmaObj = {
    kind: 'dma' as const,
    sid: objectSid(before.objects.length),
    creator: 2,
    pages: 1,
    deviceAddress: board.facts.dmaWindow!.base,
    status: 'idle' as const,
  };
  assert.deepEqual(
    props({ kind: 'schedule', cpu: 0 }, { ...same, state: { ...before, objects: before.objects.push(dmaObj) } }),
    ['dma-granted-only'],
  );
  const withBuf = { ...before, objects: before.objects.push(dmaObj) };
  const done = checkBoardStep(
    board,
    withBuf,
    { kind: 'dma', deviceAddress: dmaObj.deviceAddress },
    { ...same, state: { ...withBuf, objects: before.objects.push({ ...dmaObj, status: 'done' as const }) } },
  );
  assert.deepEqual([...new Set(done.map((v) => v.property))], ['dma-granted-only']);
  // the clock going back, and moving without a tick
  assert.deepEqual(
    props(
      { kind: 'schedule', cpu: 0 },
      { ...same, state: { ...before, clock: { ...before.clock, monotonic: before.clock.monotonic + 1 } } },
    ),
    ['monotonic-clock'],
  );
  const later = { ...before, clock: { ...before.clock, monotonic: 5 * board.facts.timer.tickNs } };
  assert.deepEqual(
    [...new Set(checkBoardStep(board, later, tick, { ...same, state: before }).map((v) => v.property))],
    ['monotonic-clock'],
  );
  // a rejected event that changed the state
  assert.deepEqual(props({ kind: 'schedule', cpu: 0 }, { ...same, state: { ...before }, rejected: 'bad' }), [
    'rejected-unchanged',
  ]);
  // and a real step passes every check
  assert.deepEqual(checkBoardStep(board, before, tick, step(before, tick)), []);
});
