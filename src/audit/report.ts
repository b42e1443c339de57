// `cordon audit report`: one self-contained HTML page about a solution's
// policy: the information-flow graph (flows.ts) drawn as SVG by Graphviz
// compiled to wasm (@viz-js/viz renders the DOT text at report time; the SVG
// is inlined), the query table (query.ts), and the lint findings with their
// source lines. The page links nothing, so it opens without a network
// (src/output/html.ts).

import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { instance } from '@viz-js/viz';
import { renderPage } from '../output/html.ts';
import type { Loaded } from '../solution/load.ts';
import { flowGraph, flowsDot, oneWay, type FlowGraph } from './flows.ts';
import { query, type QueryResult } from './query.ts';
import { solutionModel } from '../check/check.ts';

/** A lint finding as src/audit/lint.ts reports it (the report's input; the same shape as its LintFinding). */
export interface ReportFinding {
  readonly rule: string;
  readonly level: 'error' | 'warning' | 'note';
  readonly message: string;
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
  readonly source?: string;
}

export interface AuditReport {
  readonly html: string;
  readonly graph: FlowGraph;
  readonly query: QueryResult;
  /** the SVG Graphviz drew */
  readonly svg: string;
  readonly ms: { readonly flows: number; readonly query: number; readonly layout: number; readonly total: number };
}

/** The source line a finding points at: its own `source`, else the line read from its file (relative to `base`). */
function sourceLine(f: ReportFinding, base: string): string | null {
  if (f.source !== undefined) return f.source;
  if (f.file === undefined || f.line === undefined) return null;
  const path = isAbsolute(f.file) ? f.file : existsSync(f.file) ? f.file : join(base, f.file);
  try {
    return readFileSync(path, 'utf8').split(/\r?\n/)[f.line - 1] ?? null;
  } catch {
    return null;
  }
}

const LEVELS = ['error', 'warning', 'note'] as const;

/** Renders the report of a loaded solution with the lint findings given. */
export async function auditReport(
  loaded: Loaded,
  findings: readonly ReportFinding[],
  options: { readonly base?: string; readonly maxStates?: number } = {},
): Promise<AuditReport> {
  const t0 = performance.now();
  const graph = flowGraph(
    solutionModel(loaded),
    options.maxStates === undefined ? {} : { maxStates: options.maxStates },
  );
  const t1 = performance.now();
  const q = query(loaded);
  const t2 = performance.now();
  const viz = await instance();
  const svg = viz.renderString(flowsDot(graph), { format: 'svg' });
  const t3 = performance.now();
  const byId = new Map(graph.nodes.map((n) => [n.sid, n]));
  const label = (sid: number) => {
    const n = byId.get(sid);
    return n === undefined ? `SID ${sid}` : n.name === n.class ? n.name : `${n.name} (${n.class})`;
  };
  const sorted = [...findings].sort(
    (a, b) =>
      LEVELS.indexOf(a.level) - LEVELS.indexOf(b.level) ||
      (a.file ?? '').localeCompare(b.file ?? '') ||
      (a.line ?? 0) - (b.line ?? 0),
  );
  const html = renderPage('audit-report.njk', {
    title: `Policy audit of ${loaded.name}`,
    solution: loaded.name,
    svg: svg.replace(/^<\?xml[^>]*>\s*/, '').replace(/^<!DOCTYPE[^>]*>\s*/, ''),
    exploration: graph.exploration,
    nodes: graph.nodes,
    edges: graph.edges.map((e) => ({ ...e, fromName: label(e.from), toName: label(e.to) })),
    oneWay: oneWay(graph).map((o) => ({ from: label(o.from), to: label(o.to), signals: o.signals })),
    query: q,
    groups: q.groups.map((g) => ({ ...g, endpoint: g.endpoint ?? '', method: g.method ?? '' })),
    findings: sorted.map((f) => ({
      ...f,
      lineLabel: f.line === undefined ? '' : `${f.line} `,
      at:
        f.file === undefined
          ? ''
          : `${f.file}${f.line === undefined ? '' : `:${f.line}${f.column === undefined ? '' : `:${f.column}`}`}`,
      sourceLine: sourceLine(f, options.base ?? loaded.dir) ?? '',
      hasSource: sourceLine(f, options.base ?? loaded.dir) !== null,
    })),
    counts: Object.fromEntries(LEVELS.map((l) => [l, findings.filter((f) => f.level === l).length])),
    data: { nodes: graph.nodes.length, edges: graph.edges.length, groups: q.groups.length, findings: findings.length },
  });
  const t4 = performance.now();
  return {
    html,
    graph,
    query: q,
    svg,
    ms: { flows: t1 - t0, query: t2 - t1, layout: t3 - t2, total: t4 - t0 },
  };
}
