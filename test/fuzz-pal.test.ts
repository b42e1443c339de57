/**
 * Fuzzing the PAL parser with random text and mutated test sets.
 */
import { it } from 'node:test';
import { parsePal } from '../src/policy/pal/parser.ts';
import { readFixture } from './fixtures/formats/helpers.ts';
import { fuzz } from './fixtures/formats/fuzz-harness.ts';

const PAL_VOCABULARY = [
  'assert',
  'setup',
  'sequence',
  'finally',
  'grant',
  'deny',
  'any',
  'execute',
  'request',
  'response',
  'error',
  'security',
  'src',
  'dst',
  'endpoint',
  'method',
  'interface',
  'core',
  'kl.core.Core',
  'Einit',
  'front.bolt',
  '<-',
  '<',
  '-',
  '=',
  '{',
  '}',
  '(',
  ')',
  '[',
  ']',
  ':',
  ',',
  ';',
  '"name"',
  '"',
  '42',
  '-1',
  'true',
  '//',
  '/*',
  '*/',
  '\n',
];

it('PAL parser: no crash, no hang, every error located inside the input', (t) => {
  fuzz(t, {
    name: 'pal',
    seeds: [
      { file: 'tests.psl', text: readFixture('door/einit/src/tests.psl') },
      {
        file: 'small.psl',
        text: 'assert {\n  sequence "s" { k <- execute dst = kl.core.Core; any request src = k dst = A { x : [1, {y : "z"}] } }\n}\n',
      },
    ],
    vocabulary: PAL_VOCABULARY,
    parse: parsePal,
  });
});
