// The six architectures Cordon models. Each fact carries a comment naming the
// manual it comes from (title and section, in words).

import { KiB, MiB, GiB, type ArchFacts, type ArchId } from './types.ts';

const X86_INTC = [
  // Intel 8259A Programmable Interrupt Controller datasheet: 8 inputs per chip;
  // the PC cascades a slave into the master's input 2, leaving 15 usable IRQs.
  {
    name: '8259A PIC (master + slave)',
    lines: 16,
    note: 'legacy ISA IRQ 0-15; input 2 of the master carries the slave',
  },
  // Intel 82093AA I/O APIC datasheet, "Redirection Table": 24 entries; the
  // ICH south bridges and QEMU's IO-APIC model keep that count.
  {
    name: 'I/O APIC',
    lines: 24,
    note: 'global system interrupts (GSI) 0-23; ISA IRQs map to GSI 0-15, PCI INTx to GSI 16-23',
  },
  // Intel 64 and IA-32 Architectures Software Developer's Manual, Vol. 3A,
  // chapter "Advanced Programmable Interrupt Controller (APIC)": one local APIC
  // per logical CPU, with its own timer and vectors 16-255.
  {
    name: 'local APIC',
    lines: 224,
    note: 'per-CPU; local timer and inter-processor interrupts; vectors 32-255 usable',
  },
] as const;

const X86_TIMERS = [
  'Intel 8254 PIT (1.193182 MHz, ISA IRQ 0)', // Intel 8254 Programmable Interval Timer datasheet
  'local APIC timer (per CPU)', // SDM Vol. 3A, "APIC Timer"
  'HPET', // IA-PC HPET (High Precision Event Timers) Specification 1.0a
  'TSC (time-stamp counter)', // SDM Vol. 3B, "Time-Stamp Counter"
  'MC146818 RTC (ISA IRQ 8)', // Motorola MC146818 datasheet; PC CMOS RTC at ports 0x70-0x71
];

export const X86: ArchFacts = {
  id: 'x86',
  name: 'IA-32 (32-bit x86)',
  family: 'x86',
  wordBits: 32,
  // SDM Vol. 1, "Bytes, Words, Doublewords ...": IA-32 is little-endian.
  endianness: 'little',
  // SDM Vol. 3A, "Paging": 4 KiB pages; 4 MiB pages with PSE (32-bit paging); 2 MiB pages under PAE.
  pageSizes: [4 * KiB, 2 * MiB, 4 * MiB],
  basePage: 4 * KiB,
  mmu: 'two-level 32-bit paging, or three-level PAE paging (36+ bit physical addresses)',
  // SDM Vol. 3A, "PAE Paging": the execute-disable (XD) bit exists only in PAE page-table entries.
  executeNever: true,
  executeNeverNote: 'XD bit only under PAE paging; classic 32-bit paging has none',
  // SDM Vol. 1, "Input/Output": a separate 64 Ki-port I/O space reached by IN/OUT.
  portIo: true,
  ports: 0x10000,
  interruptControllers: X86_INTC,
  timers: X86_TIMERS,
  // Intel 8237A DMA controller datasheet (ISA DMA, first 16 MiB only); PCI Local Bus Specification 3.0, bus mastering.
  dma: 'ISA 8237A DMA (first 16 MiB) and PCI bus-master DMA',
  // Intel Virtualization Technology for Directed I/O Architecture Specification: VT-d is a chipset feature, optional.
  iommu: 'Intel VT-d on some chipsets (optional; most 32-bit platforms have none)',
  // SDM Vol. 3A, "Privilege Levels": user code runs at CPL 3.
  userMode: 'ring 3 (CPL 3)',
  privilegedMode: 'ring 0 (CPL 0)',
  sources: [
    "Intel 64 and IA-32 Architectures Software Developer's Manual, Vol. 1 (I/O), Vol. 3A (paging, protection, APIC)",
    'Intel 8259A PIC, 82093AA I/O APIC and 8254 PIT datasheets',
  ],
};

