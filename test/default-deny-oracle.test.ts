// Default deny in `cordon verify` is differential: for a PSL solution the
// monitor's decisions are checked against the reference interpreter on its
// own monitor states (src/properties/oracle.ts), so a compiled-policy bug
// fails the check; a policy with no oracle is skipped with the reason, not
// passed.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { loadSolution } from '../src/solution/load.ts';
import { kernelProperties, type PropertyTarget } from '../src/verify/suites.ts';
import type { CompiledPolicy } from '../src/monitor/types.ts';
import { getBoard } from '../boards/index.ts';

const ping = loadSolution(join(import.meta.dirname, '..', 'examples', 'ping'));
const machine = getBoard('qemu-x86_64').toMachine();
const opts = { seed: 11, runs: 60, steps: 40, replay: (s: number, p: string) => `seed ${s} path ${p}` };

/** The compiled policy with one planted bug: it grants the client's requests to the kernel, which the policy (and its interpreter) deny. */
function planted(policy: CompiledPolicy): CompiledPolicy {
  const client = ping.tables.classByName.get('ping.Client')!;
  return {
    ...policy,
    decide(state, event) {
      const d = policy.decide(state, event);
      return d.verdict === 'deny' && event.kind === 'request' && event.srcClass === client && event.dstClass === 0
        ? { verdict: 'grant', rules: [{ id: 'planted' }], next: state }
        : d;
    },
  };
}

const defaultDenyOf = (target: PropertyTarget) =>
  kernelProperties(target, opts).find((c) => c.id === 'kernel.default-deny')!;

test('a PSL solution: kernel.default-deny has the reference interpreter as its oracle and passes', () => {
  assert.equal(ping.rules, null);
  assert.notEqual(ping.oracle, null);
  const c = defaultDenyOf({ tables: ping.tables, policy: ping.policy, rules: null, oracle: ping.oracle, machine });
  assert.equal(c.status, 'pass', c.counterexample);
});

test('a planted compiled-policy bug (a grant the interpreter does not give) fails kernel.default-deny', () => {
  const c = defaultDenyOf({
    tables: ping.tables,
    policy: planted(ping.policy),
    rules: null,
    oracle: ping.oracle,
    machine,
  });
  assert.equal(c.status, 'fail');
  assert.match(
    c.counterexample!,
    /src=ping\.Client\(sid \d\) dst=kl\.core\.Core\(sid 0\).*: the monitor said grant \(planted\) but the reference interpreter says deny \(default-deny/,
  );
});

test('a policy with no oracle: kernel.default-deny is skipped with the reason, never passed', () => {
  const c = defaultDenyOf({ tables: ping.tables, policy: ping.policy, rules: null, oracle: null, machine });
  assert.equal(c.status, 'skipped');
  assert.match((c.details as { reason: string }).reason, /neither a rule form nor a reference interpreter/);
});

test("a failing property's shrunk counterexample is drawn: the run's Call/Recv/Reply as arrows, the planted grant as a note", () => {
  const diagrams = new Map<string, string>();
  const c = kernelProperties(
    { tables: ping.tables, policy: planted(ping.policy), rules: null, oracle: ping.oracle, machine },
    { ...opts, onDiagram: (id, text) => diagrams.set(id, text) },
  ).find((x) => x.id === 'kernel.default-deny')!;
  assert.equal(c.status, 'fail');
  const text = diagrams.get('kernel.default-deny')!;
  assert.ok(
    text.startsWith(`sequenceDiagram\n  title ${c.counterexample!.split('\n')[0]!.replace(/;/g, '#59;')}`),
    text,
  );
  const lines = text.split('\n');
  // the failing step is the last one printed in the counterexample; one arrow for each syscall step up to it
  const steps = c.counterexample!.split('\n').filter((l) => /^\d+\. /.test(l));
  const syscalls = steps.filter((l) => /: (Call|Recv|Reply)\(handle/.test(l)).length;
  assert.ok(syscalls >= 1);
  assert.equal(lines.filter((l) => /^ {2}P\d+(->>|-->>|-x|--x)P\d+: /.test(l)).length, syscalls);
  assert.equal(lines.filter((l) => /^ {2}Note over P\d+: \d+\. /.test(l)).length, steps.length - syscalls);
  const client = /participant (P\d+) as ping\.Client/.exec(text)![1]!;
  assert.match(text, new RegExp(`Note over ${client},P0: GRANT request \\S+ by planted`));
});
