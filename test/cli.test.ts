// The command line as a user meets it: exit codes, the report file, and one
// clear message (never a stack trace) for bad input.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isRight } from 'fp-ts/lib/Either.js';
import { ReportCodec } from '../src/evidence/report.ts';
import { readAuditLog } from '../src/audit/log.ts';

const root = join(import.meta.dirname, '..');
const cordon = (...args: string[]) =>
  spawnSync(process.execPath, [join(root, 'bin', 'cordon.mjs'), ...args], {
    cwd: root,
    encoding: 'utf8',
    timeout: 300_000,
  });

// the TLC checks of verify run in CI's first command (`npx cordon verify`) and in test/spec-models.test.ts; here --no-tlc
test('verify on a solution writes a report that decodes, names its inputs by sha256, and exits 0', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cordon-cli-'));
  const out = join(dir, 'verify.json');
  const audit = join(dir, 'audit.jsonl');
  const r = cordon(
    'verify',
    'examples/ping-rules',
    '--runs',
    '20',
    '--seed',
    '7',
    '--out',
    out,
    '--audit-log',
    audit,
    '--no-tlc',
  );
  assert.equal(r.status, 0, r.stdout + r.stderr);
  // the audit log of the scenario run: a rule-form policy logs every decision, boot's first
  const records = readAuditLog(audit);
  assert.match(
    r.stdout,
    new RegExp(`audit log written to .*audit\\.jsonl \\(${records.length} of ${records.length} decisions\\)`),
  );
  assert.ok(records.length > 5);
  assert.equal(records[0]!.step, 0);
  assert.match(records[0]!.event, /^execute src=Einit/);
  const report = ReportCodec.decode(JSON.parse(readFileSync(out, 'utf8')));
  assert.ok(isRight(report));
  assert.equal(report.right.seed, 7);
  assert.equal(report.right.board, 'qemu-x86_64');
  assert.match(report.right.inputs[0]!.sha256, /^[0-9a-f]{64}$/);
  assert.ok(report.right.checks.every((c) => c.status === 'pass'));
  assert.ok(
    ['kernel.default-deny', 'kernel.complete-mediation', 'kernel.isolation', 'scenario.programs'].every((id) =>
      report.right.checks.some((c) => c.id === id),
    ),
  );
});

test('verify exits 1 and explains when a check fails (a policy that does not let Einit start the server)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cordon-cli-'));
  cpSync(join(root, 'examples', 'ping-rules'), dir, { recursive: true });
  const file = join(dir, 'solution.yaml');
  writeFileSync(
    file,
    readFileSync(file, 'utf8').replace(
      '{ id: start, kind: execute, src: Einit }',
      '{ id: start, kind: execute, src: Einit, dst: ping.Client }',
    ),
  );
  const r = cordon('verify', dir, '--runs', '5', '--out', join(dir, 'verify.json'), '--no-tlc');
  assert.equal(r.status, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /FAIL\s+boot/);
  assert.match(r.stdout, /Einit was not allowed to start: server/);
});

test('bad input gets one clear message and exit 2, never a stack trace', () => {
  for (const [args, want] of [
    [['verify', 'no/such/solution'], /no solution at no\/such\/solution/],
    [['verify', '--board', 'nope'], /unknown board "nope"; valid boards: qemu-x86_64/],
    [['boards', 'nope'], /unknown board "nope"/],
  ] as const) {
    const r = cordon(...args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
    assert.match(r.stderr, want);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  }
});
