// Unit tests of the readers of TLC's output, on outputs recorded from TLC 2.18
// (test/fixtures/tlc/recorded, see index.json for the spec and exit status of
// each) and on hand-written outputs for cases that are hard to provoke.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { isRight } from 'fp-ts/lib/Either.js';
import {
  TlcOutputParser,
  TlcResultC,
  TlcRunCollector,
  asInt,
  formatTlaValue,
  interpretTlcOutput,
  parseCfgSummary,
  parseFinalStats,
  parseLocalizedInt,
  parseProgressReport,
  parseSanyOutput,
  parseStateDump,
  parseTlcDuration,
  parseTlcOutput,
  seqElements,
  StateDumpError,
  type CollectorOptions,
  type TlcProgress,
  type TlcResult,
  type TlcOutputEvent,
  type TraceState,
} from '../src/tlc/index.ts';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'tlc');
const RECORDED = join(FIXTURES, 'recorded');

interface Recording {
  source: string;
  args: string[];
  exitCode: number;
  mode: 'bfs' | 'simulation' | 'distributed';
  stderr: string;
}
const index = JSON.parse(readFileSync(join(RECORDED, 'index.json'), 'utf8')) as Record<string, Recording>;

function options(name: string): CollectorOptions {
  const rec = index[name]!;
  const cfg = readFileSync(join(FIXTURES, rec.source.replace(/\.tla$/, '.cfg')), 'utf8');
  return { mode: rec.mode, properties: parseCfgSummary(cfg).properties };
}

function recorded(name: string): TlcResult {
  const rec = index[name];
  assert.ok(rec, `no recording ${name}`);
  const out = readFileSync(join(RECORDED, `${name}.out`), 'utf8');
  return interpretTlcOutput(out, { exitCode: rec.exitCode, stderr: rec.stderr }, options(name));
}

function expectKind<K extends TlcResult['kind']>(r: TlcResult, kind: K): Extract<TlcResult, { kind: K }> {
  assert.equal(
    r.kind,
    kind,
    `expected ${kind}, got ${r.kind}: ${JSON.stringify({ ...r, log: undefined }).slice(0, 600)}`,
  );
  return r as Extract<TlcResult, { kind: K }>;
}

const v = (s: TraceState, name: string): string => {
  const x = s.variables[name];
  assert.ok(x, `state ${s.number} has no variable ${name}`);
  return formatTlaValue(x);
};

const START = (code: number, cls: number) => `@!@!@STARTMSG ${code}:${cls} @!@!@`;
const END = (code: number) => `@!@!@ENDMSG ${code} @!@!@`;
const frame = (code: number, cls: number, ...body: string[]) => [START(code, cls), ...body, END(code)].join('\n');

