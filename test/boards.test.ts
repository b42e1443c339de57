// Board and architecture models: every board is consistent (checked here
// directly, not only through validateBoard), the validator catches broken
// descriptions, the registry and CLI pieces answer, and the hardware step is
// deterministic and emits only events the board can produce.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ARCHES,
  BOARDS,
  BOARD_IDS,
  DEFAULT_BOARD,
  boardStep,
  defineBoard,
  getBoard,
  initialHardware,
  programDma,
  templateVariables,
  validateBoard,
  weakenedGuarantees,
  type Board,
  type BoardFacts,
  type Range,
} from '../boards/index.ts';
import { deviceLines } from '../boards/hardware.ts';
import { rng } from '../boards/prng.ts';
import { checkMachine } from '../src/kernel/machine.ts';
import { step } from '../src/kernel/step.ts';
import { bootScenario, pingScenario } from '../src/driver/scenario.ts';
import { boardFacts, listBoards, getBoard as cliGetBoard } from '../src/cli/boards.ts';
import { expandBoardTemplate } from '../src/template/index.ts';

const overlaps = (a: Range, b: Range) => a.base < b.base + b.size && b.base < a.base + a.size;
const X86_FAMILY = new Set(['x86', 'x86_64']);

test('the registry holds the nine boards, default first', () => {
  assert.deepEqual([...BOARD_IDS].sort(), [
    'am335x',
    'atom',
    'imx27',
    'imx6',
    'kirin620',
    'mips24k',
    'qemu-x86_64',
    'rock3a',
    'rpi4b',
  ]);
  assert.equal(DEFAULT_BOARD, 'qemu-x86_64');
  assert.equal(BOARDS[0]!.id, DEFAULT_BOARD);
  assert.equal(new Set(BOARD_IDS).size, BOARD_IDS.length);
  const archOf = Object.fromEntries(BOARDS.map((b) => [b.id, b.arch.id]));
  assert.deepEqual(archOf, {
    'qemu-x86_64': 'x86_64',
    atom: 'x86',
    rpi4b: 'armv8',
    rock3a: 'armv8',
    imx6: 'armv7',
    am335x: 'armv7',
    imx27: 'armv5',
    kirin620: 'armv8',
    mips24k: 'mips32',
  });
});

