/**
 * Parsing one PSL file into its syntax tree.
 */
import { asSource, type SourceInput } from '../../syntax/source.ts';
import type { PslFile } from './ast.ts';
import { PSL_ERROR_HOOKS, pslGrammar } from './grammar.ts';

/**
 * Parses a PSL file (after templating, if it had templates).
 *
 * @throws ParseError with the original file, line and column on any syntax
 *   error or unsupported construct.
 */
export function parsePsl(input: SourceInput): PslFile {
  return pslGrammar().parse({ source: asSource(input), startRule: 'PslFile', hooks: PSL_ERROR_HOOKS }) as PslFile;
}
