#!/usr/bin/env node
// Aggregates Stryker JSON reports (mutation-testing-report-schema) into a
// score table per file and per folder.
//
//   node scripts/mutation-score.mjs [report.json ...] [--survivors] [--json]
//
// Without arguments it reads every reports/mutation/*.json. When several
// reports cover the same source file, the newest report (by mtime) wins for
// each mutant of that file, so per-file runs can be combined with a full run;
// reports of an older version of a file are left out (see below). The score is
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

// Several reports may cover one source file: per-file runs, or runs on parts
// of a file (`--mutate file:lines`). Their mutants are united, keyed by place,
// mutator and replacement; where two reports hold the same mutant, the newer
// one's result wins. A report whose copy of a file differs from the file as
// it is now (the report keeps the source it mutated) is stale for that file
// and is left out, so a score is always one of the current code.
/** source path -> { reports: Set, mutants: Map<key, { mtime, mutant }> } */
const bySource = new Map();
const stale = [];
const current = new Map();
function currentSource(source) {
  if (!current.has(source)) {
    let text = null;
    try {
      text = readFileSync(source, 'utf8');
    } catch {
      // not in this checkout: the report cannot be checked against it, and counts as it is
    }
    current.set(source, text);
  }
  return current.get(source);
}
const keyOf = (m) =>
  `${m.location?.start?.line}:${m.location?.start?.column}-${m.location?.end?.line}:${m.location?.end?.column} ${m.mutatorName} ${m.replacement ?? ''}`;
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
    const now = currentSource(source);
    if (now !== null && typeof entry.source === 'string' && entry.source !== now) {
      stale.push(`${source} (${f})`);
      continue;
    }
    const known = bySource.get(source) ?? { reports: new Set(), mutants: new Map() };
    bySource.set(source, known);
    known.reports.add(f);
    for (const m of Array.isArray(entry.mutants) ? entry.mutants : []) {
      const k = keyOf(m);
      const had = known.mutants.get(k);
      if (had === undefined || had.mtime <= mtime) known.mutants.set(k, { mtime, mutant: m });
    }
  }
}
for (const e of bySource.values()) e.mutants = [...e.mutants.values()].map((x) => x.mutant);
if (stale.length > 0)
  console.error(`mutation-score: left out, mutated an older version of the file: ${stale.sort().join(', ')}`);

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
  .map(([source, e]) => ({ source, reports: [...e.reports].sort(), ...count(e.mutants) }));
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
