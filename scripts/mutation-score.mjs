#!/usr/bin/env node
// Aggregates Stryker JSON reports (mutation-testing-report-schema) into a
// score table per file and per folder.
//
//   node scripts/mutation-score.mjs [report.json ...] [--carry] [--survivors] [--json]
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
import { diffLines } from 'diff';

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
// one's result wins.
//
// A report keeps the source it mutated. Where that copy differs from the file
// as it is now, the report is stale for the file; with `--carry`, its results
// for mutants whose lines are unchanged (a line diff of the two versions; the
// mutant moves with its lines) are carried over to the current file, below
// every result of a run on the current file, as Stryker's own incremental mode
// reuses them. Without `--carry` a stale report is left out. Either way the
// table names, per file, how many results are carried and which changed lines
// no run on the current version has covered (a run on those lines, `--mutate
// file:a-b`, measures them), so a score is always one of the current code,
// or says where it is not.
/** source path -> { reports: Set, mutants: Map<key, { mtime, mutant }>, carried: Map<key, { mtime, mutant }>, lines: Set } */
const bySource = new Map();
const stale = [];
const carry = args.includes('--carry');
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
    const mutants = Array.isArray(entry.mutants) ? entry.mutants : [];
    const ranges = rangesOf(report, source);
    const isStale = now !== null && typeof entry.source === 'string' && entry.source !== now;
    if (isStale && !carry) {
      stale.push(`${source} (${f})`);
      continue;
    }
    const known = bySource.get(source) ?? {
      reports: new Set(),
      mutants: new Map(),
      carried: new Map(),
      lines: new Set(),
    };
    bySource.set(source, known);
    known.reports.add(f);
    if (!isStale) {
      const lineCount = now === null ? 0 : now.split('\n').length;
      for (let l = 1; l <= lineCount; l++) if (inRanges(ranges, l)) known.lines.add(l);
      for (const m of mutants) {
        const k = keyOf(m);
        const had = known.mutants.get(k);
        if (had === undefined || had.mtime <= mtime) known.mutants.set(k, { mtime, mutant: m });
      }
      continue;
    }
    stale.push(`${source} (${f})`);
    const map = lineMap(entry.source, now);
    for (const [from, to] of map) if (inRanges(ranges, from)) known.lines.add(to);
    for (const m of mutants) {
      const start = m.location?.start?.line;
      const end = m.location?.end?.line;
      if (!Number.isInteger(start) || !Number.isInteger(end)) continue;
      let moved = true;
      for (let l = start; l <= end && moved; l++) moved = map.get(l) === map.get(start) + (l - start);
      if (!moved || map.get(start) === undefined) continue;
      const shift = map.get(start) - start;
      const at = {
        ...m,
        location: {
          start: { ...m.location.start, line: start + shift },
          end: { ...m.location.end, line: end + shift },
        },
      };
      const k = keyOf(at);
      const had = known.carried.get(k);
      if (had === undefined || had.mtime <= mtime) known.carried.set(k, { mtime, mutant: at });
    }
  }
}
for (const [source, e] of bySource) {
  let carried = 0;
  for (const [k, x] of e.carried)
    if (!e.mutants.has(k)) {
      e.mutants.set(k, x);
      carried++;
    }
  e.carriedCount = carried;
  e.mutants = [...e.mutants.values()].map((x) => x.mutant);
  e.unmeasured = unmeasured(currentSource(source), e.lines);
}
if (stale.length > 0)
  console.error(
    carry
      ? `mutation-score: results carried over (unchanged lines only) from reports on an older version of the file: ${stale.sort().join(', ')}`
      : `mutation-score: left out, mutated an older version of the file: ${stale.sort().join(', ')}`,
  );

/** Old line -> new line (1-based) for every line the two versions share, by a line diff. */
function lineMap(before, after) {
  const map = new Map();
  let o = 1;
  let n = 1;
  for (const part of diffLines(before, after)) {
    const count = part.count ?? 0;
    if (part.added) n += count;
    else if (part.removed) o += count;
    else {
      for (let i = 0; i < count; i++) map.set(o + i, n + i);
      o += count;
      n += count;
    }
  }
  return map;
}

