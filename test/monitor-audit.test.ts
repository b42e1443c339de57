// Complete mediation is only auditable if every decision can be read back
// (requirements `complete-mediation` and `default-deny`): the monitor's audit
// log names the event between which SIDs and task classes, on which endpoint
// and method, the verdict and the rules that decided; a denial no rule made
// (default deny) is always logged. These kill the Stryker survivors of
// src/monitor/audit.ts.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as t from 'io-ts';
import { compileSolution, type SolutionTables } from '../src/kernel/tables.ts';
import { auditMark, auditRecord, describeDecision, describeEvent, policyAudit } from '../src/monitor/audit.ts';
import { DEFAULT_DENY_RULES, type Decision, type SecurityEvent } from '../src/monitor/types.ts';
import type { AuditObjectConfig, PslAudit } from '../src/policy/compile/check.ts';

const cfg = (...kss: ('granted' | 'denied')[]): ReadonlyMap<string, AuditObjectConfig> =>
  new Map([['base', { kss, options: {} }]]);

function tables(): SolutionTables {
  const r = compileSolution({
    name: 'a',
    interfaces: [
      { name: 'a.I', methods: [{ name: 'Get', request: t.unknown, response: t.unknown, error: t.unknown }] },
    ],
    classes: [
      { name: 'Client', endpoints: [] },
      { name: 'Server', endpoints: [{ name: 'svc', interface: 'a.I' }] },
    ],
    processes: [],
    connections: [],
  });
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.value;
}
const T = tables();
const C = T.classByName.get('Client')!;
const S = T.classByName.get('Server')!;
const request: SecurityEvent = {
  kind: 'request',
  src: 2,
  srcClass: C,
  dst: 3,
  dstClass: S,
  endpoint: T.endpointNames.indexOf('svc'),
  method: T.methodNames.indexOf('Get'),
  iface: -1,
  riid: 0,
  mid: 0,
  message: { n: 1 },
  transfers: [],
};
const execute: SecurityEvent = {
  ...request,
  kind: 'execute',
  src: 1,
  srcClass: 1,
  endpoint: -1,
  method: -1,
  riid: -1,
  mid: -1,
  message: null,
};

test('complete-mediation: an event in the audit log names its kind, both parties (class and SID), endpoint and method', () => {
  assert.equal(describeEvent(T, request), 'request src=Client(sid 2) dst=Server(sid 3) endpoint=svc method=Get');
  assert.equal(describeEvent(T, execute), 'execute src=Einit(sid 1) dst=Server(sid 3)');
  // ids the tables do not know are shown as numbers, not dropped
  assert.equal(
    describeEvent(T, { ...request, srcClass: 99, endpoint: -1, method: -1, riid: 7, mid: 4 }),
    'request src=class#99(sid 2) dst=Server(sid 3) endpoint=riid 7 method=mid 4',
  );
  assert.equal(
    describeEvent(T, { ...request, kind: 'security', endpoint: 0 }),
    `security src=Client(sid 2) dst=Server(sid 3) endpoint=${T.endpointNames[0]} method=Get`,
  );
  // method id 0 is a method (the kernel's first), not "no method"
  assert.equal(
    describeEvent(T, { ...request, method: 0, mid: 9 }),
    `request src=Client(sid 2) dst=Server(sid 3) endpoint=svc method=${T.methodNames[0]}`,
  );
});

test('complete-mediation: a decision in words gives the verdict, the event, the rules and the reason when there is one', () => {
  const grant: Decision = { verdict: 'grant', rules: [{ id: 'r1' }, { id: 'r2' }], next: null };
  assert.equal(
    describeDecision(T, request, grant),
    'GRANT request src=Client(sid 2) dst=Server(sid 3) endpoint=svc method=Get by r1; r2',
  );
  const deny: Decision = {
    verdict: 'deny',
    rules: DEFAULT_DENY_RULES,
    reason: 'no rule grants this event',
    next: null,
  };
  assert.equal(
    describeDecision(T, execute, deny),
    'DENY execute src=Einit(sid 1) dst=Server(sid 3) by default-deny: no rule grants this event',
  );
});

