#!/usr/bin/env node
// Aggregates Stryker JSON reports (mutation-testing-report-schema) into a
// score table per file and per folder.
//
//   node scripts/mutation-score.mjs [report.json ...] [--survivors] [--json]
//
// Without arguments it reads every reports/mutation/*.json. When several
// reports cover the same source file, the newest report (by mtime) wins for
// that file, so per-file runs can be combined with a full run. The score is
// Stryker's: detected (killed + timeout) over valid mutants (detected +
// survived + no coverage); compile and runtime errors and ignored mutants do
// not count. Exit 2 when no report can be read.

import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, posix, relative, sep } from 'node:path';

const args = process.argv.slice(2);
const survivors = args.includes('--survivors');
const asJson = args.includes('--json');
let files = args.filter((a) => !a.startsWith('--'));
if (files.length === 0) {
  const dir = join('reports', 'mutation');
  try {
    files = readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => join(dir, f));
  } catch {
    files = [];
  }
}
if (files.length === 0) {
  console.error('mutation-score: no report given and none in reports/mutation/ (run `npm run mutation` first)');
  process.exit(2);
}

/** source path -> { report, mtime, mutants } (the newest report per source file) */
const bySource = new Map();
for (const f of files) {
  let report;
  let mtime;
  try {
    report = JSON.parse(readFileSync(f, 'utf8'));
    mtime = statSync(f).mtimeMs;
  } catch (e) {
    console.error(`mutation-score: cannot read ${f}: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(2);
  }
  if (typeof report !== 'object' || report === null || typeof report.files !== 'object' || report.files === null) {
    console.error(`mutation-score: ${f} is not a Stryker JSON report (no "files")`);
    process.exit(2);
  }
  for (const [path, entry] of Object.entries(report.files)) {
    const source = (relative(process.cwd(), path) || path).split(sep).join(posix.sep);
    const known = bySource.get(source);
    if (known !== undefined && known.mtime > mtime) continue;
    bySource.set(source, { report: f, mtime, mutants: Array.isArray(entry.mutants) ? entry.mutants : [] });
  }
}

const STATUSES = ['Killed', 'Survived', 'NoCoverage', 'Timeout', 'CompileError', 'RuntimeError', 'Ignored'];
function count(mutants) {
  const c = Object.fromEntries(STATUSES.map((s) => [s, 0]));
  for (const m of mutants) c[m.status] = (c[m.status] ?? 0) + 1;
  const detected = c.Killed + c.Timeout;
  const valid = detected + c.Survived + c.NoCoverage;
  return {
    mutants: mutants.length,
    killed: c.Killed,
    survived: c.Survived,
    noCoverage: c.NoCoverage,
    timeout: c.Timeout,
    invalid: c.CompileError + c.RuntimeError,
    ignored: c.Ignored,
    score: valid === 0 ? null : (100 * detected) / valid,
  };
}
function add(a, b) {
  const out = {};
  for (const k of ['mutants', 'killed', 'survived', 'noCoverage', 'timeout', 'invalid', 'ignored'])
    out[k] = a[k] + b[k];
  const valid = out.killed + out.timeout + out.survived + out.noCoverage;
  out.score = valid === 0 ? null : (100 * (out.killed + out.timeout)) / valid;
  return out;
}
const zero = count([]);

const rows = [...bySource.entries()]
  .sort(([a], [b]) => a.localeCompare(b))
  .map(([source, e]) => ({ source, report: e.report, ...count(e.mutants) }));
const folders = new Map();
for (const r of rows) {
  const folder = posix.dirname(r.source);
  folders.set(folder, add(folders.get(folder) ?? zero, r));
}
const total = rows.reduce((a, r) => add(a, r), zero);

if (asJson) {
  console.log(
    JSON.stringify(
      {
        files: rows,
        folders: Object.fromEntries(folders),
        total,
        ...(survivors ? { survivors: listSurvivors() } : {}),
      },
      null,
      2,
    ),
  );
  process.exit(0);
}

const pct = (s) => (s === null ? 'n/a' : `${s.toFixed(1)}%`);
const head = ['file', 'mutants', 'killed', 'survived', 'no cov', 'timeout', 'invalid', 'score'];
const line = (name, r) => [name, r.mutants, r.killed, r.survived, r.noCoverage, r.timeout, r.invalid, pct(r.score)];
const table = [
  head,
  ...rows.map((r) => line(r.source, r)),
  ...[...folders.entries()].map(([f, r]) => line(`${f}/ (folder)`, r)),
  line('total', total),
];
const widths = head.map((_, i) => Math.max(...table.map((row) => String(row[i]).length)));
for (const row of table)
  console.log(row.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  '));

if (survivors) {
  console.log('');
  for (const s of listSurvivors())
    console.log(`${s.source}:${s.line}:${s.column} ${s.status} ${s.mutator}: ${s.replacement}`);
}

function listSurvivors() {
  const out = [];
  for (const [source, e] of [...bySource.entries()].sort(([a], [b]) => a.localeCompare(b)))
    for (const m of e.mutants)
      if (m.status === 'Survived' || m.status === 'NoCoverage')
        out.push({
          source,
          line: m.location?.start?.line,
          column: m.location?.start?.column,
          status: m.status,
          mutator: m.mutatorName,
          replacement: String(m.replacement ?? '')
            .replace(/\s+/g, ' ')
            .slice(0, 100),
        });
  return out.sort((a, b) => a.source.localeCompare(b.source) || a.line - b.line || a.column - b.column);
}
