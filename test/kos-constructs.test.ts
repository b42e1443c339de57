/**
 * Every construct of section 7 of the format reference (the subset real
 * KasperskyOS solutions use), end to end: a solution written with all of
 * them is parsed, loaded, compiled and then decides — checked by its own PAL
 * tests through the monitor, and by booting it. Items are numbered as in the
 * reference's table. And a construct Cordon does not support is reported as
 * "unsupported construct X at file:line:col".
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loadKosSolution } from '../src/solution/kos.ts';
import { runPalTests, formatPalResults } from '../src/policy/pal/run.ts';
import { bootWith } from '../src/kernel/boot.ts';
import { createMonitor } from '../src/monitor/monitor.ts';
import { getBoard } from '../boards/index.ts';
import { ParseError } from '../src/syntax/errors.ts';

const scratch = mkdtempSync(join(tmpdir(), 'cordon-constructs-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

function write(dir: string, files: Record<string, string>): string {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

const FILES: Record<string, string> = {
  // 23, 24, 25: entities, name, task, path, args, env, connections (target = task name), the build's macros
  'einit/src/init.yaml.in': `entities:

- name: calc.Client
  task: calc.ClientA
  path: Client
  args:
    - "--mode"
    - fast
  env:
    LANG: C
    RETRIES: 3
  connections:
  - target: calc.ServerC
    id: summer
  - target: calc.Logger
    id: {var: LOGGER_ID, include: calc/ids.h}
  @INIT_ClientA_ENTITY_CONNECTIONS+@

- name: calc.Server
  task: calc.ServerC
  @INIT_ServerC_ENTITY_CONNECTIONS@
  @INIT_ServerC_ENTITY_ENV@

- name: calc.Logger

@INIT_EXTERNAL_ENTITIES@
`,
  // 1, 2, 3, 4, 5 (conditional split file), 6, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17
  'einit/src/security.psl.in': `/* calculator solution */
execute: kl.core.Execute

use nk.base._

use EDL Einit
use EDL kl.core.Core
use EDL calc.@CLIENT_CLASS@
use EDL calc.Server
use EDL calc.Logger

use kl.core.DCM._
use kl.VfsSdCardFs._
use logrr.Server._
use execution_manager.ExecMgrEntity._
{% if BOARD == "RPI4_BCM2711" %}
use kl.drivers.BSP._
{% elif BOARD == "RADXA_ROCK_3A" %}
use kl.drivers.RockBSP._
{% endif %}

{% if USE_DYNLD %}
use dynld._
{% endif %}

execute {
    match src = kl.core.Core {
        match dst = kl.core.Core { grant () }
        match dst = Einit { grant () }
    }
    match src = Einit {
        match dst = calc.@CLIENT_CLASS@ { grant () }
        match dst = calc.Server { grant () }
        match dst = calc.Logger { grant () }
    }
}

request {
    match dst = kl.core.Core {
        match src = Einit { grant () }
        match src = calc.@CLIENT_CLASS@ { grant () }
    }
    match dst = calc.Server {
        match src = calc.@CLIENT_CLASS@ { grant () }
    }
    match dst = calc.Logger { grant () }
    match dst = calc.Logger, endpoint = log, method = LogSequence {
        deny (size (message.values) > 7)
    }
    match dst = kl.core.DCM { grant () }
    match dst = logrr.Server { grant () }
}

request dst = calc.Server endpoint = sum.adder method = SumRequest {
    deny ( (message.request.repeats) > 1)
}

response { grant () }

error { grant() }

use tests._
`,
  // 5, 7: a split file with its own bindings, selector on the head plus a nested match; 2: nk.basic
  'einit/src/dynld.psl': `use nk.basic._
use EDL kl.bc.BlobContainer

