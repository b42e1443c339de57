/**
 * Fuzzing the init.yaml loader (YAML, shape validation, @INIT_…@ macros)
 * with random text and mutated init.yaml.in files.
 */
import { it } from 'node:test';
import { loadInitYaml } from '../src/interfaces/init-yaml.ts';
import { readFixture } from './fixtures/formats/helpers.ts';
import { fuzz } from './fixtures/formats/fuzz-harness.ts';

const MACROS = {
  INIT_Door_ENTITY_CONNECTIONS: 'connections:\n- target: kl.core.DCM\n  id: kl.core.DCM\n',
  INIT_Lock_ENTITY_CONNECTIONS: 'connections:\n  - target: kl.core.DCM\n    id: kl.core.DCM',
  INIT_Lock_ENTITY_ENV: 'env:\n  LOCK_MODE: strict',
  INIT_EXTERNAL_ENTITIES: '- name: kl.core.DCM\n  path: dcm\n  args: [--verbose]\n',
};

const VOCABULARY = [
  'entities',
  'name',
  'task',
  'path',
  'args',
  'env',
  'connections',
  'target',
  'id',
  'var',
  'include',
  'demo.Lock',
  'kl.core.DCM',
  ':',
  '- ',
  '-',
  '\n',
  '\n  ',
  '\n    ',
  '  ',
  '[',
  ']',
  '{',
  '}',
  ',',
  '"',
  "'",
  '#',
  '&a',
  '*a',
  '!!str',
  '|',
  '>',
  '---',
  '...',
  '@INIT_Door_ENTITY_CONNECTIONS+@',
  '@INIT_EXTERNAL_ENTITIES@',
  '@X@',
  '~',
  'null',
  '8080',
  'true',
];

it('init.yaml loader: no crash, no hang, every error located inside the input', (t) => {
  fuzz(t, {
    name: 'init.yaml',
    seeds: [
      { file: 'init.yaml.in', text: readFixture('door/einit/src/init.yaml.in') },
      {
        file: 'init.yaml',
        text: 'entities:\n- name: a.Client\n  task: a.Client1\n  args: [x, 2]\n  env: {K: v}\n  connections:\n  - {target: a.Server, id: srv}\n- name: a.Server\n',
      },
    ],
    vocabulary: VOCABULARY,
    parse: (input) => loadInitYaml(input, { macros: MACROS }),
  });
});
