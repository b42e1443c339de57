// `cordon boards`: the supported boards as a readable table, and one board's
// full facts as JSON-able data. The CLI wires these to `cordon boards` and
// `--board <name>`.

import {
  BOARDS,
  DEFAULT_BOARD,
  getBoard as lookupBoard,
  templateVariables,
  weakenedGuarantees,
  type Board,
  type Range,
} from '../../boards/index.ts';
import type { Machine } from '../kernel/machine.ts';
import type { Command } from 'commander';
import { loadSolution, SolutionError } from '../solution/load.ts';
import { solutionDot } from '../solution/dot.ts';
import {
  defaultSolution,
  loadOptionsOf,
  oneDocument,
  solutionFlags,
  writeOutput,
  type CommandContext,
  type SolutionFlags,
} from './options.ts';
import { SCHEMA_VERSION } from './schema-version.ts';

/** The board with this id; an unknown id throws an error that lists the valid ids. */
export function getBoard(id: string): Board {
  return lookupBoard(id);
}

const hex = (n: number) => `0x${n.toString(16)}`;
const bytes = (n: number): string => {
  for (const [u, s] of [
    [2 ** 30, 'GiB'],
    [2 ** 20, 'MiB'],
    [2 ** 10, 'KiB'],
  ] as const)
    if (n >= u) return `${+(n / u).toFixed(2)} ${s}`;
  return `${n} B`;
};
const span = (r: Range) => `${hex(r.base)}-${hex(r.base + r.size - 1)}`;

