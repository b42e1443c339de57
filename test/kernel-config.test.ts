// Static configuration (requirement `static-configuration`): the solution and
// the machine a kernel boots from are checked before anything runs, every
// problem named, and the interned tables the kernel and the monitor work on
// say exactly what the solution declares. These tests kill the Stryker
// survivors of src/kernel/tables.ts, machine.ts and boot.ts: each assertion
// fails if a check is dropped, a name is interned wrongly or a table entry is
// off by one.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as t from 'io-ts';
import { compileSolution, MAX_PRIORITY, type SolutionDecl, type SolutionTables } from '../src/kernel/tables.ts';
import { checkMachine, type Machine } from '../src/kernel/machine.ts';
import { boot, bootWith } from '../src/kernel/boot.ts';
import { KERNEL_ENDPOINTS, KERNEL_INTERFACES } from '../src/kernel/kernel-api.ts';
import { compileRules } from '../src/monitor/rules.ts';
import { createMonitor } from '../src/monitor/monitor.ts';
import { EINIT_SID, KERNEL_SID, Rights, objectSid } from '../src/kernel/types.ts';

const m = (name: string) => ({ name, request: t.type({}), response: t.type({}), error: t.type({}) });

const good: SolutionDecl = {
  name: 'good',
  interfaces: [
    { name: 'a.Echo', methods: [m('Ping'), m('Pong')] },
    // a method name shared with a.Echo is interned once
    { name: 'a.Log', methods: [m('Write'), m('Ping')] },
  ],
  classes: [
    {
      name: 'Server',
      endpoints: [
        { name: 'echo', interface: 'a.Echo' },
        { name: 'log', interface: 'a.Log' },
      ],
      security: 'a.Log',
    },
    // an endpoint name shared with Server is interned once
    { name: 'Client', endpoints: [{ name: 'echo', interface: 'a.Echo' }] },
  ],
  processes: [
    { name: 'server', taskClass: 'Server', priority: 0 },
    { name: 'client', taskClass: 'Client' },
    { name: 'top', taskClass: 'Client', priority: MAX_PRIORITY },
  ],
  connections: [
    { client: 'client', server: 'server', id: 'echo' },
    { client: 'top', server: 'server', id: 'echo' },
  ],
};

function tablesOf(decl: SolutionDecl): SolutionTables {
  const r = compileSolution(decl);
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.value;
}
function errorsOf(decl: SolutionDecl): readonly string[] {
  const r = compileSolution(decl);
  assert.equal(r.ok, false, 'the solution must be refused');
  return r.ok ? [] : r.errors;
}

test('static-configuration: the tables intern every declared name once, in declaration order after the kernel and Einit', () => {
  const tb = tablesOf(good);
  assert.equal(tb.name, 'good');
  const k = KERNEL_INTERFACES.length;
  // interfaces: the kernel's first, then the solution's, ids = positions, mids = positions
  assert.deepEqual(
    tb.interfaces.map((i) => [i.id, i.name]),
    [...KERNEL_INTERFACES.map((i, n) => [n, i.name]), [k, 'a.Echo'], [k + 1, 'a.Log']],
  );
  assert.deepEqual(
    tb.interfaces[k + 1]!.methods.map((x) => [x.mid, x.name, tb.methodNames[x.nameId]]),
    [
      [0, 'Write', 'Write'],
      [1, 'Ping', 'Ping'],
    ],
  );
  assert.equal(tb.methodNames.filter((n) => n === 'Ping').length, 1, 'a method name is interned once');
  assert.equal(tb.interfaces[k]!.methods[0]!.nameId, tb.interfaces[k + 1]!.methods[1]!.nameId);
  // classes: kernel 0, Einit 1, then the solution's
  assert.deepEqual(
    tb.classes.map((c) => [c.id, c.name]),
    [
      [0, 'kl.core.Core'],
      [1, 'Einit'],
      [2, 'Server'],
      [3, 'Client'],
    ],
  );
  assert.deepEqual(
    [...tb.classByName.entries()],
    [
      ['kl.core.Core', 0],
      ['Einit', 1],
      ['Server', 2],
      ['Client', 3],
    ],
  );
  const server = tb.classes[2]!;
  assert.deepEqual(
    server.endpoints.map((e) => [e.riid, e.name, tb.endpointNames[e.nameId], e.iface]),
    [
      [0, 'echo', 'echo', k],
      [1, 'log', 'log', k + 1],
    ],
  );
  assert.equal(server.security, k + 1, 'the security interface is the declared one');
  assert.equal(tb.classes[3]!.security, -1, 'no security interface: -1');
  assert.equal(tb.classes[3]!.endpoints[0]!.nameId, server.endpoints[0]!.nameId, 'an endpoint name is interned once');
  assert.equal(tb.endpointNames.filter((n) => n === 'echo').length, 1);
  assert.deepEqual(
    tb.classes[0]!.endpoints.map((e) => e.name),
    [...KERNEL_ENDPOINTS],
  );
  // the interned name lists are exactly the kernel's names then the solution's, each once, nothing before them
  const kernelMethods = [...new Set(KERNEL_INTERFACES.flatMap((i) => i.methods.map((x) => x.name)))];
  assert.deepEqual(tb.methodNames, [...kernelMethods, 'Ping', 'Pong', 'Write']);
  assert.deepEqual(tb.endpointNames, [...KERNEL_ENDPOINTS, 'echo', 'log']);
  assert.deepEqual(tb.processes, [
    { name: 'server', taskClass: 2, priority: 0 },
    { name: 'client', taskClass: 3, priority: 10 },
    { name: 'top', taskClass: 3, priority: MAX_PRIORITY },
  ]);
  assert.deepEqual(tb.connections, [
    { client: 1, server: 0, id: 'echo' },
    { client: 2, server: 0, id: 'echo' },
  ]);
});