export const X86_64: ArchFacts = {
  ...X86,
  id: 'x86_64',
  name: 'x86-64 (Intel 64 / AMD64)',
  wordBits: 64,
  // SDM Vol. 3A, "4-Level Paging and 5-Level Paging": 4 KiB, 2 MiB and (optionally) 1 GiB pages.
  pageSizes: [4 * KiB, 2 * MiB, 1 * GiB],
  mmu: '4-level (or 5-level) paging, 48-bit (57-bit) virtual addresses',
  // SDM Vol. 3A, "Paging": IA32_EFER.NXE enables the XD bit in every 64-bit page-table level.
  executeNever: true,
  executeNeverNote: 'XD bit in every paging level (IA32_EFER.NXE)',
  // SDM Vol. 1, "Input/Output": unchanged in 64-bit mode.
  portIo: true,
  // Intel VT-d Architecture Specification; AMD I/O Virtualization Technology (IOMMU) Specification.
  iommu: 'Intel VT-d or AMD-Vi (a platform option)',
  sources: [
    "Intel 64 and IA-32 Architectures Software Developer's Manual, Vol. 1, Vol. 3A",
    'Intel Virtualization Technology for Directed I/O Architecture Specification',
    "AMD64 Architecture Programmer's Manual, Vol. 2 (System Programming)",
  ],
};

export const ARMV5: ArchFacts = {
  id: 'armv5',
  name: 'ARMv5TE (ARM9 class, e.g. ARM926EJ-S)',
  family: 'arm',
  wordBits: 32,
  // ARM Architecture Reference Manual (ARMv5 edition, DDI 0100), "Endian support": little-endian by default, BE-32 selectable.
  endianness: 'little (big-endian BE-32 selectable)',
  // ARM ARM DDI 0100, "Virtual Memory System Architecture": tiny (1 KiB), small (4 KiB), large (64 KiB) pages and 1 MiB sections.
  pageSizes: [1 * KiB, 4 * KiB, 64 * KiB, 1 * MiB],
  basePage: 4 * KiB,
  mmu: 'two-level page tables (VMSAv5): 1 MiB sections, 64 KiB / 4 KiB / 1 KiB pages; 16 domains',
  // ARM ARM DDI 0100: the XN bit arrived only with VMSAv6; ARMv5 pages are executable wherever readable.
  executeNever: false,
  executeNeverNote: 'no XN bit before ARMv6: any readable page is executable',
  portIo: false,
  ports: 0,
  interruptControllers: [
    // ARM PrimeCell Vectored Interrupt Controller (PL190) Technical Reference Manual: 32 interrupt sources.
    {
      name: 'PL190 VIC',
      lines: 32,
      note: 'the common ARM9 controller; SoCs often bring their own (the i.MX27 AITC has 64 sources)',
    },
  ],
  // ARMv5 defines no architected timer: the ARM926EJ-S TRM lists none; timers are SoC peripherals.
  timers: ['SoC timer peripheral (no architected timer in ARMv5)'],
  dma: 'SoC DMA controllers and bus-master peripherals on AHB',
  // No system MMU exists for ARMv5 systems (the ARM SMMU architecture starts with ARMv7-era SMMUv1).
  iommu: 'none',
  // ARM ARM DDI 0100, "Processor modes": user code runs in User mode (CPSR.M = 0b10000).
  userMode: 'USR mode (CPSR.M = 0b10000)',
  privilegedMode: 'SVC mode',
  sources: [
    'ARM Architecture Reference Manual (ARMv5 edition, DDI 0100)',
    'ARM926EJ-S Technical Reference Manual',
    'ARM PL190 VIC Technical Reference Manual',
  ],
};

