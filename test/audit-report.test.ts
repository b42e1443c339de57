// `cordon audit report`: one self-contained page (the flow graph drawn by
// Graphviz as SVG, the query table, the lint findings with source lines),
// opened in headless Chromium: every process is a node of the drawn graph,
// every query group a row, every finding shown with its source line, no
// console error, no request that needs a network.

import { testContext } from './helpers/cli-context.ts';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { loadSolution } from '../src/solution/load.ts';
import { auditReport, type ReportFinding } from '../src/audit/report.ts';
import { Command } from 'commander';
import { registerAudit } from '../src/cli/audit.ts';
import { browserSkip, visitPage } from './helpers/browser.ts';

const root = join(import.meta.dirname, '..');

// findings as lint reports them: one with its source line given, one whose line is read from the file
const FINDINGS: readonly ReportFinding[] = [
  {
    rule: 'unused-interface',
    level: 'warning',
    message: 'method Pong is declared and never <granted>',
    file: 'einit/src/security.psl',
    line: 1,
    column: 1,
  },
  { rule: 'dead-binding', level: 'error', message: 'binding decides no reachable event', source: 'grant () // x' },
  { rule: 'note-only', level: 'note', message: 'a note' },
];

test('report: the page holds the drawn graph, the query table and the findings, and opens offline in Chromium', async (t) => {
  const loaded = loadSolution(join(root, 'examples', 'ping'));
  const r = await auditReport(loaded, FINDINGS);
  assert.match(r.svg, /<svg/);
  assert.doesNotMatch(r.html, /<link|<script src|https?:\/\/(?!www\.w3\.org)/, 'the page links nothing');
  assert.match(r.html, /method Pong is declared and never &lt;granted&gt;/, 'finding text is escaped');
  const skip = browserSkip();
  if (skip !== false) {
    t.skip(skip);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'cordon-report-'));
  try {
    const file = join(dir, 'audit.html');
    writeFileSync(file, r.html);
    const shot = join(dir, 'audit.png');
    const v = await visitPage(file, shot, (page) =>
      page.evaluate(() => ({
        nodes: document.querySelectorAll('#flow-graph svg g.node').length,
        edges: document.querySelectorAll('#flow-graph svg g.edge').length,
        titles: [...document.querySelectorAll('#flow-graph svg g.node text')].map((x) => x.textContent),
        rows: document.querySelectorAll('#query-table tbody tr.query-group').length,
        findings: document.querySelectorAll('#lint-findings tbody tr.finding').length,
        sources: [...document.querySelectorAll('#lint-findings pre.finding-source')].map((x) => x.textContent),
        firstLevel: document.querySelector('#lint-findings tbody tr.finding td')?.textContent,
        width: document.querySelector('#flow-graph svg')?.getBoundingClientRect().width ?? 0,
      })),
    );
    assert.deepEqual(v.errors, [], 'no console errors');
    assert.deepEqual(v.blocked, [], 'no network request');
    const processes = r.graph.nodes.length;
    assert.equal(v.value.nodes, processes, 'one drawn node per process');
    assert.equal(v.value.edges, r.graph.edges.length, 'one drawn edge per flow');
    assert.ok(v.value.titles.includes('ping.Client') && v.value.titles.includes('ping.Server'));
    assert.ok(v.value.width > 100, 'the graph has a size on the page');
    assert.equal(v.value.rows, r.query.groups.length, 'one row per query group');
    assert.ok(r.query.groups.length > 0);
    assert.equal(v.value.findings, FINDINGS.length);
    assert.equal(v.value.firstLevel, 'error', 'errors first');
    // the given source line, and line 1 of the example's policy read from its file
    assert.equal(v.value.sources.length, 2);
    assert.ok(v.value.sources.includes('| grant () // x'));
    assert.ok(v.value.sources.some((s) => s?.startsWith('1 | ')));
    assert.ok(statSync(shot).size > 10_000, 'a screenshot was taken');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('cli: audit report -o writes the page', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cordon-report-'));
  let out = '';
  let code = -1;
  const program = new Command().exitOverride();
  registerAudit(
    program,
    testContext(
      (s) => void (out += s),
      (c) => void (code = c),
    ),
  );
  try {
    const file = join(dir, 'sub', 'audit.html');
    await program.parseAsync(['node', 'cordon', 'audit', 'report', join(root, 'examples', 'diode-rules'), '-o', file]);
    assert.equal(code, 0);
    assert.match(out, /report written to .*: 5 processes, 7 flows over 346 kernel states, \d+ query groups/);
    const html = readFileSync(file, 'utf8');
    assert.match(html, /<svg/);
    assert.match(html, /id="query-table"/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
