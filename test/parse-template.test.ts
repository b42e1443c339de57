/**
 * Templates: CMake `@NAME@` placeholders and Jinja-style board blocks
 * (items 16–17 of the format reference's section 7), and the line map that
 * keeps errors pointing into the template.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePsl } from '../src/policy/psl/parser.ts';
import { expandBoardTemplate, listPlaceholders, preprocess, substitutePlaceholders } from '../src/template/index.ts';
import { includeFrom } from '../src/template/board.ts';
import { sourceFromText, type Loc } from '../src/syntax/source.ts';
import type { TemplateVariables } from '../src/template/board.ts';
import { expectParseError, lc } from './fixtures/formats/helpers.ts';

const board = (text: string, vars: TemplateVariables) => expandBoardTemplate({ file: 't.psl', text }, vars).text;

describe('CMake placeholders', () => {
  it('replaces @NAME@ and keeps lone @ signs and non-names', () => {
    const out = substitutePlaceholders(
      { file: 'a.in', text: 'use EDL hello.@MAIN_TASK@ // mail@example.org @ @1x@ @@' },
      { MAIN_TASK: 'Server' },
    );
    assert.equal(out.text, 'use EDL hello.Server // mail@example.org @ @1x@ @@');
  });

  it('lists placeholders including init.yaml.in "+" macros', () => {
    assert.deepEqual(
      listPlaceholders({ file: 'i.in', text: '  @INIT_A_ENTITY_CONNECTIONS+@\n@X@' }).map((p) => [
        p.name,
        p.start,
        p.end,
      ]),
      [
        ['INIT_A_ENTITY_CONNECTIONS+', 2, 30],
        ['X', 31, 34],
      ],
    );
  });

  it('an unknown placeholder is an error at its position', () => {
    expectParseError(() => substitutePlaceholders({ file: 'a.in', text: 'x\n  y @NOPE@' }, { OTHER: '' }), {
      kind: 'template',
      at: '2:5',
      message: /^a\.in:2:5: unknown placeholder @NOPE@ \(no value was given for NOPE\)$/,
    });
  });

  it('a function can supply values', () => {
    assert.equal(substitutePlaceholders({ file: 'a.in', text: '@A@-@B@' }, (n) => n.toLowerCase()).text, 'a-b');
  });

  it('multi-line values can be indented like the placeholder line (for YAML macros)', () => {
    const out = substitutePlaceholders(
      { file: 'i.in', text: '- name: a\n  @M@\n' },
      { M: 'connections:\n- target: b\n  id: c\n' },
      { indentMultiline: true },
    );
    assert.equal(out.text, '- name: a\n  connections:\n  - target: b\n    id: c\n');
  });

  it('the line map: text after a placeholder keeps its position, text from a value maps to the placeholder', () => {
    const src = substitutePlaceholders({ file: 'a.in', text: 'ab @LONG_NAME@ cd\nef' }, { LONG_NAME: 'x\ny' });
    assert.equal(src.text, 'ab x\ny cd\nef');
    assert.equal(lc(src.locate(src.text.indexOf('cd'))), '1:16');
    assert.equal(lc(src.locate(src.text.indexOf('y'))), '1:4');
    assert.equal(lc(src.locate(src.text.indexOf('ef'))), '2:1');
    assert.equal(lc(src.locate(src.text.length)), '2:3');
  });
});

describe('board templates', () => {
  const t =
    '{% if BOARD == "RPI4_BCM2711" %}\nrpi\n{% elif BOARD == "RADXA_ROCK_3A" %}\nradxa\n{% else %}\nother\n{% endif %}\nend\n';

  it('16: if / elif / else / endif on BOARD, tags alone on a line take the line with them', () => {
    assert.equal(board(t, { BOARD: 'RPI4_BCM2711' }), 'rpi\nend\n');
    assert.equal(board(t, { BOARD: 'RADXA_ROCK_3A' }), 'radxa\nend\n');
    assert.equal(board(t, { BOARD: 'QEMU' }), 'other\nend\n');
  });

  it('16: the truth of a variable ({% if USE_DYNLD %}), inline tags: Jinja truthiness, an undefined variable is false', () => {
    const inline = 'a {% if USE_DYNLD %}use dynld._{% endif %} b';
    assert.equal(board(inline, { USE_DYNLD: 'ON' }), 'a use dynld._ b');
    assert.equal(board(inline, {}), 'a  b');
    for (const off of ['', 0, false]) assert.equal(board(inline, { USE_DYNLD: off }), 'a  b', String(off));
    for (const on of ['1', 'OFF', 'anything', 1, true])
      assert.equal(board(inline, { USE_DYNLD: on }), 'a use dynld._ b', String(on));
  });

  it('!=, and, or, not, parentheses, single quotes, numbers and booleans (also True/False); the first true branch wins', () => {
    const cond = (c: string, vars: Record<string, string | number | boolean>) =>
      board(`{% if ${c} %}T{% else %}F{% endif %}`, vars);
    assert.equal(cond('BOARD != "X"', { BOARD: 'Y' }), 'T');
    assert.equal(cond("BOARD == 'X' and not DEBUG", { BOARD: 'X', DEBUG: '1' }), 'F');
    assert.equal(cond('A or B and C', { A: '', B: '1', C: '' }), 'F');
    assert.equal(cond('(A or B) and C', { A: '1', B: '', C: '1' }), 'T');
    assert.equal(cond('not not A', { A: '1' }), 'T');
    assert.equal(cond('VERSION == 3', { VERSION: 3 }), 'T');
    assert.equal(cond('VERSION >= 2 and VERSION < 4', { VERSION: 3 }), 'T');
    assert.equal(cond('FLAG == true', { FLAG: true }), 'T');
    assert.equal(cond('True', {}), 'T');
    assert.equal(cond('False or None', {}), 'F');
    assert.equal(board('{% if A %}1{% elif B %}2{% elif B %}3{% endif %}', { A: '', B: '1' }), '2');
  });

  it('nested blocks', () => {
    const nested = '{% if A %}\na\n{% if B %}\nab\n{% else %}\na-not-b\n{% endif %}\n{% else %}\nnot-a\n{% endif %}\n';
    assert.equal(board(nested, { A: '1', B: '1' }), 'a\nab\n');
    assert.equal(board(nested, { A: '1', B: '' }), 'a\na-not-b\n');
    assert.equal(board(nested, { A: 0, B: '1' }), 'not-a\n');
  });

  it('whitespace control: {%- and -%} remove the whitespace next to the tag; trim_blocks takes the line break after a tag', () => {
    assert.equal(board('{%- if A -%}x{%- endif -%}', { A: '1' }), 'x');
    assert.equal(board('a  {%- if A -%}  x  {%- endif %}\nb', { A: '1' }), 'axb');
    assert.equal(board('a\n  {%- if A %}\nx\n{% endif -%}\n\n  b', { A: '' }), 'ab');
  });

  it('errors after templating point into the template', () => {
    const text = '{% if BOARD == "A" %}\nrequest { grant () }\n{% else %}\nrequest {\n{% endif %}\n';
    const a = expandBoardTemplate({ file: 'sec.psl', text }, { BOARD: 'A' });
    assert.equal(parsePsl(a).declarations.length, 1);
    const b = expandBoardTemplate({ file: 'sec.psl', text }, { BOARD: 'B' });
    const e = expectParseError(() => parsePsl(b), { kind: 'syntax', message: /expected a rule/ });
    // The end of the templated text is where its last kept piece ends in the template:
    // after `request {` and its line break, i.e. at the removed endif line.
    assert.equal(e.loc.file, 'sec.psl');
    assert.equal(lc(e.loc), '5:1');
    const c = expandBoardTemplate({ file: 'sec.psl', text: '{% if X %}\n\n{% endif %}\n\n  request { grant }' }, {});
    expectParseError(() => parsePsl(c), { kind: 'syntax', at: '5:19' });
  });

  it('template errors: undefined variable in a comparison, {{ }}, a loop or a call; unbalanced tags; syntax', () => {
    expectParseError(() => board('x\n{% if BORD == "A" %}{% endif %}', { BOARD: 'A' }), {
      kind: 'template',
      at: '2:7',
      message: /^t\.psl:2:7: undefined template variable BORD in a comparison \(known: BOARD\)$/,
    });
    expectParseError(() => board('use EDL demo.{{ CLIENT }}\n', { BOARD: 'A' }), {
      kind: 'template',
      at: '1:14',
      message: /undefined template variable CLIENT in \{\{ … \}\} \(known: BOARD\)/,
    });
    expectParseError(() => board('{{ board.cpuz }}', { board: { cpus: 4 } }), {
      kind: 'template',
      at: '1:1',
      message: /board\.cpuz is undefined in \{\{ … \}\} \(board has no such attribute\)/,
    });
    expectParseError(() => board('\n  {% for d in DEVICES %}{% endfor %}', {}), {
      kind: 'template',
      at: '2:15',
      message: /undefined template variable DEVICES in \{% for %\}/,
    });
    expectParseError(() => board('{{ nope(1) }}', {}), {
      kind: 'template',
      at: '1:4',
      message: /nope is not a template function or macro \(it is undefined\)/,
    });
    expectParseError(() => board('a\n  {% if A %}\nb\n', {}), {
      kind: 'template',
      at: '2:3',
      message: /\{% if %\} has no matching \{% endif %\}/,
    });
    expectParseError(() => board('a {% endif %}', {}), {
      kind: 'template',
      at: '1:3',
      message: /\{% endif %\} without a matching \{% if %\}/,
    });
    expectParseError(() => board('{% else %}', {}), {
      kind: 'template',
      at: '1:1',
      message: /\{% else %\} without a matching/,
    });
    expectParseError(() => board('{% if A %}{% else %}{% elif B %}{% endif %}', {}), {
      kind: 'template',
      at: '1:21',
      message: /\{% elif B %\} after the \{% else %\}/,
    });
    expectParseError(() => board('{% for x in L %}{% endif %}', { L: [] }), {
      kind: 'template',
      at: '1:17',
      message: /\{% endif %\} closes \{% if %\}, but the open block is the \{% for %\} at 1:1/,
    });
    expectParseError(() => board('{% if A = "x" %}{% endif %}', {}), {
      kind: 'syntax',
      at: '1:11',
      message: /template: expected block end in if statement but found "x"/,
    });
    expectParseError(() => board('{% if %}{% endif %}', {}), {
      kind: 'syntax',
      at: '1:7',
      message: /template: unexpected token: %\}/,
    });
  });

  it('for, set, include, {{ }}, comments, macros: rendered by nunjucks, located in the source map', () => {
    const vars = { BOARD: 'RPI4_BCM2711', board: { devices: [{ name: 'uart0' }, { name: 'gpio' }] } };
    assert.equal(
      board('{% for d in board.devices %}use EDL drv.{{ d.name }}\n{% endfor %}', vars),
      'use EDL drv.uart0\nuse EDL drv.gpio\n',
    );
    assert.equal(board('{% set C = "demo.Client" %}\nuse EDL {{ C }}{# a comment #}\n', vars), 'use EDL demo.Client\n');
    assert.equal(
      board('{% macro allow(c) %}match src = {{ c }} { grant () }{% endmacro %}{{ allow("a.B") }}', vars),
      'match src = a.B { grant () }',
    );
    const files: Record<string, string> = { '/p/parts/common.psl': 'request {\n  {{ BOARD }} }\n' };
    const src = expandBoardTemplate(
      { file: '/p/security.psl', text: 'use nk.base._\n{% include "parts/common.psl" %}tail\n' },
      vars,
      { include: includeFrom([], (f) => files[f]) },
    );
    assert.equal(src.text, 'use nk.base._\nrequest {\n  RPI4_BCM2711 }\ntail\n');
    // text from the included file maps into it; a {{ }} value maps to its {{; text after the include to the top file
    assert.deepEqual(src.locate(src.text.indexOf('request')), { file: '/p/parts/common.psl', line: 1, column: 1 });
    assert.deepEqual(src.locate(src.text.indexOf('RPI4')), { file: '/p/parts/common.psl', line: 2, column: 3 });
    assert.deepEqual(src.locate(src.text.indexOf('tail')), { file: '/p/security.psl', line: 2, column: 33 });
    // a PSL error in an included file is reported there
    const bad = expandBoardTemplate({ file: '/p/security.psl', text: '{% include "parts/bad.psl" %}' }, vars, {
      include: includeFrom([], (f) => ({ '/p/parts/bad.psl': '\nrequest { grant }' })[f]),
    });
    expectParseError(() => parsePsl(bad), { kind: 'syntax', file: '/p/parts/bad.psl', at: '2:17' });
    expectParseError(() => board('{% include "missing.psl" %}', vars), {
      kind: 'reference',
      at: '1:12',
      message: /cannot find the included template missing\.psl/,
    });
  });

  it('the sandbox: no way from a template to JavaScript constructors; range is bounded', () => {
    expectParseError(() => board('{{ range.constructor("return process")() }}', {}), {
      kind: 'template',
      message: /range\.constructor is not a template function/,
    });
    expectParseError(() => board('{% set c = "constructor" %}{{ cycler[c]("return 1")() }}', {}), { kind: 'template' });
    expectParseError(() => board('{{ X.__proto__ }}', { X: {} }), {
      kind: 'template',
      message: /X\.__proto__ is undefined/,
    });
    expectParseError(() => board('{% for i in range(1000000000) %}{% endfor %}', {}), {
      kind: 'template',
      message: /range\(\) is limited/,
    });
    const self = { include: () => ({ path: '/p/self.psl', text: 'a{% include "self.psl" %}' }) };
    expectParseError(() => expandBoardTemplate({ file: 't.psl', text: '{% include "self.psl" %}' }, {}, self), {
      kind: 'limit',
      file: '/p/self.psl',
      at: '1:13',
      message: /^\/p\/self\.psl:1:13: includes nest deeper than 32 levels \(does self\.psl include itself\?\)$/,
    });
    expectParseError(() => board('x\n {{ "a" | uper }}', {}), {
      kind: 'reference',
      at: '2:11',
      message: /unknown template filter uper \(known: .*upper.*\)/,
    });
    assert.equal(board('{{ "a" | upper }}{{ [1, 2] | join("-") }}', {}), 'A1-2');
  });
});

describe('preprocess: CMake first, then board blocks, one line map', () => {
  it('composes both passes', () => {
    const text = '{% if BOARD == "@DEFAULT_BOARD@" %}\nuse EDL x.@MAIN@\n{% endif %}\nrequest { deny (a / 2) }\n';
    const src = preprocess(
      { file: 'security.psl.in', text },
      { placeholders: { DEFAULT_BOARD: 'RPI', MAIN: 'Hello' }, board: { BOARD: 'RPI' } },
    );
    assert.equal(src.text, 'use EDL x.Hello\nrequest { deny (a / 2) }\n');
    // `/` is parsed as a construct Cordon cannot model, located in the template
    const deny = (parsePsl(src).declarations[1] as unknown as { body: { arg: { kind: string; loc: Loc } }[] }).body[0]!
      .arg;
    assert.equal(deny.kind, 'unsupported');
    assert.deepEqual(deny.loc, { file: 'security.psl.in', line: 4, column: 19 });
    assert.equal(lc(src.locate(src.text.indexOf('Hello'))), '2:11');
  });

  it('without options it is the identity', () => {
    const src = preprocess({ file: 'a', text: '{% if %} @X@' }, {});
    assert.equal(src.text, '{% if %} @X@');
  });

  it('sourceFromText locates offsets, clamping at the end', () => {
    const s = sourceFromText('f', 'ab\ncd');
    assert.deepEqual(
      [0, 2, 3, 5, 99].map((o) => lc(s.locate(o))),
      ['1:1', '1:3', '2:1', '2:3', '2:3'],
    );
  });
});
