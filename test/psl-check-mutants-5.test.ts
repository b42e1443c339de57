/**
 * More exact tests of the PSL checker's audit data (src/policy/compile/check.ts),
 * for Stryker survivors predicted in its binding checks (issue 11, part 4).
 * Each test states the requirement it protects.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkPolicy } from '../src/policy/compile/index.ts';
import { HEAD, loadText, TABLES } from './psl-compile-helpers.ts';

describe('check: a rule Cordon cannot model is audited like any other (audit)', () => {
  it('its profile is the innermost audit around it, its object base', () => {
    const text = `${HEAD}audit profile p = {}\naudit profile q = {}\naudit default = p 0\nrequest { audit q\n  assert (message.n / 2 == 1)\n  choice (message.n % 2) { _ : grant () }\n}\nresponse { assert (message.n / 2 == 1) }\n`;
    const checked = checkPolicy(loadText(text), TABLES);
    assert.equal(checked.unmodelled.size, 3);
    assert.deepEqual(Object.fromEntries(checked.audit.ruleProfiles), {
      'security.psl:7:3': 'q',
      'security.psl:8:3': 'q',
      'security.psl:10:12': 'p',
    });
    assert.deepEqual(Object.fromEntries(checked.audit.ruleObjects), {
      'security.psl:7:3': 'base',
      'security.psl:8:3': 'base',
      'security.psl:10:12': 'base',
    });
  });
});
