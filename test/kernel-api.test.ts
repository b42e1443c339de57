// The kernel's own interface (src/kernel/kernel-api.ts): every kernel service
// is a method of an endpoint of the kernel class, reached by RIID / MID on the
// kernel handle (requirement `three-syscalls`), and its arguments are decoded
// with the method's codec before the service runs, so that no rule and no
// service ever sees a malformed argument (requirement `typed-interfaces`).
// These kill the Stryker survivors of kernel-api.ts and of the decode path of
// services.ts.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  EINIT_CLASS,
  EINIT_CLASS_DECL,
  KERNEL_CLASS,
  KERNEL_CLASS_DECL,
  KERNEL_ENDPOINTS,
  KERNEL_INTERFACES,
  Nat,
  RightsMask,
  SECURITY_RIID,
  SERVICE_ARGS,
  serviceOf,
  type ServiceName,
} from '../src/kernel/kernel-api.ts';
import { decode, SERVICE_NAMES } from '../src/kernel/services.ts';
import { ALL_RIGHTS } from '../src/kernel/types.ts';

test('typed-interfaces: Nat is exactly the non-negative safe integers', () => {
  assert.equal(Nat.name, 'Nat');
  for (const v of [0, 1, 4096, Number.MAX_SAFE_INTEGER]) {
    assert.equal(Nat.is(v), true, String(v));
    assert.deepEqual(Nat.decode(v), { _tag: 'Right', right: v });
  }
  for (const v of [-1, 0.5, Number.MAX_SAFE_INTEGER + 1, NaN, Infinity, '1', null, undefined, 1n, [1]]) {
    assert.equal(Nat.is(v), false, String(v));
    assert.equal(Nat.decode(v)._tag, 'Left', String(v));
  }
  assert.equal(Nat.encode(7), 7);
});

test('unforgeable-handles + typed-interfaces: a rights mask is an integer 0..ALL_RIGHTS, nothing else', () => {
  assert.equal(RightsMask.name, `rights mask (0..${ALL_RIGHTS})`);
  for (const v of [0, 1, ALL_RIGHTS]) {
    assert.equal(RightsMask.is(v), true);
    assert.deepEqual(RightsMask.decode(v), { _tag: 'Right', right: v });
  }
  for (const v of [ALL_RIGHTS + 1, -1, 0.5, '1', null]) {
    assert.equal(RightsMask.is(v), false, String(v));
    assert.equal(RightsMask.decode(v)._tag, 'Left', String(v));
  }
  assert.equal(RightsMask.encode(3), 3);
});

test('three-syscalls: RIID / MID name exactly the kernel services, in the order of the kernel endpoints', () => {
  assert.equal(KERNEL_CLASS, 'kl.core.Core');
  assert.equal(EINIT_CLASS, 'Einit');
  assert.deepEqual(EINIT_CLASS_DECL, { name: 'Einit', endpoints: [] });
  assert.equal(SECURITY_RIID, KERNEL_ENDPOINTS.length);
  assert.equal(SECURITY_RIID, 10);
  const named: string[] = [];
  KERNEL_INTERFACES.forEach((iface, riid) => {
    assert.equal(iface.name, KERNEL_CLASS_DECL.endpoints[riid]!.interface);
    assert.equal(KERNEL_CLASS_DECL.endpoints[riid]!.name, KERNEL_ENDPOINTS[riid]);
    iface.methods.forEach((m, mid) => {
      const name = serviceOf(riid, mid);
      assert.equal(name, `${KERNEL_ENDPOINTS[riid]}.${m.name}`);
      assert.equal(m.request, SERVICE_ARGS[name!]);
      named.push(name!);
    });
    assert.equal(
      serviceOf(riid, iface.methods.length),
      undefined,
      `no method ${iface.methods.length} on ${iface.name}`,
    );
  });
  assert.deepEqual(named, Object.keys(SERVICE_ARGS), 'every service once, in declaration order');
  assert.deepEqual(SERVICE_NAMES, Object.keys(SERVICE_ARGS), 'the kernel implements every declared service');
  assert.equal(serviceOf(SECURITY_RIID, 0), undefined, 'the security RIID names no service');
  assert.equal(serviceOf(-1, 0), undefined);
  assert.deepEqual(
    KERNEL_INTERFACES.map((i) => i.name),
    [
      'kl.core.Task',
      'kl.core.Thread',
      'kl.core.VMM',
      'kl.core.Sync',
      'kl.core.Irq',
      'kl.core.IO',
      'kl.core.DMA',
      'kl.core.Time',
      'kl.core.Handle',
      'kl.core.Channel',
    ],
  );
  assert.deepEqual(
    KERNEL_INTERFACES[0]!.methods.map((m) => m.name),
    ['Execute', 'Exit'],
  );
  assert.deepEqual(
    KERNEL_INTERFACES[5]!.methods.map((m) => m.name),
    ['AttachPorts', 'PortRead', 'PortWrite', 'AttachMmio', 'MmioRead', 'MmioWrite'],
  );
});

