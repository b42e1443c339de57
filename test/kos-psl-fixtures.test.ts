/**
 * The PSL fixtures under test/fixtures/kos (secure-logger-psl, traffic-light-psl,
 * echo-sessions, mqtt-publisher): each loads as it is, boots, and passes its
 * own PAL tests with the number of cases its cordon-fixture.json states;
 * what it cannot model is listed and reported by verify. And the error
 * quality of every form they use: a broken variant of a fixture (a typo in
 * the use of an own module, an unknown method in a selector, a model call
 * with a field missing, an undefined template variable) is one message with
 * file:line:col, the offending text and what was expected — no stack trace.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadKosSolution } from '../src/solution/kos.ts';
import { runPalTests } from '../src/policy/pal/run.ts';
import { bootWith } from '../src/kernel/boot.ts';
import { createMonitor } from '../src/monitor/monitor.ts';
import { getBoard, templateContext } from '../boards/index.ts';
import { expandBoardTemplate } from '../src/template/board.ts';
import { ParseError } from '../src/syntax/errors.ts';
import { verify } from '../src/verify/verify.ts';

const ROOT = fileURLToPath(new URL('./fixtures/kos/', import.meta.url));
const FIXTURES = ['secure-logger-psl', 'traffic-light-psl', 'echo-sessions', 'mqtt-publisher'];

interface FixtureSpec {
  readonly imitates: string;
  readonly load: Record<string, never>;
  readonly expect: { readonly palCases: number; readonly notModelled?: number };
}

const scratch = mkdtempSync(join(tmpdir(), 'cordon-psl-fixtures-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

describe('PSL fixtures: load, boot, PAL', () => {
  for (const name of FIXTURES) {
    it(name, () => {
      const dir = join(ROOT, name);
      const spec = JSON.parse(readFileSync(join(dir, 'cordon-fixture.json'), 'utf8')) as FixtureSpec;
      assert.ok(spec.imitates.length > 0);
      const s = loadKosSolution(dir);
      const r = runPalTests(s.tables, s.policy, s.tests);
      const failures = r.tests.flatMap((t) =>
        t.cases.filter((c) => c.status !== 'pass').map((c) => `${t.suite} / ${t.name}: ${c.failure ?? c.status}`),
      );
      assert.deepEqual(failures, []);
      assert.equal(r.tests.length, spec.expect.palCases, 'PAL tests (sequences)');
      assert.equal(s.notModelled.length, spec.expect.notModelled ?? 0, `not modelled: ${s.notModelled.join('; ')}`);
      const b = bootWith(s.tables, createMonitor(s.tables, s.policy), getBoard('qemu-x86_64').toMachine());
      assert.deepEqual(b.denied, []);
    });
  }

  it('the board selects the branches of secure-logger-psl: the Raspberry Pi allows level 7, QEMU only 5', () => {
    const dir = join(ROOT, 'secure-logger-psl');
    const write = (board: string, level: number) => {
      const s = loadKosSolution(dir, { board: getBoard(board) });
      const e = s.policyAst.declarations.find(
        (d) => d.kind === 'binding' && d.selectors.some((x) => x.key === 'endpoint' && x.value === 'core.writer'),
      );
      assert.ok(e !== undefined);
      return JSON.stringify(e, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)).includes(
        `"value":"${level}n"`,
      );
    };
    assert.equal(write('rpi4b', 7), true);
    assert.equal(write('qemu-x86_64', 5), true);
  });

  it("the board's facts are template variables: {{ board.cpus }}, IOMMU, DEVICES, board.devices", () => {
    for (const id of ['rpi4b', 'qemu-x86_64']) {
      const b = getBoard(id);
      const out = expandBoardTemplate(
        {
          file: 't.psl',
          text: '{{ board.cpus }} {{ IOMMU }} {{ DEVICES | length }}{% for d in board.devices %}{% if loop.first %} {{ d.name }}{% endif %}{% endfor %} {{ BOARD }}',
        },
        templateContext(b),
      ).text;
      assert.equal(
        out,
        `${b.facts.cpus} ${b.facts.iommu.present} ${b.facts.devices.length} ${b.facts.devices[0]!.name} ${templateContext(b).BOARD}`,
      );
    }
  });

  it('verify reports what is not modelled as a skipped check, with the list', () => {
    const report = verify({ solution: join(ROOT, 'mqtt-publisher'), runs: 2, steps: 10, scenarioSteps: 50, seed: 7 });
    const entry = report.checks.find((c) => c.id === 'policy.not-modelled');
    assert.equal(entry?.status, 'skipped');
    assert.match(
      (entry?.details as { notModelled: string[] }).notModelled[0]!,
      /^unsupported construct modulo operator % .* at .*policy\/broker\.psl:16:28$/,
    );
    assert.equal(report.checks.find((c) => c.id.startsWith('pal'))?.status ?? 'pass', 'pass');
  });
});

describe('PSL fixtures: the error of each broken form', () => {
  /** A copy of a fixture with one file edited; returns the load error. */
  const broken = (fixture: string, file: string, from: string | RegExp, to: string): ParseError => {
    const dir = mkdtempSync(join(scratch, `${fixture}-`));
    cpSync(join(ROOT, fixture), dir, { recursive: true });
    const path = join(dir, file);
    const text = readFileSync(path, 'utf8');
    const edited = text.replace(from, to);
    assert.notEqual(edited, text, `the edit of ${file} changed nothing`);
    writeFileSync(path, edited);
    try {
      loadKosSolution(dir);
    } catch (e) {
      assert.ok(e instanceof ParseError, `not a ParseError: ${String(e)}`);
      assert.doesNotMatch(e.message, /\n\s+at /, 'a stack trace in the message');
      assert.equal(e.message.split('\n').length, 1, 'one message');
      return e;
    }
    assert.fail('the broken fixture loaded');
  };

  it('a typo in the use of an own module', () => {
    const e = broken('secure-logger-psl', 'einit/src/security.psl.in', 'use policy.writer._', 'use policy.writr._');
    assert.match(
      e.message,
      /security\.psl\.in:18:1: cannot find PSL module policy\.writr \(looked for policy\/writr\.psl in .*\); did you mean use policy\.writer\._\?; with the KasperskyOS SDK installed, give it with --sdk <dir>/,
    );
  });

  it('an unknown method in a selector', () => {
    const e = broken('secure-logger-psl', 'einit/src/policy/reader.psl', 'method = Read', 'method = Raed');
    assert.match(
      e.message,
      /policy\/reader\.psl:5:72: unknown method Raed in selector method=; expected one of Read, .* \(did you mean Read\?\)$/,
    );
  });

  it('a security model call with a field missing', () => {
    const e = broken(
      'echo-sessions',
      'einit/src/security.psl.in',
      'sessions.add {sid : src_sid, entry : message.session.port}',
      'sessions.add {sid : src_sid}',
    );
    assert.match(e.message, /security\.psl\.in:32:26: sessions\.add takes \{sid, entry\}: missing entry$/);
  });

  it('an undefined template variable', () => {
    const e = broken(
      'secure-logger-psl',
      'einit/src/security.psl.in',
      'match dst = {{ LOGGER }} { grant () }',
      'match dst = {{ LOGER }} { grant () }',
    );
    assert.match(
      e.message,
      /security\.psl\.in:37:21: undefined template variable LOGER in \{\{ … \}\} \(known: .*BOARD.*\)$/,
    );
  });

  it('an undefined variable in an included template is located in that file', () => {
    const e = broken(
      'echo-sessions',
      'einit/src/common/boot.psl',
      '{% for cls in STARTED %}',
      '{% for cls in STARTD %}',
    );
    assert.match(e.message, /common\/boot\.psl:8:15: undefined template variable STARTD in \{% for %\}/);
  });
});
