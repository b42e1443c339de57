// `cordon verify examples/ping --board <id>` passes on every board, and the
// report names the board and what it weakens.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { verify } from '../src/verify/verify.ts';
import { BOARD_IDS } from '../boards/index.ts';

for (const board of BOARD_IDS) {
  test(`verify examples/ping on ${board}`, () => {
    const r = verify({ solution: 'examples/ping', board, seed: 11, runs: 40, steps: 80, scenarioSteps: 3000 });
    assert.equal(r.board, board);
    const failed = r.checks.filter((c) => c.status !== 'pass');
    assert.deepEqual(
      failed.map((c) => `${c.id}: ${c.counterexample ?? ''}`),
      [],
    );
    const scenario = r.checks.find((c) => c.id === 'scenario.programs');
    assert.ok(scenario, 'the scripted programs ran');
    const g = r.guarantees as { board: { guarantee: string }[]; dma: { status: string; iommu: boolean } };
    assert.equal(g.dma.iommu, board === 'qemu-x86_64');
    if (board !== 'qemu-x86_64')
      assert.ok(
        g.board.some((w) => w.guarantee === 'DMA isolation'),
        `${board} has no IOMMU, so DMA isolation is weakened`,
      );
  });
}