export const ARMV7: ArchFacts = {
  id: 'armv7',
  name: 'ARMv7-A (Cortex-A8 / A9 / A7 / A15)',
  family: 'arm',
  wordBits: 32,
  // ARM ARM ARMv7-A/R (DDI 0406), "Endian support": little-endian by default, BE-8 selectable (SCTLR.EE, CPSR.E).
  endianness: 'little (big-endian BE-8 selectable)',
  // DDI 0406, "Short-descriptor translation table format": 4 KiB small pages, 64 KiB large pages, 1 MiB sections, 16 MiB supersections.
  pageSizes: [4 * KiB, 64 * KiB, 1 * MiB, 16 * MiB],
  basePage: 4 * KiB,
  mmu: 'VMSAv7 short descriptors (two levels); LPAE long descriptors on cores with the Large Physical Address Extension',
  // DDI 0406, "Execute-never restrictions on instruction fetching": XN bit in page and section descriptors.
  executeNever: true,
  executeNeverNote: 'XN bit in section and page descriptors (PXN with LPAE)',
  portIo: false,
  ports: 0,
  interruptControllers: [
    // ARM Generic Interrupt Controller Architecture Specification v1/v2 (IHI 0048): interrupt IDs 0-1019; SGIs 0-15, PPIs 16-31, SPIs from 32.
    {
      name: 'GIC (v1/v2)',
      lines: 1020,
      note: 'IDs 0-15 SGI, 16-31 PPI (per CPU), 32-1019 SPI; a SoC implements a multiple of 32',
    },
    // Some Cortex-A8 SoCs keep a vendor controller, e.g. TI's INTC with 128 lines (AM335x TRM, "Interrupt Controller").
    { name: 'vendor controller (e.g. TI INTC)', lines: 128, note: 'Cortex-A8 SoCs without a GIC' },
  ],
  timers: [
    // Cortex-A9 MPCore TRM, "Private timer and watchdog" / "Global timer": per-CPU timer on PPI 29.
    'Cortex-A9 MPCore private timer (PPI 29) and global timer (PPI 27)',
    // DDI 0406C, "The Generic Timer": optional in ARMv7, present with the Virtualization Extensions (Cortex-A7/A15).
    'ARM Generic Timer (optional in ARMv7)',
    'SoC timer peripherals (GPT, EPIT, DMTimer ...)',
  ],
  dma: 'SoC DMA engines (SDMA, EDMA, PL330) and bus-master peripherals',
  // ARM System Memory Management Unit Architecture Specification (SMMUv1), e.g. CoreLink MMU-400/401: optional.
  iommu: 'ARM SMMUv1 (MMU-400/401) where the SoC integrates one',
  // DDI 0406, "ARM processor modes": User mode (CPSR.M = 0b10000) is the only unprivileged mode.
  userMode: 'USR mode (CPSR.M = 0b10000, PL0)',
  privilegedMode: 'SVC mode (PL1)',
  sources: [
    'ARM Architecture Reference Manual ARMv7-A and ARMv7-R edition (DDI 0406)',
    'ARM Generic Interrupt Controller Architecture Specification (IHI 0048)',
    'Cortex-A9 MPCore Technical Reference Manual',
  ],
};

export const ARMV8: ArchFacts = {
  id: 'armv8',
  name: 'ARMv8-A (AArch64)',
  family: 'arm',
  wordBits: 64,
  // ARM ARM for A-profile (DDI 0487), "Endianness": data endianness per exception level (SCTLR_ELx.EE, SCTLR_EL1.E0E); little by default.
  endianness: 'little (big-endian selectable per exception level)',
  // DDI 0487, "VMSAv8-64 translation": 4 KiB, 16 KiB and 64 KiB granules; 2 MiB / 1 GiB blocks with the 4 KiB granule.
  pageSizes: [4 * KiB, 16 * KiB, 64 * KiB, 2 * MiB, 1 * GiB],
  basePage: 4 * KiB,
  mmu: 'VMSAv8-64: up to 4-level tables, 48-bit virtual addresses, two translation regimes (TTBR0/TTBR1)',
  // DDI 0487, "Access permissions for instruction execution": UXN and PXN bits.
  executeNever: true,
  executeNeverNote: 'UXN / PXN bits at every level',
  portIo: false,
  ports: 0,
  interruptControllers: [
    // GIC Architecture Specification v3/v4 (IHI 0069) and v2 (IHI 0048): INTIDs 0-1019 (+ LPIs from 8192 in v3).
    {
      name: 'GIC-400 (GICv2) / GIC-500/600 (GICv3)',
      lines: 1020,
      note: 'INTID 0-15 SGI, 16-31 PPI, 32-1019 SPI; GICv3 adds LPIs',
    },
  ],
  // DDI 0487, "The Generic Timer in AArch64 state": mandatory; the EL1 non-secure physical timer is PPI 14 (INTID 30) by the Server Base System Architecture convention.
  timers: [
    'ARM Generic Timer (mandatory; EL1 physical timer on INTID 30, virtual timer on INTID 27)',
    'SoC timer peripherals',
  ],
  dma: 'SoC DMA engines (PL330, vendor DMACs) and bus-master peripherals (PCIe, Ethernet, USB)',
  // ARM System Memory Management Unit Architecture Specification SMMUv2 (IHI 0062) / SMMUv3 (IHI 0070): optional.
  iommu: 'ARM SMMUv2 / SMMUv3 where the SoC integrates one',
  // DDI 0487, "Exception levels": applications run at EL0.
  userMode: 'EL0 (AArch64 or AArch32)',
  privilegedMode: 'EL1',
  sources: [
    'Arm Architecture Reference Manual for A-profile architecture (DDI 0487)',
    'Arm GIC Architecture Specification v2/v3 (IHI 0048, IHI 0069)',
    'Arm SMMU Architecture Specifications (IHI 0062, IHI 0070)',
  ],
};

