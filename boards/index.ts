// The board registry: every supported board, validated when this module
// loads, looked up by id. The default board is QEMU x86-64.

import { checkMachine } from '../src/kernel/machine.ts';
import { ARCHES } from './arch.ts';
import { am335x } from './am335x.ts';
import { atom } from './atom.ts';
import { imx27 } from './imx27.ts';
import { imx6 } from './imx6.ts';
import { kirin620 } from './kirin620.ts';
import { mips24k } from './mips24k.ts';
import { qemuX86_64 } from './qemu-x86_64.ts';
import { rock3a } from './rock3a.ts';
import { rpi4b } from './rpi4b.ts';
import type { Board, Range } from './types.ts';
import type { TemplateValue } from '../src/template/board.ts';

export * from './types.ts';
export { ARCHES } from './arch.ts';
export { boardStep, initialHardware, programDma, type HardwareState, type BoardStepResult } from './hardware.ts';

export const DEFAULT_BOARD = 'qemu-x86_64';

/** Every board, the default first. */
export const BOARDS: readonly Board[] = [qemuX86_64, atom, rpi4b, rock3a, imx6, am335x, imx27, kirin620, mips24k];

export const BOARD_IDS: readonly string[] = BOARDS.map((b) => b.id);

const hex = (n: number) => `0x${n.toString(16)}`;
const overlaps = (a: Range, b: Range) => a.base < b.base + b.size && b.base < a.base + a.size;
const inside = (a: Range, b: Range) => a.base >= b.base && a.base + a.size <= b.base + b.size;

