// Intel Atom (32-bit x86): an embedded Atom N270 with the Intel 945GSE
// Express chipset and the ICH7-M I/O controller hub — the classic Atom
// netbook / embedded platform. The N270 is a single core with Hyper-Threading
// (two logical CPUs) and no 64-bit mode. PCI BARs and the ICH7 GPIO base are
// set by the BIOS; where this model gives them a value it says so.

import { X86 } from './arch.ts';
import { defineBoard, GiB, KiB, MiB } from './types.ts';

export const atom = defineBoard(
  {
    id: 'atom',
    name: 'Intel Atom N270 + 945GSE / ICH7-M',
    soc: 'Intel Atom N270, 945GSE GMCH, 82801GBM ICH7-M',
    arch: 'x86',
    // Intel Atom Processor N270 datasheet: one core, two threads (Hyper-Threading), 1.6 GHz.
    cpu: 'Atom N270 (Bonnell), 1.6 GHz',
    cpus: 2,
    endianness: 'little',
    // Intel 945GSE datasheet: one SO-DIMM channel, 2 GiB maximum; the model has 1 GiB.
    ram: [
      { base: 0x0, size: 640 * KiB },
      { base: 0x10_0000, size: 1 * GiB - 1 * MiB },
    ],
    // Intel ICH7 Family datasheet, "Advanced Programmable Interrupt Controller": 24 redirection entries.
    interruptController: { name: 'ICH7 I/O APIC (24 pins) + local APICs', lines: 24 },
    irqNumbering:
      'global system interrupts (ICH7 I/O APIC pins): ISA IRQ n is GSI n, except PIT IRQ 0 which is GSI 2; PCI PIRQA-H are GSI 16-23',
    devices: [
      // ICH7 datasheet, "APIC": I/O APIC at 0xFEC00000.
      {
        name: 'ioapic',
        kind: 'intc',
        model: 'ICH7 I/O APIC',
        mmio: [{ base: 0xfec0_0000, size: 0x1000 }],
        kernel: true,
        source: 'Intel ICH7 Family datasheet, I/O APIC',
      },
      {
        name: 'lapic',
        kind: 'timer',
        model: 'local APIC (+ APIC timer)',
        mmio: [{ base: 0xfee0_0000, size: 0x1000 }],
        kernel: true,
        source: "Intel SDM Vol. 3A, 'Local APIC'",
      },
      // ICH7 datasheet, "8259 Interrupt Controllers": 0x20-0x21, 0xA0-0xA1.
      {
        name: 'pic',
        kind: 'intc',
        model: 'ICH7 8259 pair',
        ports: [
          { base: 0x20, size: 2 },
          { base: 0xa0, size: 2 },
        ],
        kernel: true,
        source: 'Intel ICH7 Family datasheet, 8259 interrupt controllers',
      },
      // ICH7 datasheet, "8254 Timers": counters at 0x40-0x43, IRQ 0.
      {
        name: 'pit',
        kind: 'timer',
        model: 'ICH7 8254 timers',
        ports: [{ base: 0x40, size: 4 }],
        irqs: [2],
        kernel: true,
        source: 'Intel ICH7 Family datasheet, 8254 timers',
      },
      // ICH7 datasheet, "High Precision Event Timers": base selected by HPTC, 0xFED00000 by default.
      {
        name: 'hpet',
        kind: 'timer',
        model: 'ICH7 HPET',
        mmio: [{ base: 0xfed0_0000, size: 0x400 }],
        source: 'Intel ICH7 Family datasheet, HPET (HPTC default)',
      },
      // ICH7 datasheet, "Real Time Clock": 0x70-0x77 (standard and extended banks), IRQ 8.
      {
        name: 'rtc',
        kind: 'rtc',
        model: 'ICH7 RTC',
        ports: [{ base: 0x70, size: 8 }],
        irqs: [8],
        irqRate: 0.05,
        source: 'Intel ICH7 Family datasheet, RTC',
      },
      // COM1 of the board's LPC Super I/O: PC/AT 0x3F8, IRQ 4.
      {
        name: 'com1',
        kind: 'uart',
        model: '16550-compatible UART (LPC Super I/O)',
        ports: [{ base: 0x3f8, size: 8 }],
        irqs: [4],
        source: 'PC/AT COM1 via the LPC Super I/O',
      },
      // ICH7 datasheet, "GPIO": 64 bytes of I/O at GPIOBASE (LPC D31:F0 offset 0x48), set by the BIOS; 0x480 is the model's choice (a common BIOS value).
      {
        name: 'gpio',
        kind: 'gpio',
        model: 'ICH7 GPIO',
        ports: [{ base: 0x480, size: 64 }],
        source: 'Intel ICH7 Family datasheet, GPIO (GPIOBASE BIOS-assigned, model choice)',
      },
      // ICH7 datasheet, "EHCI Controller (D29:F7)": 1 KiB memory BAR; BAR and PIRQ routing BIOS-assigned (model choice: 0xF7F00000, PIRQH -> GSI 23).
      {
        name: 'ehci',
        kind: 'usb',
        model: 'ICH7 USB 2.0 EHCI',
        mmio: [{ base: 0xf7f0_0000, size: 0x400 }],
        irqs: [23],
        busMaster: true,
        source: 'Intel ICH7 Family datasheet, EHCI (BAR and routing model choice)',
      },
      // A Realtek RTL8111 PCIe GbE controller, as on most Atom N270 boards: 4 KiB register BAR; BAR and PIRQ routing BIOS-assigned (model choice).
      {
        name: 'eth0',
        kind: 'ethernet',
        model: 'Realtek RTL8111 (PCIe)',
        mmio: [{ base: 0xf7e0_0000, size: 0x1000 }],
        irqs: [17],
        busMaster: true,
        source: 'Realtek RTL8111 datasheet; BAR and routing model choice',
      },
    ],
    timer: { source: 'local APIC timer', line: null, tickNs: 4_000_000, note: 'a 250 Hz tick on a CPU-local vector' },
    // Intel 945GSE datasheet: no Intel VT-d.
    iommu: {
      present: false,
      name: null,
      note: 'the 945GSE chipset has no VT-d: a bus-master device can reach any physical address',
    },
    dmaWindow: { base: 0x0800_0000, size: 8 * MiB },
    kosBoard: null,
    kosBoardNote:
      "no public KasperskyOS BOARD identifier for Intel Atom is known; build templates see Cordon's own BOARD=ATOM",
    rtcEveryTicks: 32,
    sources: [
      'Intel Atom Processor N270 datasheet',
      'Intel 945GSE Express Chipset datasheet',
      'Intel I/O Controller Hub 7 (ICH7) Family datasheet',
    ],
  },
  X86,
);