test('static-configuration: a solution name equal to the first interned kernel name (id 0) is interned once, as id 0', () => {
  const first = KERNEL_INTERFACES[0]!.methods[0]!.name;
  const tb = tablesOf({
    name: 'zero',
    interfaces: [{ name: 'z.I', methods: [m(first), m('Other')] }],
    classes: [{ name: 'Z', endpoints: [{ name: KERNEL_ENDPOINTS[0]!, interface: 'z.I' }] }],
    processes: [],
    connections: [],
  });
  const z = tb.interfaces[KERNEL_INTERFACES.length]!;
  assert.equal(z.methods[0]!.nameId, 0, "the kernel's first method name keeps id 0");
  assert.equal(tb.methodNames.filter((n) => n === first).length, 1);
  assert.equal(tb.classes[2]!.endpoints[0]!.nameId, 0, "the kernel's first endpoint name keeps id 0");
  assert.equal(tb.endpointNames.filter((n) => n === KERNEL_ENDPOINTS[0]).length, 1);
});

test('static-configuration: a duplicated interface, method, class or endpoint, and a reserved class name, are refused by name', () => {
  const errs = errorsOf({
    ...good,
    interfaces: [...good.interfaces, { name: 'a.Echo', methods: [] }, { name: 'a.Dup', methods: [m('X'), m('X')] }],
    classes: [
      ...good.classes,
      { name: 'Server', endpoints: [] },
      { name: 'Einit', endpoints: [] },
      { name: 'kl.core.Core', endpoints: [] },
      {
        name: 'Twice',
        endpoints: [
          { name: 'e', interface: 'a.Echo' },
          { name: 'e', interface: 'a.Echo' },
        ],
      },
    ],
  });
  assert.deepEqual(errs, [
    'solution "good": interface "a.Echo" is declared twice',
    'solution "good": interface "a.Dup": method "X" is declared twice',
    'solution "good": task class "Server" is declared twice',
    'solution "good": task class "Einit" is reserved',
    'solution "good": task class "kl.core.Core" is reserved',
    'solution "good": task class "Twice": endpoint "e" is declared twice',
  ]);
  // the duplicate interface did not replace the first one; the good parts still compile alone
  assert.equal(compileSolution(good).ok, true);
});

test('static-configuration: an endpoint or security interface naming an unknown interface is refused', () => {
  const errs = errorsOf({
    ...good,
    classes: [{ name: 'Bad', endpoints: [{ name: 'x', interface: 'no.Such' }], security: 'no.Sec' }, ...good.classes],
  });
  assert.deepEqual(errs, [
    'solution "good": task class "Bad": endpoint "x" names unknown interface "no.Such"',
    'solution "good": task class "Bad": security interface "no.Sec" is unknown',
  ]);
});