/** Everything wrong with a board description, each problem named; empty when it is consistent. */
export function validateBoard(board: Board): string[] {
  const f = board.facts;
  const a = board.arch;
  const at = `board "${f.id}"`;
  const errors: string[] = [];
  if (f.arch !== a.id) errors.push(`${at}: facts say architecture ${f.arch} but the board is built on ${a.id}`);
  if (ARCHES[f.arch] === undefined) errors.push(`${at}: unknown architecture ${f.arch}`);
  if (!Number.isSafeInteger(f.cpus) || f.cpus < 1) errors.push(`${at}: cpus must be a positive integer`);

  const names = new Set<string>();
  for (const d of f.devices) {
    if (names.has(d.name)) errors.push(`${at}: device "${d.name}" is listed twice`);
    names.add(d.name);
  }

  for (const r of f.ram)
    if (!(r.size > 0) || !Number.isSafeInteger(r.base))
      errors.push(`${at}: RAM range ${hex(r.base)}+${hex(r.size)} is malformed`);
  for (let i = 0; i < f.ram.length; i++)
    for (let j = i + 1; j < f.ram.length; j++)
      if (overlaps(f.ram[i]!, f.ram[j]!))
        errors.push(`${at}: RAM ranges ${hex(f.ram[i]!.base)} and ${hex(f.ram[j]!.base)} overlap`);

  // MMIO: every device region (the kernel's own included) is disjoint from every other and from RAM
  const mmio = f.devices.flatMap((d) => (d.mmio ?? []).map((r) => ({ d: d.name, r })));
  for (const { d, r } of mmio)
    if (!(r.size > 0)) errors.push(`${at}: device "${d}" has an empty MMIO range at ${hex(r.base)}`);
  for (let i = 0; i < mmio.length; i++) {
    for (let j = i + 1; j < mmio.length; j++)
      if (overlaps(mmio[i]!.r, mmio[j]!.r))
        errors.push(
          `${at}: MMIO of "${mmio[i]!.d}" (${hex(mmio[i]!.r.base)}+${hex(mmio[i]!.r.size)}) overlaps "${mmio[j]!.d}" (${hex(mmio[j]!.r.base)}+${hex(mmio[j]!.r.size)})`,
        );
    for (const r of f.ram)
      if (overlaps(mmio[i]!.r, r)) errors.push(`${at}: MMIO of "${mmio[i]!.d}" at ${hex(mmio[i]!.r.base)} lies in RAM`);
  }

  // ports: only on the x86 family, inside the port space, disjoint
  const ports = f.devices.flatMap((d) => (d.ports ?? []).map((r) => ({ d: d.name, r })));
  if (!a.portIo && ports.length > 0)
    errors.push(
      `${at}: ${a.id} has no port I/O, yet ${[...new Set(ports.map((p) => `"${p.d}"`))].join(', ')} declare I/O ports`,
    );
  for (const { d, r } of ports)
    if (!(r.size > 0) || r.base < 0 || r.base + r.size > a.ports)
      errors.push(`${at}: ports of "${d}" (${hex(r.base)}+${r.size}) are outside the ${a.ports}-port space`);
  for (let i = 0; i < ports.length; i++)
    for (let j = i + 1; j < ports.length; j++)
      if (overlaps(ports[i]!.r, ports[j]!.r))
        errors.push(`${at}: ports of "${ports[i]!.d}" and "${ports[j]!.d}" overlap`);

  // interrupt lines: within the controller's count, one device per line
  const lines = f.interruptController.lines;
  if (!Number.isSafeInteger(lines) || lines < 1)
    errors.push(`${at}: the interrupt controller must offer at least one line`);
  const owner = new Map<number, string>();
  for (const d of f.devices)
    for (const l of d.irqs ?? []) {
      if (!Number.isSafeInteger(l) || l < 0 || l >= lines)
        errors.push(
          `${at}: device "${d.name}" uses IRQ line ${l}, outside the ${lines} lines of ${f.interruptController.name}`,
        );
      const o = owner.get(l);
      if (o !== undefined) errors.push(`${at}: IRQ line ${l} is used by both "${o}" and "${d.name}"`);
      owner.set(l, d.name);
      if (d.irqRate !== undefined && !(d.irqRate >= 0 && d.irqRate <= 1))
        errors.push(`${at}: device "${d.name}" has an interrupt rate outside [0, 1]`);
    }
  const tl = f.timer.line;
  if (tl !== null) {
    if (!Number.isSafeInteger(tl) || tl < 0 || tl >= lines)
      errors.push(`${at}: the timer line ${tl} is outside the ${lines} lines`);
    const o = owner.get(tl);
    if (o !== undefined && f.devices.find((d) => d.name === o)?.kernel !== true)
      errors.push(`${at}: the kernel timer's line ${tl} is offered to processes through "${o}"`);
  }
  if (!Number.isSafeInteger(f.timer.tickNs) || f.timer.tickNs <= 0)
    errors.push(`${at}: the tick must be a positive number of nanoseconds`);
  if (!Number.isSafeInteger(f.rtcEveryTicks) || f.rtcEveryTicks < 1)
    errors.push(`${at}: rtcEveryTicks must be a positive integer`);

  // DMA window: page-aligned, inside RAM, clear of MMIO; a bus master exists to use it
  const w = f.dmaWindow;
  if (w !== null) {
    const page = a.basePage;
    if (w.base % page !== 0 || w.size % page !== 0 || w.size < page)
      errors.push(`${at}: the DMA window ${hex(w.base)}+${hex(w.size)} is not whole pages`);
    if (!f.ram.some((r) => inside(w, r)))
      errors.push(`${at}: the DMA window ${hex(w.base)}+${hex(w.size)} is not inside RAM`);
    if (!f.devices.some((d) => d.busMaster === true)) errors.push(`${at}: a DMA window but no bus-master device`);
  }
  if (f.iommu.present) {
    if (a.iommu === 'none' || a.iommu.startsWith('none')) errors.push(`${at}: claims an IOMMU, but ${a.id} has none`);
    if (!f.devices.some((d) => d.kind === 'iommu')) errors.push(`${at}: claims an IOMMU but lists no IOMMU device`);
  }
  if (f.kosBoard !== null && !/^[A-Z0-9_]+$/.test(f.kosBoard))
    errors.push(`${at}: KasperskyOS board identifier "${f.kosBoard}" is not an upper-case identifier`);
  if (f.endianness === 'big' && !/bi-endian|big/.test(a.endianness))
    errors.push(`${at}: big-endian, but ${a.id} is ${a.endianness}`);

  errors.push(...checkMachine(board.toMachine()));
  return errors;
}

