/** Security model classes: the SDK's, Cordon's own, and the interface to add more. */
export * from './model.ts';
export * from './value.ts';
export { typePredicate, integerRange, textLiterals, expandAlias, INTEGER_TYPE_NAMES, TypeError_, type TypeAliases, type TypeCheck } from './types.ts';
export { Int, Positive, strictRecord, strictPartialRecord, TextList } from './codecs.ts';
export { BUILTIN_MODELS, UNSUPPORTED_MODELS, withModels, type ModelRegistry } from './registry.ts';
export { Base } from './base.ts';
export { Pred, Bool, MathModel, Struct } from './basic.ts';
export { Regex } from './regex.ts';
export { HashSet, type HashSetState, type HashSetTable } from './hashset.ts';
export { StaticMap, type StaticMapState, type StaticMapTable } from './staticmap.ts';
export { Flow, type FlowState } from './flow.ts';
export { Mic, leq as micLeq, type Level as MicLevel, type MicContext, type MicState } from './mic.ts';
export { TypeEnforcement, type TeState } from './te.ts';
export { Rbac, type RbacState } from './rbac.ts';
