/**
 * Fuzzing the template passes: CMake placeholders, board blocks, and PSL
 * parsed after both — errors must point inside the original template.
 */
import { it } from 'node:test';
import { parsePsl } from '../src/policy/psl/parser.ts';
import { expandBoardTemplate, preprocess, substitutePlaceholders } from '../src/template/index.ts';
import { readFixture } from './fixtures/formats/helpers.ts';
import { fuzz, type FuzzInput } from './fixtures/formats/fuzz-harness.ts';

const TEMPLATE = readFixture('door/einit/src/security.psl.in');
const BOARD_SNIPPET =
  '{% if BOARD == "A" and not (X or Y != \'z\') %}\na\n{% elif USE_DYNLD %}\n  {% if 1 %}b{% else %}c{% endif %}\n{% else %}\nd\n{% endif %}\n';

const VOCABULARY = [
  '{%',
  '%}',
  '{%-',
  '-%}',
  'if',
  'elif',
  'else',
  'endif',
  'for',
  'set',
  '{{',
  '}}',
  '{#',
  '#}',
  'and',
  'or',
  'not',
  '==',
  '!=',
  '(',
  ')',
  'BOARD',
  'USE_DYNLD',
  'UNDEFINED',
  'endfor',
  'in',
  'include',
  '"x.psl"',
  '|',
  'default',
  'range',
  '.constructor',
  '"RPI4_BCM2711"',
  "'x'",
  '3',
  'true',
  '@MAIN_TASK@',
  '@NOPE@',
  '@',
  '\n',
  'request',
  '{',
  '}',
  'grant',
  '()',
  'match',
  'dst',
  '=',
];

const PLACEHOLDERS = { MAIN_TASK: 'Door' };
const VARIABLES = { BOARD: 'RPI4_BCM2711', USE_DYNLD: 'ON', X: '', Y: 'z' };
const seeds: FuzzInput[] = [
  { file: 'security.psl.in', text: TEMPLATE },
  { file: 'board.psl', text: BOARD_SNIPPET },
];

it('CMake placeholder substitution: no crash, no hang, every error located inside the input', (t) => {
  fuzz(t, {
    name: 'cmake-template',
    seeds,
    vocabulary: VOCABULARY,
    parse: (input) => substitutePlaceholders(input, PLACEHOLDERS),
    runs: 20_000,
  });
});

it('board templates: no crash, no hang, every error located inside the input', (t) => {
  // Each run parses and compiles the template with nunjucks (about a millisecond), so fewer runs than the hand-written passes.
  fuzz(t, {
    name: 'board-template',
    seeds,
    vocabulary: VOCABULARY,
    parse: (input) => expandBoardTemplate(input, VARIABLES),
    runs: 5_000,
  });
});

it('PSL after both template passes: errors point inside the original template', (t) => {
  fuzz(t, {
    name: 'templated-psl',
    seeds,
    vocabulary: VOCABULARY,
    parse: (input) => parsePsl(preprocess(input, { placeholders: PLACEHOLDERS, board: VARIABLES })),
    runs: 5_000,
  });
});
