// MIPS 24K on the MIPS Malta development board (CoreFPGA / QEMU `-M malta
// -cpu 24Kf`): one MIPS32 Release 2 core, a GT-64120 system controller and an
// Intel PIIX4 south bridge. MIPS has no port I/O: the PIIX4's ISA "ports" are
// memory-mapped through the GT-64120's PCI I/O window at 0x18000000, so the
// legacy PC devices appear here as MMIO. Interrupt lines: 0-15 are the PIIX4
// i8259 inputs (cascaded into CPU line IP2), 16-23 are the CP0 Cause.IP0-IP7
// lines — Linux's Malta numbering.

import { MIPS32 } from './arch.ts';
import { defineBoard, MiB } from './types.ts';

const ISA_IO = 0x1800_0000; // GT-64120 PCI I/O space as the Malta maps it
const cp0 = (ip: number) => 16 + ip;

export const mips24k = defineBoard(
  {
    id: 'mips24k',
    name: 'MIPS 24K on Malta',
    soc: 'MIPS 24Kf core card, Galileo GT-64120, Intel PIIX4',
    arch: 'mips32',
    // MIPS32 24K Processor Core Family Software User's Manual (MD00343): single-issue, single core.
    cpu: 'MIPS 24Kf',
    cpus: 1,
    // The Malta's endianness is a board switch; the model runs big-endian (as qemu-system-mips does).
    endianness: 'big',
    // MIPS Malta User's Manual, "Memory Map": SDRAM from physical 0; the low 256 MiB are reachable through kseg0/kseg1.
    ram: [{ base: 0x0, size: 256 * MiB }],
    interruptController: { name: 'PIIX4 i8259 pair (16) + CP0 Cause.IP lines (8)', lines: 24 },
    irqNumbering:
      'lines 0-15: PIIX4 i8259 IRQ 0-15; lines 16-23: CP0 IP0-IP7 (the i8259 cascade is IP2 = line 18, the CP0 timer IP7 = line 23)',
    devices: [
      // Galileo GT-64120 datasheet: internal registers, 4 KiB at 0x1BE00000 on the Malta (MIPS Malta User's Manual, memory map).
      {
        name: 'gt64120',
        kind: 'sysctl',
        model: 'Galileo GT-64120 system controller',
        mmio: [{ base: 0x1be0_0000, size: 0x1000 }],
        kernel: true,
        source: "GT-64120 datasheet; MIPS Malta User's Manual, memory map",
      },
      // Intel 82371AB PIIX4 datasheet, "Interrupt Controller": 8259 pair at ISA ports 0x20-0x21, 0xA0-0xA1 (here memory-mapped).
      {
        name: 'i8259',
        kind: 'intc',
        model: 'PIIX4 8259 pair',
        mmio: [
          { base: ISA_IO + 0x20, size: 2 },
          { base: ISA_IO + 0xa0, size: 2 },
        ],
        irqs: [cp0(2)],
        kernel: true,
        source: 'Intel PIIX4 datasheet, interrupt controller; Malta cascade into IP2',
      },
      // MD00343 / MIPS32 Vol. III, "Count and Compare": the CP0 timer interrupt on IP7.
      {
        name: 'cp0timer',
        kind: 'timer',
        model: 'CP0 Count/Compare',
        irqs: [cp0(7)],
        kernel: true,
        source: 'MIPS32 Architecture Vol. III (MD00090), Count/Compare; 24K: timer on IP7',
      },
      // PIIX4 datasheet, "Counter/Timers": 8254 at ISA 0x40-0x43, IRQ 0.
      {
        name: 'pit',
        kind: 'timer',
        model: 'PIIX4 8254',
        mmio: [{ base: ISA_IO + 0x40, size: 4 }],
        irqs: [0],
        irqRate: 0.1,
        source: 'Intel PIIX4 datasheet, 8254 timers',
      },
      // PIIX4 datasheet, "Real Time Clock": ISA 0x70-0x71, IRQ 8.
      {
        name: 'rtc',
        kind: 'rtc',
        model: 'PIIX4 RTC (MC146818-compatible)',
        mmio: [{ base: ISA_IO + 0x70, size: 2 }],
        irqs: [8],
        irqRate: 0.05,
        source: 'Intel PIIX4 datasheet, RTC',
      },
      // Malta Super I/O (SMSC FDC37M817) COM2/COM1 at ISA 0x2F8 / 0x3F8, IRQ 3 / 4 (MIPS Malta User's Manual, "Super I/O").
      {
        name: 'tty1',
        kind: 'uart',
        model: '16550 UART (Super I/O COM2)',
        mmio: [{ base: ISA_IO + 0x2f8, size: 8 }],
        irqs: [3],
        source: "MIPS Malta User's Manual, Super I/O",
      },
      {
        name: 'tty0',
        kind: 'uart',
        model: '16550 UART (Super I/O COM1)',
        mmio: [{ base: ISA_IO + 0x3f8, size: 8 }],
        irqs: [4],
        source: "MIPS Malta User's Manual, Super I/O",
      },
      // AMD Am79C973 PCnet-FAST III on the Malta's PCI bus: 32-byte I/O BAR, routed to IRQ 10. The BAR is assigned by
      // YAMON / the OS at enumeration; 0x1000 is the model's choice.
      {
        name: 'pcnet',
        kind: 'ethernet',
        model: 'AMD Am79C973 PCnet-FAST III',
        mmio: [{ base: ISA_IO + 0x1000, size: 0x20 }],
        irqs: [10],
        busMaster: true,
        source: 'AMD Am79C973 datasheet; BAR model choice; Malta PCI routing IRQ 10',
      },
      // PIIX4 USB (UHCI): I/O BAR assigned at enumeration (model choice 0x1040), PIRQD -> IRQ 11.
      {
        name: 'uhci',
        kind: 'usb',
        model: 'PIIX4 USB UHCI',
        mmio: [{ base: ISA_IO + 0x1040, size: 0x20 }],
        irqs: [11],
        busMaster: true,
        source: 'Intel PIIX4 datasheet, USB; BAR and routing model choice',
      },
      // MIPS Malta User's Manual, "FPGA registers": LED bar and ASCII display at 0x1F000400.. (the board's only general-purpose outputs).
      {
        name: 'display',
        kind: 'gpio',
        model: 'Malta FPGA LED bar + ASCII display',
        mmio: [{ base: 0x1f00_0400, size: 0x100 }],
        source: "MIPS Malta User's Manual, FPGA registers",
      },
    ],
    timer: { source: 'CP0 Count/Compare', line: cp0(7), tickNs: 4_000_000, note: 'a 250 Hz tick on IP7' },
    iommu: {
      present: false,
      name: null,
      note: 'MIPS32 defines no IOMMU and the Malta has none: PCI masters reach all of memory',
    },
    dmaWindow: { base: 0x0f00_0000, size: 16 * MiB },
    kosBoard: null,
    kosBoardNote:
      "no public KasperskyOS BOARD identifier for MIPS is known; build templates see Cordon's own BOARD=MIPS24K",
    rtcEveryTicks: 32,
    sources: [
      "MIPS Malta User's Manual",
      "MIPS32 24K Processor Core Family Software User's Manual (MD00343)",
      'Intel 82371AB PIIX4 datasheet',
      'Galileo GT-64120 datasheet',
    ],
  },
  MIPS32,
);