for (const board of BOARDS) {
  const f = board.facts;
  test(`${board.id}: MMIO ranges are disjoint from each other and from RAM`, () => {
    const mmio = f.devices.flatMap((d) => (d.mmio ?? []).map((r) => ({ d: d.name, r })));
    assert.ok(mmio.length > 0);
    for (let i = 0; i < mmio.length; i++) {
      for (let j = i + 1; j < mmio.length; j++)
        assert.ok(!overlaps(mmio[i]!.r, mmio[j]!.r), `${mmio[i]!.d} overlaps ${mmio[j]!.d}`);
      for (const ram of f.ram) assert.ok(!overlaps(mmio[i]!.r, ram), `${mmio[i]!.d} lies in RAM`);
    }
  });

  test(`${board.id}: IRQ lines are within the interrupt controller's ${f.interruptController.lines} lines, one device per line`, () => {
    const lines = f.devices.flatMap((d) => d.irqs ?? []);
    assert.ok(lines.length > 0);
    for (const l of lines) assert.ok(Number.isInteger(l) && l >= 0 && l < f.interruptController.lines, `line ${l}`);
    assert.equal(new Set(lines).size, lines.length);
    if (f.timer.line !== null) assert.ok(f.timer.line < f.interruptController.lines);
  });

  test(`${board.id}: I/O ports only on the x86 family`, () => {
    const ports = f.devices.flatMap((d) => d.ports ?? []);
    const m = board.toMachine();
    if (X86_FAMILY.has(board.arch.id)) {
      assert.equal(m.portIo, true);
      assert.ok(ports.length > 0);
      for (const p of ports) assert.ok(p.base >= 0 && p.base + p.size <= 0x10000);
      // COM1 is offered to processes on both PCs
      assert.ok(m.ports.some((p) => p.base === 0x3f8 && p.count === 8));
    } else {
      assert.equal(m.portIo, false);
      assert.deepEqual(ports, []);
      assert.deepEqual(m.ports, []);
    }
  });

  test(`${board.id}: the Machine summary passes checkMachine and matches the facts`, () => {
    const m = board.toMachine();
    assert.deepEqual(checkMachine(m), []);
    assert.equal(m.name, board.id);
    assert.equal(m.cpus, f.cpus);
    assert.equal(m.irqLines, f.interruptController.lines);
    assert.equal(m.iommu, f.iommu.present);
    assert.equal(m.tickNs, f.timer.tickNs);
    assert.equal(m.pageSize, 4096);
    // the kernel's own devices (interrupt controller, tick timer, IOMMU) are not offered to processes
    for (const d of f.devices.filter((x) => x.kernel === true))
      for (const r of d.mmio ?? []) assert.ok(!m.mmio.some((x) => x.base === r.base), `${d.name} is offered`);
    assert.ok(
      !f.devices.some((d) => d.kind === 'intc' && d.kernel !== true),
      'an interrupt controller is offered to processes',
    );
    if (f.dmaWindow !== null) {
      assert.ok(
        f.ram.some((r) => f.dmaWindow!.base >= r.base && f.dmaWindow!.base + f.dmaWindow!.size <= r.base + r.size),
        'DMA window inside RAM',
      );
      assert.equal(m.dma!.pages * m.pageSize, f.dmaWindow.size);
    }
    assert.deepEqual(validateBoard(board), []);
  });

  test(`${board.id}: key devices are described (UART, timer, interrupt controller, Ethernet or USB) with sources`, () => {
    const kinds = new Set(f.devices.map((d) => d.kind));
    for (const k of ['uart', 'timer', 'intc'] as const) assert.ok(kinds.has(k), `no ${k}`);
    assert.ok(kinds.has('ethernet') || kinds.has('usb'), 'no Ethernet or USB controller');
    for (const d of f.devices) assert.ok(d.source.length > 10, `${d.name} has no source`);
    assert.ok(board.arch.sources.length > 0 && f.sources.length > 0);
  });
}

test('architecture facts: word size, port I/O, user mode, execute-never', () => {
  assert.deepEqual(
    Object.values(ARCHES)
      .filter((a) => a.portIo)
      .map((a) => a.id)
      .sort(),
    ['x86', 'x86_64'],
  );
  assert.equal(ARCHES.x86.wordBits, 32);
  assert.equal(ARCHES.x86_64.wordBits, 64);
  assert.equal(ARCHES.armv8.wordBits, 64);
  assert.equal(ARCHES.mips32.wordBits, 32);
  assert.match(ARCHES.x86_64.userMode, /ring 3/);
  assert.match(ARCHES.armv7.userMode, /USR/);
  assert.match(ARCHES.armv8.userMode, /EL0/);
  assert.match(ARCHES.mips32.userMode, /user mode/);
  assert.equal(ARCHES.armv5.executeNever, false);
  assert.equal(ARCHES.mips32.executeNever, false);
  assert.equal(ARCHES.mips32.interruptControllers[0]!.lines, 8);
  for (const a of Object.values(ARCHES)) assert.ok(a.pageSizes.includes(a.basePage));
});

function broken(base: Board, change: (f: BoardFacts) => BoardFacts): Board {
  return defineBoard(change(base.facts), base.arch);
}