test('static-configuration: a process with a taken name, an unknown or reserved class, or a priority out of 0..MAX_PRIORITY is refused', () => {
  const errs = errorsOf({
    ...good,
    processes: [
      ...good.processes,
      { name: 'Einit', taskClass: 'Client' },
      { name: 'kl.core.Core', taskClass: 'Client' },
      { name: 'client', taskClass: 'Client' },
      { name: 'ghost', taskClass: 'Nope' },
      { name: 'fake-einit', taskClass: 'Einit' },
      { name: 'fake-kernel', taskClass: 'kl.core.Core' },
      { name: 'neg', taskClass: 'Client', priority: -1 },
      { name: 'high', taskClass: 'Client', priority: MAX_PRIORITY + 1 },
      { name: 'frac', taskClass: 'Client', priority: 1.5 },
    ],
  });
  assert.deepEqual(errs, [
    'solution "good": process "Einit": the name is already taken',
    'solution "good": process "kl.core.Core": the name is already taken',
    'solution "good": process "client": the name is already taken',
    'solution "good": process "ghost": unknown task class "Nope"',
    'solution "good": process "fake-einit": task class "Einit" is reserved for the kernel and Einit',
    'solution "good": process "fake-kernel": task class "kl.core.Core" is reserved for the kernel and Einit',
    `solution "good": process "neg": priority -1 is not an integer in 0..${MAX_PRIORITY}`,
    `solution "good": process "high": priority ${MAX_PRIORITY + 1} is not an integer in 0..${MAX_PRIORITY}`,
    `solution "good": process "frac": priority 1.5 is not an integer in 0..${MAX_PRIORITY}`,
  ]);
});

test('static-configuration: a connection to itself, a repeated id for one client, or to a server without endpoints is refused', () => {
  const errs = errorsOf({
    ...good,
    processes: [...good.processes, { name: 'bare', taskClass: 'Bare' }],
    classes: [...good.classes, { name: 'Bare', endpoints: [] }],
    connections: [
      ...good.connections,
      { client: 'server', server: 'server', id: 'self' },
      { client: 'client', server: 'server', id: 'echo' },
      { client: 'client', server: 'bare', id: 'b' },
    ],
  });
  assert.deepEqual(errs, [
    'solution "good": connection "self" (server -> server): a process cannot connect to itself',
    'solution "good": connection "echo" (client -> server): the client already has a connection with this id',
    'solution "good": connection "b" (client -> bare): the server\'s task class "Bare" declares no endpoints',
  ]);
  // the same id from two different clients is fine (good has client/echo and top/echo)
  assert.equal(compileSolution(good).ok, true);
  // a server whose class is unknown is reported once, as the unknown class (not also as "declares no endpoints")
  const ghost = errorsOf({
    ...good,
    processes: [...good.processes, { name: 'g', taskClass: 'Gone' }],
    connections: [{ client: 'client', server: 'g', id: 'x' }],
  });
  assert.deepEqual(ghost, ['solution "good": process "g": unknown task class "Gone"']);
});

const machine: Machine = {
  name: 'board',
  arch: 'model',
  cpus: 2,
  pageSize: 4096,
  irqLines: 4,
  reservedIrqs: [0, 3],
  portIo: false,
  ports: [],
  mmio: [],
  dma: null,
  iommu: false,
  tickNs: 1000,
  memoryPages: 8,
};

test('static-configuration: a usable machine has no problems; each unusable field is named', () => {
  assert.deepEqual(checkMachine(machine), []);
  assert.deepEqual(checkMachine({ ...machine, irqLines: 0, reservedIrqs: [] }), [], 'no IRQ lines is allowed');
  assert.deepEqual(checkMachine({ ...machine, cpus: 1, pageSize: 1, tickNs: 1, memoryPages: 1 }), []);
  assert.deepEqual(checkMachine({ ...machine, portIo: true, ports: [{ base: 0x60, count: 1 }] }), []);
  const at = 'machine "board"';
  assert.deepEqual(checkMachine({ ...machine, cpus: 0 }), [`${at}: cpus must be a positive integer, got 0`]);
  assert.deepEqual(checkMachine({ ...machine, cpus: 1.5 }), [`${at}: cpus must be a positive integer, got 1.5`]);
  assert.deepEqual(checkMachine({ ...machine, pageSize: 0 }), [`${at}: pageSize must be a positive integer, got 0`]);
  assert.deepEqual(checkMachine({ ...machine, pageSize: 2 ** 60 }), [
    `${at}: pageSize must be a positive integer, got ${2 ** 60}`,
  ]);
  assert.deepEqual(checkMachine({ ...machine, irqLines: -1, reservedIrqs: [] }), [
    `${at}: irqLines must be a non-negative integer`,
  ]);
  assert.deepEqual(checkMachine({ ...machine, irqLines: 0.5, reservedIrqs: [] }), [
    `${at}: irqLines must be a non-negative integer`,
  ]);
  assert.deepEqual(checkMachine({ ...machine, tickNs: 0 }), [`${at}: tickNs must be a positive integer`]);
  assert.deepEqual(checkMachine({ ...machine, memoryPages: -3 }), [`${at}: memoryPages must be a positive integer`]);
  assert.deepEqual(checkMachine({ ...machine, reservedIrqs: [4, -1, 1.5, 3] }), [
    `${at}: reserved IRQ line 4 is not one of its 4 lines`,
    `${at}: reserved IRQ line -1 is not one of its 4 lines`,
    `${at}: reserved IRQ line 1.5 is not one of its 4 lines`,
  ]);
  assert.deepEqual(checkMachine({ ...machine, ports: [{ base: 0x60, count: 1 }] }), [
    `${at}: declares I/O ports but has no port I/O`,
  ]);
  const { reservedIrqs: _, ...noReserved } = machine;
  assert.deepEqual(checkMachine(noReserved), []);
});