execute src = Einit {
    match dst = kl.bc.BlobContainer { grant () }
}
request {
    match dst = kl.bc.BlobContainer { grant () }
}
`,
  'einit/src/tests.psl': `assert "constructs decide" {
    setup {
        core <- execute dst = kl.core.Core
        einit <- execute src = core dst = Einit
        client <- execute src = einit dst = calc.Client
        server <- execute src = einit dst = calc.Server
        logger <- execute src = einit dst = calc.Logger
    }
    sequence "8, 14: one repeat is fine, two are not" {
        grant request src = client dst = server endpoint = sum.adder method = SumRequest
            { request : { a : 1, b : -2, repeats : 1 } }
        grant response src = server dst = client endpoint = sum.adder method = SumRequest { result : { sum : -1 } }
        deny request src = client dst = server endpoint = sum.adder method = SumRequest
            { request : { a : 1, b : 2, repeats : 2 } }
        grant error src = server dst = client endpoint = sum.adder method = SumRequest { rc : -5 }
    }
    sequence "19, 20: both instances and both endpoints of a component" {
        grant request src = client dst = server endpoint = mul.adder method = Reset
        grant request src = client dst = server endpoint = sum.spare method = Reset
    }
    sequence "9, 10, 13: anyone may log, at most seven values" {
        grant request src = server dst = logger endpoint = log method = LogSequence { values : [1, 2, 3, 4, 5, 6, 7] }
        deny request src = server dst = logger endpoint = log method = LogSequence { values : [1, 2, 3, 4, 5, 6, 7, 8] }
        grant request src = client dst = logger endpoint = log method = LogText { line : "x", urgent : true, key : { handle : client, rights : 3 } }
    }
    sequence "6, 8: only the client calls the server; the logger starts nothing" {
        deny request src = logger dst = server endpoint = sum.adder method = Reset
        deny execute src = logger dst = calc.Client
    }
    sequence "4: system programs from the SDK fragments" {
        dcm <- execute src = einit dst = kl.core.DCM
        grant request src = client dst = dcm endpoint = dcm method = Subscribe { service : "calc" }
        grant response src = dcm dst = client endpoint = dcm method = Subscribe { channel : { handle : 7, rights : 1 } }
        logrr <- execute src = einit dst = logrr.Server
        grant request src = server dst = logrr endpoint = log method = Write { level : 3, line : "started" }
        vfs <- execute src = einit dst = kl.VfsSdCardFs
        deny request src = client dst = vfs endpoint = vfs method = Close { fd : 1 }
        em <- execute src = einit dst = execution_manager.ExecMgrEntity
        deny request src = client dst = em endpoint = exec method = Stop { id : 1 }
    }
}
`,
  // 18: task class + endpoints; 19: two instances of one component
  'resources/xdl/calc/Client.edl': '// a client only\ntask class calc.Client\n',
  'resources/xdl/calc/Server.edl': `task class calc.Server

components {
    sum : calc.AdderUnit
    mul : calc.AdderUnit
}
`,
  'resources/xdl/calc/Logger.edl': 'task class calc.Logger\n\nendpoints {\n    log : calc.SequenceLogging\n}\n',
  // 20: a component with the same interface twice
  'resources/xdl/calc/AdderUnit.cdl':
    'component calc.AdderUnit\n\nendpoints {\n    adder : calc.Summation\n    spare : calc.Summation\n}\n',
  // 21, 22
  'resources/xdl/calc/Summation.idl': `package calc.Summation

struct Request {
    SInt32 a;
    SInt32 b;
    UInt8 repeats;
}

union Result {
    SInt64 sum;
    SInt32 overflow;
}

typedef SInt32 Retcode;

interface {
    SumRequest(in Request request, out Result result, error Retcode rc);
    Reset();
}
`,
  'resources/xdl/calc/SequenceLogging.idl': `package calc.SequenceLogging

import kl.core.Types

const UInt32 MaxSequenceLength = 8;
const UInt16 MaxMessageSize = 0x40;

typedef sequence<UInt32, MaxSequenceLength> Values;
typedef string<128> Line;
typedef sequence<SInt8, MaxMessageSize> Raw;

interface {
    LogSequence(in Values values);
    LogText(in Line line, in Boolean urgent, in Handle key);
    LogRaw(in Raw raw, in string<256> note);
}
`,
  'resources/xdl/kl/bc/BlobContainer.edl': 'task class kl.bc.BlobContainer\nendpoints { blob : kl.bc.Blob }\n',
  'resources/xdl/kl/bc/Blob.idl':
    'package kl.bc.Blob\ninterface { Get(in string<64> name, out sequence<UInt8, 64> data); }\n',
  'cordon.yaml': `placeholders:
  CLIENT_CLASS: Client
