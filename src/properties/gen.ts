// Generators for the property suites: random solutions, policies in the
// intermediate rule form, machines, and event choices. A choice is abstract
// ("the 2nd running thread calls handle 3 with RIID 1, MID 0") and is made
// concrete against the state it meets, so shrinking keeps sequences valid and
// counterexamples stay readable.

import fc from 'fast-check';
import * as t from 'io-ts';
import { Nat, KERNEL_ENDPOINTS, KERNEL_INTERFACES, SECURITY_RIID } from '../kernel/kernel-api.ts';
import type { SolutionDecl, InterfaceDecl } from '../kernel/solution.ts';
import type { Machine } from '../kernel/machine.ts';
import type { AllowRule, RulePolicy } from '../monitor/rules.ts';
import { EVENT_KINDS } from '../monitor/types.ts';
import { Rights, type KernelEvent, type KernelState, type Message } from '../kernel/types.ts';

const CODECS: readonly [string, t.Mixed][] = [
  ['{value: Nat}', t.type({ value: Nat })],
  ['{}', t.type({})],
  ['{text: string}', t.type({ text: t.string })],
];
const METHOD_NAMES = ['Ping', 'Pong', 'Get', 'Put'];

export interface GeneratedCase {
  readonly solution: SolutionDecl;
  readonly policy: RulePolicy;
  readonly machine: Machine;
  readonly choices: readonly Choice[];
}

export const arbMachine: fc.Arbitrary<Machine> = fc
  .record({ cpus: fc.integer({ min: 1, max: 3 }), irqLines: fc.integer({ min: 0, max: 4 }), portIo: fc.boolean(), dma: fc.boolean(), iommu: fc.boolean() })
  .map((m) => ({
    name: `test-${m.cpus}cpu`,
    arch: m.portIo ? 'x86_64' : 'armv8',
    cpus: m.cpus,
    pageSize: 4096,
    irqLines: m.irqLines,
    portIo: m.portIo,
    ports: m.portIo ? [{ base: 0x60, count: 16 }] : [],
    mmio: [{ base: 0x1000_0000, size: 0x1000 }],
    dma: m.dma ? { base: 0x8000_0000, pages: 8 } : null,
    iommu: m.iommu,
    tickNs: 1_000_000,
    memoryPages: 16,
  }));

const arbInterface = (i: number): fc.Arbitrary<InterfaceDecl> =>
  fc
    .uniqueArray(fc.constantFrom(...METHOD_NAMES), { minLength: 1, maxLength: 3 })
    .chain((names) =>
      fc.tuple(...names.map(() => fc.tuple(fc.constantFrom(...CODECS), fc.constantFrom(...CODECS), fc.constantFrom(...CODECS)))).map((cs) => ({
        name: `test.I${i}`,
        methods: names.map((name, k) => ({ name, request: cs[k]![0][1], response: cs[k]![1][1], error: cs[k]![2][1] })),
      })),
    );

export const arbSolution: fc.Arbitrary<SolutionDecl> = fc
  .record({
    interfaces: fc.tuple(arbInterface(0), arbInterface(1)),
    classes: fc.array(fc.record({ endpoints: fc.array(fc.integer({ min: 0, max: 1 }), { minLength: 1, maxLength: 2 }), security: fc.option(fc.integer({ min: 0, max: 1 }), { freq: 3 }) }), { minLength: 1, maxLength: 3 }),
    procs: fc.array(fc.record({ cls: fc.nat(), priority: fc.integer({ min: 8, max: 12 }) }), { minLength: 2, maxLength: 4 }),
    conns: fc.array(fc.tuple(fc.nat(), fc.nat()), { minLength: 1, maxLength: 5 }),
  })
  .map(({ interfaces, classes, procs, conns }) => {
    const cls = classes.map((c, i) => ({
      name: `C${i}`,
      endpoints: c.endpoints.map((f, k) => ({ name: `e${k}`, interface: `test.I${f}` })),
      ...(c.security === null ? {} : { security: `test.I${c.security}` }),
    }));
    const processes = procs.map((p, i) => ({ name: `p${i}`, taskClass: cls[p.cls % cls.length]!.name, priority: p.priority }));
    const connections = conns
      .map(([a, b], i) => ({ client: processes[a % processes.length]!.name, server: processes[b % processes.length]!.name, id: `c${i}` }))
      .filter((c) => c.client !== c.server && cls.find((k) => k.name === processes.find((p) => p.name === c.server)!.taskClass)!.endpoints.length > 0);
    return { name: 'generated', interfaces, classes: cls, processes, connections };
  });

