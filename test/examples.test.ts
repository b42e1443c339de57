/**
 * The bundled examples (examples/ping, echo, diode, gateway): each is a
 * solution in KasperskyOS formats whose PAL tests pass and which `cordon
 * verify` passes — boot, PAL checks, the scripted scenario of its
 * cordon.yaml, the kernel property suites. The time to parse each (read,
 * template, resolve, check: everything before the policy compiler) is
 * measured and printed: the first load (in the first example this also
 * builds the grammars) and warm (the median of five further loads).
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadKosSolution } from '../src/solution/kos.ts';
import { formatPalResults, runPalTests } from '../src/policy/pal/run.ts';
import { testCommand } from '../src/cli/test.ts';
import { verify, DEFAULT_SOLUTION } from '../src/verify/verify.ts';
import { getBoard } from '../boards/index.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const EXAMPLES = ['ping', 'echo', 'diode', 'gateway'] as const;
const out = mkdtempSync(join(tmpdir(), 'cordon-examples-'));
after(() => rmSync(out, { recursive: true, force: true }));

const timings: string[] = [];
after(() => {
  if (timings.length > 0)
    process.stdout.write(`# parse time per example (ms):\n${timings.map((t) => `#   ${t}`).join('\n')}\n`);
});

describe('examples', () => {
  it('ping is the default example of cordon verify', () => {
    assert.equal(DEFAULT_SOLUTION, 'examples/ping');
  });

  for (const name of EXAMPLES) {
    const dir = join(ROOT, 'examples', name);
    describe(name, () => {
      it('parses; parse time measured', (t) => {
        const first = loadKosSolution(dir);
        const warm: number[] = [];
        for (let i = 0; i < 5; i++) warm.push(loadKosSolution(dir).timings.parseMs);
        warm.sort((a, b) => a - b);
        const line = `${name.padEnd(8)} first ${first.timings.parseMs.toFixed(1).padStart(7)}  warm ${warm[2]!.toFixed(1).padStart(6)}  compile ${first.timings.compileMs.toFixed(1).padStart(5)}  (${first.files.length} files)`;
        timings.push(line);
        t.diagnostic(`parse time ${line}`);
        assert.ok(first.files.length >= 5);
        assert.ok(first.tests.length > 0, 'the example has PAL tests');
        assert.notEqual(first.programs, null, 'the example has scripted programs for the verify scenario');
      });

      it('its PAL tests pass, on every board the example is built for', () => {
        for (const board of ['qemu-x86_64', 'rpi4b']) {
          const s = loadKosSolution(dir, { board: getBoard(board) });
          const r = runPalTests(s.tables, s.policy, s.tests);
          assert.ok(r.tests.length >= 4, `${name} has at least four tests`);
          assert.equal(r.failed, 0, formatPalResults(r).join('\n'));
          assert.ok(
            r.tests.some((x) => x.cases.some((c) => c.expected === 'deny' && c.verdict === 'deny')),
            'some test shows a denial',
          );
        }
      });

      it('cordon test prints every case and writes JUnit XML', () => {
        const lines: string[] = [];
        const junit = join(out, `${name}.xml`);
        const r = testCommand({ solution: dir, junit }, (l) => lines.push(l));
        assert.equal(r.code, 0, lines.join('\n'));
        assert.match(lines.at(-2)!, new RegExp(`^all ${r.result.tests.length} PAL tests passed$`));
        assert.ok(lines.some((l) => /^ {4}PASS {2}.* -> (GRANT|DENY) by \S+/.test(l)));
        const xml = readFileSync(junit, 'utf8');
        assert.match(
          xml,
          new RegExp(`<testsuites name="PAL tests of ${name}" tests="${r.result.tests.length}" failures="0"`),
        );
      });

      it('cordon verify passes: boot, PAL, scenario with its programs, kernel properties', () => {
        const report = verify({ solution: dir, seed: 7, runs: 15, steps: 40, scenarioSteps: 1500 });
        const failed = report.checks.filter((c) => c.status !== 'pass');
        assert.deepEqual(
          failed.map((c) => `${c.id}: ${c.counterexample ?? ''}`),
          [],
        );
        const kinds = new Set(report.checks.map((c) => c.kind));
        for (const k of ['boot', 'pal', 'scenario', 'property']) assert.ok(kinds.has(k), `a ${k} check`);
        const scenario = report.checks.find((c) => c.id === 'scenario.programs')!;
        const ops = (scenario.details as { programOps: Record<string, number> }).programOps;
        assert.ok(
          Object.values(ops).every((n) => n > 0),
          `every program made progress: ${JSON.stringify(ops)}`,
        );
        assert.ok(report.inputs.some((i) => i.path.endsWith('security.psl') || i.path.endsWith('security.psl.in')));
      });
    });
  }

  it('a KasperskyOS solution without cordon.yaml still verifies; its scripted-programs check is skipped with the reason', () => {
    const bare = join(out, 'ping-bare');
    cpSync(join(ROOT, 'examples', 'ping'), bare, { recursive: true });
    rmSync(join(bare, 'cordon.yaml'));
    const report = verify({ solution: bare, seed: 1, runs: 5, steps: 20, scenarioSteps: 200 });
    assert.deepEqual(
      report.checks.filter((c) => c.status !== 'pass').map((c) => `${c.id}: ${c.status}`),
      ['scenario.programs: skipped'],
    );
    const scenario = report.checks.find((c) => c.id === 'scenario.programs')!;
    assert.deepEqual(scenario.details, { reason: 'no cordon.yaml' });
    assert.equal(scenario.runs, 0);
    // the board still ran: its events and scheduling under the board properties
    const board = report.checks.find((c) => c.id === 'board.events')!;
    assert.equal(board.status, 'pass');
    assert.equal((board.details as { steps: number }).steps, 200);
    assert.equal(report.checks.filter((c) => c.kind === 'pal').length, 8);
    // a cordon.yaml without programs names itself as the reason
    writeFileSync(join(bare, 'cordon.yaml'), 'name: ping-bare\n');
    const named = verify({ solution: bare, seed: 1, runs: 2, steps: 10, scenarioSteps: 50 });
    assert.deepEqual(named.checks.find((c) => c.id === 'scenario.programs')!.details, {
      reason: 'cordon.yaml gives no programs',
    });
  });
});
