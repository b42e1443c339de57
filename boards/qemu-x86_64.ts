// QEMU x86-64, as Cordon models it: `qemu-system-x86_64 -machine q35 -smp 4
// -m 2G -device intel-iommu`. (QEMU's plain `-machine pc` has no IOMMU; the
// VT-d model needs q35.) Legacy devices sit at their PC/AT addresses; PCI BARs
// are assigned by the firmware (SeaBIOS) at boot, so those addresses are the
// model's choice within QEMU's PCI hole, and are marked as such.

import { X86_64 } from './arch.ts';
import { defineBoard, GiB, KiB, MiB } from './types.ts';

export const qemuX86_64 = defineBoard(
  {
    id: 'qemu-x86_64',
    name: 'QEMU x86-64 (q35 + intel-iommu)',
    soc: 'QEMU q35 (ICH9) virtual machine',
    arch: 'x86_64',
    cpu: 'qemu64 / host CPU model',
    cpus: 4, // the model's -smp 4 (the KasperskyOS CE simulation target also runs QEMU with -smp 4)
    endianness: 'little',
    // QEMU hw/i386/pc_q35.c: with less than 2.75 GiB all RAM sits below 4 GiB; the first 640 KiB, a hole for VGA/BIOS, then the rest.
    ram: [
      { base: 0x0, size: 640 * KiB },
      { base: 0x10_0000, size: 2 * GiB - 1 * MiB },
    ],
    interruptController: { name: 'I/O APIC (ICH9 / QEMU ioapic, 24 pins) + local APICs', lines: 24 },
    irqNumbering:
      'global system interrupts (I/O APIC pins): ISA IRQ n is GSI n except the PIT (ISA IRQ 0 is GSI 2 by the ACPI MADT override QEMU reports)',
    devices: [
      // 82093AA I/O APIC datasheet; QEMU hw/intc/ioapic.c (IOAPIC_NUM_PINS = 24) at the default base 0xFEC00000.
      {
        name: 'ioapic',
        kind: 'intc',
        model: 'I/O APIC',
        mmio: [{ base: 0xfec0_0000, size: 0x1000 }],
        kernel: true,
        source: 'Intel 82093AA datasheet; QEMU ioapic default base',
      },
      // SDM Vol. 3A, "Local APIC": default base 0xFEE00000 (IA32_APIC_BASE).
      {
        name: 'lapic',
        kind: 'timer',
        model: 'local APIC (+ APIC timer)',
        mmio: [{ base: 0xfee0_0000, size: 0x1000 }],
        kernel: true,
        source: "Intel SDM Vol. 3A, 'Local APIC', default IA32_APIC_BASE",
      },
      // 8259A datasheet; PC/AT I/O map: master 0x20-0x21, slave 0xA0-0xA1.
      {
        name: 'pic',
        kind: 'intc',
        model: '8259A pair (masked when the I/O APIC is used)',
        ports: [
          { base: 0x20, size: 2 },
          { base: 0xa0, size: 2 },
        ],
        kernel: true,
        source: 'Intel 8259A datasheet; PC/AT I/O map',
      },
      // 8254 datasheet; PC/AT I/O map 0x40-0x43, ISA IRQ 0 (GSI 2).
      {
        name: 'pit',
        kind: 'timer',
        model: 'Intel 8254 PIT',
        ports: [{ base: 0x40, size: 4 }],
        irqs: [2],
        kernel: true,
        source: 'Intel 8254 datasheet; PC/AT I/O map; ACPI MADT override IRQ0 -> GSI 2',
      },
      // IA-PC HPET Specification; QEMU places the HPET at 0xFED00000 (1 KiB of registers).
      {
        name: 'hpet',
        kind: 'timer',
        model: 'HPET',
        mmio: [{ base: 0xfed0_0000, size: 0x400 }],
        source:
          'IA-PC HPET Specification 1.0a; QEMU hw/timer/hpet.c base address (legacy-replacement interrupts not modelled)',
      },
      // MC146818 datasheet; PC/AT CMOS RTC at 0x70-0x71, ISA IRQ 8.
      {
        name: 'rtc',
        kind: 'rtc',
        model: 'MC146818 CMOS RTC',
        ports: [{ base: 0x70, size: 2 }],
        irqs: [8],
        irqRate: 0.05,
        source: 'Motorola MC146818 datasheet; PC/AT I/O map',
      },
      // NS16550A datasheet; PC/AT COM1 at 0x3F8, ISA IRQ 4; COM2 at 0x2F8, ISA IRQ 3.
      {
        name: 'com1',
        kind: 'uart',
        model: '16550A UART',
        ports: [{ base: 0x3f8, size: 8 }],
        irqs: [4],
        source: 'NS16550A datasheet; PC/AT COM1',
      },
      {
        name: 'com2',
        kind: 'uart',
        model: '16550A UART',
        ports: [{ base: 0x2f8, size: 8 }],
        irqs: [3],
        source: 'NS16550A datasheet; PC/AT COM2',
      },
      // IBM PC/AT Technical Reference: 8042 keyboard controller at 0x60 and 0x64, IRQ 1 (keyboard) and 12 (mouse).
      {
        name: 'i8042',
        kind: 'keyboard',
        model: '8042 PS/2 controller',
        ports: [
          { base: 0x60, size: 1 },
          { base: 0x64, size: 1 },
        ],
        irqs: [1, 12],
        irqRate: 0.05,
        source: 'IBM PC/AT Technical Reference, keyboard controller',
      },
      // Intel 82574 GbE Controller datasheet (QEMU e1000e, q35's default NIC): 128 KiB register BAR. BAR address and INTx pin are
      // assigned by SeaBIOS at boot; 0xFEB80000 and PIRQA -> GSI 16 are the model's choice (drivers normally use MSI-X).
      {
        name: 'e1000e',
        kind: 'ethernet',
        model: 'Intel 82574L (QEMU e1000e)',
        mmio: [{ base: 0xfeb8_0000, size: 0x2_0000 }],
        irqs: [16],
        busMaster: true,
        source: 'Intel 82574 datasheet; BAR and INTx routing firmware-assigned (model choice)',
      },
      // QEMU hw/i386/intel_iommu.c with q35: the DMA remapping unit's registers at 0xFED90000 (Q35_HOST_BRIDGE_IOMMU_ADDR).
      {
        name: 'dmar',
        kind: 'iommu',
        model: 'Intel VT-d remapping unit (QEMU intel-iommu)',
        mmio: [{ base: 0xfed9_0000, size: 0x1000 }],
        kernel: true,
        source: 'Intel VT-d Architecture Specification; QEMU q35 IOMMU address',
      },
    ],
    timer: {
      source: 'local APIC timer (per CPU)',
      line: null,
      tickNs: 1_000_000,
      note: 'a 1 kHz tick; the APIC timer fires a CPU-local vector, not an I/O APIC pin',
    },
    iommu: {
      present: true,
      name: 'Intel VT-d (QEMU intel-iommu)',
      note: 'device DMA is translated: a device reaches only the buffers mapped for it',
    },
    // A region of RAM the model reserves for device-visible buffers: 16 MiB at 256 MiB.
    dmaWindow: { base: 0x1000_0000, size: 16 * MiB },
    kosBoard: null,
    kosBoardNote:
      "KasperskyOS Community Edition publishes aarch64 targets only; no public BOARD identifier for x86-64 is known; build templates see Cordon's own BOARD=QEMU_X86_64",
    rtcEveryTicks: 64,
    sources: [
      'QEMU q35 machine (hw/i386/pc_q35.c), ICH9 LPC and intel-iommu models',
      'PC/AT I/O port map',
      'Intel 82574 GbE Controller datasheet',
    ],
  },
  X86_64,
);
