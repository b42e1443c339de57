// What every command prints for machines and people: one JSON document with
// --json (validated against schemas/*.schema.json), JUnit that a JUnit
// parser reads, DOT that Graphviz renders, --version, --quiet, colour only
// on a terminal and never with NO_COLOR, `-` as stdout, and the default
// solution taken from the current directory.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, cpSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { instance } from '@viz-js/viz';
import { schemaErrors } from './helpers/schemas.ts';
import { colorOn } from '../src/cli/options.ts';

const root = join(import.meta.dirname, '..');
const schema = (name: string) => join(root, 'schemas', `${name}.schema.json`);
const scratch = () => mkdtempSync(join(tmpdir(), 'cordon-outputs-'));
const cordon = (args: readonly string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) =>
  spawnSync(process.execPath, [join(root, 'bin', 'cordon.mjs'), ...args], {
    cwd: opts.cwd ?? root,
    encoding: 'utf8',
    timeout: 300_000,
    env: { ...process.env, NO_COLOR: '', FORCE_COLOR: '', ...opts.env },
  });
/** stdout is one JSON document, valid against the command's schema. */
function oneDocument(stdout: string, schemaName: string): Record<string, unknown> {
  const doc = JSON.parse(stdout) as Record<string, unknown>; // throws on anything but exactly one document
  assert.deepEqual(schemaErrors(schema(schemaName), doc), [], `${schemaName}: ${stdout.slice(0, 400)}`);
  assert.equal(doc.schemaVersion, 1);
  return doc;
}
const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' });
type Case = { name: string; file?: string; failure?: unknown };
const testcases = (text: string): Case[] => {
  const parsed = xml.parse(text) as { testsuites: { testsuite: unknown } };
  const suites = [parsed.testsuites.testsuite].flat() as { testcase: Case | Case[] }[];
  return suites.flatMap((s) => [s.testcase].flat());
};

test('--version prints the version of package.json', () => {
  const r = cordon(['--version']);
  assert.equal(r.status, 0);
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
  assert.equal(r.stdout.trim(), pkg.version);
});

test("--help lists every command without loading them; a command's --help shows its own options", () => {
  const r = cordon(['--help']);
  assert.equal(r.status, 0);
  for (const c of ['verify', 'test', 'check', 'boards', 'audit']) assert.match(r.stdout, new RegExp(`^  ${c} `, 'm'));
  // bin/cordon.mjs answers `--help` from src/cli/commands.mjs without TypeScript; main.ts builds the same program
  assert.equal(cordon(['--quiet', '--help']).stdout, r.stdout);
  const v = cordon(['verify', '--help']);
  assert.match(v.stdout, /--junit <file>/);
  assert.match(v.stdout, /--dot <file>/);
  assert.match(cordon(['help', 'test']).stdout, /--coverage-lcov <file>/);
});

