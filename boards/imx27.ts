// NXP (Freescale) i.MX27: one ARM926EJ-S (ARMv5TEJ) with the i.MX "AITC"
// interrupt controller (64 sources). Addresses from the i.MX27 reference
// manual's memory map; interrupt numbers from its interrupt assignment table
// (as Linux's mx27.h lists them).

import { ARMV5 } from './arch.ts';
import { defineBoard, MiB } from './types.ts';

export const imx27 = defineBoard(
  {
    id: 'imx27',
    name: 'NXP i.MX27 (e.g. i.MX27 PDK)',
    soc: 'NXP (Freescale) i.MX27',
    arch: 'armv5',
    // MCIMX27 Multimedia Applications Processor Reference Manual, "Introduction": ARM926EJ-S up to 400 MHz.
    cpu: 'ARM926EJ-S, 400 MHz',
    cpus: 1,
    endianness: 'little',
    // MCIMX27RM, "Memory Map": CSD0 SDRAM from 0xA0000000; the model has 128 MiB.
    ram: [{ base: 0xa000_0000, size: 128 * MiB }],
    // MCIMX27RM, "ARM926EJ-S Interrupt Controller (AITC)": 64 interrupt sources.
    interruptController: { name: 'i.MX AITC', lines: 64 },
    irqNumbering: 'AITC interrupt source numbers (MCIMX27RM interrupt assignment table)',
    devices: [
      // MCIMX27RM memory map: AITC at 0x10040000.
      {
        name: 'aitc',
        kind: 'intc',
        model: 'i.MX AITC',
        mmio: [{ base: 0x1004_0000, size: 0x1000 }],
        kernel: true,
        source: 'MCIMX27RM, AITC',
      },
      // DMA controller 0x10001000, source 32.
      {
        name: 'dma',
        kind: 'dma',
        model: 'i.MX DMA controller',
        mmio: [{ base: 0x1000_1000, size: 0x1000 }],
        irqs: [32],
        busMaster: true,
        irqRate: 0.1,
        source: 'MCIMX27RM, DMA (source 32)',
      },
      // GPT1 0x10003000, source 26 — the kernel's tick.
      {
        name: 'gpt1',
        kind: 'timer',
        model: 'i.MX GPT',
        mmio: [{ base: 0x1000_3000, size: 0x1000 }],
        irqs: [26],
        kernel: true,
        source: 'MCIMX27RM, GPT1 (source 26)',
      },
      // GPT2 0x10004000, source 25.
      {
        name: 'gpt2',
        kind: 'timer',
        model: 'i.MX GPT',
        mmio: [{ base: 0x1000_4000, size: 0x1000 }],
        irqs: [25],
        irqRate: 0.1,
        source: 'MCIMX27RM, GPT2 (source 25)',
      },
      // RTC 0x10007000, source 22.
      {
        name: 'rtc',
        kind: 'rtc',
        model: 'i.MX RTC',
        mmio: [{ base: 0x1000_7000, size: 0x1000 }],
        irqs: [22],
        irqRate: 0.05,
        source: 'MCIMX27RM, RTC (source 22)',
      },
      // UART1 0x1000A000, source 20; UART2 0x1000B000, source 19.
      {
        name: 'uart1',
        kind: 'uart',
        model: 'i.MX UART',
        mmio: [{ base: 0x1000_a000, size: 0x1000 }],
        irqs: [20],
        source: 'MCIMX27RM, UART1 (source 20)',
      },
      {
        name: 'uart2',
        kind: 'uart',
        model: 'i.MX UART',
        mmio: [{ base: 0x1000_b000, size: 0x1000 }],
        irqs: [19],
        source: 'MCIMX27RM, UART2 (source 19)',
      },
      // GPIO ports A-F 0x10015000 (0x100 each), one combined source 8.
      {
        name: 'gpio',
        kind: 'gpio',
        model: 'i.MX GPIO (ports A-F)',
        mmio: [{ base: 0x1001_5000, size: 0x1000 }],
        irqs: [8],
        irqRate: 0.1,
        source: 'MCIMX27RM, GPIO (source 8)',
      },
      // USB OTG / host 1 / host 2 at 0x10024000 (+0x000, +0x200, +0x400), sources 54-56. Which source belongs to which
      // controller is taken from Linux's i.MX27 device tables (OTG on 56); the model is not certain of that mapping.
      {
        name: 'usb',
        kind: 'usb',
        model: 'i.MX USB OTG + 2 hosts',
        mmio: [{ base: 0x1002_4000, size: 0x1000 }],
        irqs: [54, 55, 56],
        busMaster: true,
        source: 'MCIMX27RM, USBOTG (sources 54-56; per-controller mapping uncertain)',
      },
      // FEC 0x1002B000, source 50.
      {
        name: 'fec',
        kind: 'ethernet',
        model: 'i.MX FEC (10/100)',
        mmio: [{ base: 0x1002_b000, size: 0x1000 }],
        irqs: [50],
        busMaster: true,
        source: 'MCIMX27RM, FEC (source 50)',
      },
    ],
    timer: { source: 'GPT1', line: 26, tickNs: 10_000_000, note: 'a 100 Hz tick, as usual on ARM9 systems' },
    iommu: {
      present: false,
      name: null,
      note: 'ARMv5 systems have no system MMU: DMA masters reach all of physical memory',
    },
    dmaWindow: { base: 0xa700_0000, size: 16 * MiB },
    kosBoard: null,
    kosBoardNote:
      "no public KasperskyOS BOARD identifier for i.MX27 is known; build templates see Cordon's own BOARD=IMX27",
    rtcEveryTicks: 16,
    sources: [
      'MCIMX27 Multimedia Applications Processor Reference Manual',
      'ARM926EJ-S Technical Reference Manual',
      'Linux arch/arm/mach-imx/mx27.h',
    ],
  },
  ARMV5,
);
