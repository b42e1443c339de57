// What an architecture and a board are, in full. The kernel sees only a
// board's `Machine` summary (src/kernel/machine.ts); these facts are what the
// summary is derived from, what `cordon boards` lists, and what the hardware
// simulation (hardware.ts) draws its events from.

import type { Machine } from '../src/kernel/machine.ts';

export type ArchId = 'x86' | 'x86_64' | 'armv5' | 'armv7' | 'armv8' | 'mips32';

/** An address range (bytes) or a port range (ports). */
export interface Range {
  readonly base: number;
  readonly size: number;
}

export interface InterruptControllerFacts {
  readonly name: string;
  /** interrupt lines (inputs / interrupt IDs) the controller offers */
  readonly lines: number;
  readonly note: string;
}

export interface ArchFacts {
  readonly id: ArchId;
  readonly name: string;
  readonly family: 'x86' | 'arm' | 'mips';
  readonly wordBits: 32 | 64;
  readonly endianness: string;
  /** page sizes the MMU can map, bytes, smallest first */
  readonly pageSizes: readonly number[];
  /** the page size the kernel uses */
  readonly basePage: number;
  readonly mmu: string;
  /** pages can be marked non-executable (NX / XD / XN / XI) */
  readonly executeNever: boolean;
  readonly executeNeverNote: string;
  /** a separate I/O port address space (IN/OUT instructions) exists */
  readonly portIo: boolean;
  /** size of the port space when portIo */
  readonly ports: number;
  readonly interruptControllers: readonly InterruptControllerFacts[];
  readonly timers: readonly string[];
  readonly dma: string;
  readonly iommu: string;
  /** the mode user code runs in */
  readonly userMode: string;
  readonly privilegedMode: string;
  /** where these facts come from, in words */
  readonly sources: readonly string[];
}

export type DeviceKind =
  | 'uart'
  | 'timer'
  | 'gpio'
  | 'ethernet'
  | 'usb'
  | 'intc'
  | 'rtc'
  | 'dma'
  | 'storage'
  | 'iommu'
  | 'pcie'
  | 'keyboard'
  | 'sysctl';

export interface DeviceFacts {
  readonly name: string;
  readonly kind: DeviceKind;
  readonly model: string;
  readonly mmio?: readonly Range[];
  readonly ports?: readonly Range[];
  /** interrupt lines, in the kernel's numbering for this board (see BoardFacts.irqNumbering) */
  readonly irqs?: readonly number[];
  /** the device masters the bus (DMA) */
  readonly busMaster?: boolean;
  /** owned by the kernel: not offered to processes (interrupt controller, tick timer, IOMMU) */
  readonly kernel?: boolean;
  /** chance per board step that each of its lines raises an interrupt in simulation (default 0.15) */
  readonly irqRate?: number;
  /** where the address and interrupt numbers come from, and any uncertainty */
  readonly source: string;
}

export interface BoardFacts {
  readonly id: string;
  readonly name: string;
  readonly soc: string;
  readonly arch: ArchId;
  readonly cpu: string;
  readonly cpus: number;
  readonly endianness: 'little' | 'big';
  /** physical RAM ranges */
  readonly ram: readonly Range[];
  readonly interruptController: { readonly name: string; readonly lines: number };
  /** how device interrupts are numbered in `irqs` */
  readonly irqNumbering: string;
  readonly devices: readonly DeviceFacts[];
  /** the kernel's timer: its source, the interrupt line it uses (null: a CPU-local vector), its tick */
  readonly timer: {
    readonly source: string;
    readonly line: number | null;
    readonly tickNs: number;
    readonly note: string;
  };
  readonly iommu: { readonly present: boolean; readonly name: string | null; readonly note: string };
  /** device-visible window the kernel allocates DMA buffers from; null = no DMA */
  readonly dmaWindow: Range | null;
  /** the board identifier KasperskyOS build templates use (BOARD), or null where none is known */
  readonly kosBoard: string | null;
  readonly kosBoardNote: string;
  /** simulation: an RTC update every this many ticks */
  readonly rtcEveryTicks: number;
  readonly sources: readonly string[];
}

/** A board: its facts, its architecture, and the kernel's summary of it. */
export interface Board {
  readonly id: string;
  readonly facts: BoardFacts;
  readonly arch: ArchFacts;
  toMachine(): Machine;
}

/** Device ranges that processes may attach: everything not owned by the kernel. */
export function offered(facts: BoardFacts, what: 'mmio' | 'ports'): Range[] {
  return facts.devices.filter((d) => d.kernel !== true).flatMap((d) => d[what] ?? []);
}

export function defineBoard(facts: BoardFacts, arch: ArchFacts): Board {
  const ramBytes = facts.ram.reduce((n, r) => n + r.size, 0);
  const page = arch.basePage;
  const dmaPages = facts.dmaWindow === null ? 0 : Math.floor(facts.dmaWindow.size / page);
  const machine: Machine = Object.freeze({
    name: facts.id,
    arch: arch.id,
    cpus: facts.cpus,
    pageSize: page,
    irqLines: facts.interruptController.lines,
    // the kernel's own lines: its tick timer's and those of the devices it keeps (controller cascades, IOMMU)
    reservedIrqs: [
      ...new Set([
        ...(facts.timer.line === null ? [] : [facts.timer.line]),
        ...facts.devices.filter((d) => d.kernel === true).flatMap((d) => d.irqs ?? []),
      ]),
    ].sort((a, b) => a - b),
    portIo: arch.portIo,
    ports: offered(facts, 'ports').map((r) => ({ base: r.base, count: r.size })),
    mmio: offered(facts, 'mmio').map((r) => ({ base: r.base, size: r.size })),
    dma: facts.dmaWindow === null ? null : { base: facts.dmaWindow.base, pages: dmaPages },
    iommu: facts.iommu.present,
    tickNs: facts.timer.tickNs,
    memoryPages: Math.floor(ramBytes / page) - dmaPages,
  });
  return Object.freeze({ id: facts.id, facts, arch, toMachine: () => machine });
}

export const KiB = 1024;
export const MiB = 1024 * KiB;
export const GiB = 1024 * MiB;
