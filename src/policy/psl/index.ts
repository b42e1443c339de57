/** PSL front end: syntax tree, parser and `use` resolver. */
export type * from './ast.ts';
export { EVENT_KINDS } from './ast.ts';
export { parsePsl } from './parser.ts';
export {
  loadPolicy,
  SDK_MODEL_MODULES,
  type PolicyLoadOptions,
  type PolicyModule,
  type ResolvedPolicy,
} from './resolve.ts';
