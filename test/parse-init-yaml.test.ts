/**
 * init.yaml loading (items 23–25 of the format reference's section 7):
 * entities, task names, paths, args, env, connections, and the
 * `@INIT_…@` macros of init.yaml.in.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadInitYaml } from '../src/interfaces/init-yaml.ts';
import { expectParseError, lc, readFixture } from './fixtures/formats/helpers.ts';

const DOOR_INIT = readFixture('door/einit/src/init.yaml.in');

/** What the build would supply for the door solution. */
const DOOR_MACROS = {
  INIT_Door_ENTITY_CONNECTIONS: 'connections:\n- target: kl.core.DCM\n  id: kl.core.DCM\n',
  INIT_Lock_ENTITY_CONNECTIONS: 'connections:\n  - target: kl.core.DCM\n    id: kl.core.DCM',
  INIT_Lock_ENTITY_ENV: 'env:\n  LOCK_MODE: strict',
  INIT_EXTERNAL_ENTITIES: '- name: kl.core.DCM\n  path: dcm\n  args: [--verbose]\n',
};

const yaml = (text: string, options = {}) => loadInitYaml({ file: 'init.yaml', text }, options);

describe('init.yaml: the door solution with its macros expanded', () => {
  const init = loadInitYaml({ file: 'init.yaml.in', text: DOOR_INIT }, { macros: DOOR_MACROS });

  it('23, 24: entities with name, task, path, args and env; defaults for the others', () => {
    assert.deepEqual(
      init.processes.map((p) => ({
        name: p.name,
        taskClass: p.taskClass,
        path: p.path,
        args: p.args,
        env: p.env,
        at: lc(p.loc),
      })),
      [
        {
          name: 'demo.FrontDoor',
          taskClass: 'demo.Door',
          path: 'Door',
          args: ['--verbose', '--bolt=front'],
          env: { DOOR_ID: 'front', RETRIES: '3' },
          at: '3:3',
        },
        { name: 'demo.Lock', taskClass: 'demo.Lock', path: 'Lock', args: [], env: { LOCK_MODE: 'strict' }, at: '19:3' },
        { name: 'demo.Logger', taskClass: 'demo.Logger', path: 'Logger', args: [], env: {}, at: '23:3' },
        // From @INIT_EXTERNAL_ENTITIES@, located at the macro.
        { name: 'kl.core.DCM', taskClass: 'kl.core.DCM', path: 'dcm', args: ['--verbose'], env: {}, at: '25:1' },
      ],
    );
  });

  it('23, 25: connections, hand-written and appended with CONNECTIONS+; target is a process name', () => {
    assert.deepEqual(
      init.connections.map((c) => [c.client, c.server, c.id, c.idInclude, lc(c.loc)]),
      [
        ['demo.FrontDoor', 'demo.Lock', 'lock_channel', null, '13:5'],
        ['demo.FrontDoor', 'demo.Logger', 'LOGGER_CONNECTION_ID', 'demo/logger.h', '15:5'],
        ['demo.FrontDoor', 'kl.core.DCM', 'kl.core.DCM', null, '17:3'],
        ['demo.Lock', 'kl.core.DCM', 'kl.core.DCM', null, '20:3'],
      ],
    );
    assert.deepEqual(init.warnings, []);
    assert.equal(init.file, 'init.yaml.in');
  });

  it('strips macros without a value when asked, with a warning at each', () => {
    const stripped = loadInitYaml({ file: 'init.yaml.in', text: DOOR_INIT }, { onUndefinedMacro: 'strip' });
    assert.deepEqual(
      stripped.processes.map((p) => p.name),
      ['demo.FrontDoor', 'demo.Lock', 'demo.Logger'],
    );
    assert.deepEqual(
      stripped.warnings.map((w) => [w.message, lc(w.loc)]),
      [
        ['macro @INIT_Door_ENTITY_CONNECTIONS+@ has no value and was left out', '17:3'],
        ['macro @INIT_Lock_ENTITY_CONNECTIONS@ has no value and was left out', '20:3'],
        ['macro @INIT_Lock_ENTITY_ENV@ has no value and was left out', '21:3'],
        ['macro @INIT_EXTERNAL_ENTITIES@ has no value and was left out', '25:1'],
      ],
    );
  });

  it('an undefined macro is an error at the macro by default', () => {
    expectParseError(() => loadInitYaml({ file: 'init.yaml.in', text: DOOR_INIT }), {
      kind: 'template',
      at: '17:3',
      message: /unknown placeholder @INIT_Door_ENTITY_CONNECTIONS\+@/,
    });
  });

  it('errors in macro text point at the macro', () => {
    expectParseError(
      () =>
        loadInitYaml(
          { file: 'init.yaml.in', text: DOOR_INIT },
          { macros: { ...DOOR_MACROS, INIT_Lock_ENTITY_ENV: 'env:\n  A: B: C' } },
        ),
      { kind: 'syntax', at: '21:3', message: /^init\.yaml\.in:21:3: YAML: / },
    );
  });
});