/** The line ranges of `source` a report's run mutated (null: the whole file). */
function rangesOf(report, source) {
  const patterns = Array.isArray(report.config?.mutate) ? report.config.mutate : [];
  const ranges = [];
  for (const p of patterns) {
    if (typeof p !== 'string') continue;
    const m = /^(.*\.[cm]?[jt]sx?):(\d+)(?::\d+)?-(\d+)(?::\d+)?$/.exec(p);
    if (m === null) {
      if (p === source) return null; // the whole file, named
      continue; // a glob or another file
    }
    if (m[1] === source) ranges.push([Number(m[2]), Number(m[3])]);
  }
  // no range names this file: it was mutated whole (matched by a glob or named)
  return ranges.length === 0 ? null : ranges;
}

function inRanges(ranges, line) {
  return ranges === null || ranges.some(([a, b]) => line >= a && line <= b);
}

/** The lines holding code (not blank, comment or a lone bracket) that no run on their version covered, as "a-b" spans. */
function unmeasured(text, lines) {
  if (text === null) return [];
  const spans = [];
  const all = text.split('\n');
  let open = null;
  let last = null;
  all.forEach((raw, i) => {
    const l = i + 1;
    const t = raw.trim();
    const code = t !== '' && !/^(\/\/|\/\*|\*)/.test(t) && !/^[()[\]{};,]+$/.test(t);
    if (!code) return;
    if (lines.has(l)) {
      if (open !== null) spans.push(open === last ? `${open}` : `${open}-${last}`);
      open = null;
    } else {
      if (open === null) open = l;
      last = l;
    }
  });
  if (open !== null) spans.push(open === last ? `${open}` : `${open}-${last}`);
  return spans;
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
  for (const k of ['mutants', 'killed', 'survived', 'noCoverage', 'timeout', 'invalid', 'ignored', 'carried'])
    out[k] = a[k] + b[k];
  const valid = out.killed + out.timeout + out.survived + out.noCoverage;
  out.score = valid === 0 ? null : (100 * (out.killed + out.timeout)) / valid;
  return out;
}
const zero = { ...count([]), carried: 0 };

const rows = [...bySource.entries()]
  .sort(([a], [b]) => a.localeCompare(b))
  .map(([source, e]) => ({
    source,
    reports: [...e.reports].sort(),
    ...count(e.mutants),
    carried: e.carriedCount,
    unmeasured: e.unmeasured,
  }));
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
const head = ['file', 'mutants', 'killed', 'survived', 'no cov', 'timeout', 'invalid', 'carried', 'score'];
const line = (name, r) => [
  name,
  r.mutants,
  r.killed,
  r.survived,
  r.noCoverage,
  r.timeout,
  r.invalid,
  r.carried,
  pct(r.score),
];
const table = [
  head,
  ...rows.map((r) => line(r.source, r)),
  ...[...folders.entries()].map(([f, r]) => line(`${f}/ (folder)`, r)),
  line('total', total),
];
const widths = head.map((_, i) => Math.max(...table.map((row) => String(row[i]).length)));
for (const row of table)
  console.log(row.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  '));

const gaps = rows.filter((r) => r.unmeasured.length > 0);
if (gaps.length > 0) {
  console.log('');
  console.log('lines of code no run on their current version covered (their mutants are not in the table):');
  for (const r of gaps) console.log(`  ${r.source}: ${r.unmeasured.join(', ')}`);
}

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
          endLine: m.location?.end?.line,
          endColumn: m.location?.end?.column,
          status: m.status,
          mutator: m.mutatorName,
          replacement: String(m.replacement ?? '')
            .replace(/\s+/g, ' ')
            .slice(0, 100),
        });
  return out.sort((a, b) => a.source.localeCompare(b.source) || a.line - b.line || a.column - b.column);
}
