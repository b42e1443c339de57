// Generators for the property suites: random solutions, policies in the
// intermediate rule form and machines; the event choices run in them come
// from the one adversary (src/adversary), re-exported here.

import fc from 'fast-check';
import * as t from 'io-ts';
import { Nat, KERNEL_ENDPOINTS, KERNEL_INTERFACES } from '../kernel/kernel-api.ts';
import type { SolutionDecl, InterfaceDecl } from '../kernel/tables.ts';
import type { Machine } from '../kernel/machine.ts';
import type { AllowRule, RulePolicy } from '../monitor/rules.ts';
import { EVENT_KINDS } from '../monitor/types.ts';
import { arbChoices, type Choice } from '../adversary/index.ts';

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
  .record({
    cpus: fc.integer({ min: 1, max: 3 }),
    irqLines: fc.integer({ min: 0, max: 4 }),
    portIo: fc.boolean(),
    dma: fc.boolean(),
    iommu: fc.boolean(),
  })
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
  fc.uniqueArray(fc.constantFrom(...METHOD_NAMES), { minLength: 1, maxLength: 3 }).chain((names) =>
    fc
      .tuple(
        ...names.map(() =>
          fc.tuple(fc.constantFrom(...CODECS), fc.constantFrom(...CODECS), fc.constantFrom(...CODECS)),
        ),
      )
      .map((cs) => ({
        name: `test.I${i}`,
        methods: names.map((name, k) => ({ name, request: cs[k]![0][1], response: cs[k]![1][1], error: cs[k]![2][1] })),
      })),
  );

export const arbSolution: fc.Arbitrary<SolutionDecl> = fc
  .record({
    interfaces: fc.tuple(arbInterface(0), arbInterface(1)),
    classes: fc.array(
      fc.record({
        endpoints: fc.array(fc.integer({ min: 0, max: 1 }), { minLength: 1, maxLength: 2 }),
        security: fc.option(fc.integer({ min: 0, max: 1 }), { freq: 3 }),
      }),
      { minLength: 1, maxLength: 3 },
    ),
    procs: fc.array(fc.record({ cls: fc.nat(), priority: fc.integer({ min: 8, max: 12 }) }), {
      minLength: 2,
      maxLength: 4,
    }),
    conns: fc.array(fc.tuple(fc.nat(), fc.nat()), { minLength: 1, maxLength: 5 }),
  })
  .map(({ interfaces, classes, procs, conns }) => {
    const cls = classes.map((c, i) => ({
      name: `C${i}`,
      endpoints: c.endpoints.map((f, k) => ({ name: `e${k}`, interface: `test.I${f}` })),
      ...(c.security === null ? {} : { security: `test.I${c.security}` }),
    }));
    const processes = procs.map((p, i) => ({
      name: `p${i}`,
      taskClass: cls[p.cls % cls.length]!.name,
      priority: p.priority,
    }));
    const connections = conns
      .map(([a, b], i) => ({
        client: processes[a % processes.length]!.name,
        server: processes[b % processes.length]!.name,
        id: `c${i}`,
      }))
      .filter(
        (c) =>
          c.client !== c.server &&
          cls.find((k) => k.name === processes.find((p) => p.name === c.server)!.taskClass)!.endpoints.length > 0,
      );
    return { name: 'generated', interfaces, classes: cls, processes, connections };
  });

/** Random allow-lists over the solution's names; most grant Einit's starts so that something runs. */
export const arbPolicy = (s: SolutionDecl): fc.Arbitrary<RulePolicy> => {
  const own = s.classes.map((c) => c.name);
  const classNames = ['kl.core.Core', 'Einit', ...own];
  const cls = fc.option(
    fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(...own) },
      { weight: 1, arbitrary: fc.constantFrom(...classNames) },
    ),
    { freq: 3 },
  );
  const endpoints = [...new Set([...KERNEL_ENDPOINTS, ...s.classes.flatMap((c) => c.endpoints.map((e) => e.name))])];
  const methods = [
    ...new Set([
      ...KERNEL_INTERFACES.flatMap((i) => i.methods.map((m) => m.name)),
      ...s.interfaces.flatMap((i) => i.methods.map((m) => m.name)),
    ]),
  ];
  const rule: fc.Arbitrary<AllowRule> = fc
    .record({
      kind: fc.oneof(
        { weight: 5, arbitrary: fc.constant('request' as const) },
        { weight: 4, arbitrary: fc.constant('response' as const) },
        { weight: 2, arbitrary: fc.constantFrom(...EVENT_KINDS) },
      ),
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
  const ipc: AllowRule[] = [
    { id: 'any request', kind: 'request' },
    { id: 'any response', kind: 'response' },
    { id: 'any error', kind: 'error' },
  ];
  return fc
    .tuple(
      fc.integer({ min: 0, max: 9 }),
      fc.array(rule, { maxLength: 14 }),
      fc.boolean(),
      fc.integer({ min: 0, max: 2 }),
    )
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

// The adversarial events themselves come from the one adversary (src/adversary).
export {
  arbChoice,
  arbChoices,
  realize,
  realizePayload,
  type Address,
  type Choice,
  type HandlePick,
  type Payload,
} from '../adversary/index.ts';

export const arbCase = (steps: number): fc.Arbitrary<GeneratedCase> =>
  arbSolution.chain((solution) =>
    fc.record({
      solution: fc.constant(solution),
      policy: arbPolicy(solution),
      machine: arbMachine,
      choices: arbChoices(steps),
    }),
  );
