/**
 * Templates: CMake `@NAME@` placeholders and Jinja-style board blocks
 * (items 16–17 of the format reference's section 7), and the line map that
 * keeps errors pointing into the template.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePsl } from '../src/policy/psl/parser.ts';
import { expandBoardTemplate, listPlaceholders, preprocess, substitutePlaceholders } from '../src/template/index.ts';
import { sourceFromText } from '../src/syntax/source.ts';
import { expectParseError, lc } from './fixtures/formats/helpers.ts';

const board = (text: string, vars: Record<string, string | number | boolean>) => expandBoardTemplate({ file: 't.psl', text }, vars).text;

describe('CMake placeholders', () => {
  it('replaces @NAME@ and keeps lone @ signs and non-names', () => {
    const out = substitutePlaceholders({ file: 'a.in', text: 'use EDL hello.@MAIN_TASK@ // mail@example.org @ @1x@ @@' }, { MAIN_TASK: 'Server' });
    assert.equal(out.text, 'use EDL hello.Server // mail@example.org @ @1x@ @@');
  });

  it('lists placeholders including init.yaml.in "+" macros', () => {
    assert.deepEqual(
      listPlaceholders({ file: 'i.in', text: '  @INIT_A_ENTITY_CONNECTIONS+@\n@X@' }).map((p) => [p.name, p.start, p.end]),
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
    const out = substitutePlaceholders({ file: 'i.in', text: '- name: a\n  @M@\n' }, { M: 'connections:\n- target: b\n  id: c\n' }, { indentMultiline: true });
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
  const t = '{% if BOARD == "RPI4_BCM2711" %}\nrpi\n{% elif BOARD == "RADXA_ROCK_3A" %}\nradxa\n{% else %}\nother\n{% endif %}\nend\n';

  it('16: if / elif / else / endif on BOARD, tags alone on a line take the line with them', () => {
    assert.equal(board(t, { BOARD: 'RPI4_BCM2711' }), 'rpi\nend\n');
    assert.equal(board(t, { BOARD: 'RADXA_ROCK_3A' }), 'radxa\nend\n');
    assert.equal(board(t, { BOARD: 'QEMU' }), 'other\nend\n');
  });

  it('16: the truth of a variable ({% if USE_DYNLD %}), inline tags', () => {
    const inline = 'a {% if USE_DYNLD %}use dynld._{% endif %} b';
    assert.equal(board(inline, { USE_DYNLD: 'ON' }), 'a use dynld._ b');
    assert.equal(board(inline, {}), 'a  b');
    for (const off of ['', '0', 'OFF', 'false', 'No', 'n', 0, false]) assert.equal(board(inline, { USE_DYNLD: off }), 'a  b', String(off));
    for (const on of ['1', 'ON', 'yes', 'anything', 1, true]) assert.equal(board(inline, { USE_DYNLD: on }), 'a use dynld._ b', String(on));
  });

  it('!=, and, or, not, parentheses, single quotes, numbers and booleans; the first true branch wins', () => {
    const cond = (c: string, vars: Record<string, string | number | boolean>) => board(`{% if ${c} %}T{% else %}F{% endif %}`, vars);
    assert.equal(cond('BOARD != "X"', { BOARD: 'Y' }), 'T');
    assert.equal(cond("BOARD == 'X' and not DEBUG", { BOARD: 'X', DEBUG: '1' }), 'F');
    assert.equal(cond('A or B and C', { A: '', B: '1', C: '0' }), 'F');
    assert.equal(cond('(A or B) and C', { A: '1', B: '', C: '1' }), 'T');
    assert.equal(cond('not not A', { A: '1' }), 'T');
    assert.equal(cond('VERSION == 3', { VERSION: '3' }), 'T');
    assert.equal(cond('FLAG == true', { FLAG: true }), 'T');
    assert.equal(cond('True', {}), 'T');
    assert.equal(board('{% if A %}1{% elif B %}2{% elif B %}3{% endif %}', { A: '', B: '1' }), '2');
  });

  it('nested blocks', () => {
    const nested = '{% if A %}\na\n{% if B %}\nab\n{% else %}\na-not-b\n{% endif %}\n{% else %}\nnot-a\n{% endif %}\n';
    assert.equal(board(nested, { A: '1', B: '1' }), 'a\nab\n');
    assert.equal(board(nested, { A: '1', B: '0' }), 'a\na-not-b\n');
    assert.equal(board(nested, { A: '0', B: '1' }), 'not-a\n');
  });

  it('whitespace control: {%- and -%} remove the whitespace next to the tag', () => {
    assert.equal(board('{%- if A -%}x{%- endif -%}', { A: '1' }), 'x');
    assert.equal(board('a  {%- if A -%}  x  {%- endif %}\nb', { A: '1' }), 'ax\nb');
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

  it('template errors: unknown variable in a comparison, unbalanced tags, misplaced else', () => {
    expectParseError(() => board('x\n{% if BORD == "A" %}{% endif %}', { BOARD: 'A' }), {
      kind: 'template',
      at: '2:7',
      message: /unknown template variable BORD in a comparison \(known: BOARD\)/,
    });
    expectParseError(() => board('a\n  {% if A %}\nb\n', {}), { kind: 'template', at: '2:3', message: /\{% if %\} has no matching \{% endif %\}/ });
    expectParseError(() => board('a {% endif %}', {}), { kind: 'template', at: '1:3', message: /\{% endif %\} without a matching \{% if %\}/ });
    expectParseError(() => board('{% else %}', {}), { kind: 'template', at: '1:1', message: /\{% else %\} without a matching/ });
    expectParseError(() => board('{% if A %}{% else %}{% elif B %}{% endif %}', {}), { kind: 'template', at: '1:21', message: /\{% elif B %\} after the \{% else %\}/ });
    expectParseError(() => board('{% if A = "x" %}{% endif %}', {}), { kind: 'syntax', at: '1:9', message: /expected "%\}", "!=", "==", "and" or "or" but found "="/ });
    expectParseError(() => board('{% if %}{% endif %}', {}), { kind: 'syntax', at: '1:7', message: /expected a text literal, an integer, true or false, a variable, "\(" or "not"/ });
  });

  it('unsupported template syntax', () => {
    expectParseError(() => board('{% for x in y %}{% endfor %}', {}), { kind: 'unsupported', at: '1:1', message: /^unsupported construct template tag \{% for %\} .* at t\.psl:1:1$/ });
    expectParseError(() => board('a\n{% set X = 1 %}', {}), { kind: 'unsupported', at: '2:1', message: /template tag \{% set %\}/ });
    expectParseError(() => board('{{ BOARD }}', {}), { kind: 'unsupported', at: '1:1', message: /template expression \{\{ … \}\}/ });
    expectParseError(() => board('{# note #}', {}), { kind: 'unsupported', at: '1:1', message: /template comment/ });
    expectParseError(() => board('{% if A %}{% include "x" %}{% endif %}', {}), { kind: 'unsupported', at: '1:11', message: /template tag \{% include %\}/ });
  });
});

describe('preprocess: CMake first, then board blocks, one line map', () => {
  it('composes both passes', () => {
    const text = '{% if BOARD == "@DEFAULT_BOARD@" %}\nuse EDL x.@MAIN@\n{% endif %}\nrequest { deny (a / 2) }\n';
    const src = preprocess({ file: 'security.psl.in', text }, { placeholders: { DEFAULT_BOARD: 'RPI', MAIN: 'Hello' }, board: { BOARD: 'RPI' } });
    assert.equal(src.text, 'use EDL x.Hello\nrequest { deny (a / 2) }\n');
    expectParseError(() => parsePsl(src), { kind: 'unsupported', at: '4:19', file: 'security.psl.in', message: /division operator/ });
    assert.equal(lc(src.locate(src.text.indexOf('Hello'))), '2:11');
  });

  it('without options it is the identity', () => {
    const src = preprocess({ file: 'a', text: '{% if %} @X@' }, {});
    assert.equal(src.text, '{% if %} @X@');
  });

  it('sourceFromText locates offsets, clamping at the end', () => {
    const s = sourceFromText('f', 'ab\ncd');
    assert.deepEqual([0, 2, 3, 5, 99].map((o) => lc(s.locate(o))), ['1:1', '1:3', '2:1', '2:3', '2:3']);
  });
});
