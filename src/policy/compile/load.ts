/**
 * Loading and compiling in one call: the top PSL file (with its `use`
 * modules, CMake placeholders and board template variables, as
 * `loadPolicy` reads them) compiled against a solution's tables.
 */
import type { SolutionTables } from '../../kernel/tables.ts';
import { loadPolicy, type PolicyLoadOptions } from '../psl/resolve.ts';
import { compilePsl, type CompiledPsl } from './compile.ts';
import type { PslCompileOptions } from './check.ts';

export interface PslFileOptions extends PolicyLoadOptions, PslCompileOptions {}

/**
 * @throws ParseError on any syntax, template, inclusion or compile error,
 *   with the file, line and column of the construct.
 */
export function compilePslFile(topFile: string, tables: SolutionTables, options: PslFileOptions): CompiledPsl {
  return compilePsl(loadPolicy(topFile, options), tables, options);
}