const allow = (tb: SolutionTables) => compileRules(tb, { name: 'p', rules: [{ kind: 'execute' }] });

test('static-configuration: boot refuses a bad solution or machine before the policy is compiled, and passes on a policy error', () => {
  let asked = 0;
  const counting = (tb: SolutionTables) => (asked++, allow(tb));
  const bad = boot({ ...good, processes: [{ name: 'x', taskClass: 'Nope' }], connections: [] }, counting, machine);
  assert.deepEqual(bad, { ok: false, errors: ['solution "good": process "x": unknown task class "Nope"'] });
  const badMachine = boot(good, counting, { ...machine, cpus: 0 });
  assert.deepEqual(badMachine, { ok: false, errors: ['machine "board": cpus must be a positive integer, got 0'] });
  assert.equal(asked, 0, 'the policy is not compiled for a solution or machine that cannot boot');
  const badPolicy = boot(good, () => ({ ok: false, errors: ['policy broke'] }), machine);
  assert.deepEqual(badPolicy, { ok: false, errors: ['policy broke'] });
  // already-compiled tables are taken as they are
  const tb = tablesOf(good);
  const r = boot(tb, counting, machine);
  assert.equal(r.ok, true);
  assert.equal(asked, 1);
  assert.equal(r.ok && r.value.state.config.tables, tb);
});

test('static-configuration: boot starts exactly the declared processes through Einit and connects exactly the declared channels', () => {
  const tb = tablesOf(good);
  const r = boot(tb, allow, machine);
  if (!r.ok) throw new Error(r.errors.join('\n'));
  const b = r.value;
  const s = b.state;
  assert.deepEqual(
    s.processes.map((p) => [p.sid, p.name, p.taskClass, p.status]),
    [
      [KERNEL_SID, 'kernel', 0, 'alive'],
      [EINIT_SID, 'Einit', 1, 'alive'],
      [2, 'server', 2, 'alive'],
      [3, 'client', 3, 'alive'],
      [4, 'top', 3, 'alive'],
    ],
  );
  assert.deepEqual(b.sids, { server: 2, client: 3, top: 4 });
  assert.deepEqual(b.denied, []);
  assert.deepEqual(s.cpus, [null, null]);
  assert.equal(s.irqs.length, 4);
  assert.deepEqual(s.irqs[0], { object: null, pending: false, masked: false });
  assert.deepEqual(s.clock, { monotonic: 0, realtime: 0 });
  assert.deepEqual(s.io, {});
  assert.deepEqual(s.futexQueue, []);
  assert.deepEqual(s.objects.get(0), { kind: 'kernel', sid: KERNEL_SID });
  // one thread per process, at its declared priority, all ready
  assert.deepEqual(
    s.threads.map((th) => [th.sid, th.priority, th.state.tag]),
    [
      [2, 0, 'ready'],
      [3, 10, 'ready'],
      [4, MAX_PRIORITY, 'ready'],
    ],
  );
  // each execute decided by the monitor, from Einit, with the started process as dst
  assert.deepEqual(
    b.decisions.map((x) => [x.event.kind, x.event.src, x.event.srcClass, x.event.dst, x.event.dstClass]),
    [
      ['execute', EINIT_SID, 1, 2, 2],
      ['execute', EINIT_SID, 1, 3, 3],
      ['execute', EINIT_SID, 1, 4, 3],
    ],
  );
  assert.deepEqual(
    b.effects.map((e) => [e.kind, e.event.dst]),
    [
      ['execute', 2],
      ['execute', 3],
      ['execute', 4],
    ],
  );
  // two channels, client end call|transfer|duplicate, server end recv only
  assert.deepEqual(
    b.connections.map((c) => [c.id, c.client, c.server]),
    [
      ['echo', 3, 2],
      ['echo', 4, 2],
    ],
  );
  for (const c of b.connections) {
    const ch = s.processes.get(c.client)!.handles[c.clientHandle]!;
    const sv = s.processes.get(c.server)!.handles[c.serverHandle]!;
    assert.equal(ch.object, sv.object);
    assert.deepEqual(s.objects.get(ch.object), {
      kind: 'channel',
      sid: objectSid(ch.object),
      server: c.server,
      queue: [],
      receivers: [],
    });
    assert.equal(ch.rights, Rights.call | Rights.transfer | Rights.duplicate);
    assert.equal(sv.rights, Rights.recv);
  }
  assert.notEqual(b.connections[0]!.clientHandle, 0, 'handle 0 stays the kernel handle');
  assert.deepEqual(s.processes.get(3)!.handles[0], { object: 0, rights: Rights.call });
  // the kernel and Einit hold nothing
  assert.deepEqual(s.processes.get(0)!.handles, []);
  assert.deepEqual(s.processes.get(1)!.handles, []);
});

