// The device services against the spec's device properties, on the TS side
// (src/properties/checks.ts futexWokenByOwnWake, dmaIntoGrantedBuffer,
// irqToHolder; spec/Properties.tla FutexWokenByOwnWake, DmaSteps, IrqToHolder):
// they hold on every transition of the Devices model and on the first states of
// Services, and each one fails on a step that breaks it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Devices, K, Services } from '../src/conformance/catalog.ts';
import { alphabetEvents, compileModel, type CompiledModel } from '../src/conformance/model.ts';
import { running, withinBounds } from '../src/conformance/explorer.ts';
import { StateKeyer } from '../src/conformance/projection.ts';
import { step } from '../src/kernel/step.ts';
import type { KernelEvent, KernelObject, KernelState, Message, StepResult, Thread } from '../src/kernel/types.ts';
import {
  changedTables,
  dmaIntoGrantedBuffer,
  futexWokenByOwnWake,
  irqToHolder,
  type Check,
  type StepView,
} from '../src/properties/checks.ts';

const CHECKS: Record<string, Check> = { futexWokenByOwnWake, dmaIntoGrantedBuffer, irqToHolder };

const view = (before: KernelState, event: KernelEvent, result: StepResult): StepView => ({
  before,
  event,
  result,
  monitorCalls: result.decisions.map((d) => d.event),
});

/** Breadth first through a model's alphabet (within its bounds), every check on every transition; what the steps did. */
function exploreChecked(m: CompiledModel, maxStates: number) {
  const keyer = new StateKeyer(m.monitor);
  const seen = new Set<string>();
  let frontier: KernelState[] = [m.boot.state];
  seen.add(keyer.key(m.boot.state, m.boot.decisions, m.boot.effects));
  const did = { futexWakes: 0, dmaStarts: 0, dmaDone: 0, irqDeliveries: 0, transitions: 0 };
  while (frontier.length > 0 && seen.size < maxStates) {
    const next: KernelState[] = [];
    for (const s of frontier)
      for (const ev of alphabetEvents(m.def, running(s))) {
        const r = step(s, ev);
        if (r.rejected !== undefined) continue;
        did.transitions++;
        for (const [name, check] of Object.entries(CHECKS)) {
          const why = check(view(s, ev, r));
          assert.equal(why, null, `${name} on ${JSON.stringify(ev)}`);
        }
        for (const th of s.threads) {
          const now = r.state.threads.get(th.tid)!.state.tag;
          if (th.state.tag === 'futex' && now === 'ready') did.futexWakes++;
          if (th.state.tag === 'irq' && now === 'ready') did.irqDeliveries++;
        }
        r.state.objects.forEach((o, id) => {
          const was = s.objects.get(id);
          if (o.kind === 'dma' && was?.kind === 'dma' && o.status !== was.status)
            if (o.status === 'busy') did.dmaStarts++;
            else if (o.status === 'done') did.dmaDone++;
        });
        if (!withinBounds(m, r.state)) continue;
        const k = keyer.key(r.state, r.decisions, r.effects);
        if (seen.has(k)) continue;
        seen.add(k);
        next.push(r.state);
      }
    frontier = next;
  }
  return { ...did, states: seen.size };
}

test('Devices: the device properties hold on every transition of the model, and each is exercised', () => {
  const r = exploreChecked(compileModel(Devices), Number.POSITIVE_INFINITY);
  assert.equal(r.states, Devices.expected!.distinct);
  assert.ok(r.futexWakes > 100, `futex wakes: ${r.futexWakes}`);
  assert.ok(r.dmaStarts > 100 && r.dmaDone > 100, `DMA starts ${r.dmaStarts}, completions ${r.dmaDone}`);
});

test('Services: an interrupt reaches only the holder of its line (the first 3,000 states)', () => {
  const r = exploreChecked(compileModel(Services), 3000);
  assert.ok(r.irqDeliveries > 10, `IRQ deliveries: ${r.irqDeliveries}`);
});

// ------------------------------------------------------------------ the kernel's behaviour

const m = compileModel(Devices);
const DRIVER = 0; // TID of the driver's first thread
const APP = 1;

