// NXP i.MX6 Quad: four Cortex-A9 cores (ARMv7-A) in an A9 MPCore cluster with
// its integrated GIC. Interrupt numbers are GIC interrupt IDs: the i.MX6
// reference manual's "IRQ" column is already ID = 32 + SPI number.

import { ARMV7 } from './arch.ts';
import { defineBoard, GiB, MiB } from './types.ts';

export const imx6 = defineBoard(
  {
    id: 'imx6',
    name: 'NXP i.MX6 Quad (e.g. SABRE board)',
    soc: 'NXP (Freescale) i.MX6 Quad',
    arch: 'armv7',
    // i.MX 6Dual/6Quad Applications Processor Reference Manual (IMX6DQRM), "Introduction": 4x Cortex-A9 up to 1.2 GHz.
    cpu: 'Cortex-A9 MPCore r2p10, 1 GHz',
    cpus: 4,
    endianness: 'little',
    // IMX6DQRM, "System Memory Map": MMDC DDR from 0x10000000 (up to 3.75 GiB); the model has 1 GiB, as on the SABRE boards.
    ram: [{ base: 0x1000_0000, size: 1 * GiB }],
    // IMX6DQRM, "Interrupts and DMA Events": 128 shared peripheral interrupts, IDs 32-159.
    interruptController: { name: 'Cortex-A9 MPCore GIC (GICv1)', lines: 160 },
    irqNumbering: 'GIC interrupt IDs (IMX6DQRM "IRQ" numbers: SPI n is 32 + n)',
    devices: [
      // Cortex-A9 MPCore TRM: the private memory region at PERIPHBASE (0x00A00000 on i.MX6): GIC CPU interface at +0x100, distributor at +0x1000.
      {
        name: 'gic',
        kind: 'intc',
        model: 'Cortex-A9 MPCore interrupt controller',
        mmio: [
          { base: 0x00a0_0100, size: 0x100 },
          { base: 0x00a0_1000, size: 0x1000 },
        ],
        kernel: true,
        source: 'Cortex-A9 MPCore TRM, private memory map; IMX6DQRM memory map (ARM MP 0x00A00000)',
      },
      // Cortex-A9 MPCore TRM, "Private timer and watchdog": PERIPHBASE + 0x600, PPI 13 = ID 29.
      {
        name: 'twd',
        kind: 'timer',
        model: 'Cortex-A9 private timer',
        mmio: [{ base: 0x00a0_0600, size: 0x20 }],
        kernel: true,
        source: 'Cortex-A9 MPCore TRM, private timer (ID 29)',
      },
      // IMX6DQRM, memory map and interrupt table: UART1 0x02020000, IRQ 58.
      {
        name: 'uart1',
        kind: 'uart',
        model: 'i.MX UART',
        mmio: [{ base: 0x0202_0000, size: 0x4000 }],
        irqs: [58],
        source: 'IMX6DQRM, UART1 (IRQ 58)',
      },
      // IMX6DQRM: GPT 0x02098000, IRQ 87.
      {
        name: 'gpt',
        kind: 'timer',
        model: 'i.MX General Purpose Timer',
        mmio: [{ base: 0x0209_8000, size: 0x4000 }],
        irqs: [87],
        irqRate: 0.1,
        source: 'IMX6DQRM, GPT (IRQ 87)',
      },
      // IMX6DQRM: GPIO1 0x0209C000, IRQ 98 (pins 0-15) and 99 (16-31).
      {
        name: 'gpio1',
        kind: 'gpio',
        model: 'i.MX GPIO',
        mmio: [{ base: 0x0209_c000, size: 0x4000 }],
        irqs: [98, 99],
        irqRate: 0.1,
        source: 'IMX6DQRM, GPIO1 (IRQ 98, 99)',
      },
      // IMX6DQRM: SNVS 0x020CC000, SNVS_LP IRQs 51 and 52 (the RTC).
      {
        name: 'snvs',
        kind: 'rtc',
        model: 'SNVS real-time counter',
        mmio: [{ base: 0x020c_c000, size: 0x4000 }],
        irqs: [51, 52],
        irqRate: 0.05,
        source: 'IMX6DQRM, SNVS (IRQ 51, 52)',
      },
      // IMX6DQRM: SDMA 0x020EC000, IRQ 34.
      {
        name: 'sdma',
        kind: 'dma',
        model: 'i.MX Smart DMA',
        mmio: [{ base: 0x020e_c000, size: 0x4000 }],
        irqs: [34],
        busMaster: true,
        irqRate: 0.1,
        source: 'IMX6DQRM, SDMA (IRQ 34)',
      },
      // IMX6DQRM: USB OTG core registers at 0x02184000, IRQ 75.
      {
        name: 'usbotg',
        kind: 'usb',
        model: 'Chipidea USB 2.0 OTG',
        mmio: [{ base: 0x0218_4000, size: 0x200 }],
        irqs: [75],
        busMaster: true,
        source: 'IMX6DQRM, USB OTG (IRQ 75)',
      },
      // IMX6DQRM: ENET 0x02188000, IRQ 150 (MAC) and 151 (1588 timer).
      {
        name: 'enet',
        kind: 'ethernet',
        model: 'i.MX ENET (10/100/1000)',
        mmio: [{ base: 0x0218_8000, size: 0x4000 }],
        irqs: [150, 151],
        busMaster: true,
        source: 'IMX6DQRM, ENET (IRQ 150, 151)',
      },
    ],
    timer: {
      source: 'Cortex-A9 private timer (per CPU)',
      line: 29,
      tickNs: 1_000_000,
      note: 'a 1 kHz tick on PPI ID 29',
    },
    iommu: {
      present: false,
      name: null,
      note: 'the i.MX6 has no system MMU; its CSU and TZASC partition only secure/non-secure',
    },
    dmaWindow: { base: 0x4f00_0000, size: 16 * MiB },
    kosBoard: null,
    kosBoardNote:
      "no public KasperskyOS BOARD identifier for i.MX6 is known; build templates see Cordon's own BOARD=IMX6",
    rtcEveryTicks: 64,
    sources: [
      'i.MX 6Dual/6Quad Applications Processor Reference Manual (IMX6DQRM)',
      'ARM Cortex-A9 MPCore Technical Reference Manual',
    ],
  },
  ARMV7,
);
