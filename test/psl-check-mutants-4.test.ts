/**
 * More exact tests of the PSL checker (src/policy/compile/check.ts), for
 * the Stryker survivors of the first range runs (issue 11, part 4). Each
 * test states the requirement it protects.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HEAD, refusal } from './psl-compile-helpers.ts';

describe('check: dictionary keys (typed interfaces)', () => {
  it('an integer key and the text of the same digits are one key: given twice, refused', () => {
    const e = refusal(`${HEAD}request { assert ({ 1 : true, "1" : false } == message) }\n`);
    assert.equal(e.kind, 'duplicate');
    assert.equal(e.message, 'sol/security.psl:3:31: field 1 is given twice');
  });
});