describe('frame parser', () => {
  it('separates framed messages from unframed text', () => {
    const events = parseTlcOutput(
      [
        'TLC2 TLC Server Version 2.18 of 20 March 2023',
        frame(2185, 0, 'Starting... (x)'),
        '<<"hello", 0>>',
        frame(2186, 0, 'Finished in 5ms at (x)'),
        '',
      ].join('\n'),
    );
    assert.deepEqual(
      events.map((e) => (e.type === 'text' ? `text:${e.line}` : `msg:${e.message.code}:${e.message.lines.join('|')}`)),
      [
        'text:TLC2 TLC Server Version 2.18 of 20 March 2023',
        'msg:2185:Starting... (x)',
        'text:<<"hello", 0>>',
        'msg:2186:Finished in 5ms at (x)',
      ],
    );
  });

  it('handles nested frames whose start marker shares a line with other text (recorded from distributed TLC)', () => {
    const events = parseTlcOutput(readFileSync(join(RECORDED, 'distributed-parse-error.out'), 'utf8'));
    const msgs = events.flatMap((e) => (e.type === 'message' ? [e.message] : []));
    const outer = msgs.find((m) => m.code === 1000)!;
    const inner = msgs.find((m) => m.code === 3002)!;
    assert.equal(inner.depth, 1);
    assert.equal(outer.depth, 0);
    assert.deepEqual(outer.children, [inner]);
    assert.deepEqual(inner.lines, ['Parsing or semantic analysis failed.']);
    assert.equal(
      outer.lines[outer.lines.length - 1],
      ': ',
      'the text before the nested start marker stays in the outer body',
    );
    assert.ok(msgs.indexOf(inner) < msgs.indexOf(outer), 'a nested message is reported before its parent closes');
  });

  it('accepts markers anywhere in a line, negative codes, CRLF and text after an end marker', () => {
    const events = parseTlcOutput(
      `pre ${START(-1, 0)} body ${END(-1)} post\r\n${START(2, 3)}\r\nwarn\r\n${END(2)}\r\n`,
    );
    const summary = events.map((e) =>
      e.type === 'text' ? `text:${e.line}` : `msg:${e.message.code}:${e.message.severity}:${e.message.lines.join('|')}`,
    );
    assert.deepEqual(summary, ['text:pre ', 'msg:-1:0: body ', 'text: post', 'msg:2:3:warn']);
  });

  it('closes unterminated frames as incomplete and keeps an orphan end marker as text', () => {
    const events = parseTlcOutput(`${END(7)}\n${START(1, 1)}\nouter\n${START(2, 1)}\ninner`);
    assert.deepEqual(events[0], { type: 'text', line: END(7) });
    const msgs = events.flatMap((e) => (e.type === 'message' ? [e.message] : []));
    assert.deepEqual(
      msgs.map((m) => [m.code, m.complete, m.depth]),
      [
        [2, false, 1],
        [1, false, 0],
      ],
    );
  });

  it('an end marker closes the frames opened inside it', () => {
    const msgs = parseTlcOutput(`${START(1, 1)}\n${START(2, 1)}\nx\n${END(1)}`).flatMap((e) =>
      e.type === 'message' ? [e.message] : [],
    );
    assert.deepEqual(
      msgs.map((m) => [m.code, m.complete]),
      [
        [2, false],
        [1, true],
      ],
    );
  });

  it('gives the same events however the stream is split into chunks', () => {
    const text =
      readFileSync(join(RECORDED, 'liveness-lasso.out'), 'utf8') +
      readFileSync(join(RECORDED, 'distributed-parse-error.out'), 'utf8');
    const whole = parseTlcOutput(text);
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: text.length - 1 }), { maxLength: 40 }), (cuts) => {
        const events: TlcOutputEvent[] = [];
        const p = new TlcOutputParser((e) => events.push(e));
        let from = 0;
        for (const c of [...cuts].sort((a, b) => a - b)) {
          p.push(text.slice(from, c));
          from = c;
        }
        p.push(text.slice(from));
        p.end();
        assert.deepEqual(events, whole);
      }),
      { numRuns: 100 },
    );
  });
});