export const MIPS32: ArchFacts = {
  id: 'mips32',
  name: 'MIPS32 Release 2 (e.g. MIPS 24K)',
  family: 'mips',
  wordBits: 32,
  // MIPS32 Architecture for Programmers Vol. I (MD00082), "Endianness": bi-endian, chosen at reset (Config.BE).
  endianness: 'bi-endian, fixed at reset (Config.BE)',
  // MIPS32 Architecture for Programmers Vol. III (MD00090), "TLB": PageMask selects 4 KiB to 256 MiB pages in powers of 4.
  pageSizes: [4 * KiB, 16 * KiB, 64 * KiB, 256 * KiB, 1 * MiB, 4 * MiB, 16 * MiB, 64 * MiB, 256 * MiB],
  basePage: 4 * KiB,
  mmu: 'software-refilled TLB (no hardware page walker); kseg0/kseg1 unmapped kernel segments',
  // MD00090, "PageGrain": the RI/XI bits are a Release 3 option; a Release 2 core such as the 24K has no execute-inhibit.
  executeNever: false,
  executeNeverNote: 'no XI bit on Release 2 cores (execute-inhibit is a Release 3 option)',
  // MIPS has no I/O instructions: I/O is memory-mapped (MD00082, "Memory Access Types").
  portIo: false,
  ports: 0,
  interruptControllers: [
    // MD00090, "Cause register": IP7..IP0 — 2 software and 6 hardware interrupt lines; EIC mode hands them to an external controller.
    {
      name: 'CP0 Cause.IP interrupt lines',
      lines: 8,
      note: 'IP0-IP1 software, IP2-IP7 hardware; the CP0 timer usually on IP7',
    },
  ],
  // MD00090, "Count and Compare registers": the CP0 timer interrupt (IntCtl.IPTI gives its line; IP7 on most cores).
  timers: ['CP0 Count/Compare timer (usually IP7)', 'board timers (e.g. i8254 on Malta)'],
  dma: 'bus-master peripherals (PCI on Malta)',
  iommu: 'none in the architecture',
  // MD00090, "Operating modes": user mode is Status.KSU = 0b10 with EXL = ERL = 0.
  userMode: 'user mode (Status.KSU = 0b10, EXL = ERL = 0)',
  privilegedMode: 'kernel mode',
  sources: [
    'MIPS32 Architecture for Programmers Vol. I (MD00082) and Vol. III (MD00090)',
    "MIPS32 24K Processor Core Family Software User's Manual (MD00343)",
  ],
};

export const ARCHES: Readonly<Record<ArchId, ArchFacts>> = {
  x86: X86,
  x86_64: X86_64,
  armv5: ARMV5,
  armv7: ARMV7,
  armv8: ARMV8,
  mips32: MIPS32,
};