/** Runs events from a state; each must be accepted. */
function run(s: KernelState, events: readonly KernelEvent[]): { state: KernelState; last: StepResult } {
  let last: StepResult | null = null;
  for (const e of events) {
    last = step(s, e);
    assert.equal(last.rejected, undefined, `${JSON.stringify(e)}: ${last.rejected}`);
    s = last.state;
  }
  return { state: s, last: last! };
}
const sched: KernelEvent = { kind: 'schedule', cpu: 0 };
const kcall = (tid: number, message: Message): KernelEvent => ({
  kind: 'syscall',
  tid,
  call: { op: 'Call', handle: 0, message },
});
const rcOf = (r: StepResult, tid: number) => r.results.find((x) => x.tid === tid)?.rc;

/** Driver: a second thread (TID 2), memory at handle 1; thread 0 waits at offset 0, thread 2 at offset 8. */
function twoWaiters(): KernelState {
  let s = run(m.boot.state, [sched]).state; // the driver's thread 0 runs
  s = run(s, [kcall(DRIVER, K.threadCreate(10)), kcall(DRIVER, K.allocate(1))]).state;
  s = run(s, [kcall(DRIVER, K.wait(1, 0)), sched, sched]).state; // thread 0 waits; app, then thread 2 run
  while (s.cpus[0] !== 2) s = run(s, [sched]).state;
  s = run(s, [kcall(2, K.wait(1, 8))]).state;
  assert.deepEqual(s.futexQueue, [0, 2]);
  return s;
}

test("another process's wake reaches no waiter: its handle names no memory of the driver's", () => {
  let s = twoWaiters();
  while (s.cpus[0] !== APP) s = run(s, [sched]).state;
  // the application's handle 1 is free: the (granted) wake fails and wakes nobody
  const foreign = run(s, [kcall(APP, K.wake(1, 0, 1))]).last;
  assert.equal(foreign.decisions[0]?.decision.verdict, 'grant');
  assert.equal(rcOf(foreign, APP), 'rcBadHandle');
  assert.deepEqual(foreign.state.futexQueue, [0, 2]);
  // with its own I/O port at handle 1, the same wake names an object that is no memory
  const ports = run(s, [kcall(APP, K.attachPorts(0x60, 1)), kcall(APP, K.wake(1, 0, 1))]).last;
  assert.equal(rcOf(ports, APP), 'rcInvalidArgument', 'a wake on a ports handle is no futex address');
  assert.deepEqual(ports.state.futexQueue, [0, 2]);
});

test('a wake at offset 0 leaves the waiter at offset 8 waiting, a wake at offset 8 wakes it; the check accepts both', () => {
  let s = run(m.boot.state, [sched, kcall(DRIVER, K.threadCreate(10)), kcall(DRIVER, K.allocate(1))]).state;
  s = run(s, [kcall(DRIVER, K.wait(1, 8))]).state; // thread 0 waits at 8
  while (s.cpus[0] !== 2) s = run(s, [sched]).state;
  const ev = kcall(2, K.wake(1, 0, 1));
  const r = step(s, ev);
  assert.equal(rcOf(r, 2), 'rcOk');
  assert.deepEqual(r.results.find((x) => x.tid === 2)?.value, { woken: 0 });
  assert.equal(r.state.threads.get(0)!.state.tag, 'futex');
  assert.equal(futexWokenByOwnWake(view(s, ev, r)), null);
  const ev8 = kcall(2, K.wake(1, 8, 1));
  const r8 = step(s, ev8);
  assert.deepEqual(r8.results.find((x) => x.tid === 2)?.value, { woken: 1 });
  assert.equal(r8.state.threads.get(0)!.state.tag, 'ready');
  assert.equal(futexWokenByOwnWake(view(s, ev8, r8)), null);
});

// ------------------------------------------------------------------ each check fails on a step that breaks it

const withThread = (s: KernelState, t: Thread): KernelState => ({
  ...s,
  threads: s.threads.set(t.tid, t),
});