/** Random allow-lists over the solution's names; most grant Einit's starts so that something runs. */
export const arbPolicy = (s: SolutionDecl): fc.Arbitrary<RulePolicy> => {
  const own = s.classes.map((c) => c.name);
  const classNames = ['kl.core.Core', 'Einit', ...own];
  const cls = fc.option(fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...own) }, { weight: 1, arbitrary: fc.constantFrom(...classNames) }), { freq: 3 });
  const endpoints = [...new Set([...KERNEL_ENDPOINTS, ...s.classes.flatMap((c) => c.endpoints.map((e) => e.name))])];
  const methods = [...new Set([...KERNEL_INTERFACES.flatMap((i) => i.methods.map((m) => m.name)), ...s.interfaces.flatMap((i) => i.methods.map((m) => m.name))])];
  const rule: fc.Arbitrary<AllowRule> = fc
    .record({
      kind: fc.oneof({ weight: 5, arbitrary: fc.constant('request' as const) }, { weight: 4, arbitrary: fc.constant('response' as const) }, { weight: 2, arbitrary: fc.constantFrom(...EVENT_KINDS) }),
      src: cls,
      dst: cls,
      endpoint: fc.option(fc.constantFrom(...endpoints), { freq: 2 }),
      method: fc.option(fc.constantFrom(...methods), { freq: 2 }),
      limit: fc.option(fc.integer({ min: 0, max: 3 }), { freq: 4 }),
    })
    .map((r) => {
      const out: { -readonly [K in keyof AllowRule]: AllowRule[K] } = { kind: r.kind };
      if (r.src !== null) out.src = r.src;
      if (r.dst !== null) out.dst = r.dst;
      if (r.kind !== 'execute' && r.endpoint !== null) out.endpoint = r.endpoint;
      if (r.kind !== 'execute' && r.method !== null) out.method = r.method;
      if (r.limit !== null) out.limit = r.limit;
      return out;
    });
  // styles: 0 random rules only; 1 the solution's connections allowed both ways; 2 all IPC allowed
  const classOf = (p: string) => s.processes.find((x) => x.name === p)!.taskClass;
  const byConnection: AllowRule[] = s.connections.flatMap((c, i) => [
    { id: `conn ${i} request`, kind: 'request' as const, src: classOf(c.client), dst: classOf(c.server) },
    { id: `conn ${i} response`, kind: 'response' as const, src: classOf(c.server), dst: classOf(c.client) },
  ]);
  const ipc: AllowRule[] = [{ id: 'any request', kind: 'request' }, { id: 'any response', kind: 'response' }, { id: 'any error', kind: 'error' }];
  return fc
    .tuple(fc.integer({ min: 0, max: 9 }), fc.array(rule, { maxLength: 14 }), fc.boolean(), fc.integer({ min: 0, max: 2 }))
    .map(([startAll, rules, kernelAll, style]) => ({
      name: 'generated',
      rules: [
        ...(startAll < 8 ? [{ id: 'start', kind: 'execute' as const, src: 'Einit' }] : []),
        ...(kernelAll ? [{ id: 'kernel', kind: 'request' as const, dst: 'kl.core.Core' }] : []),
        ...rules,
        ...(style === 1 ? byConnection : style === 2 ? ipc : []),
      ],
    }));
};

// ---------------------------------------------------------------- choices

/** Payload keys the kernel services and generated interfaces read. */
const PAYLOAD_KEYS = ['value', 'text', 'handle', 'pages', 'offset', 'count', 'line', 'base', 'size', 'port', 'priority', 'ns', 'clock', 'taskClass', 'name', 'rights', 'code'] as const;

export type Payload = { readonly full: number } | { readonly keys: Readonly<Record<string, unknown>> } | { readonly raw: unknown };

const arbPayload: fc.Arbitrary<Payload> = fc.oneof(
  { weight: 6, arbitrary: fc.nat({ max: 1000 }).map((full) => ({ full })) },
  { weight: 2, arbitrary: fc.dictionary(fc.constantFrom(...PAYLOAD_KEYS), fc.oneof(fc.nat({ max: 8 }), fc.constantFrom('monotonic', 'x', 'C0', -1, 1.5))).map((keys) => ({ keys })) },
  { weight: 1, arbitrary: fc.anything({ maxDepth: 2 }).map((raw) => ({ raw })) },
);