/** A well-formed argument for every service, and one field that must be a Nat (or other type). */
const VALID: { readonly [N in ServiceName]: Record<string, unknown> } = {
  'task.Execute': { taskClass: 'C', name: 'n' },
  'task.Exit': { code: 0 },
  'thread.Create': { priority: 1 },
  'thread.Exit': {},
  'thread.Sleep': { ns: 5 },
  'vmm.Allocate': { pages: 1 },
  'vmm.Map': { handle: 1 },
  'vmm.Unmap': { base: 65536 },
  'sync.Wait': { handle: 1, offset: 0 },
  'sync.Wake': { handle: 1, offset: 0, count: 1 },
  'irq.Attach': { line: 0 },
  'irq.Wait': { handle: 1 },
  'irq.Ack': { handle: 1 },
  'io.AttachPorts': { base: 96, count: 1 },
  'io.PortRead': { handle: 1, port: 96 },
  'io.PortWrite': { handle: 1, port: 96, value: 0 },
  'io.AttachMmio': { base: 4096, size: 16 },
  'io.MmioRead': { handle: 1, offset: 0 },
  'io.MmioWrite': { handle: 1, offset: 0, value: 0 },
  'dma.Allocate': { pages: 1 },
  'dma.Map': { handle: 1 },
  'dma.Start': { handle: 1 },
  'time.Read': { clock: 'monotonic' },
  'time.SetRealtime': { value: 0 },
  'handle.Close': { handle: 1 },
  'handle.Duplicate': { handle: 1, rights: 1 },
  'channel.Create': {},
};

test('typed-interfaces: every service decodes its well-formed arguments and refuses each field of the wrong type, naming it', () => {
  for (const name of Object.keys(VALID) as ServiceName[]) {
    const good = VALID[name];
    assert.deepEqual(decode(name, good), { ok: true, args: good }, name);
    for (const key of Object.keys(good)) {
      const bad = decode(name, { ...good, [key]: -1 });
      assert.equal(bad.ok, false, `${name}.${key} = -1 was accepted`);
      assert.match(bad.ok ? '' : bad.why, new RegExp(`^argument ${key} of ${name.replace('.', '\\.')} is not a `));
      const missing: Record<string, unknown> = { ...good };
      delete missing[key];
      assert.equal(decode(name, missing).ok, false, `${name} without ${key} was accepted`);
    }
  }
  assert.deepEqual(decode('vmm.Map', { handle: 1.5 }), { ok: false, why: 'argument handle of vmm.Map is not a Nat' });
  assert.deepEqual(decode('time.Read', { clock: 'tsc' }), {
    ok: false,
    why: 'argument clock of time.Read is not a "monotonic" | "realtime"',
  });
  assert.deepEqual(decode('handle.Duplicate', { handle: 1, rights: ALL_RIGHTS + 1 }), {
    ok: false,
    why: `argument rights of handle.Duplicate is not a rights mask (0..${ALL_RIGHTS})`,
  });
  assert.deepEqual(decode('vmm.Map', null), { ok: false, why: 'the arguments of vmm.Map are not a { handle: Nat }' });
  assert.deepEqual(decode('task.Execute', 'x'), {
    ok: false,
    why: 'the arguments of task.Execute are not a { taskClass: string, name: string }',
  });
  // a payload whose fields cannot even be read is refused, not thrown
  const hostile = Object.defineProperty({}, 'handle', {
    enumerable: true,
    get() {
      throw new Error('no');
    },
  });
  assert.deepEqual(decode('vmm.Map', hostile), { ok: false, why: 'the arguments of vmm.Map cannot be read' });
});
