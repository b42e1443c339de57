/**
 * Parsing PAL test sets. PAL tests are usually part of a PSL file (the PSL
 * parser reads them as `palAssert` declarations); this entry point reads a
 * file holding only `assert` blocks, with the same grammar rules.
 */
import { asSource, type SourceInput } from '../../syntax/source.ts';
import { PSL_ERROR_HOOKS, pslGrammar } from '../psl/grammar.ts';
import type { PalFile } from './ast.ts';

/**
 * Parses a file of PAL `assert` blocks.
 *
 * @throws ParseError with file, line and column on any syntax error.
 */
export function parsePal(input: SourceInput): PalFile {
  return pslGrammar().parse({ source: asSource(input), startRule: 'PalFile', hooks: PSL_ERROR_HOOKS }) as PalFile;
}
