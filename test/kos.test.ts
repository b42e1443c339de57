/**
 * Loading solutions in KasperskyOS layout (src/solution/kos.ts): what they
 * become (task classes with flattened endpoints and RIIDs, interfaces with
 * codecs, processes and channels, PAL tests), templates and board
 * variables, and errors that name file:line:col in the words of the format.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { detectKosLayout, loadKosSolution, SDK_DIR } from '../src/solution/kos.ts';
import { loadSolution, SolutionError } from '../src/solution/load.ts';
import { getBoard } from '../boards/index.ts';
import { ParseError, type ParseErrorKind } from '../src/syntax/errors.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const example = (name: string) => join(ROOT, 'examples', name);

const scratch = mkdtempSync(join(tmpdir(), 'cordon-kos-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
let counter = 0;

/** A solution directory with these files (paths relative to it). */
function solution(files: Record<string, string>, base?: string): string {
  const dir = join(scratch, `s${++counter}`);
  if (base !== undefined) cpSync(base, dir, { recursive: true });
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

/** Loading must fail with a ParseError of this kind, at `file:line:col` (file relative to the solution). */
function fails(dir: string, kind: ParseErrorKind, at: string, message: RegExp, options = {}): ParseError {
  let caught: unknown;
  try {
    loadKosSolution(dir, options);
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof ParseError, `expected a ParseError, got ${String(caught)}`);
  assert.equal(caught.kind, kind, caught.message);
  assert.equal(`${relative(dir, caught.loc.file)}:${caught.loc.line}:${caught.loc.column}`, at, caught.message);
  assert.match(caught.message, message);
  return caught;
}

const MINIMAL = {
  'einit/src/init.yaml':
    'entities:\n- name: demo.Client\n  connections:\n  - target: demo.Server\n    id: srv\n- name: demo.Server\n',
  'einit/src/security.psl':
    'use nk.base._\nuse EDL demo.Client\nuse EDL demo.Server\nexecute { grant () }\nrequest { grant () }\nresponse { grant () }\n',
  'resources/xdl/demo/Client.edl': 'task class demo.Client\n',
  'resources/xdl/demo/Server.edl': 'task class demo.Server\nendpoints { api : demo.Api }\n',
  'resources/xdl/demo/Api.idl': 'package demo.Api\ninterface { Get(in UInt8 key, out UInt32 value); }\n',
};

describe('loading a KasperskyOS solution', () => {
  it('ping: classes, endpoints, interfaces with codecs, processes, channels, PAL tests, files', () => {
    const s = loadKosSolution(example('ping'));
    assert.equal(s.name, 'ping');
    assert.deepEqual(s.decl.classes, [
      { name: 'ping.Client', endpoints: [] },
      { name: 'ping.Server', endpoints: [{ name: 'pinger', interface: 'ping.Pinger' }] },
    ]);
    assert.deepEqual(s.decl.processes, [
      { name: 'ping.Client', taskClass: 'ping.Client' },
      { name: 'ping.Server', taskClass: 'ping.Server' },
    ]);
    assert.deepEqual(s.decl.connections, [{ client: 'ping.Client', server: 'ping.Server', id: 'ping' }]);
    const pinger = s.decl.interfaces.find((i) => i.name === 'ping.Pinger')!;
    assert.deepEqual(
      pinger.methods.map((m) => m.name),
      ['Ping', 'Pong'],
    );
    assert.ok(pinger.methods[0]!.request.is({ value: 1 }));
    assert.ok(pinger.methods[0]!.response.is({ reply: 4294967295 }));
    assert.equal(pinger.methods[0]!.request.is({ value: 4294967296 }), false);
    // the kernel and Einit are Cordon's own classes 0 and 1
    assert.deepEqual(
      s.tables.classes.slice(0, 2).map((c) => c.name),
      ['kl.core.Core', 'Einit'],
    );
    assert.equal(s.tests.length, 2);
    assert.deepEqual(
      s.files.map((f) => relative(example('ping'), f)),
      [
        'cordon.yaml',
        'einit/src/init.yaml',
        'einit/src/security.psl',
        'einit/src/tests.psl',
        'resources/xdl/ping/Client.edl',
        'resources/xdl/ping/Server.edl',
        'resources/xdl/ping/Pinger.idl',
      ],
    );
    assert.deepEqual(Object.keys(s.programs ?? {}), ['ping.Client', 'ping.Server']);
    assert.ok(s.timings.parseMs > 0 && s.timings.compileMs > 0);
  });

  it('endpoints of nested components are named by their instance path, RIIDs in declaration order', () => {
    const s = loadKosSolution(example('gateway'));
    const plc = s.tables.classes[s.tables.classByName.get('gw.Plc')!]!;
    assert.deepEqual(
      plc.endpoints.map((e) => [e.riid, e.name]),
      [[0, 'io.tags']],
    );
    assert.deepEqual(
      s.warnings.map((w) => w.replace(/^.*init\.yaml\.in:/, 'init.yaml.in:')),
      [
        'init.yaml.in:8:3: macro @INIT_Cloud_ENTITY_CONNECTIONS+@ is empty in this build (the CMake files give Cloud no EXTRA_CONNECTIONS; Cordon does not infer the system programs a program links with)',
        'init.yaml.in:24:1: macro @INIT_EXTERNAL_ENTITIES@ is empty in this build (no connection target is an SDK program outside init.yaml)',
      ],
    );
  });

  it('board template variables select branches: the Raspberry Pi build includes the BSP fragment', () => {
    const qemu = loadKosSolution(example('gateway'), { board: getBoard('qemu-x86_64') });
    const rpi = loadKosSolution(example('gateway'), { board: getBoard('rpi4b') });
    assert.equal(qemu.tables.classByName.has('kl.drivers.BSP'), false);
    assert.equal(rpi.tables.classByName.has('kl.drivers.BSP'), true);
    assert.ok(rpi.files.some((f) => f.startsWith(SDK_DIR) && f.endsWith('BSP.psl')));
  });

  it('placeholders come from cordon.yaml (and the options, which win)', () => {
    const s = loadKosSolution(example('gateway'));
    assert.deepEqual(s.init.processes.find((p) => p.name === 'gw.Plc')!.env, { FIELDBUS: 'modbus' });
    const o = loadKosSolution(example('gateway'), { placeholders: { FIELDBUS: 'profinet' } });
    assert.deepEqual(o.init.processes.find((p) => p.name === 'gw.Plc')!.env, { FIELDBUS: 'profinet' });
  });

  it('a template is preferred to a generated file beside it; init.yaml and security.psl may sit at the top', () => {
    const dir = solution({
      ...MINIMAL,
      'einit/src/init.yaml.in': MINIMAL['einit/src/init.yaml'].replace('id: srv', 'id: @ID@'),
      'cordon.yaml': 'placeholders: { ID: from_template }\n',
    });
    const s = loadKosSolution(dir);
    assert.equal(s.decl.connections[0]!.id, 'from_template');
    const top = solution({
      'init.yaml': MINIMAL['einit/src/init.yaml'],
      'security.psl': MINIMAL['einit/src/security.psl'],
      'demo/Client.edl': MINIMAL['resources/xdl/demo/Client.edl'],
      'demo/Server.edl': MINIMAL['resources/xdl/demo/Server.edl'],
      'demo/Api.idl': MINIMAL['resources/xdl/demo/Api.idl'],
    });
    assert.equal(detectKosLayout(top)!.init, join(top, 'init.yaml'));
    assert.equal(loadKosSolution(top).decl.classes.length, 2);
  });

  it('without cordon.yaml there are no programs and the name is the directory', () => {
    const dir = solution(MINIMAL);
    const s = loadKosSolution(dir);
    assert.equal(s.programs, null);
    assert.equal(s.name, relative(scratch, dir));
    assert.equal(s.layout.cordonYaml, null);
  });
});

describe('errors name file:line:col', () => {
  it('not a KasperskyOS solution; a missing policy', () => {
    const empty = solution({ 'README.md': 'nothing here\n' });
    assert.equal(detectKosLayout(empty), null);
    fails(empty, 'io', ':1:1', /not a KasperskyOS solution: no init\.yaml\(\.in\) or security\.psl\(\.in\)/);
    fails(
      solution({ 'einit/src/init.yaml': MINIMAL['einit/src/init.yaml'] }),
      'io',
      'einit/src/security.psl:1:1',
      /a KasperskyOS solution needs security\.psl\(\.in\)/,
    );
  });

  it('an init.yaml entity whose EDL is missing', () => {
    const dir = solution({
      ...MINIMAL,
      'einit/src/init.yaml': `${MINIMAL['einit/src/init.yaml']}- name: demo.Ghost\n`,
    });
    fails(
      dir,
      'reference',
      'einit/src/init.yaml:7:3',
      /cannot find the task class demo\.Ghost \(looked for demo\/Ghost\.edl in /,
    );
  });

  it('init.yaml may not start the kernel or Einit', () => {
    fails(
      solution({ ...MINIMAL, 'einit/src/init.yaml': 'entities:\n- name: Einit\n' }),
      'validation',
      'einit/src/init.yaml:2:3',
      /task class Einit is the initializing program; it is started by the system/,
    );
    fails(
      solution({ ...MINIMAL, 'einit/src/init.yaml': 'entities:\n- name: demo.Client\n  task: kl.core.Core\n' }),
      'validation',
      'einit/src/init.yaml:2:3',
      /process name kl\.core\.Core is reserved/,
    );
  });

  it('a channel to a server that serves nothing', () => {
    const dir = solution({
      ...MINIMAL,
      'einit/src/init.yaml':
        'entities:\n- name: demo.Server\n  connections:\n  - target: demo.Client\n    id: back\n- name: demo.Client\n',
    });
    fails(
      dir,
      'validation',
      'einit/src/init.yaml:4:5',
      /connection back to demo\.Client: its task class demo\.Client declares no endpoints .*Client\.edl:1:1\), so it cannot serve a channel/,
    );
  });

  it('syntax errors in the policy, an EDL and an IDL', () => {
    fails(
      solution({ ...MINIMAL, 'einit/src/security.psl': 'use nk.base._\nrequest { match dst = { grant () } }\n' }),
      'syntax',
      'einit/src/security.psl:2:23',
      /expected .*name/,
    );
    fails(
      solution({ ...MINIMAL, 'resources/xdl/demo/Server.edl': 'task class demo.Server\nendpoints { api demo.Api }\n' }),
      'syntax',
      'resources/xdl/demo/Server.edl:2:17',
      /expected/,
    );
    fails(
      solution({ ...MINIMAL, 'resources/xdl/demo/Api.idl': 'package demo.Api\ninterface { Get(in Nothing key); }\n' }),
      'reference',
      'resources/xdl/demo/Api.idl:2:20',
      /unknown type Nothing in package demo\.Api/,
    );
  });

  it("an interface named like one of the kernel's", () => {
    const dir = solution({
      ...MINIMAL,
      'resources/xdl/demo/Server.edl': 'task class demo.Server\nendpoints { api : kl.core.VMM }\n',
      'resources/xdl/kl/core/VMM.idl': 'package kl.core.VMM\n\ninterface { Map(in UInt64 base); }\n',
    });
    fails(
      dir,
      'validation',
      'resources/xdl/kl/core/VMM.idl:3:1',
      /interface kl\.core\.VMM has the name of an interface of Cordon's kernel/,
    );
  });

  it('a use of a module nobody provides', () => {
    fails(
      solution({ ...MINIMAL, 'einit/src/security.psl': 'use nk.base._\nuse acme.Telemetry._\n' }),
      'reference',
      'einit/src/security.psl:2:1',
      /cannot find PSL module acme\.Telemetry \(looked for acme\/Telemetry\.psl in /,
    );
  });

  it('a placeholder without a value', () => {
    const dir = solution({ ...MINIMAL, 'einit/src/security.psl.in': 'use nk.base._\nuse EDL demo.@CLIENT@\n' });
    fails(dir, 'template', 'einit/src/security.psl.in:2:14', /unknown placeholder @CLIENT@/);
  });

  it('a policy naming a class the solution does not have (from the compiler)', () => {
    const dir = solution({
      ...MINIMAL,
      'einit/src/security.psl': `${MINIMAL['einit/src/security.psl']}request dst = demo.Nobody { grant () }\n`,
    });
    fails(
      dir,
      'reference',
      'einit/src/security.psl:7:9',
      /security\.psl:7:9: unknown task class demo\.Nobody in selector dst=/,
    );
  });

  it('two security interfaces in one class is an unsupported construct', () => {
    const dir = solution({
      ...MINIMAL,
      'resources/xdl/demo/Client.edl': 'task class demo.Client\nsecurity demo.Audit\ncomponents { part : demo.Part }\n',
      'resources/xdl/demo/Part.cdl': 'component demo.Part\nsecurity demo.Audit\n',
      'resources/xdl/demo/Audit.idl': 'package demo.Audit\ninterface { Check(in UInt8 level); }\n',
    });
    const e = fails(
      dir,
      'unsupported',
      'resources/xdl/demo/Part.cdl:2:1',
      /^unsupported construct a second security interface in task class demo\.Client .* at .*Part\.cdl:2:1$/,
    );
    assert.equal(e.kind, 'unsupported');
  });

  it('cordon.yaml: unknown keys, wrong shapes, programs of processes that do not exist', () => {
    fails(
      solution({ ...MINIMAL, 'cordon.yaml': 'name: x\nprogram: {}\n' }),
      'validation',
      'cordon.yaml:2:1',
      /unknown key program in cordon\.yaml \(expected name, description, placeholders, macros, variables, programs, untrusted, properties\)/,
    );
    fails(
      solution({ ...MINIMAL, 'cordon.yaml': 'programs:\n  demo.Client:\n    - { call: srv }\n' }),
      'validation',
      'cordon.yaml:3:7',
      /programs\.demo\.Client\[0\]: expected /,
    );
    fails(
      solution({ ...MINIMAL, 'cordon.yaml': 'programs:\n  demo.Nobody:\n    - { recv: srv }\n' }),
      'reference',
      'cordon.yaml:2:3',
      /programs: demo\.Nobody is not a process that .*init\.yaml starts \(processes: demo\.Client, demo\.Server\)/,
    );
    fails(
      solution({ ...MINIMAL, 'cordon.yaml': 'untrusted: [demo.Client, nobody]\n' }),
      'reference',
      'cordon.yaml:1:26',
      /untrusted: nobody is not a process/,
    );
    fails(solution({ ...MINIMAL, 'cordon.yaml': 'name: [1\n' }), 'syntax', 'cordon.yaml:2:1', /YAML: /);
  });
});

describe('cordon verify detects the layout', () => {
  it('a KasperskyOS directory loads with its PAL tests and cordon.yaml programs', () => {
    const l = loadSolution(example('diode'), getBoard('qemu-x86_64'));
    assert.equal(l.name, 'diode');
    assert.equal(l.rules, null);
    assert.equal(l.pal.length, 2);
    assert.deepEqual(Object.keys(l.manifest!.programs), ['diode.Reader', 'diode.Diode', 'diode.Writer']);
  });

  it("a directory with solution.yaml is still Cordon's own manifest", () => {
    const dir = solution({
      'solution.yaml': `name: tiny
interfaces: [{ name: t.Api, methods: [{ name: Get, in: { key: UInt8 } }] }]
classes: [{ name: t.Client }, { name: t.Server, endpoints: [{ name: api, interface: t.Api }] }]
processes: [{ name: c, class: t.Client }, { name: s, class: t.Server }]
connections: [{ client: c, server: s, id: api }]
policy: [{ kind: execute, src: Einit }]
`,
    });
    const l = loadSolution(dir);
    assert.equal(l.name, 'tiny');
    assert.notEqual(l.rules, null);
    assert.deepEqual(l.pal, []);
  });

  it('a broken KasperskyOS solution is a SolutionError with its place; a directory with neither is named', () => {
    const dir = solution({ ...MINIMAL, 'einit/src/init.yaml': 'entities:\n- name: demo.Client\n  colour: red\n' });
    assert.throws(
      () => loadSolution(dir),
      (e: unknown) =>
        e instanceof SolutionError && /einit\/src\/init\.yaml:3:3: unknown key colour in an entity/.test(e.message),
    );
    const pal = solution({
      ...MINIMAL,
      'einit/src/security.psl': `${MINIMAL['einit/src/security.psl']}assert { sequence { request src = a dst = b method = Get { key : 1 + 1 } } }\n`,
    });
    // a PAL test with a construct the runner cannot model: the solution loads, the test is listed as not modelled
    const withPal = loadSolution(pal);
    assert.equal(withPal.notModelled.length, 1);
    assert.match(
      withPal.notModelled[0]!,
      /^unsupported construct binary expression in a PAL message .* at .*security\.psl:7:66$/,
    );
    const none = solution({ 'notes.txt': '' });
    assert.throws(
      () => loadSolution(none),
      (e: unknown) => e instanceof SolutionError && /neither a solution\.yaml nor KasperskyOS files/.test(e.message),
    );
  });
});
