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