describe('numbers and statistics', () => {
  it('reads localised numbers', () => {
    assert.equal(parseLocalizedInt('107,579,561'), 107579561);
    assert.equal(parseLocalizedInt('1.234.567'), 1234567);
    assert.equal(parseLocalizedInt('1\u202f234\u202f567'), 1234567);
    assert.equal(parseLocalizedInt("1'234'567"), 1234567);
    assert.equal(parseLocalizedInt('-1'), -1);
    assert.equal(parseLocalizedInt('n/a'), null);
  });

  it('reads progress reports in several locales', () => {
    const en = parseProgressReport(
      'Progress(12) at 2023-03-20 10:11:12: 107,579,561 states generated (1,725,000 s/min), 3,600,001 distinct states found (796 ds/min), 1,048,576 states left on queue.',
    );
    assert.deepEqual(en, {
      phase: 'progress',
      depth: 12,
      generated: 107579561,
      statesPerMinute: 1725000,
      distinct: 3600001,
      distinctPerMinute: 796,
      leftOnQueue: 1048576,
    });
    const de = parseProgressReport(
      'Progress(3) at 20.03.2023 10:11:12: 1.234.567 states generated (12.345 s/min), 89.012 distinct states found (1.000 ds/min), 0 states left on queue.',
    );
    assert.equal(de?.generated, 1234567);
    assert.equal(de?.distinct, 89012);
    const fr = parseProgressReport(
      'Progress(3) at 20/03/2023 10:11:12: 1\u00a0234\u00a0567 states generated, 89\u00a0012 distinct states found, 5 states left on queue.',
    );
    assert.equal(fr?.generated, 1234567);
    assert.equal(fr?.statesPerMinute, null);
    const sim = parseProgressReport(
      'Progress(-1) at 2026-11-21 22:30:36: 7 states generated, -1 distinct states found, -1 states left on queue.',
    );
    assert.deepEqual([sim?.depth, sim?.generated, sim?.distinct, sim?.leftOnQueue], [null, 7, null, null]);
    assert.equal(
      parseFinalStats('1.234.567 states generated, 89.012 distinct states found, 0 states left on queue.')?.distinct,
      89012,
    );
    assert.equal(
      parseFinalStats('The number of states generated: 16\nSimulation using seed 42 and aril 0')?.generated,
      16,
    );
  });

  it('reads TLC durations', () => {
    assert.equal(parseTlcDuration('Finished in 502ms at (2026-11-21 22:29:45)'), 502);
    assert.equal(parseTlcDuration('Finished in 01s at (2026-11-21 22:30:31)'), 1000);
    assert.equal(parseTlcDuration('Finished in 02min 05s at (x)'), 125000);
    assert.equal(parseTlcDuration('Finished in 03h 01min at (x)'), 10_860_000);
    assert.equal(parseTlcDuration('Finished in a while at (x)'), null);
  });

  it('reports progress as TLC prints it, in order', () => {
    const seen: TlcProgress[] = [];
    const c = new TlcRunCollector({ mode: 'bfs', onProgress: (p) => seen.push(p) });
    c.push(readFileSync(join(RECORDED, 'pass.out'), 'utf8'));
    c.finish({ exitCode: 0, signal: null, stderr: '', wallTimeMs: 1 });
    assert.deepEqual(
      seen.map((p) => [p.phase, p.generated, p.distinct, p.leftOnQueue]),
      [
        ['initial', 1, 1, null],
        ['progress', 49, 16, 0],
        ['final', 49, 16, 0],
      ],
    );
  });
});