/** Builds the payload: `full` fills every key any method reads, with small values picked from the seed. */
export function realizePayload(p: Payload, classNames: readonly string[]): unknown {
  if ('raw' in p) return p.raw;
  if ('keys' in p) return p.keys;
  const n = p.full;
  return {
    value: n % 7, text: `t${n % 3}`, handle: n % 6, pages: 1 + (n % 2), offset: (n % 3) * 8, count: 1 + (n % 2), line: n % 5,
    base: [0x60, 0x1000_0000, 0x10000, 0x62][n % 4], size: 8 + (n % 2) * 8, port: 0x60 + (n % 3), priority: 8 + (n % 5), ns: (n % 3) * 1_000_000,
    clock: n % 2 ? 'monotonic' : 'realtime', taskClass: classNames[n % classNames.length], name: `x${n % 4}`, rights: [127, 1, 5, 36, 0][n % 5], code: 0,
  };
}

export type Choice =
  | { readonly t: 'schedule'; readonly cpu: number }
  | { readonly t: 'tick' }
  | { readonly t: 'irq'; readonly line: number }
  | { readonly t: 'dma'; readonly slot: number }
  | { readonly t: 'rtc'; readonly value: number }
  | { readonly t: 'Call' | 'Reply'; readonly who: number; readonly handle: HandlePick; readonly addr: Address; readonly payload: Payload; readonly transfers: readonly (readonly [HandlePick, number])[]; readonly error: boolean }
  | { readonly t: 'Recv'; readonly who: number; readonly handle: HandlePick };

/** `method`: the n-th method the handle's target declares (kernel services included); `raw`: any RIID/MID. */
export type Address = { readonly method: number } | { readonly riid: number; readonly mid: number };

/** `held`: the n-th handle the caller holds; `forged`: a raw number, as an attacker would guess it. */
export type HandlePick = { readonly held: number } | { readonly forged: number };

const arbHandle: fc.Arbitrary<HandlePick> = fc.oneof(
  { weight: 6, arbitrary: fc.nat({ max: 7 }).map((held) => ({ held })) },
  { weight: 1, arbitrary: fc.oneof(fc.nat({ max: 8 }), fc.nat({ max: 1 << 20 })).map((forged) => ({ forged })) },
);

/** A held pick prefers handles with the right the operation needs (`want`), as a working program would. */
function pickHandle(s: KernelState, sid: number, h: HandlePick, want = 0): number {
  if ('forged' in h) return h.forged;
  const held: number[] = [];
  s.processes[sid]!.handles.forEach((e, i) => e !== null && (e.rights & want) === want && held.push(i));
  if (held.length === 0 && want !== 0) return pickHandle(s, sid, h);
  return held.length === 0 ? h.held : held[h.held % held.length]!;
}

const arbMsg = (t: 'Call' | 'Reply') =>
  fc.record({
    t: fc.constant(t),
    who: fc.nat({ max: 3 }),
    handle: arbHandle,
    addr: fc.oneof(
      { weight: 6, arbitrary: fc.nat({ max: 40 }).map((method) => ({ method })) },
      { weight: 1, arbitrary: fc.record({ riid: fc.oneof(fc.nat({ max: SECURITY_RIID }), fc.nat({ max: 64 })), mid: fc.oneof(fc.nat({ max: 3 }), fc.nat({ max: 40 })) }) },
    ),
    payload: arbPayload,
    transfers: fc.oneof({ weight: 4, arbitrary: fc.constant([]) }, { weight: 1, arbitrary: fc.array(fc.tuple(arbHandle, fc.constantFrom(127, 36, 1, 4, 2, 60)), { minLength: 1, maxLength: 2 }) }),
    error: fc.boolean(),
  });

export const arbChoice: fc.Arbitrary<Choice> = fc.oneof(
  { weight: 6, arbitrary: fc.nat({ max: 3 }).map((cpu) => ({ t: 'schedule' as const, cpu })) },
  { weight: 10, arbitrary: arbMsg('Call') },
  { weight: 6, arbitrary: fc.record({ t: fc.constant('Recv' as const), who: fc.nat({ max: 3 }), handle: arbHandle }) },
  { weight: 6, arbitrary: arbMsg('Reply') },
  { weight: 2, arbitrary: fc.constant({ t: 'tick' as const }) },
  { weight: 1, arbitrary: fc.nat({ max: 5 }).map((line) => ({ t: 'irq' as const, line })) },
  { weight: 1, arbitrary: fc.nat({ max: 3 }).map((slot) => ({ t: 'dma' as const, slot })) },
  { weight: 1, arbitrary: fc.nat({ max: 1e9 }).map((value) => ({ t: 'rtc' as const, value })) },
);

