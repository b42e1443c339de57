// The security requirements of Cordon, as data: each in the words of the
// KasperskyOS principles, where it is stated formally (a TLA+ operator of
// spec/, located by searching the module's text so that a line number never
// drifts), where it is stated in TypeScript (a file and its exported
// function), which checks claim it (by their verify/evidence check ids), and
// which board facts weaken it. The security-mutant suite names mutants by
// these ids; traceability.json and adv_spm.md are generated from this table.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './report.ts';

export const REQUIREMENT_IDS = [
  'default-deny',
  'complete-mediation',
  'isolation',
  'typed-interfaces',
  'static-configuration',
  'three-syscalls',
  'unforgeable-handles',
  'resource-labels',
  'reply-to-caller',
  'one-thread-per-cpu',
  'board-irq-holder',
  'board-dma-granted',
  'board-no-port-io',
  'board-monotonic-clock',
] as const;
export type RequirementId = (typeof REQUIREMENT_IDS)[number];

/** A TLA+ operator that states (part of) a requirement. */
export interface FormalStatement {
  /** spec module, e.g. `Properties` for spec/Properties.tla */
  readonly module: string;
  readonly operator: string;
  /**
   * invariant: a state predicate TLC checks on every reachable state; action: a [][A]_vars property;
   * liveness: a temporal property under fairness; definition: the kernel's own definition of the
   * behaviour (the requirement holds by construction of the spec, it is not a separate property)
   */
  readonly kind: 'invariant' | 'action' | 'liveness' | 'definition';
}

/** A TypeScript statement of the requirement: a property checked on runs, or the function that enforces it. */
export interface CodeStatement {
  /** relative to the project root */
  readonly file: string;
  readonly export: string;
  /** property: a checker run on every kernel step of a property suite; enforcement: the code that implements it */
  readonly kind: 'property' | 'enforcement';
}

export interface Requirement {
  readonly id: RequirementId;
  readonly title: string;
  /** in the words of the KasperskyOS principles */
  readonly statement: string;
  readonly formal: readonly FormalStatement[];
  /** why the spec has no operator for it, when `formal` is empty (an honest gap, shown in the bundle) */
  readonly formalGap?: string;
  readonly code: readonly CodeStatement[];
  /**
   * The checks that claim it, by check id; a trailing `*` matches a prefix (`pal.*`, `tlc.model.*`).
   * A claim is only as good as its check's ability to fail: the mutant results show that.
   */
  readonly checks: readonly string[];
  /** test suites of `npm test` that check it too (not run by `cordon evidence`; named for the assessor) */
  readonly suites: readonly string[];
  /** the board guarantees (boards/index.ts weakenedGuarantees) whose absence weakens it */
  readonly weakenedBy: readonly string[];
  /** what weakens it, in words, beyond the board guarantees */
  readonly weakness: string;
}

const P = (operator: string, kind: FormalStatement['kind'] = 'invariant'): FormalStatement => ({
  module: 'Properties',
  operator,
  kind,
});
const K = (operator: string, kind: FormalStatement['kind'] = 'definition'): FormalStatement => ({
  module: 'Kernel',
  operator,
  kind,
});
const CHECKS_TS = 'src/properties/checks.ts';
const BOARD_TS = 'src/driver/board-checks.ts';
const ALL_TLC = ['tlc.model.*', 'tlc.solution.*'];
const CONFORMANCE = ['conformance.traces.*', 'conformance.reachable.*'];
/** The checks and suites of the device guarantees the kernel states and the boards exercise (IRQ, DMA). */
const DEVICE_CHECKS = ['kernel.devices', 'scenario.programs', 'board.events', ...ALL_TLC];
const DEVICE_SUITES = [
  'property-tests/boards.test.ts',
  'test/driver.test.ts',
  'test/kernel-devices.test.ts',
  'test/conformance-devices.test.ts',
];