{
  const problems = BOARDS.flatMap(validateBoard);
  const ids = new Set<string>();
  for (const b of BOARDS) {
    if (ids.has(b.id)) problems.push(`board id "${b.id}" is registered twice`);
    ids.add(b.id);
  }
  if (problems.length > 0) throw new Error(`invalid board descriptions:\n  ${problems.join('\n  ')}`);
}

/** The board with this id; an unknown id is an error that lists the valid ones. */
export function getBoard(id: string): Board {
  const b = BOARDS.find((x) => x.id === id);
  if (b === undefined) throw new Error(`unknown board "${id}"; valid boards: ${BOARD_IDS.join(', ')}`);
  return b;
}

/**
 * The BOARD value build templates see: the KasperskyOS identifier where one
 * is known, otherwise Cordon's own (the id upper-cased, e.g. QEMU_X86_64), so
 * that `{% if BOARD == "RPI4_BCM2711" %}` is false there rather than an
 * undefined variable.
 */
export function boardVariable(board: Board): string {
  return board.facts.kosBoard ?? board.id.toUpperCase().replace(/[^A-Z0-9]/g, '_');
}

/** The variables a board defines for build templates: BOARD, and Cordon's CORDON_BOARD (the id) and ARCH. */
export function templateVariables(board: Board): Record<string, string> {
  return { BOARD: boardVariable(board), CORDON_BOARD: board.id, ARCH: board.arch.id };
}

/**
 * Everything a board offers build templates: `templateVariables` (BOARD,
 * CORDON_BOARD, ARCH), a few facts as upper-case scalars (CPUS, IOMMU,
 * ENDIANNESS, DMA, DEVICES: the device names), and the facts as one record
 * `board` for `{{ board.cpus }}` or `{% for d in board.devices %}`.
 */
export function templateContext(board: Board): Record<string, TemplateValue> {
  const f = board.facts;
  return {
    ...templateVariables(board),
    CPUS: f.cpus,
    IOMMU: f.iommu.present,
    ENDIANNESS: f.endianness,
    DMA: f.dmaWindow !== null,
    DEVICES: f.devices.map((d) => d.name),
    board: {
      id: f.id,
      name: f.name,
      soc: f.soc,
      arch: f.arch,
      cpu: f.cpu,
      cpus: f.cpus,
      endianness: f.endianness,
      kosBoard: f.kosBoard,
      iommu: f.iommu.present,
      dma: f.dmaWindow !== null,
      ramBytes: f.ram.reduce((n, r) => n + r.size, 0),
      interruptLines: f.interruptController.lines,
      devices: f.devices.map((d) => ({
        name: d.name,
        kind: d.kind,
        model: d.model,
        irqs: [...(d.irqs ?? [])],
        busMaster: d.busMaster === true,
        kernel: d.kernel === true,
      })),
    },
  };
}

export interface WeakenedGuarantee {
  readonly guarantee: string;
  readonly reason: string;
}

/** The isolation guarantees this board's hardware cannot back, whatever the policy says. */
export function weakenedGuarantees(board: Board): WeakenedGuarantee[] {
  const f = board.facts;
  const out: WeakenedGuarantee[] = [];
  if (f.dmaWindow !== null && !f.iommu.present)
    out.push({
      guarantee: 'DMA isolation',
      reason: `no IOMMU (${f.iommu.note}): a driver allowed DMA is trusted with all physical memory`,
    });
  if (!board.arch.executeNever)
    out.push({ guarantee: 'W^X (execute-never pages)', reason: `${board.arch.name}: ${board.arch.executeNeverNote}` });
  return out;
}
