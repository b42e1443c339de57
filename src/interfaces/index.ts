/** Formal specifications (IDL, CDL, EDL) and init.yaml: parsers and loaders. */
export type * from './ast.ts';
export type * from './types.ts';
export { INTEGER_TYPES, integerRange } from './types.ts';
export { parseCdl, parseEdl, parseIdl } from './parser.ts';
export {
  FormalSpecLoader,
  resolveTaskClasses,
  type FormalSpecOptions,
  type FormalSpecs,
  type TaskClassRequest,
} from './resolve.ts';
export {
  loadInitYaml,
  type InitConnection,
  type InitDescription,
  type InitProcess,
  type InitYamlOptions,
} from './init-yaml.ts';
