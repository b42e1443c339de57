/**
 * Abstract syntax of PAL, the Policy Assertion Language: policy tests
 * written inside PSL files as `assert` blocks.
 */
import type { Loc } from '../../syntax/source.ts';
import type { EventKind, RecordExpr, Selector } from '../psl/ast.ts';

/** What a test case expects the security module to decide; `any` ignores the decision. */
export type PalExpectation = 'grant' | 'deny' | 'any';

/**
 * One test case:
 * `[<sid> <-] [grant|deny|any] ["name"] <event> <selectors> [{ <param> : <value>, … }]`.
 * `expectation` is `null` when none is written (the runner decides the
 * default); `capture` names the variable that receives the SID of a started
 * process (`door <- execute src = init dst = demo.Door`).
 */
export interface PalTestCase {
  readonly kind: 'palCase';
  readonly expectation: PalExpectation | null;
  readonly name: string | null;
  readonly capture: string | null;
  readonly event: EventKind;
  readonly selectors: readonly Selector[];
  readonly message: RecordExpr | null;
  readonly loc: Loc;
}

/** `sequence ["name"] { … }` — one test (a scenario run in written order). */
export interface PalSequence {
  readonly name: string | null;
  readonly cases: readonly PalTestCase[];
  readonly loc: Loc;
}

/** `assert ["name"] { [setup {…}] sequence … [finally {…}] }` — a test set. */
export interface PalAssert {
  readonly kind: 'palAssert';
  readonly name: string | null;
  readonly setup: readonly PalTestCase[] | null;
  readonly sequences: readonly PalSequence[];
  readonly finally: readonly PalTestCase[] | null;
  readonly loc: Loc;
}

/** A file holding only PAL test sets (comments allowed). */
export interface PalFile {
  readonly kind: 'palFile';
  readonly file: string;
  readonly asserts: readonly PalAssert[];
}
