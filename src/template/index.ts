/**
 * Templates of solution sources and the source-text plumbing shared by all
 * parsers of the front end (locations, errors, grammar loading).
 */
export { ParseError, parseError, type ParseErrorKind, type ParseErrorInit } from '../syntax/errors.ts';
export {
  asSource,
  derivedSource,
  formatLoc,
  LineIndex,
  sourceFromText,
  type Loc,
  type Source,
  type SourceInput,
} from '../syntax/source.ts';
export { listPlaceholders, substitutePlaceholders, type PlaceholderOptions, type PlaceholderValues } from './cmake.ts';
export {
  expandBoardTemplate,
  includeFrom,
  type BoardTemplateOptions,
  type TemplateValue,
  type TemplateVariables,
} from './board.ts';

import { expandBoardTemplate, type TemplateVariables } from './board.ts';
import { substitutePlaceholders, type PlaceholderValues } from './cmake.ts';
import { asSource, type Source, type SourceInput } from '../syntax/source.ts';

export interface PreprocessOptions {
  /** CMake variables for `@NAME@` placeholders; when absent the CMake pass is skipped. */
  readonly placeholders?: PlaceholderValues;
  /** Board template variables (BOARD, USE_DYNLD, …); when absent the Jinja pass is skipped. */
  readonly board?: TemplateVariables;
}

/**
 * Runs the template passes in build order — CMake's configure_file first,
 * then the policy compiler's board preprocessor — keeping the map back to
 * the original file.
 */
export function preprocess(input: SourceInput, options: PreprocessOptions): Source {
  let source = asSource(input);
  if (options.placeholders !== undefined) source = substitutePlaceholders(source, options.placeholders);
  if (options.board !== undefined) source = expandBoardTemplate(source, options.board);
  return source;
}
