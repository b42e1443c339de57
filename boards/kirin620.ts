// HiSilicon Kirin 620 (Hi6220), as on the 96Boards HiKey: eight Cortex-A53
// cores (ARMv8-A) in two clusters, GIC-400. Interrupt numbers are GIC
// interrupt IDs (SPI n is 32 + n) from the Hi6220 device tree; HiSilicon's
// full reference manual is not public, so the device tree is the main source.

import { ARMV8 } from './arch.ts';
import { defineBoard, GiB, MiB } from './types.ts';

const spi = (n: number) => 32 + n;

export const kirin620 = defineBoard(
  {
    id: 'kirin620',
    name: 'HiSilicon Kirin 620 (96Boards HiKey)',
    soc: 'HiSilicon Hi6220 (Kirin 620)',
    arch: 'armv8',
    // HiKey (LeMaker) hardware user manual: 8x Cortex-A53 up to 1.2 GHz.
    cpu: 'Cortex-A53, 1.2 GHz',
    cpus: 8,
    endianness: 'little',
    // HiKey ships 1 or 2 GiB from address 0; firmware reserves a few holes (left out here). The model has 1 GiB.
    ram: [{ base: 0x0, size: 1 * GiB }],
    // GIC-400 with 128 SPIs by the model's reading (IDs 0-159); the highest SPI hi6220.dtsi uses is below 128. Approximate.
    interruptController: { name: 'GIC-400 (GICv2)', lines: 160 },
    irqNumbering: 'GIC interrupt IDs: PPI n is 16 + n, SPI n is 32 + n',
    devices: [
      // hi6220.dtsi: gic distributor 0xF6801000, CPU interface 0xF6802000.
      {
        name: 'gic',
        kind: 'intc',
        model: 'ARM GIC-400',
        mmio: [
          { base: 0xf680_1000, size: 0x1000 },
          { base: 0xf680_2000, size: 0x2000 },
        ],
        kernel: true,
        source: 'hi6220.dtsi (interrupt-controller); ARM GIC-400 TRM',
      },
      // hi6220.dtsi: uart1-3 0xF7111000..0xF7113000 (SPI 37-39); uart3 is on the HiKey low-speed connector.
      {
        name: 'uart3',
        kind: 'uart',
        model: 'ARM PL011',
        mmio: [{ base: 0xf711_3000, size: 0x1000 }],
        irqs: [spi(39)],
        source: 'hi6220.dtsi (uart3)',
      },
      // hi6220.dtsi: dwmmc0 0xF723D000, SPI 72.
      {
        name: 'mmc0',
        kind: 'storage',
        model: 'Synopsys DW MMC',
        mmio: [{ base: 0xf723_d000, size: 0x1000 }],
        irqs: [spi(72)],
        busMaster: true,
        source: 'hi6220.dtsi (dwmmc0)',
      },
      // hi6220.dtsi: usb (DWC2 OTG) 0xF72C0000, 256 KiB, SPI 77. (The HiKey has no Ethernet MAC; USB is its network path.)
      {
        name: 'usb',
        kind: 'usb',
        model: 'Synopsys DWC2 USB OTG',
        mmio: [{ base: 0xf72c_0000, size: 0x4_0000 }],
        irqs: [spi(77)],
        busMaster: true,
        source: 'hi6220.dtsi (usb)',
      },
      // hi6220.dtsi: dma0 (k3-dma) 0xF7370000, SPI 84.
      {
        name: 'dma0',
        kind: 'dma',
        model: 'HiSilicon K3 DMA',
        mmio: [{ base: 0xf737_0000, size: 0x1000 }],
        irqs: [spi(84)],
        busMaster: true,
        irqRate: 0.1,
        source: 'hi6220.dtsi (dma0)',
      },
      // hi6220.dtsi: rtc0 (PL031) 0xF8003000, SPI 12.
      {
        name: 'rtc0',
        kind: 'rtc',
        model: 'ARM PL031 RTC',
        mmio: [{ base: 0xf800_3000, size: 0x1000 }],
        irqs: [spi(12)],
        irqRate: 0.05,
        source: 'hi6220.dtsi (rtc0); ARM PL031 TRM',
      },
      // hi6220.dtsi: dual_timer0 (SP804) 0xF8008000, SPI 56 and 57.
      {
        name: 'timer0',
        kind: 'timer',
        model: 'ARM SP804 dual timer',
        mmio: [{ base: 0xf800_8000, size: 0x1000 }],
        irqs: [spi(56), spi(57)],
        irqRate: 0.1,
        source: 'hi6220.dtsi (dual_timer0); ARM SP804 TRM',
      },
      // hi6220.dtsi: gpio0 (PL061) 0xF8011000, SPI 52.
      {
        name: 'gpio0',
        kind: 'gpio',
        model: 'ARM PL061 GPIO',
        mmio: [{ base: 0xf801_1000, size: 0x1000 }],
        irqs: [spi(52)],
        irqRate: 0.1,
        source: 'hi6220.dtsi (gpio0); ARM PL061 TRM',
      },
      // hi6220.dtsi: uart0 (PL011, debug console) 0xF8015000, SPI 36.
      {
        name: 'uart0',
        kind: 'uart',
        model: 'ARM PL011',
        mmio: [{ base: 0xf801_5000, size: 0x1000 }],
        irqs: [spi(36)],
        source: 'hi6220.dtsi (uart0); ARM PL011 TRM',
      },
    ],
    timer: {
      source: 'ARM Generic Timer, EL1 physical timer (1.2 MHz on Hi6220)',
      line: 30,
      tickNs: 1_000_000,
      note: 'a 1 kHz tick',
    },
    iommu: {
      present: false,
      name: null,
      note: 'the Hi6220 SMMU serves only the media (display) subsystem; DMA, USB and MMC master the bus untranslated',
    },
    dmaWindow: { base: 0x3000_0000, size: 16 * MiB },
    kosBoard: null,
    kosBoardNote:
      "no public KasperskyOS BOARD identifier for Kirin 620 / HiKey is known; build templates see Cordon's own BOARD=KIRIN620",
    rtcEveryTicks: 64,
    sources: [
      'Linux arch/arm64/boot/dts/hisilicon/hi6220.dtsi',
      '96Boards HiKey hardware user manual',
      'ARM PL011, PL031, PL061, SP804 and GIC-400 Technical Reference Manuals',
    ],
  },
  ARMV8,
);
