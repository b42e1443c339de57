// The monitor-state rule of the one mediation point (Draft.mediate, spec
// Kernel.tla Mediate): the kernel keeps a decision's next monitor state only
// on grant. The policy here returns a changed state on deny too (every
// shipped policy returns the unchanged one, which would hide a kernel that
// kept it), and the kernel must drop it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as t from 'io-ts';
import { boot } from '../src/kernel/boot.ts';
import { step } from '../src/kernel/step.ts';
import { KERNEL_ENDPOINTS, KERNEL_INTERFACES } from '../src/kernel/kernel-api.ts';
import { compileRules } from '../src/monitor/rules.ts';
import type { CompiledPolicy } from '../src/monitor/types.ts';
import type { KernelEvent, KernelState, StepResult } from '../src/kernel/types.ts';
import type { Machine } from '../src/kernel/machine.ts';

const machine: Machine = {
  name: 'test',
  arch: 'armv8',
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

const solution = {
  name: 'mediate',
  interfaces: [
    { name: 'demo.Svc', methods: [{ name: 'Give', request: t.type({}), response: t.type({}), error: t.type({}) }] },
  ],
  classes: [
    { name: 'Client', endpoints: [] },
    { name: 'Server', endpoints: [{ name: 'svc', interface: 'demo.Svc' }] },
  ],
  processes: [
    { name: 'client', taskClass: 'Client' },
    { name: 'server', taskClass: 'Server' },
  ],
  connections: [{ client: 'client', server: 'server', id: 'svc' }],
};

/** Its state counts the decisions it made, grants and denies alike, and it returns the new count with every decision. */
interface Counted {
  readonly grants: number;
  readonly denies: number;
}

function start() {
  const b = boot(
    solution,
    (tables) => {
      // processes may start and the client may call the server; nothing else (no kernel service)
      const rules = compileRules(tables, {
        name: 'rules',
        rules: [{ kind: 'execute' }, { kind: 'request', src: 'Client', dst: 'Server' }],
      });
      if (!rules.ok) return rules;
      const inner = rules.value;
      const policy: CompiledPolicy = {
        name: 'changes its state on deny',
        initial: { grants: 0, denies: 0, rules: inner.initial },
        decide(state, event) {
          const s = state as Counted & { readonly rules: unknown };
          const d = inner.decide(s.rules, event);
          return d.verdict === 'grant'
            ? { ...d, next: { grants: s.grants + 1, denies: s.denies, rules: d.next } }
            : { ...d, next: { grants: s.grants, denies: s.denies + 1, rules: s.rules } };
        },
      };
      return { ok: true, value: policy };
    },
    machine,
  );
  if (!b.ok) throw new Error(b.errors.join('\n'));
  return { s: b.value.state };
}

function run(w: { s: KernelState }, e: KernelEvent): StepResult {
  const r = step(w.s, e);
  assert.equal(r.rejected, undefined, r.rejected);
  w.s = r.state;
  return r;
}

function running(w: { s: KernelState }, tid: number): void {
  for (let i = 0; i < 8 && w.s.threads.get(tid)!.state.tag !== 'running'; i++) run(w, { kind: 'schedule', cpu: 0 });
  assert.equal(w.s.threads.get(tid)!.state.tag, 'running');
}

test('Draft.mediate keeps the next monitor state of a grant and drops the one of a deny', () => {
  const w = start();
  const booted = w.s.monitor as Counted;
  assert.ok(booted.grants >= 2, 'Einit started both processes: granted executes');
  // the client (thread 0) asks the kernel for a service: no rule grants it, and the policy returns a changed state with its deny
  running(w, 0);
  const before = w.s.monitor;
  const riid = KERNEL_ENDPOINTS.indexOf('thread');
  const mid = KERNEL_INTERFACES[riid]!.methods.findIndex((m) => m.name === 'Exit');
  const denied = run(w, {
    kind: 'syscall',
    tid: 0,
    call: { op: 'Call', handle: 0, message: { riid, mid, payload: {} } },
  });
  assert.deepEqual(
    denied.decisions.map((d) => d.decision.verdict),
    ['deny'],
  );
  assert.deepEqual(
    (denied.decisions[0]!.decision.next as Counted).denies,
    booted.denies + 1,
    'the policy did return a changed state',
  );
  assert.equal(w.s.monitor, before, 'the kernel kept the state it had, not the one the deny returned');
  // a grant: the client's request to the server; its next state is kept
  running(w, 0);
  const granted = run(w, {
    kind: 'syscall',
    tid: 0,
    call: { op: 'Call', handle: 1, message: { riid: 0, mid: 0, payload: {} } },
  });
  assert.deepEqual(
    granted.decisions.map((d) => d.decision.verdict),
    ['grant'],
  );
  assert.equal(w.s.monitor, granted.decisions[0]!.decision.next, 'the kernel kept the state the grant returned');
  assert.deepEqual(w.s.monitor, {
    ...(before as object),
    grants: booted.grants + 1,
    rules: (before as { rules: unknown }).rules,
  });
});
