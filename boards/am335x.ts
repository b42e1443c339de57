// TI Sitara AM335x (as on the BeagleBone Black): one Cortex-A8 (ARMv7-A) with
// TI's own 128-line interrupt controller (INTC) instead of a GIC. Addresses
// from the AM335x TRM memory map, interrupt numbers from its interrupt table.

import { ARMV7 } from './arch.ts';
import { defineBoard, MiB } from './types.ts';

export const am335x = defineBoard(
  {
    id: 'am335x',
    name: 'TI Sitara AM335x (BeagleBone Black)',
    soc: 'Texas Instruments AM3358',
    arch: 'armv7',
    // AM335x Sitara Processors datasheet: single Cortex-A8, up to 1 GHz.
    cpu: 'Cortex-A8 r3p2, 1 GHz',
    cpus: 1,
    endianness: 'little',
    // AM335x TRM (SPRUH73), "Memory Map": EMIF0 SDRAM from 0x80000000; the BeagleBone Black has 512 MiB.
    ram: [{ base: 0x8000_0000, size: 512 * MiB }],
    // SPRUH73, "Interrupt Controller": 128 interrupt lines.
    interruptController: { name: 'TI INTC', lines: 128 },
    irqNumbering: 'INTC interrupt numbers (SPRUH73 "ARM Cortex-A8 Interrupts" table)',
    devices: [
      // SPRUH73: INTC at 0x48200000.
      {
        name: 'intc',
        kind: 'intc',
        model: 'TI INTC',
        mmio: [{ base: 0x4820_0000, size: 0x1000 }],
        kernel: true,
        source: 'AM335x TRM (SPRUH73), Interrupt Controller',
      },
      // SPRUH73: DMTimer2 0x48040000, interrupt 68 (TINT2) — the kernel's tick.
      {
        name: 'dmtimer2',
        kind: 'timer',
        model: 'TI DMTimer',
        mmio: [{ base: 0x4804_0000, size: 0x1000 }],
        irqs: [68],
        kernel: true,
        source: 'SPRUH73, DMTimer2 (TINT2 = 68)',
      },
      // SPRUH73: DMTimer3 0x48042000, interrupt 69.
      {
        name: 'dmtimer3',
        kind: 'timer',
        model: 'TI DMTimer',
        mmio: [{ base: 0x4804_2000, size: 0x1000 }],
        irqs: [69],
        irqRate: 0.1,
        source: 'SPRUH73, DMTimer3 (TINT3 = 69)',
      },
      // SPRUH73: UART0 0x44E09000, interrupt 72.
      {
        name: 'uart0',
        kind: 'uart',
        model: 'TI UART (16C750-compatible)',
        mmio: [{ base: 0x44e0_9000, size: 0x1000 }],
        irqs: [72],
        source: 'SPRUH73, UART0 (UART0INT = 72)',
      },
      // SPRUH73: GPIO0 0x44E07000, interrupts 96 and 97 (GPIOINT0A/B).
      {
        name: 'gpio0',
        kind: 'gpio',
        model: 'TI GPIO',
        mmio: [{ base: 0x44e0_7000, size: 0x1000 }],
        irqs: [96, 97],
        irqRate: 0.1,
        source: 'SPRUH73, GPIO0 (96, 97)',
      },
      // SPRUH73: GPIO1 0x4804C000, interrupts 98 and 99.
      {
        name: 'gpio1',
        kind: 'gpio',
        model: 'TI GPIO',
        mmio: [{ base: 0x4804_c000, size: 0x1000 }],
        irqs: [98, 99],
        irqRate: 0.1,
        source: 'SPRUH73, GPIO1 (98, 99)',
      },
      // SPRUH73: RTC 0x44E3E000, interrupts 75 (RTCINT) and 76 (RTCALARMINT).
      {
        name: 'rtc',
        kind: 'rtc',
        model: 'TI RTC_SS',
        mmio: [{ base: 0x44e3_e000, size: 0x1000 }],
        irqs: [75, 76],
        irqRate: 0.05,
        source: 'SPRUH73, RTC (75, 76)',
      },
      // SPRUH73: USB subsystem 0x47400000 (USBSS and both controllers), interrupts 17 (USBSSINT), 18 (USB0), 19 (USB1).
      {
        name: 'usbss',
        kind: 'usb',
        model: 'TI USB subsystem (Mentor MUSB x2)',
        mmio: [{ base: 0x4740_0000, size: 0x8000 }],
        irqs: [17, 18, 19],
        busMaster: true,
        source: 'SPRUH73, USB (17, 18, 19)',
      },
      // SPRUH73: EDMA3 channel controller (TPCC) 0x49000000, interrupts 12 (EDMACOMPINT) and 14 (EDMAERRINT).
      {
        name: 'edma',
        kind: 'dma',
        model: 'TI EDMA3 (TPCC)',
        mmio: [{ base: 0x4900_0000, size: 0x10_0000 }],
        irqs: [12, 14],
        busMaster: true,
        irqRate: 0.1,
        source: 'SPRUH73, EDMA (12, 14)',
      },
      // SPRUH73: CPSW Ethernet switch 0x4A100000, interrupts 40-43 (RX threshold, RX, TX, misc).
      {
        name: 'cpsw',
        kind: 'ethernet',
        model: 'TI CPSW 3-port Gigabit switch',
        mmio: [{ base: 0x4a10_0000, size: 0x8000 }],
        irqs: [40, 41, 42, 43],
        busMaster: true,
        source: 'SPRUH73, Ethernet subsystem (40-43)',
      },
    ],
    timer: { source: 'DMTimer2 (24 MHz)', line: 68, tickNs: 1_000_000, note: 'a 1 kHz tick on INTC line 68' },
    iommu: { present: false, name: null, note: 'the AM335x has no system MMU in front of EDMA, CPSW or USB' },
    dmaWindow: { base: 0x9f00_0000, size: 16 * MiB },
    kosBoard: null,
    kosBoardNote:
      "no public KasperskyOS BOARD identifier for AM335x is known; build templates see Cordon's own BOARD=AM335X",
    rtcEveryTicks: 64,
    sources: [
      'AM335x and AMIC110 Sitara Processors Technical Reference Manual (SPRUH73)',
      'AM335x Sitara Processors datasheet',
    ],
  },
  ARMV7,
);