test('futexWokenByOwnWake fails on a wake at another offset that woke the waiter, and on a waiter woken by a tick', () => {
  let s = run(m.boot.state, [sched, kcall(DRIVER, K.threadCreate(10)), kcall(DRIVER, K.allocate(1))]).state;
  s = run(s, [kcall(DRIVER, K.wait(1, 8))]).state;
  while (s.cpus[0] !== 2) s = run(s, [sched]).state;
  const ev = kcall(2, K.wake(1, 0, 1));
  const r = step(s, ev);
  // a kernel that ignored the offset would have woken thread 0
  const broken = {
    ...r,
    state: { ...withThread(r.state, { ...r.state.threads.get(0)!, state: { tag: 'ready' } }), futexQueue: [] },
  };
  assert.match(futexWokenByOwnWake(view(s, ev, broken)) ?? '', /offset 8, but the wake named offset 0/);
  const tick: KernelEvent = { kind: 'tick' };
  const rt = step(s, tick);
  const woke = {
    ...rt,
    state: { ...withThread(rt.state, { ...rt.state.threads.get(0)!, state: { tag: 'ready' } }), futexQueue: [] },
  };
  assert.match(futexWokenByOwnWake(view(s, tick, woke)) ?? '', /no sync\.Wake/);
});

test('dmaIntoGrantedBuffer fails on a buffer started without dma.Start, and on a completion of an idle buffer', () => {
  const s = run(m.boot.state, [sched, kcall(DRIVER, K.dmaAllocate(1))]).state;
  const id = s.objects.findIndex((o) => o.kind === 'dma');
  assert.ok(id > 0);
  const o = s.objects.get(id)! as Extract<KernelObject, { kind: 'dma' }>;
  const at = (status: 'busy' | 'done'): KernelState => ({
    ...s,
    objects: s.objects.set(id, { ...o, status }),
  });
  const tick: KernelEvent = { kind: 'tick' };
  const busy = { ...step(s, tick), state: at('busy') };
  assert.match(dmaIntoGrantedBuffer(view(s, tick, busy)) ?? '', /no dma\.Start/);
  const done: KernelEvent = { kind: 'dma', deviceAddress: o.deviceAddress };
  assert.deepEqual(
    changedTables(s, step(s, done).state),
    [],
    'a completion with no transfer in flight changes nothing',
  );
  assert.match(
    dmaIntoGrantedBuffer(view(s, done, { ...step(s, done), state: at('done') })) ?? '',
    /no transfer was in flight/,
  );
  // the real path: dma.Start by the holder, then the device's completion
  const start = kcall(DRIVER, K.dmaStart(1));
  const r = step(s, start);
  assert.equal((r.state.objects.get(id) as typeof o).status, 'busy');
  assert.equal(dmaIntoGrantedBuffer(view(s, start, r)), null);
  const c = step(r.state, done);
  assert.equal((c.state.objects.get(id) as typeof o).status, 'done');
  assert.equal(dmaIntoGrantedBuffer(view(r.state, done, c)), null);
});

test('irqToHolder fails when a thread waits on a line another process holds, or an interrupt reaches it', () => {
  const sm = compileModel(Services);
  // the driver (TID 0) attaches line 0 and waits
  let s = run(sm.boot.state, [sched, kcall(0, K.irqAttach(0))]).state;
  const h = s.processes
    .get(s.threads.get(0)!.sid)!
    .handles.findIndex((e) => e !== null && s.objects.get(e.object)!.kind === 'irq');
  s = run(s, [kcall(0, K.irqWait(h))]).state;
  assert.equal(s.threads.get(0)!.state.tag, 'irq');
  const irq: KernelEvent = { kind: 'irq', line: 0 };
  const ok = step(s, irq);
  assert.equal(rcOf(ok, 0), 'rcOk');
  assert.equal(irqToHolder(view(s, irq, ok)), null);
  // the application's thread (TID 1) made to wait on the driver's line
  const stolen = withThread(s, { ...s.threads.get(1)!, state: { tag: 'irq', line: 0 } });
  const tick: KernelEvent = { kind: 'tick' };
  // a step after which it waits there
  assert.match(irqToHolder(view(s, tick, { ...step(s, tick), state: stolen })) ?? '', /does not hold/);
  const delivered = step(stolen, irq);
  const toApp = { ...delivered, results: [{ tid: 1, rc: 'rcOk' as const, value: { line: 0 } }] };
  assert.match(irqToHolder(view(stolen, irq, toApp)) ?? '', /delivered to thread 1/);
});