export const arbCase = (steps: number): fc.Arbitrary<GeneratedCase> =>
  arbSolution.chain((solution) =>
    fc.record({ solution: fc.constant(solution), policy: arbPolicy(solution), machine: arbMachine, choices: fc.array(arbChoice, { minLength: 1, maxLength: steps, size: "max" }) }),
  );

/** Makes a choice concrete against the state it meets. */
export function realize(s: KernelState, c: Choice): KernelEvent {
  switch (c.t) {
    case 'schedule':
      return { kind: 'schedule', cpu: c.cpu % s.cpus.length };
    case 'tick':
      return { kind: 'tick' };
    case 'irq':
      return s.irqs.length === 0 ? { kind: 'tick' } : { kind: 'irq', line: c.line % s.irqs.length };
    case 'dma': {
      const w = s.config.machine.dma;
      return { kind: 'dma', deviceAddress: (w?.base ?? 0) + c.slot * s.config.machine.pageSize };
    }
    case 'rtc':
      return { kind: 'rtc', realtime: c.value };
  }
  const running = s.cpus.filter((x): x is number => x !== null);
  if (running.length === 0) return { kind: 'schedule', cpu: c.who % s.cpus.length };
  // a working program calls on what it can: prefer a running thread holding a handle with the right the operation needs
  const want = c.t === 'Call' ? Rights.call : Rights.recv;
  const able = running.filter((x) => s.processes[s.threads[x]!.sid]!.handles.some((e, i) => i > 0 && e !== null && (e.rights & want) !== 0));
  // nothing running can do it (e.g. every server already waits in Recv): the scheduler runs instead
  if ('held' in c.handle && c.t !== 'Call' && able.length === 0) return { kind: 'schedule', cpu: c.who % s.cpus.length };
  const pool = 'held' in c.handle && able.length > 0 && (c.t !== 'Reply' || able.some((x) => s.threads[x]!.serving !== null)) ? (c.t === 'Reply' ? able.filter((x) => s.threads[x]!.serving !== null) : able) : running;
  const tid = pool[c.who % pool.length]!;
  const sid = s.threads[tid]!.sid;
  if (c.t === 'Recv') return { kind: 'syscall', tid, call: { op: 'Recv', handle: pickHandle(s, sid, c.handle, Rights.recv) } };
  const handle = pickHandle(s, sid, c.handle, c.t === 'Call' ? Rights.call : Rights.recv);
  const [riid, mid] = address(s, sid, tid, handle, c);
  const message: Message = {
    riid,
    mid,
    payload: realizePayload(c.payload, s.config.tables.classes.map((k) => k.name)),
    // kernel services take no transfers; only a forged address sends them there anyway
    handles: handle === 0 && 'method' in c.addr ? [] : c.transfers.map(([h, rights]) => ({ handle: pickHandle(s, sid, h, Rights.transfer), rights })),
    ...(c.t === 'Reply' ? { error: c.error } : {}),
  };
  return { kind: 'syscall', tid, call: { op: c.t, handle, message } };
}

/** The RIID/MID of the n-th method reachable through a handle (for a Reply: the method being served). */
function address(s: KernelState, sid: number, tid: number, handle: number, c: Extract<Choice, { t: 'Call' | 'Reply' }>): [number, number] {
  if ('riid' in c.addr) return [c.addr.riid, c.addr.mid];
  const n = c.addr.method;
  const serving = s.threads[tid]!.serving;
  if (c.t === 'Reply') return serving === null ? [0, 0] : [serving.riid, serving.mid];
  const entry = s.processes[sid]!.handles[handle];
  const obj = entry == null ? undefined : s.objects[entry.object];
  const t = s.config.tables;
  const cls = obj?.kind === 'kernel' ? t.classes[0]! : obj?.kind === 'channel' ? t.classes[s.processes[obj.server]!.taskClass]! : undefined;
  if (cls === undefined) return [0, n % 3];
  const all: [number, number][] = cls.endpoints.flatMap((ep) => t.interfaces[ep.iface]!.methods.map((m) => [ep.riid, m.mid] as [number, number]));
  const own = t.classes[s.processes[sid]!.taskClass]!;
  if (obj?.kind === 'kernel' && own.security >= 0) all.push(...t.interfaces[own.security]!.methods.map((m) => [SECURITY_RIID, m.mid] as [number, number]));
  return all.length === 0 ? [0, 0] : all[n % all.length]!;
}
