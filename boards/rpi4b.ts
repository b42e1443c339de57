// Raspberry Pi 4 Model B: Broadcom BCM2711, four Cortex-A72 cores (ARMv8-A),
// GIC-400. Addresses are ARM physical addresses in the default "low
// peripheral" mode (main peripherals at 0xFE000000, which the BCM2711
// manual writes as legacy bus addresses 0x7Exxxxxx). Interrupt numbers are
// GIC interrupt IDs: SPI n is ID 32 + n, as in the BCM2711 device tree.

import { ARMV8 } from './arch.ts';
import { defineBoard, MiB } from './types.ts';

const spi = (n: number) => 32 + n;

export const rpi4b = defineBoard(
  {
    id: 'rpi4b',
    name: 'Raspberry Pi 4 Model B',
    soc: 'Broadcom BCM2711',
    arch: 'armv8',
    // BCM2711 ARM Peripherals, "Overview": quad Cortex-A72, 1.5 GHz.
    cpu: 'Cortex-A72 r0p3, 1.5 GHz',
    cpus: 4,
    endianness: 'little',
    // The 4 GiB board's memory as the firmware reports it: 0..0x3B400000 (below the VideoCore's carve-out) and 0x40000000..0xFC000000 (up to the peripherals).
    ram: [
      { base: 0x0, size: 0x3b40_0000 },
      { base: 0x4000_0000, size: 0xbc00_0000 },
    ],
    // GIC-400 (GICv2). The BCM2711 configures it with 256 interrupt IDs (SGIs, PPIs and 224 SPIs);
    // the highest SPI the BCM2711 device tree uses is GENET's SPI 158. (256 is the model's reading; treat as approximate.)
    interruptController: { name: 'GIC-400 (GICv2)', lines: 256 },
    irqNumbering: 'GIC interrupt IDs: PPI n is 16 + n, SPI n is 32 + n',
    devices: [
      // BCM2711 ARM Peripherals, "GIC-400": distributor at 0xFF841000, CPU interface at 0xFF842000 (low-peripheral mode).
      {
        name: 'gic',
        kind: 'intc',
        model: 'ARM GIC-400',
        mmio: [
          { base: 0xff84_1000, size: 0x1000 },
          { base: 0xff84_2000, size: 0x2000 },
        ],
        kernel: true,
        source: 'BCM2711 ARM Peripherals, GIC-400 section; ARM GIC-400 TRM',
      },
      // BCM2711 ARM Peripherals, "System Timer": 0x7E003000, four compare channels on VC IRQs 0-3 = SPI 64-67.
      {
        name: 'systimer',
        kind: 'timer',
        model: 'BCM2711 system timer (1 MHz)',
        mmio: [{ base: 0xfe00_3000, size: 0x1000 }],
        irqs: [spi(64), spi(65), spi(66), spi(67)],
        irqRate: 0.1,
        source: 'BCM2711 ARM Peripherals, System Timer; bcm2711.dtsi',
      },
      // BCM2711 ARM Peripherals, "DMA Controller": 0x7E007000; channels 0-3 on SPI 80-83.
      {
        name: 'dma',
        kind: 'dma',
        model: 'BCM2711 DMA controller',
        mmio: [{ base: 0xfe00_7000, size: 0xb00 }],
        irqs: [spi(80), spi(81), spi(82), spi(83)],
        busMaster: true,
        irqRate: 0.1,
        source: 'BCM2711 ARM Peripherals, DMA Controller; bcm2711.dtsi',
      },
      // BCM2711 ARM Peripherals, "General Purpose I/O": 0x7E200000; banks on SPI 113-116.
      {
        name: 'gpio',
        kind: 'gpio',
        model: 'BCM2711 GPIO',
        mmio: [{ base: 0xfe20_0000, size: 0x100 }],
        irqs: [spi(113), spi(114), spi(115), spi(116)],
        irqRate: 0.1,
        source: 'BCM2711 ARM Peripherals, GPIO; bcm2711.dtsi',
      },
      // BCM2711 ARM Peripherals, "UART" (PL011 UART0): 0x7E201000, SPI 121 (VC IRQ 57).
      {
        name: 'uart0',
        kind: 'uart',
        model: 'ARM PL011',
        mmio: [{ base: 0xfe20_1000, size: 0x200 }],
        irqs: [spi(121)],
        source: 'BCM2711 ARM Peripherals, UART; ARM PL011 TRM; bcm2711.dtsi',
      },
      // EMMC2 (SD card): 0x7E340000, SPI 126.
      {
        name: 'emmc2',
        kind: 'storage',
        model: 'Arasan SDHCI (EMMC2)',
        mmio: [{ base: 0xfe34_0000, size: 0x100 }],
        irqs: [spi(126)],
        busMaster: true,
        source: 'bcm2711.dtsi (emmc2)',
      },
      // PCIe root complex (the VL805 USB 3.0 xHCI sits behind it): registers at 0xFD500000, SPI 143 (legacy) and 148 (MSI).
      {
        name: 'pcie',
        kind: 'pcie',
        model: 'Broadcom STB PCIe (VL805 xHCI behind it)',
        mmio: [{ base: 0xfd50_0000, size: 0x9310 }],
        irqs: [spi(143), spi(148)],
        busMaster: true,
        source: 'bcm2711.dtsi (pcie0)',
      },
      // GENET v5 Gigabit Ethernet MAC: 0x7D580000, SPI 157 and 158.
      {
        name: 'genet',
        kind: 'ethernet',
        model: 'Broadcom GENET v5',
        mmio: [{ base: 0xfd58_0000, size: 0x1_0000 }],
        irqs: [spi(157), spi(158)],
        busMaster: true,
        source: 'bcm2711.dtsi (genet)',
      },
    ],
    // Arm DDI 0487, Generic Timer: EL1 non-secure physical timer on PPI 14 = ID 30; CNTFRQ is the BCM2711's 54 MHz crystal.
    timer: {
      source: 'ARM Generic Timer, EL1 physical timer (54 MHz)',
      line: 30,
      tickNs: 1_000_000,
      note: 'a 1 kHz tick',
    },
    iommu: {
      present: false,
      name: null,
      note: 'the BCM2711 has no system MMU in front of its DMA masters (DMA controller, PCIe, GENET, EMMC2)',
    },
    // Legacy DMA masters see only the first GiB (30-bit addresses): the window is 16 MiB at 768 MiB.
    dmaWindow: { base: 0x3000_0000, size: 16 * MiB },
    // KasperskyOS CE build scripts pass -D BOARD=RPI4_BCM2711 (cross-build.sh of the SDK examples).
    kosBoard: 'RPI4_BCM2711',
    kosBoardNote: 'BOARD=RPI4_BCM2711 as the KasperskyOS Community Edition examples set it',
    rtcEveryTicks: 64,
    sources: [
      'BCM2711 ARM Peripherals (Raspberry Pi Ltd)',
      'Linux arch/arm64/boot/dts/broadcom/bcm2711.dtsi',
      'ARM GIC-400 and PL011 Technical Reference Manuals',
    ],
  },
  ARMV8,
);