const audit: PslAudit = {
  defaultProfile: 'quiet',
  defaultLevel: 1,
  profiles: new Map([
    [
      'loud',
      {
        name: 'loud',
        loc: null,
        levels: new Map([
          [1, cfg('granted', 'denied')],
          [2, cfg()],
        ]),
      },
    ],
    [
      'quiet',
      {
        name: 'quiet',
        loc: null,
        levels: new Map([[1, cfg('denied')]]),
      },
    ],
  ]),
  ruleProfiles: new Map([
    ['p:1:1', 'quiet'],
    ['p:2:1', 'loud'],
  ]),
  ruleObjects: new Map([
    ['p:1:1', 'base'],
    ['p:2:1', 'base'],
  ]),
};

test('default-deny: a denial no PSL rule made is always logged, under the default profile', () => {
  const deny: Decision = {
    verdict: 'deny',
    rules: DEFAULT_DENY_RULES,
    reason: 'no rule grants this event',
    next: null,
  };
  assert.deepEqual(auditMark(audit, deny), { profile: 'quiet', level: 1, logged: true });
  assert.deepEqual(auditMark(audit, deny, 5), { profile: 'quiet', level: 5, logged: true });
  const grant: Decision = { verdict: 'grant', rules: [{ id: 'unknown-rule' }], next: null };
  assert.deepEqual(auditMark(audit, grant), { profile: 'quiet', level: 1, logged: false });
});

test('complete-mediation: a PSL decision is logged under the profile of the first deciding rule its profile logs', () => {
  const both: Decision = { verdict: 'grant', rules: [{ id: 'p:1:1' }, { id: 'p:2:1' }], next: null };
  // quiet does not log grants, loud does at level 1: loud is named and the grant is logged
  assert.deepEqual(auditMark(audit, both), { profile: 'loud', level: 1, logged: true });
  // at level 2 loud logs nothing: the first known rule's profile is named, not logged
  assert.deepEqual(auditMark(audit, both, 2), { profile: 'quiet', level: 2, logged: false });
  const denied: Decision = { verdict: 'deny', rules: [{ id: 'p:1:1' }], reason: 'r', next: null };
  assert.deepEqual(auditMark(audit, denied), { profile: 'quiet', level: 1, logged: true });
  const loudDeny: Decision = { verdict: 'deny', rules: [{ id: 'x' }, { id: 'p:2:1' }], reason: 'r', next: null };
  assert.deepEqual(auditMark(audit, loudDeny, 2), { profile: 'loud', level: 2, logged: false });
});

test('complete-mediation: an audit record carries step, event, verdict, rules, the reason and the audit profile when there are', () => {
  const grant: Decision = { verdict: 'grant', rules: [{ id: 'p:2:1' }], next: null };
  assert.deepEqual(auditRecord(T, 4, request, grant), {
    step: 4,
    event: 'request src=Client(sid 2) dst=Server(sid 3) endpoint=svc method=Get message={"n":1}',
    verdict: 'grant',
    rules: [{ id: 'p:2:1' }],
  });
  const deny: Decision = {
    verdict: 'deny',
    rules: DEFAULT_DENY_RULES,
    reason: 'no rule grants this event',
    next: null,
  };
  const r = auditRecord(T, 0, execute, deny, audit);
  assert.deepEqual(r, {
    step: 0,
    event: 'execute src=Einit(sid 1) dst=Server(sid 3)',
    verdict: 'deny',
    rules: DEFAULT_DENY_RULES,
    reason: 'no rule grants this event',
    audit: { profile: 'quiet', level: 1 },
  });
  assert.deepEqual(auditRecord(T, 1, request, grant, audit, 2).audit, { profile: 'loud', level: 2 });
  assert.equal('reason' in auditRecord(T, 1, request, grant, audit), false);
});

test('complete-mediation: only a policy with audit data (a PSL policy) has an audit profile', () => {
  assert.equal(policyAudit({ name: 'rules', initial: null, decide: () => null }), null);
  assert.equal(policyAudit(null), null);
  assert.equal(policyAudit(undefined), null);
  assert.equal(policyAudit({ audit: null }), null);
  assert.equal(policyAudit({ audit: 'loud' }), null);
  assert.equal(policyAudit({ audit: { profiles: new Map() } }), null);
  assert.equal(policyAudit({ audit: { ruleProfiles: new Map() } }), null);
  assert.equal(policyAudit({ audit }), audit);
});