test('verify --json: the report as one document with version, commit, command line, runs, steps, seed; --junit and --dot beside it', async () => {
  const dir = scratch();
  const args = ['verify', 'examples/ping', '--no-tlc', '--runs', '3', '--steps', '20', '--seed', '5'];
  const r = cordon([
    ...args,
    '--json',
    '--out',
    join(dir, 'v.json'),
    '--junit',
    join(dir, 'v.xml'),
    '--dot',
    join(dir, 'v.dot'),
  ]);
  assert.equal(r.status, 0, r.stderr);
  const doc = oneDocument(r.stdout, 'verify');
  assert.equal(doc.seed, 5);
  assert.equal(doc.runs, 3);
  assert.equal(doc.steps, 20);
  assert.deepEqual((doc.commandLine as string[]).slice(0, args.length), args);
  const build = doc.cordon as { version: string; commit: string | null };
  assert.match(build.commit ?? '', /^([0-9a-f]{40})?$/);
  // the report file is the same document
  assert.deepEqual(JSON.parse(readFileSync(join(dir, 'v.json'), 'utf8')), doc);
  // every check a testcase, failures none, files relative to the solution
  const cases = testcases(readFileSync(join(dir, 'v.xml'), 'utf8'));
  const checks = doc.checks as { id: string; kind: string }[];
  assert.deepEqual(cases.map((c) => c.name).sort(), checks.map((c) => c.id).sort());
  assert.ok(cases.every((c) => c.failure === undefined));
  const pal = cases.filter((c) => c.name.startsWith('pal.'));
  assert.ok(pal.length > 0 && pal.every((c) => /^einit\/src\/tests\.psl:\d+$/.test(c.file ?? '')), JSON.stringify(pal));
  // DOT: a node per process, an edge per channel, and Graphviz renders it
  const dot = readFileSync(join(dir, 'v.dot'), 'utf8');
  assert.match(dot, /^digraph "ping" \{/);
  assert.equal((dot.match(/^\s+p\d+ \[label=/gm) ?? []).length, 2);
  assert.match(dot, /^\s+p0 -> p1 \[label="ping"\];$/m);
  const viz = await instance();
  const svg = viz.render(dot, { format: 'svg' });
  assert.equal(svg.status, 'success', JSON.stringify(svg.errors));
  assert.match(svg.output ?? '', /ping\.Client/);
});

test('verify exits 1 with a failing check and the JUnit file carries the failure', () => {
  const dir = scratch();
  cpSync(join(root, 'examples', 'ping-rules'), dir, { recursive: true });
  const file = join(dir, 'solution.yaml');
  const text = readFileSync(file, 'utf8').replace(
    '{ id: start, kind: execute, src: Einit }',
    '{ id: start, kind: execute, src: Einit, dst: ping.Client }',
  );
  writeFileSync(file, text);
  const r = cordon(['verify', dir, '--no-tlc', '--runs', '3', '--out', join(dir, 'v.json'), '--junit', '-', '--quiet']);
  assert.equal(r.status, 1);
  const cases = testcases(r.stdout);
  assert.ok(
    cases.some((c) => c.name === 'boot' && c.failure !== undefined),
    r.stdout,
  );
});

test('test --json and boards --json validate; boards --dot - writes DOT on stdout; audit JSON is schema-versioned', () => {
  const t = cordon(['test', 'examples/echo', '--json', '--coverage', '--junit', join(scratch(), 'j.xml')]);
  assert.equal(t.status, 0, t.stderr);
  const doc = oneDocument(t.stdout, 'test');
  assert.equal((doc.coverage as { bindings: { percent: number } }).bindings.percent, 100);
  oneDocument(cordon(['boards', '--json']).stdout, 'boards');
  oneDocument(cordon(['boards', 'rpi4b', '--json']).stdout, 'boards');
  const dot = cordon(['boards', '--dot', '-', '--solution', 'examples/gateway']);
  assert.equal(dot.status, 0, dot.stderr);
  assert.match(dot.stdout, /^digraph "gateway" \{/);
  assert.ok((dot.stdout.match(/ -> /g) ?? []).length >= 3);
  const q = cordon(['audit', 'query', 'examples/ping', '--json']);
  assert.equal(q.status, 0, q.stderr);
  oneDocument(q.stdout, 'audit-query');
  const e = cordon([
    'audit',
    'explain',
    'examples/ping',
    '--json',
    '--event',
    'request src=ping.Client dst=ping.Server endpoint=pinger method=Ping message={"value":1}',
  ]);
  assert.equal(e.status, 0, e.stderr);
  oneDocument(e.stdout, 'audit-explain');
  // two documents on stdout are refused
  const clash = cordon(['test', 'examples/ping', '--json', '--junit', '-']);
  assert.equal(clash.status, 2);
  assert.match(clash.stderr, /--junit - would write there too/);
});

test('check --json and --junit (TLC on a small model)', () => {
  const dir = scratch();
  const r = cordon(['check', 'examples/diode-rules', '--workers', '1', '--json', '--junit', join(dir, 'c.xml')]);
  assert.equal(r.status, 0, r.stderr);
  const doc = oneDocument(r.stdout, 'check');
  assert.equal(doc.verdict, 'success');
  const [only, ...more] = testcases(readFileSync(join(dir, 'c.xml'), 'utf8'));
  assert.equal(more.length, 0);
  assert.equal(only!.name, 'tlc.solution.DiodeRules');
});

test('--quiet prints nothing on success and keeps the exit code', () => {
  const dir = scratch();
  const ok = cordon(['--quiet', 'test', 'examples/ping', '--junit', join(dir, 'j.xml')]);
  assert.equal(ok.status, 0);
  assert.equal(ok.stdout, '');
  const q = cordon(['verify', 'examples/ping', '--no-tlc', '--runs', '2', '--out', join(dir, 'v.json'), '--quiet']);
  assert.equal(q.status, 0);
  assert.equal(q.stdout + q.stderr, '');
});

test('colour: never through a pipe, never with NO_COLOR, only when a terminal (or FORCE_COLOR) asks', () => {
  const dir = scratch();
  const args = ['verify', 'examples/ping', '--no-tlc', '--runs', '2', '--out', join(dir, 'v.json')];
  assert.doesNotMatch(cordon(args).stdout, /\u001b\[/, 'a pipe gets no colour');
  assert.match(cordon(args, { env: { FORCE_COLOR: '1' } }).stdout, /\u001b\[32mPASS\u001b\[0m/);
  assert.doesNotMatch(cordon(args, { env: { FORCE_COLOR: '1', NO_COLOR: '1' } }).stdout, /\u001b\[/);
  assert.doesNotMatch(cordon(['--no-color', ...args], { env: { FORCE_COLOR: '1' } }).stdout, /\u001b\[/);
  assert.equal(colorOn(true, {}, true), true, 'a terminal');
  assert.equal(colorOn(true, { NO_COLOR: '1' }, true), false);
  assert.equal(colorOn(false, {}, true), false, '--no-color');
  assert.equal(colorOn(true, {}, false), false, 'not a terminal');
});

test('the default solution is the current directory for every command', () => {
  const dir = scratch();
  cpSync(join(root, 'examples', 'echo'), dir, { recursive: true });
  const t = cordon(['test', '--junit', '-'], { cwd: dir });
  assert.equal(t.status, 0, t.stderr);
  assert.match(t.stdout, /PAL tests of echo/);
  const v = cordon(['verify', '--no-tlc', '--runs', '2', '--json', '--out', join(dir, 'v.json')], { cwd: dir });
  assert.equal(v.status, 0, v.stderr);
  assert.equal((JSON.parse(v.stdout) as { solution: string }).solution, dir);
  const b = cordon(['boards', '--dot', '-'], { cwd: dir });
  assert.match(b.stdout, /^digraph "echo"/);
});

test('verify --coverage: the counting policy in every check, the coverage in the report, --threshold fails below it', () => {
  const dir = scratch();
  const r = cordon([
    'verify',
    'examples/ping',
    '--no-tlc',
    '--runs',
    '5',
    '--coverage-lcov',
    join(dir, 'psl.lcov'),
    '--threshold',
    '99',
    '--json',
    '--out',
    join(dir, 'v.json'),
  ]);
  assert.equal(r.status, 1, 'ping stays below 99%: turns.init is never denied');
  const doc = oneDocument(r.stdout, 'verify');
  const checks = doc.checks as { status: string }[];
  assert.ok(
    checks.every((c) => c.status === 'pass'),
    'the checks themselves pass: only the threshold fails',
  );
  const c = doc.coverage as { total: { percent: number }; bindings: { percent: number } };
  assert.ok(c.total.percent < 99 && c.total.percent > 90, String(c.total.percent));
  assert.equal(c.bindings.percent, 100);
  assert.match(readFileSync(join(dir, 'psl.lcov'), 'utf8'), /^SF:einit\/src\/security\.psl$/m);
});

test('audit flows, diff and lint, and log: one schema-versioned JSON document each', () => {
  const ping = join(root, 'examples', 'ping');
  const flows = cordon([
    'audit',
    'flows',
    join(root, 'examples', 'diode-rules'),
    '--from',
    'Cloud',
    '--to',
    'Plc',
    '--json',
  ]);
  assert.equal(flows.status, 0, flows.stderr);
  assert.equal((oneDocument(flows.stdout, 'audit-flows').reach as { answer: string }).answer, 'none');
  const diff = cordon(['audit', 'diff', ping, ping, '--json']);
  assert.equal(diff.status, 0, diff.stderr);
  assert.equal(oneDocument(diff.stdout, 'audit-diff').verdict, 'equivalent');
  const lint = cordon(['audit', 'lint', ping, '--json']);
  assert.equal(lint.status, 0, lint.stderr);
  assert.ok(Array.isArray(oneDocument(lint.stdout, 'audit-lint').findings));
  const dir = scratch();
  const log = join(dir, 'audit.jsonl');
  assert.equal(cordon(['test', ping, '--junit', join(dir, 'junit.xml'), '--audit-log', log]).status, 0);
  const shown = cordon(['log', log, '--verdict', 'deny', '--json']);
  assert.equal(shown.status, 0, shown.stderr);
  const doc = oneDocument(shown.stdout, 'log') as { records: { verdict: string }[] };
  assert.ok(doc.records.length > 0 && doc.records.every((r) => r.verdict === 'deny'));
  // a document that is not what the schema says is caught (the schemas are not vacuous)
  assert.notDeepEqual(schemaErrors(schema('audit-diff'), { ...JSON.parse(diff.stdout), verdict: 'same' }), []);
  assert.notDeepEqual(schemaErrors(schema('log'), { schemaVersion: 1, command: 'log', file: 'x', total: 1 }), []);
});