describe('verdicts on recorded TLC 2.18 outputs', () => {
  it('each recording validates and its kind agrees with the exit status TLC gave', () => {
    const byStatus: Record<number, TlcResult['kind'][]> = {
      0: ['success', 'tlc-error', 'parse-error'], // distributed TLC exits 0 after a violation
      1: ['parse-error', 'crash'],
      10: ['assumption-failure'],
      11: ['deadlock'],
      12: ['invariant-violation'],
      13: ['liveness-violation'],
      14: ['tlc-error'],
      75: ['tlc-error'],
      150: ['parse-error'],
      151: ['tlc-error'],
      255: ['tlc-error'],
    };
    for (const name of Object.keys(index)) {
      const r = recorded(name);
      assert.ok(isRight(TlcResultC.decode(r)), name);
      assert.ok(
        byStatus[index[name]!.exitCode]?.includes(r.kind),
        `${name}: exit ${index[name]!.exitCode} but ${r.kind}`,
      );
      assert.equal(r.banner?.replace('TLC Server ', ''), 'TLC2 Version 2.18 of 20 March 2023', name);
    }
  });

  it('success: counts, depth and collision probability', () => {
    const r = expectKind(recorded('pass'), 'success');
    assert.equal(r.mode, 'bfs');
    assert.deepEqual(r.stats, { generated: 49, distinct: 16, leftOnQueue: 0, depth: 6 });
    assert.ok(
      r.fingerprintCollisionProbability?.calculated !== null && r.fingerprintCollisionProbability!.calculated! < 1e-10,
    );
    assert.equal(typeof r.tlcDurationMs, 'number');
  });

  it('invariant violation: name and the full trace with typed values', () => {
    const r = expectKind(recorded('invariant-violation'), 'invariant-violation');
    assert.equal(r.invariant, 'Small');
    assert.equal(r.initialState, false);
    assert.deepEqual(
      r.trace.map((s) => [s.number, s.action, s.initial]),
      [
        [1, 'Initial predicate', true],
        [2, 'Inc', false],
        [3, 'Inc', false],
        [4, 'Inc', false],
      ],
    );
    assert.deepEqual(r.trace[1]!.location, {
      module: 'Violation',
      beginLine: 14,
      beginColumn: 8,
      endLine: 17,
      endColumn: 33,
    });
    const last = r.trace[3]!;
    assert.equal(v(last, 'x'), '3');
    assert.equal(v(last, 'log'), '<<0, 1, 2>>');
    assert.equal(v(last, 'rec'), '[name |-> "a\\"b", ok |-> TRUE, seen |-> {0, 1, 2}]');
    assert.equal(v(last, 'fn'), '(1 :> "one" @@ 3 :> "three")');
    assert.deepEqual(last.variables.owner, { kind: 'modelValue', name: 'p1' });
    assert.deepEqual(last.unparsed, {});
  });

  it('invariant violated by an initial state, including values wrapped over several lines', () => {
    const r = expectKind(recorded('initial-state-violation'), 'invariant-violation');
    assert.equal(r.initialState, true);
    assert.equal(r.trace.length, 1);
    assert.equal(v(r.trace[0]!, 'y'), '[a |-> 2]');
    const w = expectKind(recorded('initial-state-violation-wrapped'), 'invariant-violation');
    const s = seqElements(w.trace[0]!.variables.s!);
    assert.equal(s.length, 40);
    assert.equal(formatTlaValue(s[39]!), '[id |-> 40, name |-> "proc"]');
    assert.equal(formatTlaValue(w.trace[0]!.variables.t!).split('|-> <<').length - 1, 6);
  });

  it('deadlock: the trace to the stuck state', () => {
    const r = expectKind(recorded('deadlock'), 'deadlock');
    assert.deepEqual(
      r.trace.map((s) => asInt(s.variables.x!)),
      [0, 1, 2],
    );
    expectKind(recorded('simulation-deadlock'), 'deadlock');
  });

  it('liveness violation: lasso with its back edge, or stuttering', () => {
    const r = expectKind(recorded('liveness-lasso'), 'liveness-violation');
    assert.equal(r.property, 'ReachesFive');
    assert.deepEqual(r.properties, ['ReachesFive']);
    assert.deepEqual(
      r.trace.map((s) => asInt(s.variables.x!)),
      [0, 1, 2],
    );
    assert.deepEqual(r.loop, {
      toState: 1,
      action: 'Next',
      location: { module: 'Liveness', beginLine: 7, beginColumn: 9, endLine: 7, endColumn: 24 },
    });
    assert.equal(r.stuttering, false);
    assert.match(r.message, /Temporal properties were violated/);
    const s = expectKind(recorded('liveness-stuttering'), 'liveness-violation');
    assert.equal(s.stuttering, true);
    assert.equal(s.loop, null);
    assert.deepEqual(
      s.trace.map((x) => asInt(x.variables.x!)),
      [0, 1],
    );
  });

  it('parse errors: syntax, lexical, in an extended module, and semantic', () => {
    const syn = expectKind(recorded('syntax-error'), 'parse-error');
    assert.deepEqual([syn.module, syn.line, syn.column], ['SyntaxError', 5, 20]);
    assert.match(syn.message, /Encountered "1" at line 5, column 20/);
    const lex = expectKind(recorded('lexical-error'), 'parse-error');
    assert.deepEqual([lex.module, lex.line, lex.column, lex.errors[0]!.phase], ['Lex', 3, 17, 'lexical']);
    const ext = expectKind(recorded('syntax-error-in-extended-module'), 'parse-error');
    assert.deepEqual([ext.module, ext.line, ext.column], ['Syn', 5, 20]);
    const sem = expectKind(recorded('semantic-error'), 'parse-error');
    assert.deepEqual(sem.errors, [
      {
        phase: 'semantic',
        module: 'SemanticError',
        file: null,
        line: 5,
        column: 14,
        endLine: 5,
        endColumn: 23,
        message: "Unknown operator: `Frobnicate'.",
      },
    ]);
    const dup = expectKind(recorded('semantic-error-with-warning'), 'parse-error');
    assert.equal(dup.errors.length, 1, 'the warning is not an error');
    assert.equal(dup.message, 'Operator Init already defined or declared.');
    const dist = expectKind(recorded('distributed-parse-error'), 'parse-error');
    assert.deepEqual([dist.module, dist.line, dist.column], ['SyntaxError', 5, 20]);
  });

  it('assumption failure with its location', () => {
    const r = expectKind(recorded('assumption-failure'), 'assumption-failure');
    assert.deepEqual(r.location, { module: 'Assumption', beginLine: 4, beginColumn: 21, endLine: 4, endColumn: 25 });
    assert.match(r.message, /is false/);
  });

  it("TLC errors keep TLC's words, the location and the trace", () => {
    const e = expectKind(recorded('eval-error'), 'tlc-error');
    assert.equal(e.code, 2179);
    assert.equal(e.message, 'The second argument of \\div is 0.');
    assert.deepEqual(e.location, { module: 'EvalError', beginLine: 6, beginColumn: 14, endLine: 6, endColumn: 28 });
    assert.equal(e.locations.length, 2);
    assert.deepEqual(
      e.trace.map((s) => asInt(s.variables.x!)),
      [0, 10, -2, 3, -5, 1],
    );
    assert.ok(e.output.includes('<<"hello", 0>>'), 'PrintT output is kept');
    const a = expectKind(recorded('assert-failure'), 'tlc-error');
    assert.equal(a.code, 2132);
    assert.match(a.message, /"x too big"/);
    const c = expectKind(recorded('config-error'), 'tlc-error');
    assert.equal(c.code, 2229);
    assert.match(c.message, /The invariant Nope specified in the configuration file/);
    const u = expectKind(recorded('unassigned-variable'), 'tlc-error');
    assert.equal(u.code, 2109);
    assert.deepEqual(u.trace[1]!.variables.x, { kind: 'modelValue', name: 'null' });
    const val = expectKind(recorded('value-error-in-initial-state'), 'tlc-error');
    assert.equal(val.code, 2102);
    const s = val.trace[0]!;
    assert.equal(Object.keys(s.variables).length, 13);
    assert.equal(v(s, 'a'), '("c" :> 2 @@ "a b" :> 1)');
    assert.deepEqual(s.variables.c, { kind: 'interval', low: -3, high: -1 });
    assert.equal(v(s, 'h'), '"tab\\there\\nnl\\\\back"');
  });

  it('simulation success', () => {
    const r = expectKind(recorded('simulation-pass'), 'success');
    assert.equal(r.mode, 'simulation');
    assert.deepEqual(r.stats, { generated: 16, distinct: null, leftOnQueue: null, depth: null });
  });

  it('distributed: success with the single-process distinct count; a bare counterexample is a tlc-error', () => {
    const ok = expectKind(recorded('distributed-pass'), 'success');
    assert.equal(ok.mode, 'distributed');
    assert.equal(ok.stats.distinct, 16);
    for (const name of ['distributed-violation', 'distributed-deadlock']) {
      const r = expectKind(recorded(name), 'tlc-error');
      assert.equal(r.code, 2121);
      assert.ok(r.trace.length >= 1);
      assert.match(r.message, /without saying which invariant failed/);
    }
  });
});