describe('init.yaml: plain files', () => {
  it('other @NAME@ placeholders come from variables', () => {
    const init = yaml('entities:\n- name: hello.@MAIN@\n', { variables: { MAIN: 'Server' } });
    assert.equal(init.processes[0]?.taskClass, 'hello.Server');
  });

  it('several processes of one class under different task names', () => {
    const init = yaml(
      'entities:\n- name: example.Client\n  task: example.Client1\n  connections: [{target: example.Server, id: srv}]\n' +
        '- name: example.Client\n  task: example.Client2\n  connections: [{target: example.Server, id: srv}]\n- name: example.Server\n',
    );
    assert.deepEqual(
      init.processes.map((p) => [p.name, p.taskClass]),
      [
        ['example.Client1', 'example.Client'],
        ['example.Client2', 'example.Client'],
        ['example.Server', 'example.Server'],
      ],
    );
    assert.deepEqual(
      init.connections.map((c) => c.client),
      ['example.Client1', 'example.Client2'],
    );
  });

  it('empty lists and keys without values mean none', () => {
    assert.deepEqual(yaml('entities:\n').processes, []);
    assert.deepEqual(yaml('entities:\n- name: a\n  connections:\n  args:\n  env:\n').processes[0]?.args, []);
  });
});

describe('init.yaml errors', () => {
  const cases: [string, string, string, RegExp][] = [
    [
      'entities:\n- task: a\n',
      'validation',
      '2:3',
      /entities\[0\]: the key name is missing \(expected a task class name \(text\)\)/,
    ],
    [
      'entities:\n- name: a\n  target: b\n',
      'validation',
      '3:3',
      /unknown key target in an entity \(expected name, task, path, args, env, connections, dynamic_connection_manager\)/,
    ],
    [
      'entities:\n- name: a\n  connections:\n  - target: a\n    id: x\n    via: y\n',
      'validation',
      '6:5',
      /unknown key via in a connection/,
    ],
    [
      'entities:\n- name: [a]\n',
      'validation',
      '2:9',
      /entities\[0\]\.name: expected a task class name \(text\), found a list/,
    ],
    [
      'entities:\n- name: a\n  args: {x: 1}\n',
      'validation',
      '3:9',
      /entities\[0\]\.args: expected a list of arguments, found a map/,
    ],
    [
      'entities:\n- name: a\n  connections:\n  - target: a\n    id: 7\n',
      'validation',
      '5:9',
      /expected a channel name \(text\) or \{ var: <C constant>, include: <header> \}, found number 7/,
    ],
    ['entities:\n- name: a\n- name: b\n  task: a\n', 'duplicate', '3:3', /process name a is used twice/],
    [
      'entities:\n- name: a\n  connections:\n  - {target: nobody, id: x}\n',
      'reference',
      '4:14',
      /connection target nobody is not a process of this solution \(known: a\)/,
    ],
    [
      'entities:\n- name: a\n  connections:\n  - {target: a, id: x}\n  - {target: a, id: x}\n',
      'duplicate',
      '5:21',
      /process a has two connections with id x/,
    ],
    ['entities:\n - name: a\n  - name: b\n', 'syntax', '3:3', /YAML: /],
    ['processes: []\n', 'validation', '1:1', /unknown key processes in init\.yaml \(expected entities\)/],
    ['- name: a\n', 'validation', '1:1', /init\.yaml: expected a map with the key entities, found a list/],
    ['name: a\n', 'validation', '1:1', /unknown key name in init\.yaml/],
    ['{}\n', 'validation', '1:1', /init\.yaml: the key entities is missing/],
    ['entities: [1]\nentities: []\n', 'syntax', '2:1', /YAML: Map keys must be unique/],
  ];
  for (const [text, kind, at, message] of cases) {
    it(JSON.stringify(text), () => {
      expectParseError(() => yaml(text), { kind: kind as 'syntax', at, message });
    });
  }
});