test('validateBoard names overlapping MMIO, lines out of range, ports off x86 and a DMA window outside RAM', () => {
  const rpi = getBoard('rpi4b');
  const uart = rpi.facts.devices.find((d) => d.name === 'uart0')!;
  const overlapping = broken(rpi, (f) => ({ ...f, devices: [...f.devices, { ...uart, name: 'uart-copy', irqs: [] }] }));
  assert.match(validateBoard(overlapping).join('\n'), /MMIO of "uart0".*overlaps "uart-copy"/);
  const badLine = broken(rpi, (f) => ({
    ...f,
    devices: f.devices.map((d) => (d.name === 'uart0' ? { ...d, irqs: [999] } : d)),
  }));
  assert.match(validateBoard(badLine).join('\n'), /"uart0" uses IRQ line 999, outside the 256 lines/);
  const ports = broken(rpi, (f) => ({
    ...f,
    devices: [
      ...f.devices,
      { name: 'com1', kind: 'uart', model: '16550', ports: [{ base: 0x3f8, size: 8 }], source: 'test' },
    ],
  }));
  assert.match(validateBoard(ports).join('\n'), /armv8 has no port I\/O, yet "com1" declare/);
  const window = broken(rpi, (f) => ({ ...f, dmaWindow: { base: 0xfe00_0000, size: 0x1000 } }));
  assert.match(validateBoard(window).join('\n'), /DMA window 0xfe000000\+0x1000 is not inside RAM/);
  const shared = broken(rpi, (f) => ({
    ...f,
    devices: f.devices.map((d) => (d.name === 'emmc2' ? { ...d, irqs: [uart.irqs![0]!] } : d)),
  }));
  assert.match(validateBoard(shared).join('\n'), /IRQ line 153 is used by both "uart0" and "emmc2"/);
  const iommu = broken(getBoard('imx27'), (f) => ({ ...f, iommu: { present: true, name: 'x', note: '' } }));
  assert.match(validateBoard(iommu).join('\n'), /claims an IOMMU, but armv5 has none/);
});

test('getBoard: an unknown id is an error listing the valid ids', () => {
  assert.equal(getBoard('rpi4b').facts.soc, 'Broadcom BCM2711');
  assert.throws(
    () => getBoard('rpi5'),
    (e: Error) => e.message.includes('unknown board "rpi5"') && BOARD_IDS.every((id) => e.message.includes(id)),
  );
  assert.throws(() => cliGetBoard('nope'), /valid boards: qemu-x86_64, atom, rpi4b/);
});

test('KasperskyOS board identifiers resolve PSL board templates', () => {
  const template = [
    '{% if BOARD == "RPI4_BCM2711" %}',
    'pi',
    '{% elif BOARD == "RADXA_ROCK_3A" %}',
    'radxa',
    '{% else %}',
    'other',
    '{% endif %}',
    '',
  ].join('\n');
  const expand = (id: string) =>
    expandBoardTemplate({ file: 'board.psl', text: template }, templateVariables(getBoard(id))).text.trim();
  assert.equal(getBoard('rpi4b').facts.kosBoard, 'RPI4_BCM2711');
  assert.equal(getBoard('rock3a').facts.kosBoard, 'RADXA_ROCK_3A');
  assert.equal(expand('rpi4b'), 'pi');
  assert.equal(expand('rock3a'), 'radxa');
  // boards with no KasperskyOS identifier still define BOARD (Cordon's own), so the template takes its else branch
  for (const id of BOARD_IDS.filter((i) => i !== 'rpi4b' && i !== 'rock3a')) assert.equal(expand(id), 'other', id);
  assert.equal(templateVariables(getBoard('qemu-x86_64')).BOARD, 'QEMU_X86_64');
});

test('weakened guarantees: DMA isolation on every board without an IOMMU, W^X on ARMv5 and MIPS32 Release 2', () => {
  const weak = Object.fromEntries(BOARDS.map((b) => [b.id, weakenedGuarantees(b).map((w) => w.guarantee)]));
  assert.deepEqual(weak['qemu-x86_64'], []);
  for (const id of ['atom', 'rpi4b', 'rock3a', 'imx6', 'am335x', 'kirin620'])
    assert.deepEqual(weak[id], ['DMA isolation'], id);
  assert.deepEqual(weak.imx27, ['DMA isolation', 'W^X (execute-never pages)']);
  assert.deepEqual(weak.mips24k, ['DMA isolation', 'W^X (execute-never pages)']);
});