function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const width = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => c.padEnd(width[i]!))
      .join('  ')
      .trimEnd();
  return [line(head), line(width.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** A readable table of every board and its main facts, then what each board weakens. */
export function listBoards(): string {
  const rows = BOARDS.map((b) => {
    const f = b.facts;
    const ram = f.ram.reduce((n, r) => n + r.size, 0);
    return [
      f.id + (f.id === DEFAULT_BOARD ? ' *' : ''),
      f.soc,
      b.arch.id,
      String(f.cpus),
      bytes(ram),
      `${f.interruptController.name.replace(/ \(.*/, '')} (${f.interruptController.lines})`,
      b.arch.portIo ? 'yes' : 'no',
      f.iommu.present ? (f.iommu.name ?? 'yes') : 'none',
      f.dmaWindow === null ? 'none' : `${span(f.dmaWindow)}`,
      `${f.timer.tickNs / 1e6} ms`,
      String(f.devices.length),
      f.kosBoard ?? '-',
    ];
  });
  const head = [
    'board',
    'SoC',
    'arch',
    'cpus',
    'RAM',
    'interrupts (lines)',
    'ports',
    'IOMMU',
    'DMA window',
    'tick',
    'devices',
    'KOS BOARD',
  ];
  const weak = BOARDS.flatMap((b) => weakenedGuarantees(b).map((w) => `  ${b.id}: ${w.guarantee} — ${w.reason}`));
  return [
    table(head, rows),
    '',
    `* default board`,
    '',
    'weakened guarantees:',
    ...(weak.length > 0 ? weak : ['  none']),
  ].join('\n');
}

export interface BoardFactsJson {
  readonly id: string;
  readonly name: string;
  readonly soc: string;
  readonly cpu: string;
  readonly cpus: number;
  readonly endianness: string;
  readonly arch: {
    readonly id: string;
    readonly name: string;
    readonly wordBits: number;
    readonly endianness: string;
    readonly pageSizes: readonly number[];
    readonly mmu: string;
    readonly executeNever: string;
    readonly portIo: boolean;
    readonly timers: readonly string[];
    readonly dma: string;
    readonly iommu: string;
    readonly userMode: string;
    readonly interruptControllers: readonly { readonly name: string; readonly lines: number; readonly note: string }[];
  };
  readonly ram: readonly { readonly base: number; readonly size: number; readonly span: string }[];
  readonly interruptController: { readonly name: string; readonly lines: number; readonly numbering: string };
  readonly devices: readonly {
    readonly name: string;
    readonly kind: string;
    readonly model: string;
    readonly mmio: readonly { readonly base: number; readonly size: number; readonly span: string }[];
    readonly ports: readonly { readonly base: number; readonly count: number; readonly span: string }[];
    readonly irqs: readonly number[];
    readonly busMaster: boolean;
    readonly kernel: boolean;
    readonly source: string;
  }[];
  readonly timer: {
    readonly source: string;
    readonly line: number | null;
    readonly tickNs: number;
    readonly note: string;
  };
  readonly iommu: { readonly present: boolean; readonly name: string | null; readonly note: string };
  readonly dmaWindow: { readonly base: number; readonly size: number; readonly span: string } | null;
  readonly kosBoard: string | null;
  readonly kosBoardNote: string;
  readonly templateVariables: Readonly<Record<string, string>>;
  readonly weakened: readonly { readonly guarantee: string; readonly reason: string }[];
  readonly machine: Machine;
  readonly sources: readonly string[];
}

const range = (r: Range) => ({ base: r.base, size: r.size, span: span(r) });

/** One board's full facts as plain data (JSON.stringify-able); an unknown id throws listing the valid ids. */
export function boardFacts(id: string): BoardFactsJson {
  const b = getBoard(id);
  const f = b.facts;
  const a = b.arch;
  return {
    id: f.id,
    name: f.name,
    soc: f.soc,
    cpu: f.cpu,
    cpus: f.cpus,
    endianness: f.endianness,
    arch: {
      id: a.id,
      name: a.name,
      wordBits: a.wordBits,
      endianness: a.endianness,
      pageSizes: a.pageSizes,
      mmu: a.mmu,
      executeNever: a.executeNeverNote,
      portIo: a.portIo,
      timers: a.timers,
      dma: a.dma,
      iommu: a.iommu,
      userMode: a.userMode,
      interruptControllers: a.interruptControllers,
    },
    ram: f.ram.map(range),
    interruptController: { ...f.interruptController, numbering: f.irqNumbering },
    devices: f.devices.map((d) => ({
      name: d.name,
      kind: d.kind,
      model: d.model,
      mmio: (d.mmio ?? []).map(range),
      ports: (d.ports ?? []).map((r) => ({ base: r.base, count: r.size, span: span(r) })),
      irqs: d.irqs ?? [],
      busMaster: d.busMaster === true,
      kernel: d.kernel === true,
      source: d.source,
    })),
    timer: f.timer,
    iommu: f.iommu,
    dmaWindow: f.dmaWindow === null ? null : range(f.dmaWindow),
    kosBoard: f.kosBoard,
    kosBoardNote: f.kosBoardNote,
    templateVariables: templateVariables(b),
    weakened: weakenedGuarantees(b),
    machine: b.toMachine(),
    sources: [...a.sources, ...f.sources],
  };
}

/** Every board's main facts, as `cordon boards --json` prints them. */
export function boardsJson(): object {
  return {
    schemaVersion: SCHEMA_VERSION,
    command: 'boards',
    default: DEFAULT_BOARD,
    boards: BOARDS.map((b) => ({
      id: b.facts.id,
      name: b.facts.name,
      soc: b.facts.soc,
      arch: b.arch.id,
      cpus: b.facts.cpus,
      ram: b.facts.ram.reduce((n, r) => n + r.size, 0),
      kosBoard: b.facts.kosBoard,
      weakened: weakenedGuarantees(b),
    })),
  };
}

export function registerBoards(program: Command, ctx: CommandContext): void {
  solutionFlags(
    program
      .command('boards')
      .description(
        "list the supported boards and their facts, or one board in full; --dot draws a solution's processes and channels",
      )
      .argument('[board]', 'a board id: print its facts as JSON')
      .option('--json', 'print one JSON document (schemas/boards.schema.json) instead of the table')
      .option('--dot <file>', "write the solution's processes and channels as Graphviz DOT (- for stdout)")
      .option(
        '--solution <dir>',
        'the solution --dot draws (default: the current directory when it holds one, else examples/ping)',
      ),
  ).action((id: string | undefined, o: SolutionFlags & { json?: boolean; dot?: string; solution?: string }) => {
    oneDocument(o.json, { '--dot': o.dot });
    let board: Board | undefined;
    try {
      if (id !== undefined) board = getBoard(id);
    } catch (e) {
      throw new SolutionError((e as Error).message);
    }
    if (o.dot !== undefined) {
      const loaded = loadSolution(o.solution ?? defaultSolution(), board ?? getBoard(DEFAULT_BOARD), loadOptionsOf(o));
      const where = writeOutput(o.dot, solutionDot(loaded.tables));
      if (o.dot !== '-' && o.json !== true) ctx.out(`DOT of ${loaded.name} written to ${where}`);
      if (o.json !== true) return;
    }
    if (board === undefined) {
      if (o.json === true) ctx.json(boardsJson());
      else ctx.out(listBoards());
    } else if (o.json === true)
      ctx.json({ schemaVersion: SCHEMA_VERSION, command: 'boards', board: boardFacts(board.id) });
    else ctx.out(JSON.stringify(boardFacts(board.id), null, 2));
  });
}