test('static-configuration + complete-mediation: a process Einit may not start is not started and none of its channels exist', () => {
  const tb = tablesOf(good);
  // only the Server class may be started
  const policy = compileRules(tb, { name: 'p', rules: [{ kind: 'execute', dst: 'Server' }] });
  if (!policy.ok) throw new Error(policy.errors.join('\n'));
  const b = bootWith(tb, createMonitor(tb, policy.value), machine);
  assert.deepEqual(b.sids, { server: 2 });
  assert.deepEqual(b.denied, ['client', 'top']);
  assert.equal(b.state.processes.length, 3);
  assert.deepEqual(b.connections, [], 'no channel to a process that did not start');
  assert.equal(b.state.objects.length, 1, 'only the kernel object');
  assert.deepEqual(
    b.decisions.map((x) => [x.event.dst, x.decision.verdict]),
    [
      [2, 'grant'],
      [3, 'deny'],
      [3, 'deny'],
    ],
    'a denied start takes no SID: the next start asks for the same one',
  );
  assert.deepEqual(
    b.effects.map((e) => e.kind),
    ['execute'],
  );
});

test('static-configuration + complete-mediation: boot shows the monitor each start as exactly one execute event from Einit, with no endpoint, method, interface or message', () => {
  const tb = tablesOf(good);
  const r = boot(tb, allow, machine);
  if (!r.ok) throw new Error(r.errors.join('\n'));
  const none = { endpoint: -1, method: -1, iface: -1, riid: -1, mid: -1, message: null, transfers: [] };
  const expected = [
    { kind: 'execute', src: EINIT_SID, srcClass: 1, dst: 2, dstClass: 2, ...none },
    { kind: 'execute', src: EINIT_SID, srcClass: 1, dst: 3, dstClass: 3, ...none },
    { kind: 'execute', src: EINIT_SID, srcClass: 1, dst: 4, dstClass: 3, ...none },
  ];
  assert.deepEqual(
    r.value.decisions.map((x) => x.event),
    expected,
  );
  assert.deepEqual(
    r.value.effects.map((x) => x.event),
    expected,
    'each execute effect carries the event that was mediated',
  );
});

test('static-configuration + complete-mediation: a channel whose server Einit may not start does not exist, though its client started', () => {
  const tb = tablesOf(good);
  const policy = compileRules(tb, { name: 'p', rules: [{ kind: 'execute', dst: 'Client' }] });
  if (!policy.ok) throw new Error(policy.errors.join('\n'));
  const b = bootWith(tb, createMonitor(tb, policy.value), machine);
  assert.deepEqual(b.sids, { client: 2, top: 3 });
  assert.deepEqual(b.denied, ['server']);
  assert.deepEqual(b.connections, []);
  assert.equal(b.state.objects.length, 1, 'only the kernel object');
  assert.deepEqual(b.state.processes.get(2)!.handles, [{ object: 0, rights: Rights.call }]);
});