describe('verdict rules on hand-written outputs', () => {
  const banner = frame(2262, 0, 'TLC2 Version 2.18 of 20 March 2023');
  const success = frame(
    2193,
    0,
    'Model checking completed. No error has been found.',
    '  calculated (optimistic):  val = 1.0E-19',
  );
  const finished = frame(2186, 0, 'Finished in 10ms at (x)');

  it('"No error" with states left on the queue (tlc2.TLC.stopAfter) is not success', () => {
    const out = [
      banner,
      success,
      frame(2199, 0, '200,000 states generated, 100,000 distinct states found, 196,023 states left on queue.'),
      finished,
    ].join('\n');
    const r = expectKind(interpretTlcOutput(out, { exitCode: 0 }), 'crash');
    assert.match(r.reason, /left 196023 states on the queue/);
  });

  it('"No error" together with a false POSTCONDITION (2104, exit 10) is an assumption failure', () => {
    const out = [
      banner,
      frame(2104, 1, 'Assumption line 9, col 1 to line 9, col 20 of module T is false.'),
      success,
      frame(2199, 0, '3 states generated, 3 distinct states found, 0 states left on queue.'),
      finished,
    ].join('\n');
    const r = expectKind(interpretTlcOutput(out, { exitCode: 10 }), 'assumption-failure');
    assert.equal(r.location?.beginLine, 9);
  });

  it('"No error" with a non-zero exit status is a crash', () => {
    const out = [
      banner,
      success,
      frame(2199, 0, '3 states generated, 3 distinct states found, 0 states left on queue.'),
    ].join('\n');
    const r = expectKind(
      interpretTlcOutput(out, { exitCode: 1, stderr: 'java.lang.OutOfMemoryError: Java heap space' }),
      'crash',
    );
    assert.match(r.reason, /exited with status 1/);
    assert.match(r.message, /OutOfMemoryError/);
  });

  it('exit 0 without the success message is a crash', () => {
    const r = expectKind(interpretTlcOutput([banner, finished].join('\n'), { exitCode: 0 }), 'crash');
    assert.match(r.reason, /did not report "Model checking completed/);
  });

  it('localised final statistics still give a success', () => {
    const out = [
      banner,
      success,
      frame(2199, 0, '1.234.567 states generated, 89.012 distinct states found, 0 states left on queue.'),
      frame(2194, 0, 'The depth of the complete state graph search is 1.024.'),
      finished,
    ].join('\n');
    const r = expectKind(interpretTlcOutput(out, { exitCode: 0 }), 'success');
    assert.deepEqual(r.stats, { generated: 1234567, distinct: 89012, leftOnQueue: 0, depth: 1024 });
  });

  it("Java failing before TLC starts is a crash carrying Java's words", () => {
    const r = expectKind(
      interpretTlcOutput('', { exitCode: 1, stderr: 'Error: Could not find or load main class tlc2.TLC\n' }),
      'crash',
    );
    assert.match(r.message, /Could not find or load main class tlc2\.TLC/);
  });

  it('an unexpected Java exception reported by TLC (1000) is a crash', () => {
    const out = [
      banner,
      frame(1000, 1, 'TLC threw an unexpected exception.', 'java.lang.IllegalStateException: boom'),
    ].join('\n');
    const r = expectKind(interpretTlcOutput(out, { exitCode: 255 }), 'crash');
    assert.match(r.message, /IllegalStateException: boom/);
  });

  it('a TLC bug message (class 2) is a crash', () => {
    const r = expectKind(
      interpretTlcOutput([banner, frame(2150, 2, 'Something odd')].join('\n'), { exitCode: 255 }),
      'crash',
    );
    assert.equal(r.reason, 'TLC reported an internal bug');
  });

  it('a killed process is reported with its signal; a time limit wins over everything', () => {
    const progress = frame(
      2200,
      0,
      'Progress(7) at 2023-03-20 10:00:00: 1,000 states generated (60,000 s/min), 900 distinct states found (5 ds/min), 12 states left on queue.',
    );
    const killed = expectKind(
      interpretTlcOutput([banner, progress].join('\n'), { exitCode: null, signal: 'SIGTERM' }),
      'crash',
    );
    assert.match(killed.reason, /killed by SIGTERM/);
    const t = expectKind(
      interpretTlcOutput([banner, progress].join('\n'), { exitCode: null, signal: 'SIGKILL', timeoutMs: 1500 }),
      'timeout',
    );
    assert.equal(t.timeoutMs, 1500);
    assert.deepEqual(t.stats, { generated: 1000, distinct: 900, leftOnQueue: 12, depth: 7 });
  });

  it("a parse failure in a shape SANY's reader does not know keeps SANY's words", () => {
    const out = [
      banner,
      frame(2220, 0, 'Starting SANY...'),
      'Parsing file specs/M.tla',
      'Something new went wrong in M',
      frame(2219, 0, 'SANY finished.'),
      frame(3002, 1, 'Parsing or semantic analysis failed.'),
    ].join('\n');
    const r = expectKind(interpretTlcOutput(out, { exitCode: 150 }), 'parse-error');
    assert.deepEqual([r.module, r.line, r.column, r.errors[0]!.phase], [null, null, null, 'other']);
    assert.equal(r.message, 'Something new went wrong in M\nParsing or semantic analysis failed.');
  });

  it("warnings are collected in TLC's words", () => {
    const out = [
      banner,
      frame(2401, 3, 'Please run the Java VM with a throughput garbage collector.'),
      success,
      frame(2199, 0, '1 states generated, 1 distinct states found, 0 states left on queue.'),
    ].join('\n');
    const r = interpretTlcOutput(out, { exitCode: 0 });
    assert.deepEqual(r.warnings, ['Please run the Java VM with a throughput garbage collector.']);
  });

  it('a value TLC prints but the parser cannot read is kept as text, not dropped', () => {
    const out = [
      banner,
      frame(2110, 1, 'Invariant Inv is violated.'),
      frame(2121, 1, 'The behavior up to this point is:'),
      frame(2217, 4, '1: <Initial predicate>', '/\\ x = 1', '/\\ f = [n \\in Nat |-> n]', ''),
    ].join('\n');
    const r = expectKind(interpretTlcOutput(out, { exitCode: 12 }), 'invariant-violation');
    assert.deepEqual(r.trace[0]!.unparsed, { f: '[n \\in Nat |-> n]' });
    assert.equal(v(r.trace[0]!, 'x'), '1');
  });
});

describe('SANY report reader', () => {
  it('reads a missing module (no location) and warnings', () => {
    const missing = parseSanyOutput([
      'Parsing file specs/Ok.tla',
      '',
      'Fatal errors while parsing TLA+ spec in file Ok',
      '',
      'tla2sany.semantic.AbortException',
      '*** Abort messages: 1',
      '',
      'Unknown location',
      '',
      'Cannot find source file for module Naturals imported in module Ok.',
      '',
    ]);
    assert.deepEqual(missing.errors, [
      {
        phase: 'module-resolution',
        module: 'Ok',
        file: null,
        line: null,
        column: null,
        endLine: null,
        endColumn: null,
        message: 'Cannot find source file for module Naturals imported in module Ok.',
      },
    ]);
    const dup = readFileSync(join(RECORDED, 'semantic-error-with-warning.out'), 'utf8').split('\n');
    const report = parseSanyOutput(dup.slice(dup.indexOf('@!@!@ENDMSG 2220 @!@!@') + 1));
    assert.equal(report.warnings.length, 1);
    assert.match(report.warnings[0]!.message, /Multiple declarations or definitions for symbol Init/);
    assert.deepEqual(report.files, ['specs/Dup.tla']);
  });
});

describe('model (.cfg) summary', () => {
  it('lists invariants and properties, ignoring comments and constant values', () => {
    const cfg = parseCfgSummary(
      [
        '\\* INVARIANT Commented',
        'CONSTANTS Proc = {p1, p2}  Msg = "PROPERTY \\* not a comment"',
        '(* PROPERTY InBlock (* nested *) still comment *)',
        'SPECIFICATION Spec',
        'INVARIANTS TypeOK',
        '  Mutex',
        'PROPERTY Live1 PROPERTIES Live2',
        'CHECK_DEADLOCK FALSE',
      ].join('\n'),
    );
    assert.deepEqual(cfg, {
      invariants: ['TypeOK', 'Mutex'],
      properties: ['Live1', 'Live2'],
      checkDeadlock: false,
      specification: 'Spec',
    });
  });
});

describe('state dump reader', () => {
  it('reads states, single-variable states and wrapped values', () => {
    const states = parseStateDump(
      [
        'State 1:',
        '/\\ x = 0',
        '/\\ s = << [id |-> 1],',
        '   [id |-> 2] >>',
        '',
        'State 2:',
        '/\\ x = 1',
        '/\\ s = <<>>',
        '',
        '',
      ].join('\n'),
    );
    assert.deepEqual(
      states.map((s) => [s.number, v(s, 'x'), v(s, 's')]),
      [
        [1, '0', '<<[id |-> 1], [id |-> 2]>>'],
        [2, '1', '<<>>'],
      ],
    );
    assert.equal(parseStateDump('State 1:\nx = 7\n\n')[0]!.variables.x!.kind, 'int');
  });

  it('names the line of a malformed dump', () => {
    assert.throws(
      () => parseStateDump('State 1:\n/\\ x = 0\n\ngarbage\n', 'a.dump'),
      (e: unknown) => e instanceof StateDumpError && /a\.dump, line 4/.test(e.message),
    );
    assert.throws(
      () => parseStateDump('State 1:\n/\\ x = {1,\n\n', 'b.dump'),
      /b\.dump, line 1: cannot parse the value of x in State 1/,
    );
  });
});