macros:
  INIT_ClientA_ENTITY_CONNECTIONS: |
    connections:
    - target: kl.core.DCM
      id: dcm
  INIT_ServerC_ENTITY_CONNECTIONS: |
    connections:
    - target: logrr.Server
      id: log
  INIT_ServerC_ENTITY_ENV: |
    env:
      VFS_FILESYSTEM_BACKEND: client:kl.VfsSdCardFs
  INIT_EXTERNAL_ENTITIES: |
    - name: kl.core.DCM
    - name: kl.VfsSdCardFs
    - name: logrr.Server
variables:
  USE_DYNLD: true
`,
};

describe('section 7 constructs, end to end', () => {
  const dir = write(join(scratch, 'calc'), FILES);

  for (const [board, bsp] of [
    ['rpi4b', true],
    ['qemu-x86_64', false],
  ] as const) {
    it(`parse, load, compile and decide (board ${board})`, () => {
      const s = loadKosSolution(dir, { board: getBoard(board) });
      // 5, 16: the conditional split file and the board branch
      assert.ok(s.tables.classByName.has('kl.bc.BlobContainer'), 'dynld.psl is included when USE_DYNLD is set');
      assert.equal(s.tables.classByName.has('kl.drivers.BSP'), bsp);
      // 4: every system-program fragment brought its class
      for (const c of ['kl.core.DCM', 'kl.VfsSdCardFs', 'logrr.Server', 'execution_manager.ExecMgrEntity'])
        assert.ok(s.tables.classByName.has(c), c);
      // 19, 20: flattened endpoints, RIIDs in declaration order
      const server = s.tables.classes[s.tables.classByName.get('calc.Server')!]!;
      assert.deepEqual(
        server.endpoints.map((e) => `${e.riid}:${e.name}`),
        ['0:sum.adder', '1:sum.spare', '2:mul.adder', '3:mul.spare'],
      );
      // 23, 24, 25: processes, task names, args, env, macros
      assert.deepEqual(
        s.decl.processes.map((p) => `${p.name}:${p.taskClass}`),
        [
          'calc.ClientA:calc.Client',
          'calc.ServerC:calc.Server',
          'calc.Logger:calc.Logger',
          'kl.core.DCM:kl.core.DCM',
          'kl.VfsSdCardFs:kl.VfsSdCardFs',
          'logrr.Server:logrr.Server',
        ],
      );
      const client = s.init.processes[0]!;
      assert.equal(client.path, 'Client');
      assert.deepEqual(client.args, ['--mode', 'fast']);
      assert.deepEqual(client.env, { LANG: 'C', RETRIES: '3' });
      assert.deepEqual(s.init.processes[1]!.env, { VFS_FILESYSTEM_BACKEND: 'client:kl.VfsSdCardFs' });
      assert.deepEqual(
        s.decl.connections.map((c) => `${c.client}->${c.server}:${c.id}`),
        [
          'calc.ClientA->calc.ServerC:summer',
          'calc.ClientA->calc.Logger:LOGGER_ID',
          'calc.ClientA->kl.core.DCM:dcm',
          'calc.ServerC->logrr.Server:log',
        ],
      );
      assert.equal(s.init.connections[1]!.idInclude, 'calc/ids.h');
      assert.deepEqual(s.warnings, [], 'every macro had a value');
      // decide: the PAL tests run through the monitor
      const r = runPalTests(s.tables, s.policy, s.tests);
      assert.equal(r.failed, 0, formatPalResults(r).join('\n'));
      assert.equal(r.tests.length, 5);
      // and Einit may start every process, the SDK's too
      const boot = bootWith(s.tables, createMonitor(s.tables, s.policy), getBoard(board).toMachine());
      assert.deepEqual(boot.denied, []);
      assert.equal(boot.connections.length, 4);
    });
  }

  it('without USE_DYNLD the split file is left out', () => {
    const s = loadKosSolution(dir, { variables: { USE_DYNLD: false } });
    assert.equal(s.tables.classByName.has('kl.bc.BlobContainer'), false);
  });

  it('macros the build leaves empty are noted at the macro', () => {
    const bare = write(join(scratch, 'bare'), { ...FILES, 'cordon.yaml': 'placeholders: { CLIENT_CLASS: Client }\n' });
    const s = loadKosSolution(bare);
    assert.deepEqual(
      s.warnings.map((w) => w.slice(w.indexOf('init.yaml.in'))),
      [
        'init.yaml.in:17:3: macro @INIT_ClientA_ENTITY_CONNECTIONS+@ is empty in this build (the CMake files give ClientA no EXTRA_CONNECTIONS; Cordon does not infer the system programs a program links with)',
        'init.yaml.in:21:3: macro @INIT_ServerC_ENTITY_CONNECTIONS@ is empty in this build (the CMake files give ServerC no EXTRA_CONNECTIONS; Cordon does not infer the system programs a program links with)',
        'init.yaml.in:22:3: macro @INIT_ServerC_ENTITY_ENV@ is empty in this build (the CMake files give ServerC no EXTRA_ENV; Cordon does not infer the system programs a program links with)',
        'init.yaml.in:26:1: macro @INIT_EXTERNAL_ENTITIES@ is empty in this build (no connection target is an SDK program outside init.yaml)',
      ],
    );
    assert.equal(s.decl.processes.length, 3);
  });
});

describe('unsupported constructs are named with their place', () => {
  const unsupported = (files: Record<string, string>, re: RegExp) => {
    const d = write(mkdtempSync(join(scratch, 'u-')), { ...FILES, ...files });
    assert.throws(
      () => {
        const s = loadKosSolution(d);
        runPalTests(s.tables, s.policy, s.tests);
      },
      (e: unknown) => e instanceof ParseError && e.kind === 'unsupported' && re.test(e.message),
      `expected ${re}`,
    );
  };
  it('in the policy (an operator, a model): the solution loads and lists them as not modelled', () => {
    const d = write(mkdtempSync(join(scratch, 'n-')), {
      ...FILES,
      'einit/src/tests.psl':
        'request dst = calc.Server { assert (message.a % 2 == 0) }\npolicy object clock : Era { config = "x" }\n',
    });
    const s = loadKosSolution(d);
    assert.equal(s.notModelled.length, 2);
    assert.match(s.notModelled[1]!, /^unsupported construct modulo operator % .* at .*tests\.psl:1:47$/);
    assert.match(s.notModelled[0]!, /^unsupported construct .*Era.* at .*tests\.psl:2:1$/);
  });

  it('in a PAL message and selector (the runner): the solution loads, those tests are skipped with the construct and its place', () => {
    for (const [text, re] of [
      [
        'assert { sequence { c <- execute src = kl.core.Core dst = calc.Client\n request src = c dst = c method = Reset { n : 1 + 1 } } }\n',
        /^unsupported construct binary expression in a PAL message .* at .*tests\.psl:2:47$/,
      ],
      [
        'assert { sequence { request component = sum method = Reset } }\n',
        /^unsupported construct selector component= in a PAL test case .* at .*tests\.psl:1:29$/,
      ],
    ] as const) {
      const s = loadKosSolution(write(mkdtempSync(join(scratch, 'u-')), { ...FILES, 'einit/src/tests.psl': text }));
      assert.ok(
        s.notModelled.some((m) => re.test(m)),
        `${re} in ${s.notModelled.join('; ')}`,
      );
      const r = runPalTests(s.tables, s.policy, s.tests);
      const t = r.tests.find((x) => x.status === 'skipped');
      assert.ok(t !== undefined && re.test(t.notModelled ?? ''), `a skipped test naming ${re}`);
    }
  });

  it('in a task class (the loader)', () => {
    unsupported(
      {
        'resources/xdl/calc/Audit.idl': 'package calc.Audit\ninterface { Check(in UInt8 level); }\n',
        'resources/xdl/calc/Server.edl':
          'task class calc.Server\nsecurity calc.Audit\ncomponents { sum : calc.AdderUnit }\n',
        'resources/xdl/calc/AdderUnit.cdl':
          'component calc.AdderUnit\nsecurity calc.Audit\nendpoints { adder : calc.Summation }\n',
      },
      /^unsupported construct a second security interface in task class calc\.Server .* at .*AdderUnit\.cdl:2:1$/,
    );
  });
});
