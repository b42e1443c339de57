// Precompiled grammars (scripts/build-grammars.mjs): the generated parsers are
// used when up to date, a stale one is never loaded (the grammar is compiled
// at run time instead), and both paths give the same trees and the same
// error messages at the same places.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { compileGrammar, forgetGrammars, loadedGrammars, type GrammarSpec } from '../src/syntax/grammar.ts';
import { ParseError } from '../src/syntax/errors.ts';
import { sourceFromText } from '../src/syntax/source.ts';
import registry from '../src/syntax/grammars.json' with { type: 'json' };

const SRC = new URL('../src/', import.meta.url);
const SCRIPT = fileURLToPath(new URL('../scripts/build-grammars.mjs', import.meta.url));
const specs: GrammarSpec[] = registry.grammars.map((g) => ({
  files: g.files.map((f) => new URL(f, SRC)),
  startRules: g.startRules,
}));
const spec = (first: string): GrammarSpec => {
  const found = specs.find((s) => s.files[0]?.href === new URL(first, SRC).href);
  assert.ok(found, first);
  return found;
};

function build(): void {
  const r = spawnSync(process.execPath, [SCRIPT], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`${specs.length} grammars precompiled`));
}

const example = (path: string) => readFileSync(new URL(`../examples/${path}`, import.meta.url), 'utf8');

// [grammar's first file, start rule, file name, text]; the bad ones break each grammar somewhere different
const CASES: [string, string, string, string][] = [
  ['policy/psl/psl.peggy', 'PslFile', 'security.psl', example('ping/einit/src/security.psl')],
  ['policy/psl/psl.peggy', 'PslFile', 'tests.psl', example('ping/einit/src/tests.psl')],
  ['policy/psl/psl.peggy', 'PslFile', 'bad.psl', 'use nk.base._\n\nrequest src=a.B {\n  grant ( ]\n}\n'],
  ['policy/psl/psl.peggy', 'PslFile', 'bad2.psl', 'execute src=Einit dst=ping.Client { grant () }\nassert (1 ==\n'],
  ['policy/psl/psl.peggy', 'PalFile', 'bad.pal', 'assert "x" {\n  setup {\n  }\n  expect grant\n'],
  ['interfaces/lexical.peggy', 'IdlFile', 'Pinger.idl', example('ping/resources/xdl/ping/Pinger.idl')],
  ['interfaces/lexical.peggy', 'EdlFile', 'Client.edl', example('ping/resources/xdl/ping/Client.edl')],
  ['interfaces/lexical.peggy', 'CdlFile', 'TagServer.cdl', example('gateway/resources/xdl/gw/TagServer.cdl')],
  ['interfaces/lexical.peggy', 'IdlFile', 'bad.idl', 'package a.B\ninterface {\n  Ping(in UInt32 x, out);\n}\n'],
  ['interfaces/lexical.peggy', 'EdlFile', 'bad.edl', 'entity a.B\ncomponents {\n  x : \n'],
  ['template/cmake.peggy', 'Template', 't.in', 'set(A @X@)\nset(B @Y'],
  ['solution/cmake/lists.peggy', 'File', 'CMakeLists.txt', 'project(p)\nadd_executable(x "a.c" ${Y})\n'],
  ['solution/cmake/lists.peggy', 'File', 'bad.txt', 'project(p)\nadd_executable(x "a.c"\nset(\n'],
  ['audit/event.peggy', 'Event', 'event', 'call 2 -> 3 endpoint pinger method Ping'],
  ['audit/event.peggy', 'Event', 'bad-event', 'call 2 -> ( endpoint'],
];

function outcome(first: string, startRule: string, file: string, text: string, mode: 'auto' | 'compile'): unknown {
  try {
    return { tree: compileGrammar(spec(first), mode).parse({ source: sourceFromText(file, text), startRule }) };
  } catch (e) {
    if (e instanceof ParseError) return { error: e.message, loc: e.loc };
    throw e;
  }
}

test('after the build script every grammar is loaded precompiled, and gives the trees and errors of the run-time compile', () => {
  build();
  forgetGrammars();
  for (const s of specs) {
    assert.equal(compileGrammar(s).origin, 'precompiled', s.files[0]?.href);
    assert.equal(compileGrammar(s, 'compile').origin, 'compiled', s.files[0]?.href);
  }
  let errors = 0;
  for (const [first, rule, file, text] of CASES) {
    const pre = outcome(first, rule, file, text, 'auto');
    assert.deepEqual(pre, outcome(first, rule, file, text, 'compile'), `${first} ${file}`);
    if ((pre as { error?: string }).error !== undefined) {
      errors++;
      assert.match((pre as { error: string }).error, new RegExp(`^${file.replace('.', '\\.')}:\\d+:\\d+`));
    }
  }
  assert.ok(errors >= 6, `only ${errors} of the cases are errors`);
});

test('a stale generated parser is never loaded: the grammar is compiled at run time and still parses', () => {
  build();
  const target = new URL('../src/syntax/generated/audit-event.cjs', import.meta.url);
  const good = readFileSync(target, 'utf8');
  try {
    // as if audit/event.peggy had been edited since the build: the recorded hash no longer matches
    writeFileSync(target, `// cordon-grammar-hash: ${'0'.repeat(64)}\nthrow new Error('stale parser loaded');\n`);
    forgetGrammars();
    const g = compileGrammar(spec('audit/event.peggy'));
    assert.equal(g.origin, 'compiled');
    assert.deepEqual(
      outcome(...(CASES.at(-2) as [string, string, string, string]), 'auto'),
      outcome(...(CASES.at(-2) as [string, string, string, string]), 'compile'),
    );
  } finally {
    writeFileSync(target, good);
    forgetGrammars();
  }
  assert.equal(compileGrammar(spec('audit/event.peggy')).origin, 'precompiled');
});

test('the registry the build script reads lists each grammar as its user asks for it, so no user falls back to compiling', async () => {
  build();
  forgetGrammars();
  const { pslGrammar } = await import('../src/policy/psl/grammar.ts');
  const { parseIdl } = await import('../src/interfaces/parser.ts');
  const { listPlaceholders } = await import('../src/template/cmake.ts');
  const { parseCmakeLists } = await import('../src/solution/cmake/lists.ts');
  const { parseEvent } = await import('../src/audit/event.ts');
  pslGrammar();
  parseIdl({ file: 'a.idl', text: 'package a.B\ninterface { }\n' });
  listPlaceholders({ file: 't.in', text: '@X@' });
  parseCmakeLists({ file: 'CMakeLists.txt', text: 'project(p)\n' });
  assert.throws(() => parseEvent('call (', {} as never, {} as never), ParseError);
  const loaded = loadedGrammars();
  assert.equal(loaded.length, specs.length);
  for (const { grammar, origin } of loaded) assert.equal(origin, 'precompiled', grammar);
  forgetGrammars();
});
