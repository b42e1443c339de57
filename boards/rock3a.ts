// Radxa ROCK 3A: Rockchip RK3568, four Cortex-A55 cores (ARMv8.2-A), GIC-600
// (GICv3). Interrupt numbers are GIC interrupt IDs (SPI n is 32 + n) as in the
// RK356x device tree; addresses from the RK3568 TRM address map.

import { ARMV8 } from './arch.ts';
import { defineBoard, MiB } from './types.ts';

const spi = (n: number) => 32 + n;

export const rock3a = defineBoard(
  {
    id: 'rock3a',
    name: 'Radxa ROCK 3A',
    soc: 'Rockchip RK3568',
    arch: 'armv8',
    // RK3568 datasheet, "Overview": quad Cortex-A55, up to 2.0 GHz.
    cpu: 'Cortex-A55, 2.0 GHz',
    cpus: 4,
    endianness: 'little',
    // RK3568 TRM Part 1, "System Address Map": DDR from 0 to 0xF0000000 below the device region (the model has the 4 GiB board; the 256 MiB remapped above 4 GiB is left out).
    ram: [{ base: 0x0, size: 0xf000_0000 }],
    // GIC-600 (GICv3). The RK3568 implements 320 SPIs by the model's reading of its TRM (IDs 32-351); the highest SPI its
    // device tree uses is below 200. Treat the count as approximate.
    interruptController: { name: 'GIC-600 (GICv3)', lines: 352 },
    irqNumbering: 'GIC interrupt IDs: PPI n is 16 + n, SPI n is 32 + n',
    devices: [
      // RK3568 TRM, address map; rk356x.dtsi: GICD 0xFD400000 (64 KiB), GICR 0xFD460000 (768 KiB).
      {
        name: 'gic',
        kind: 'intc',
        model: 'ARM GIC-600',
        mmio: [
          { base: 0xfd40_0000, size: 0x1_0000 },
          { base: 0xfd46_0000, size: 0xc_0000 },
        ],
        kernel: true,
        source: 'RK3568 TRM Part 1, address map; rk356x.dtsi (interrupt-controller)',
      },
      // rk356x.dtsi: usb_host0_xhci (DWC3) 0xFCC00000, 4 MiB, SPI 169.
      {
        name: 'usb3otg',
        kind: 'usb',
        model: 'Synopsys DWC3 (xHCI)',
        mmio: [{ base: 0xfcc0_0000, size: 0x40_0000 }],
        irqs: [spi(169)],
        busMaster: true,
        source: 'RK3568 TRM, USB3 OTG; rk356x.dtsi (usb_host0_xhci)',
      },
      // rk356x.dtsi: gpio0 0xFDD60000, SPI 33.
      {
        name: 'gpio0',
        kind: 'gpio',
        model: 'Rockchip GPIO',
        mmio: [{ base: 0xfdd6_0000, size: 0x100 }],
        irqs: [spi(33)],
        irqRate: 0.1,
        source: 'RK3568 TRM, GPIO; rk356x.dtsi (gpio0)',
      },
      // rk356x.dtsi: gmac1 0xFE010000 (64 KiB), macirq SPI 32, eth_wake_irq SPI 29. The ROCK 3A's RTL8211F PHY hangs off GMAC1.
      {
        name: 'gmac1',
        kind: 'ethernet',
        model: 'Synopsys DWC Ethernet QoS (GMAC1)',
        mmio: [{ base: 0xfe01_0000, size: 0x1_0000 }],
        irqs: [spi(32), spi(29)],
        busMaster: true,
        source: 'RK3568 TRM, GMAC; rk356x.dtsi (gmac1)',
      },
      // rk356x.dtsi: dmac0 (PL330) 0xFE530000, SPI 14 and 13.
      {
        name: 'dmac0',
        kind: 'dma',
        model: 'ARM PL330 DMAC',
        mmio: [{ base: 0xfe53_0000, size: 0x4000 }],
        irqs: [spi(14), spi(13)],
        busMaster: true,
        irqRate: 0.1,
        source: 'RK3568 TRM, DMAC; rk356x.dtsi (dmac0)',
      },
      // rk356x.dtsi: timer0 (Rockchip timer) 0xFE5F0000, SPI 109.
      {
        name: 'timer0',
        kind: 'timer',
        model: 'Rockchip timer',
        mmio: [{ base: 0xfe5f_0000, size: 0x1000 }],
        irqs: [spi(109)],
        irqRate: 0.1,
        source: 'RK3568 TRM, Timer; rk356x.dtsi (timer0)',
      },
      // rk356x.dtsi: uart2 (the ROCK 3A debug console) 0xFE660000, SPI 118.
      {
        name: 'uart2',
        kind: 'uart',
        model: 'Synopsys DW APB UART',
        mmio: [{ base: 0xfe66_0000, size: 0x100 }],
        irqs: [spi(118)],
        source: 'RK3568 TRM, UART; rk356x.dtsi (uart2)',
      },
      // rk356x.dtsi: gpio1 0xFE740000, SPI 34.
      {
        name: 'gpio1',
        kind: 'gpio',
        model: 'Rockchip GPIO',
        mmio: [{ base: 0xfe74_0000, size: 0x100 }],
        irqs: [spi(34)],
        irqRate: 0.1,
        source: 'RK3568 TRM, GPIO; rk356x.dtsi (gpio1)',
      },
    ],
    // Generic timer at 24 MHz (the RK3568's oscillator), EL1 physical timer PPI 14 = ID 30.
    timer: {
      source: 'ARM Generic Timer, EL1 physical timer (24 MHz)',
      line: 30,
      tickNs: 1_000_000,
      note: 'a 1 kHz tick',
    },
    iommu: {
      present: false,
      name: null,
      note: 'the RK3568 has per-block IOMMUs for display, video, ISP and NPU only; PCIe, GMAC, USB and the DMACs master the bus untranslated',
    },
    dmaWindow: { base: 0x2000_0000, size: 16 * MiB },
    // The KasperskyOS CE build templates test BOARD == "RADXA_ROCK_3A" (PSL sources of the SDK examples).
    kosBoard: 'RADXA_ROCK_3A',
    kosBoardNote: 'BOARD=RADXA_ROCK_3A as KasperskyOS Community Edition 1.3+ templates test it',
    rtcEveryTicks: 64,
    sources: [
      'Rockchip RK3568 Technical Reference Manual Part 1',
      'Rockchip RK3568 datasheet',
      'Linux arch/arm64/boot/dts/rockchip/rk356x.dtsi',
    ],
  },
  ARMV8,
);
