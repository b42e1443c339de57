// Model-based testing (fc.commands): the kernel runs against a small abstract
// model of one client calling one server through one channel, under a policy
// that allows Ping requests and responses and nothing else. Every command's
// syscall results and both threads' states must match what the model predicts.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import * as t from 'io-ts';
import { boot, type BootResult } from '../src/kernel/boot.ts';
import { step } from '../src/kernel/step.ts';
import { Nat } from '../src/kernel/kernel-api.ts';
import { compileRules } from '../src/monitor/rules.ts';
import type { KernelEvent, KernelState, StepResult, Tid } from '../src/kernel/types.ts';
import type { Machine } from '../src/kernel/machine.ts';
import { banner, check, commands as replayableCommands, countSteps, runs, stepsTaken } from './harness.ts';

banner(import.meta.filename);

const machine: Machine = {
  name: 'model',
  arch: 'x86_64',
  cpus: 2,
  pageSize: 4096,
  irqLines: 0,
  portIo: false,
  ports: [],
  mmio: [],
  dma: null,
  iommu: true,
  tickNs: 1000,
  memoryPages: 8,
};
const solution = {
  name: 'model',
  interfaces: [
    {
      name: 'demo.Echo',
      methods: [
        {
          name: 'Ping',
          request: t.type({ value: Nat }),
          response: t.type({ value: Nat }),
          error: t.type({ code: Nat }),
        },
        { name: 'Pong', request: t.type({}), response: t.type({}), error: t.type({}) },
      ],
    },
  ],
  classes: [
    { name: 'Client', endpoints: [] },
    { name: 'Server', endpoints: [{ name: 'echo', interface: 'demo.Echo' }] },
  ],
  processes: [
    { name: 'client', taskClass: 'Client' },
    { name: 'server', taskClass: 'Server' },
  ],
  connections: [{ client: 'client', server: 'server', id: 'echo' }],
};
const booted = boot(
  solution,
  (tables) =>
    compileRules(tables, {
      name: 'model',
      rules: [
        { kind: 'execute', src: 'Einit' },
        { kind: 'request', src: 'Client', dst: 'Server', endpoint: 'echo', method: 'Ping' },
        { kind: 'response', src: 'Server', dst: 'Client' },
      ],
    }),
  machine,
);
if (!booted.ok) throw new Error(booted.errors.join('\n'));
const B: BootResult = booted.value;
const CLIENT: Tid = 0;
const SERVER: Tid = 1;
const conn = B.connections[0]!;

/** The abstract model: what each side is doing, and the value in flight. */
interface Model {
  client: 'idle' | 'queued' | 'waiting';
  server: 'idle' | 'receiving' | 'serving';
  value: number;
}
interface Real {
  s: KernelState;
}

function run(r: Real, e: KernelEvent): StepResult {
  const out = step(r.s, e);
  assert.equal(out.rejected, undefined, `event rejected: ${out.rejected}`);
  r.s = out.state;
  countSteps(1);
  return out;
}
/** Schedules until the thread runs (it must be ready or running). */
function ensureRunning(r: Real, tid: Tid): void {
  for (let i = 0; i < 6 && r.s.threads.get(tid)!.state.tag !== 'running'; i++) run(r, { kind: 'schedule', cpu: i % 2 });
  assert.equal(r.s.threads.get(tid)!.state.tag, 'running', `thread ${tid} could not be scheduled`);
}
const rc = (o: StepResult, tid: Tid) => o.results.find((x) => x.tid === tid);

function conforms(m: Model, r: Real): void {
  const c = r.s.threads.get(CLIENT)!.state.tag;
  const sv = r.s.threads.get(SERVER)!;
  const wantC = { idle: ['ready', 'running'], queued: ['call'], waiting: ['reply'] }[m.client];
  assert.ok(wantC.includes(c), `model says the client is ${m.client}, kernel says ${c}`);
  if (m.server === 'receiving') assert.equal(sv.state.tag, 'recv');
  else
    assert.ok(
      ['ready', 'running'].includes(sv.state.tag),
      `model says the server is ${m.server}, kernel says ${sv.state.tag}`,
    );
  assert.equal(sv.serving !== null, m.server === 'serving', 'serving flag differs from the model');
}

