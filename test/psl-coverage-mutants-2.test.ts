/**
 * More exact tests of policy coverage (src/policy/compile/coverage.ts), for
 * the Stryker survivors of the first run with
 * test/psl-coverage-mutants.test.ts (issue 11, part 4). Each test states
 * the requirement it protects.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileWithCoverage, coverageReport } from '../src/policy/compile/coverage.ts';
import { HEAD, loadText, TABLES } from './psl-compile-helpers.ts';

const FLOW_OBJ = `use nk.flow._
policy object fsm : Flow {
    type State = "a" | "b"
    config = { states : ["a", "b"], initial : "a", transitions : { "a" : ["b"] } }
}
`;

describe('policy coverage: conditions (coverage evidence)', () => {
  it('a rule of a stateful model can grant and deny even with a constant argument: two outcomes', () => {
    const { coverage } = compileWithCoverage(
      loadText(`${HEAD}${FLOW_OBJ}request {\n  fsm.init {sid : 1}\n  assert (true)\n}\n`),
      TABLES,
    );
    assert.deepEqual(
      coverage.conditions.map((c) => `${c.loc.line} ${c.label} ${c.outcomes.join('/')}`),
      ['9 fsm.init granted/denied'],
    );
  });

  it('each file of the report lists its own conditions only', () => {
    const { coverage } = compileWithCoverage(
      loadText(`${HEAD}use zz.extra._\nrequest { deny (message.n == 1) }\n`, {
        'zz/extra.psl': 'error { match src = Einit { grant () } }\n',
      }),
      TABLES,
    );
    const r = coverageReport(coverage, 'sol');
    assert.deepEqual(
      r.files.map((f) => [f.file, f.conditions.map((k) => k.label), f.total.total]),
      [
        ['security.psl', ['deny'], 4],
        ['zz/extra.psl', ['match src=Einit'], 5],
      ],
    );
  });
});
