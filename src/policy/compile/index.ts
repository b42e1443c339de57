/** The PSL compiler, its reference interpreter, and the checks they share. */
export { compilePsl, compileChecked, type CompiledPsl, type CompileStats } from './compile.ts';
export { interpretPsl, interpretEvent } from './interpret.ts';
export { compilePslFile, type PslFileOptions } from './load.ts';
export {
  checkPolicy,
  constantValue,
  auditsRule,
  type CheckedPolicy,
  type ObjectInfo,
  type ResolvedCall,
  type PslCompileOptions,
  type PslState,
  type PslAudit,
  type AuditProfile,
  type AuditObjectConfig,
} from './check.ts';
export { DEFAULT_DENY_RULE, DEFAULT_DENY_REASON, type CompiledPslPolicy } from './runtime.ts';