class CallPing implements fc.Command<Model, Real> {
  constructor(readonly value: number) {}
  check = (m: Readonly<Model>) => m.client === 'idle';
  run(m: Model, r: Real) {
    ensureRunning(r, CLIENT);
    const o = run(r, {
      kind: 'syscall',
      tid: CLIENT,
      call: { op: 'Call', handle: conn.clientHandle, message: { riid: 0, mid: 0, payload: { value: this.value } } },
    });
    assert.equal(o.decisions.length, 1);
    assert.equal(o.decisions[0]!.decision.verdict, 'grant');
    if (m.server === 'receiving') {
      assert.deepEqual(rc(o, SERVER)?.message?.payload, { value: this.value });
      m.server = 'serving';
      m.client = 'waiting';
    } else m.client = 'queued';
    m.value = this.value;
    conforms(m, r);
  }
  toString = () => `CallPing(${this.value})`;
}
class CallPong implements fc.Command<Model, Real> {
  check = (m: Readonly<Model>) => m.client === 'idle';
  run(m: Model, r: Real) {
    ensureRunning(r, CLIENT);
    const before = r.s;
    const o = run(r, {
      kind: 'syscall',
      tid: CLIENT,
      call: { op: 'Call', handle: conn.clientHandle, message: { riid: 0, mid: 1, payload: {} } },
    });
    assert.equal(rc(o, CLIENT)?.rc, 'rcSecurityDisallow');
    assert.equal(o.state.threads, before.threads, 'a denied call changed a thread');
    conforms(m, r);
  }
  toString = () => 'CallPong';
}
class ForgedHandle implements fc.Command<Model, Real> {
  constructor(
    readonly handle: number,
    readonly op: 'Call' | 'Recv',
  ) {}
  check = (m: Readonly<Model>) => m.client === 'idle';
  run(m: Model, r: Real) {
    ensureRunning(r, CLIENT);
    const call =
      this.op === 'Recv'
        ? { op: 'Recv' as const, handle: this.handle }
        : { op: 'Call' as const, handle: this.handle, message: { riid: 0, mid: 0, payload: { value: 1 } } };
    const o = run(r, { kind: 'syscall', tid: CLIENT, call });
    assert.ok(
      ['rcBadHandle', 'rcNoRights'].includes(rc(o, CLIENT)!.rc),
      `forged ${this.op} on ${this.handle}: ${rc(o, CLIENT)!.rc}`,
    );
    assert.equal(o.decisions.length, 0);
    conforms(m, r);
  }
  toString = () => `Forged${this.op}(${this.handle})`;
}
class ServerRecv implements fc.Command<Model, Real> {
  check = (m: Readonly<Model>) => m.server === 'idle';
  run(m: Model, r: Real) {
    ensureRunning(r, SERVER);
    const o = run(r, { kind: 'syscall', tid: SERVER, call: { op: 'Recv', handle: conn.serverHandle } });
    assert.equal(o.decisions.length, 0, 'Recv takes no decision: the request was decided when it was sent');
    if (m.client === 'queued') {
      assert.deepEqual(rc(o, SERVER)?.message?.payload, { value: m.value });
      m.client = 'waiting';
      m.server = 'serving';
    } else m.server = 'receiving';
    conforms(m, r);
  }
  toString = () => 'ServerRecv';
}
class ServerReply implements fc.Command<Model, Real> {
  constructor(
    readonly error: boolean,
    readonly badPayload: boolean,
  ) {}
  check = (m: Readonly<Model>) => m.server === 'serving';
  run(m: Model, r: Real) {
    ensureRunning(r, SERVER);
    const payload = this.badPayload ? { value: 'nope' } : this.error ? { code: 3 } : { value: m.value + 1 };
    const o = run(r, {
      kind: 'syscall',
      tid: SERVER,
      call: { op: 'Reply', handle: conn.serverHandle, message: { riid: 0, mid: 0, payload, error: this.error } },
    });
    const granted = !this.error && !this.badPayload;
    assert.equal(o.decisions[0]?.decision.verdict, granted ? 'grant' : 'deny');
    assert.equal(rc(o, CLIENT)?.rc, granted ? 'rcOk' : 'rcSecurityDisallow');
    assert.equal(rc(o, SERVER)?.rc, granted ? 'rcOk' : 'rcSecurityDisallow');
    if (granted) assert.deepEqual(rc(o, CLIENT)?.message?.payload, { value: m.value + 1 });
    else assert.equal(rc(o, CLIENT)?.message, undefined, 'a denied reply leaked its payload');
    m.client = 'idle';
    m.server = 'idle';
    conforms(m, r);
  }
  toString = () => `ServerReply(${this.error ? 'error' : 'response'}${this.badPayload ? ', malformed' : ''})`;
}
class Tick implements fc.Command<Model, Real> {
  check = () => true;
  run(m: Model, r: Real) {
    const before = r.s.clock.monotonic;
    run(r, { kind: 'tick' });
    assert.equal(r.s.clock.monotonic, before + machine.tickNs);
    conforms(m, r);
  }
  toString = () => 'Tick';
}

const commands = [
  fc.nat({ max: 1000 }).map((v) => new CallPing(v)),
  fc.constant(new CallPong()),
  // handles the client does not hold (it holds 0, the kernel, and its client end), and a Recv on its client end
  fc
    .tuple(fc.integer({ min: conn.clientHandle + 1, max: 9 }), fc.constantFrom('Call' as const, 'Recv' as const))
    .map(([h, op]) => new ForgedHandle(h, op)),
  fc.constant(new ForgedHandle(conn.clientHandle, 'Recv')),
  fc.constant(new ServerRecv()),
  fc.tuple(fc.boolean(), fc.boolean()).map(([e, b]) => new ServerReply(e, b)),
  fc.constant(new Tick()),
];

const NAME = 'model-based: Call/Recv/Reply against an abstract IPC model';
test(NAME, () => {
  check(
    import.meta.filename,
    NAME,
    replayableCommands(commands, { size: 'max', maxCommands: 60 }),
    (cmds) => {
      fc.modelRun(() => ({ model: { client: 'idle', server: 'idle', value: 0 } as Model, real: { s: B.state } }), cmds);
    },
    runs(1500),
    (cmds) => String(cmds),
  );
});

after(() => console.log(`# model.test.ts: ${stepsTaken()} kernel steps`));
