// The records a step writes (src/kernel/records.ts) are made by constructors
// for the garbage collector's sake; they must stay indistinguishable from the
// literals they replace: the same keys in the same order, the same values,
// Object.prototype as prototype. Kernel states are compared with
// deepStrictEqual (purity, conformance) and serialised with JSON.stringify
// (state keys, traces, evidence bundles): a record with another prototype or
// key order would make equal states unequal.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  NO_OBJECTS,
  callState,
  channelRecord,
  decisionRecord,
  effectRecord,
  recvState,
  replyState,
  servingRecord,
  threadRecord,
} from '../src/kernel/records.ts';
import { appended } from '../src/kernel/pvec.ts';
import type { SecurityEvent } from '../src/monitor/types.ts';

/** The record is its literal: prototype, keys in order, values, serialisation. */
function isLiteral(record: object, literal: object, what: string): void {
  assert.equal(Object.getPrototypeOf(record), Object.prototype, `${what}: a plain object`);
  assert.deepEqual(Object.keys(record), Object.keys(literal), `${what}: the literal's keys in its order`);
  assert.deepStrictEqual(record, literal, `${what}: deepStrictEqual to its literal`);
  assert.equal(JSON.stringify(record), JSON.stringify(literal), `${what}: serialises as its literal`);
}

test('three-syscalls (states compare by value): threads, their serving records and blocked states are plain objects equal to their literals', () => {
  const serving = servingRecord(3, 7, 2, 1);
  isLiteral(serving, { client: 3, channel: 7, riid: 2, mid: 1 }, 'serving');
  isLiteral(callState(9), { tag: 'call', channel: 9 }, 'call state');
  isLiteral(recvState(9), { tag: 'recv', channel: 9 }, 'recv state');
  isLiteral(replyState(4), { tag: 'reply', server: 4 }, 'reply state');
  isLiteral(
    threadRecord(5, 2, 12, recvState(9), serving),
    {
      tid: 5,
      sid: 2,
      priority: 12,
      state: { tag: 'recv', channel: 9 },
      serving: { client: 3, channel: 7, riid: 2, mid: 1 },
    },
    'thread',
  );
  isLiteral(
    threadRecord(0, 1, 0, { tag: 'ready' }, null),
    { tid: 0, sid: 1, priority: 0, state: { tag: 'ready' }, serving: null },
    'ready thread',
  );
});

test('three-syscalls (states compare by value): channels are plain objects equal to their literals', () => {
  const queue = [{ client: 1, riid: 0, mid: 0, payload: { a: 1 }, handles: [2] }];
  isLiteral(
    channelRecord(0x10003, 2, queue, [4, 5]),
    { kind: 'channel', sid: 0x10003, server: 2, queue, receivers: [4, 5] },
    'channel',
  );
  isLiteral(
    channelRecord(1, 0, [], []),
    { kind: 'channel', sid: 1, server: 0, queue: [], receivers: [] },
    'empty channel',
  );
});

test('three-syscalls (states compare by value): decision and effect records are plain objects equal to their literals', () => {
  const event = { kind: 'request', src: 1, dst: 2 } as unknown as SecurityEvent;
  const decision = { verdict: 'deny', reason: 'no rule' } as never;
  isLiteral(decisionRecord(event, decision), { event, decision }, 'decision');
  isLiteral(
    effectRecord('service', event, [[1, 2]], [[1, 3]]),
    { kind: 'service', event, transfers: [[1, 2]], created: [[1, 3]] },
    'effect',
  );
  isLiteral(
    effectRecord('execute', event, NO_OBJECTS, NO_OBJECTS),
    { kind: 'execute', event, transfers: [], created: [] },
    'effect without objects',
  );
  assert.equal(
    Object.isFrozen(NO_OBJECTS),
    true,
    'the shared empty list cannot be written through one effect into all',
  );
  assert.equal(NO_OBJECTS.length, 0);
});

test('three-syscalls (states compare by value): a list with one more element is the concat it replaces, and the old list stays', () => {
  for (const xs of [[], [3], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17]]) {
    const before = Object.freeze([...xs]);
    const out = appended(before, 99);
    assert.notEqual(out, before, 'a new array');
    assert.deepStrictEqual(out, before.concat(99), `[${xs.length} + 1]: deepStrictEqual to the concat`);
    assert.equal(JSON.stringify(out), JSON.stringify(before.concat(99)), 'serialises as the concat');
    assert.equal(out.length, xs.length + 1);
    assert.deepEqual(before, xs, 'the input list is unchanged');
  }
  const q = [{ client: 1 }];
  assert.equal(appended(q, { client: 2 })[0], q[0], 'the entries are shared, not copied');
});