export const REQUIREMENTS: readonly Requirement[] = [
  {
    id: 'default-deny',
    title: 'Default deny',
    statement:
      'Any interaction the security policy does not explicitly allow is denied: the security monitor starts from deny, only an explicit rule produces grant, and an unknown event, an unparsable message or an undeclared method is denied. A denied interaction has no effect.',
    formal: [P('DefaultDeny')],
    code: [{ file: CHECKS_TS, export: 'defaultDeny', kind: 'property' }],
    checks: ['kernel.default-deny', 'pal.*', ...ALL_TLC, 'proof.inductive', ...CONFORMANCE],
    suites: [
      'property-tests/kernel.test.ts',
      'property-tests/psl-equivalence.test.ts',
      'test/default-deny-oracle.test.ts',
    ],
    weakenedBy: [],
    weakness:
      'Policy constructs Cordon cannot model deny (reported by policy.not-modelled), so default deny holds for them trivially but the PAL tests that use them are skipped.',
  },
  {
    id: 'complete-mediation',
    title: 'Complete mediation',
    statement:
      'Every interaction between processes, and between a process and the kernel (starting a process, delivering a request, a response or an error, every kernel service), is decided by the security monitor, through one mediation point, and only a grant lets it happen.',
    formal: [P('CompleteMediation'), P('MediatedSteps', 'action')],
    code: [{ file: CHECKS_TS, export: 'completeMediation', kind: 'property' }],
    checks: ['kernel.complete-mediation', ...ALL_TLC, 'proof.inductive', ...CONFORMANCE],
    suites: ['property-tests/kernel.test.ts', 'test/kernel-mediate.test.ts', 'test/spec-mediation.test.ts'],
    weakenedBy: ['DMA isolation'],
    weakness:
      'A device doing DMA is not mediated per access: on a board without an IOMMU a driver allowed DMA can reach all physical memory.',
  },
  {
    id: 'isolation',
    title: 'Isolation of processes',
    statement:
      'A process affects only the processes it shares a channel with that the policy granted: requests travel only along channels to their server, a thread receives only on channels its process serves, an exited process holds nothing, and memory is shared only as memory objects.',
    formal: [P('Isolation'), P('FutexWokenByOwnWake', 'action'), P('FutexAddress')],
    code: [
      { file: CHECKS_TS, export: 'isolation', kind: 'property' },
      { file: CHECKS_TS, export: 'futexWokenByOwnWake', kind: 'property' },
    ],
    checks: ['kernel.isolation', 'kernel.devices', ...ALL_TLC, 'proof.inductive', ...CONFORMANCE],
    suites: ['property-tests/kernel.test.ts', 'test/kernel-devices.test.ts', 'test/conformance-devices.test.ts'],
    weakenedBy: ['DMA isolation', 'W^X (execute-never pages)'],
    weakness:
      'Isolation of memory from devices needs an IOMMU; without execute-never pages a process can execute data it wrote.',
  },
  {
    id: 'typed-interfaces',
    title: 'Typed interfaces',
    statement:
      'Every message is validated against the declaration of its interface method (IDL/CDL/EDL) before any policy rule sees it; a message that does not match its declaration is denied.',
    formal: [P('DefaultDeny')],
    code: [{ file: 'src/interfaces/codecs.ts', export: 'methodDecl', kind: 'enforcement' }],
    checks: ['kernel.default-deny', 'pal.*', ...ALL_TLC],
    suites: ['test/codecs.test.ts', 'test/fuzz-interfaces.test.ts'],
    weakenedBy: [],
    weakness:
      "The spec abstracts a payload to the (interface, method) pairs its declaration accepts (DefaultDeny's `wf` and `iface` conjunct); the codecs themselves are checked by tests, not by TLC.",
  },
  {
    id: 'static-configuration',
    title: 'Static configuration',
    statement:
      'Every process and every channel comes from the solution description (init.yaml, EDL): Einit starts only the declared processes and connects only the declared channels, each start decided by the monitor (execute).',
    formal: [K('bootFrom'), K('connectFrom'), K('Init')],
    code: [{ file: 'src/kernel/tables.ts', export: 'compileSolution', kind: 'enforcement' }],
    checks: ['boot', ...ALL_TLC, ...CONFORMANCE],
    suites: ['test/parse-init-yaml.test.ts', 'test/examples.test.ts'],
    weakenedBy: [],
    weakness:
      'Channels created at run time (channel.Create) are allowed by the model; they are mediated as kernel services, not fixed by the solution.',
  },
  {
    id: 'three-syscalls',
    title: 'Three system calls',
    statement:
      'Call, Recv and Reply are the only way into the kernel: every kernel service is a Call on the kernel handle, mediated like any other request.',
    formal: [K('Next')],
    code: [{ file: 'src/kernel/step.ts', export: 'step', kind: 'enforcement' }],
    checks: ['kernel.complete-mediation', 'kernel.determinism', ...ALL_TLC, ...CONFORMANCE],
    suites: ['property-tests/purity.test.ts', 'test/kernel-services.test.ts'],
    weakenedBy: [],
    weakness: 'Hardware events (ticks, interrupts, DMA completions) enter the kernel too; they carry no authority.',
  },
  {
    id: 'unforgeable-handles',
    title: 'Handles unforgeable',
    statement:
      "A handle is an index into the holder's own table, issued by the kernel; a process cannot name an object it was not given, rights only ever shrink, and a transfer carries at most the rights the sender holds.",
    formal: [P('HandlesUnforgeable')],
    code: [{ file: 'src/kernel/types.ts', export: 'rightsWithin', kind: 'enforcement' }],
    checks: ['kernel.isolation', ...ALL_TLC, ...CONFORMANCE],
    suites: ['property-tests/kernel.test.ts', 'test/kernel-hangup.test.ts'],
    weakenedBy: [],
    weakness:
      'The TS property suites check handle use through isolation and mediation; the dedicated statement is the TLA+ invariant, checked by TLC and by trace validation.',
  },
  {
    id: 'resource-labels',
    title: 'Resources carry labels',
    statement:
      "Every resource has one security identifier, given when it is created and never changed (mandatory identification and labelling); the policy is shown a transferred handle only as its resource's label and the rights transferred, never as the sender's handle number, and a forged handle number never reaches the policy.",
    formal: [P('ObjectLabels'), K('give')],
    code: [
      { file: CHECKS_TS, export: 'objectLabels', kind: 'property' },
      { file: 'src/kernel/types.ts', export: 'objectSid', kind: 'enforcement' },
    ],
    checks: ['kernel.object-labels', ...ALL_TLC, 'proof.inductive', ...CONFORMANCE],
    suites: ['test/kernel-labels.test.ts', 'property-tests/kernel.test.ts', 'test/conformance-devices.test.ts'],
    weakenedBy: [],
    weakness:
      "The spec abstracts message payloads: that a handle field reaches the monitor as its object's label is checked on TS runs (test/kernel-labels.test.ts), the labels themselves by TLC.",
  },
  {
    id: 'reply-to-caller',
    title: 'A reply reaches only its caller',
    statement:
      'A Reply is delivered only to the client whose request the server thread is serving, and only after the monitor granted the response (or error).',
    formal: [P('ReplyToCaller')],
    code: [{ file: 'src/kernel/ipc.ts', export: 'reply', kind: 'enforcement' }],
    checks: ['kernel.isolation', 'kernel.complete-mediation', ...ALL_TLC, ...CONFORMANCE],
    suites: ['property-tests/kernel.test.ts'],
    weakenedBy: [],
    weakness:
      'The TS property suites check it through isolation (a response travels only back along the channel); the dedicated statement is the TLA+ invariant.',
  },
  {
    id: 'one-thread-per-cpu',
    title: 'One current thread per CPU',
    statement:
      'Each CPU has at most one current thread, which is running on that CPU; the run queue holds the ready threads once each.',
    formal: [P('Scheduling')],
    code: [
      { file: CHECKS_TS, export: 'oneThreadPerCpu', kind: 'property' },
      { file: BOARD_TS, export: 'oneThreadPerCpu', kind: 'property' },
    ],
    checks: [
      'kernel.one-thread-per-cpu',
      'scenario.programs',
      'board.events',
      ...ALL_TLC,
      'proof.inductive',
      ...CONFORMANCE,
    ],
    suites: ['property-tests/kernel.test.ts', 'property-tests/boards.test.ts'],
    weakenedBy: [],
    weakness: 'The TLC models have one or two CPUs; boards with more are covered by the TS property suites only.',
  },
  {
    id: 'board-irq-holder',
    title: 'IRQ only to its holder',
    statement:
      'An interrupt is handed only to a thread of the process that attached its line; when no live process holds the IRQ object any more, the line is detached.',
    formal: [P('IrqToHolder'), K('deliverIrq'), K('releaseIrqs')],
    code: [
      { file: CHECKS_TS, export: 'irqToHolder', kind: 'property' },
      { file: BOARD_TS, export: 'irqToHolder', kind: 'property' },
    ],
    checks: DEVICE_CHECKS,
    suites: DEVICE_SUITES,
    weakenedBy: [],
    weakness:
      'The board model delivers interrupts as events; a real interrupt controller is trusted to route lines as declared.',
  },
  {
    id: 'board-dma-granted',
    title: 'DMA only into granted buffers',
    statement:
      "DMA buffers come only from a granted dma.Allocate inside the board's DMA window, transfers start only through a handle with the right, and a completion touches only the started buffer.",
    formal: [P('DmaSteps', 'action'), P('DmaBuffers')],
    code: [
      { file: CHECKS_TS, export: 'dmaIntoGrantedBuffer', kind: 'property' },
      { file: BOARD_TS, export: 'dmaGrantedOnly', kind: 'property' },
      { file: 'src/driver/dma-isolation.ts', export: 'dmaIsolation', kind: 'property' },
    ],
    checks: DEVICE_CHECKS,
    suites: DEVICE_SUITES,
    weakenedBy: ['DMA isolation'],
    weakness: 'The kernel confines DMA to granted buffers; without an IOMMU the device itself is not confined.',
  },
  {
    id: 'board-no-port-io',
    title: 'No port I/O off x86',
    statement:
      'Off the x86 family no I/O port range is ever attached, read or written; on x86 only attached ranges are accessible.',
    formal: [K('attach')],
    formalGap:
      'The spec defines port I/O (io.AttachPorts attaches nothing unless the board has PortIo; io.PortRead/PortWrite reach only an attached range) but states no separate property over it: the TLC models check the definition, not a restatement.',
    code: [{ file: BOARD_TS, export: 'noPortIoOffX86', kind: 'property' }],
    checks: ['scenario.programs', 'board.events'],
    suites: ['property-tests/boards.test.ts'],
    weakenedBy: [],
    weakness: 'On x86 boards port I/O exists: the requirement is then that only attached ranges are used.',
  },
  {
    id: 'board-monotonic-clock',
    title: 'A monotonic clock',
    statement: 'The monotonic clock never goes back and moves only on ticks, by one tick.',
    formal: [K('tick')],
    formalGap:
      'The spec drops the clock (a sleeping thread keeps its remaining ticks): `tick` states the wake-ups, not the clock value.',
    code: [{ file: BOARD_TS, export: 'monotonicClock', kind: 'property' }],
    checks: ['scenario.programs', 'board.events'],
    suites: ['property-tests/boards.test.ts'],
    weakenedBy: [],
    weakness: 'The real-time clock (rtc) may be set; only the monotonic clock is required to be monotonic.',
  },
];

/** Where a TLA+ operator is defined: its line in spec/<module>.tla (1-based), or null when the module does not define it. */
export function locateOperator(module: string, operator: string, specDir = join(ROOT, 'spec')): number | null {
  let text: string;
  try {
    text = readFileSync(join(specDir, `${module}.tla`), 'utf8');
  } catch {
    return null;
  }
  const escaped = operator.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const def = new RegExp(`^${escaped}\\s*(\\([^)]*\\))?\\s*==`);
  const lines = text.split('\n');
  const i = lines.findIndex((l) => def.test(l));
  return i < 0 ? null : i + 1;
}

/** Whether a check id is claimed by a pattern (`x.*` matches the prefix `x.`). */
export function claims(pattern: string, checkId: string): boolean {
  return pattern.endsWith('*') ? checkId.startsWith(pattern.slice(0, -1)) : pattern === checkId;
}

/** The ids among `checkIds` that claim `r`, in the order given. */
export function claimingChecks(r: Requirement, checkIds: readonly string[]): string[] {
  return checkIds.filter((id) => r.checks.some((p) => claims(p, id)));
}

export function requirement(id: string): Requirement | undefined {
  return REQUIREMENTS.find((r) => r.id === id);
}