test('listBoards: one row per board with its facts; boardFacts is plain JSON', () => {
  const text = listBoards();
  for (const b of BOARDS)
    assert.match(
      text,
      new RegExp(
        `^${b.id}( \\*)?\\s+${b.facts.soc.replace(/[.()+]/g, '\\$&')}\\s+${b.arch.id}\\s+${b.facts.cpus}\\s`,
        'm',
      ),
    );
  assert.match(text, /rpi4b .* RPI4_BCM2711/);
  assert.match(text, /mips24k: W\^X/);
  for (const id of BOARD_IDS) {
    const facts = boardFacts(id);
    assert.deepEqual(JSON.parse(JSON.stringify(facts)), facts);
    assert.deepEqual(facts.machine, getBoard(id).toMachine());
  }
  const pi = boardFacts('rpi4b');
  const uart = pi.devices.find((d) => d.name === 'uart0')!;
  assert.deepEqual(uart.mmio, [{ base: 0xfe20_1000, size: 0x200, span: '0xfe201000-0xfe2011ff' }]);
  assert.deepEqual(uart.irqs, [153]);
  assert.equal(pi.arch.userMode, 'EL0 (AArch64 or AArch32)');
  assert.equal(boardFacts('atom').iommu.present, false);
});

for (const board of BOARDS) {
  test(`${board.id}: the hardware step is deterministic and emits only what the board can produce`, () => {
    const f = board.facts;
    const lines = new Set(deviceLines(board).map((l) => l.line));
    const sc = pingScenario(board);
    let state = bootScenario(sc).state;
    const simulate = (seed: number) => {
      let hw = initialHardware(board, seed);
      let r = rng(seed);
      const events = [];
      for (let i = 0; i < 300; i++) {
        if (i % 7 === 0 && f.dmaWindow !== null)
          ({ hw, rng: r } = programDma(board, hw, f.dmaWindow.base + (i % 4) * 4096, r));
        const out = boardStep(board, hw, r);
        assert.equal(out.hw.ticks, hw.ticks + 1);
        assert.equal(out.hw.timeNs, hw.timeNs + f.timer.tickNs);
        hw = out.hw;
        r = out.rng;
        events.push(...out.events);
      }
      return { events, hw };
    };
    const a = simulate(7);
    assert.deepEqual(simulate(7), a);
    assert.notDeepEqual(simulate(8).events, a.events);
    const kinds = new Set(a.events.map((e) => e.kind));
    for (const k of ['tick', 'irq', 'dma', 'rtc'] as const) assert.ok(kinds.has(k), `no ${k} event`);
    assert.equal(a.events.filter((e) => e.kind === 'tick').length, 300);
    assert.equal(a.events.filter((e) => e.kind === 'rtc').length, Math.floor(300 / f.rtcEveryTicks));
    const w = f.dmaWindow!;
    for (const e of a.events) {
      if (e.kind === 'irq')
        assert.ok(lines.has(e.line) && e.line !== f.timer.line, `interrupt on line ${e.line}, no device's`);
      if (e.kind === 'dma')
        assert.ok(e.deviceAddress >= w.base && e.deviceAddress < w.base + w.size && e.deviceAddress % 4096 === 0);
      // the kernel accepts every board event
      const r = step(state, e);
      assert.equal(r.rejected, undefined, JSON.stringify(e));
      state = r.state;
    }
    assert.equal(state.clock.monotonic, 300 * f.timer.tickNs);
    // programmed transfers complete within four ticks; an address outside the window is not device-visible
    const { hw } = programDma(board, initialHardware(board, 1), w.base + w.size, rng(1));
    assert.deepEqual(hw.dma, []);
  });
}
