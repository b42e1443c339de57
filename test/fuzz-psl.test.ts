/**
 * Fuzzing the PSL parser with random text and mutated fixtures: it returns
 * a tree or throws a located ParseError, quickly, for every input.
 */
import { it } from 'node:test';
import { parsePsl } from '../src/policy/psl/parser.ts';
import { preprocess } from '../src/template/index.ts';
import { readFixture } from './fixtures/formats/helpers.ts';
import { fuzz } from './fixtures/formats/fuzz-harness.ts';

const door = preprocess(
  { file: 'security.psl', text: readFixture('door/einit/src/security.psl.in') },
  { placeholders: { MAIN_TASK: 'Door' }, board: { BOARD: 'RPI4_BCM2711', USE_DYNLD: '1' } },
).text;

export const PSL_VOCABULARY = [
  'execute',
  'request',
  'response',
  'error',
  'security',
  'use',
  'EDL',
  'policy',
  'object',
  'type',
  'audit',
  'default',
  'profile',
  'config',
  'match',
  'choice',
  'assert',
  'grant',
  'deny',
  'src',
  'dst',
  'endpoint',
  'method',
  'interface',
  'component',
  'message',
  'src_sid',
  'dst_sid',
  'size',
  'true',
  'false',
  'kl.core.Core',
  'nk.base._',
  '._',
  '_',
  '{',
  '}',
  '(',
  ')',
  '[',
  ']',
  '<',
  '>',
  '=',
  ':',
  ',',
  '.',
  '.[',
  '"',
  '"open"',
  '0x1F',
  '-',
  '42',
  '==',
  '!=',
  '<=',
  '>=',
  '&&',
  '||',
  '==>',
  '!',
  '~',
  '+',
  '*',
  '/',
  '%',
  '|',
  '&',
  '...',
  '//',
  '/*',
  '*/',
  '{%',
  '%}',
  '@X@',
  '<-',
  ';',
];

it('PSL parser: no crash, no hang, every error located inside the input', (t) => {
  fuzz(t, {
    name: 'psl',
    seeds: [
      { file: 'security.psl', text: door },
      { file: 'dynld.psl', text: readFixture('door/einit/src/dynld.psl') },
      { file: 'models.psl', text: readFixture('models/security.psl') },
      { file: 'DCM.psl', text: readFixture('sdk/kl/core/DCM.psl') },
      { file: 'tests.psl', text: readFixture('door/einit/src/tests.psl') },
    ],
    vocabulary: PSL_VOCABULARY,
    parse: parsePsl,
  });
});
