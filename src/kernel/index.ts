export * from './types.ts';
export { step } from './step.ts';
export { boot, bootWith, type BootResult } from './boot.ts';
export {
  compileSolution,
  type SolutionDecl,
  type SolutionTables,
  type Result,
  type InterfaceDecl,
  type TaskClassDecl,
  type MethodDecl,
} from './tables.ts';
export type { Machine } from './machine.ts';
export { KERNEL_ENDPOINTS, KERNEL_INTERFACES, KERNEL_CLASS, EINIT_CLASS, SECURITY_RIID, Nat } from './kernel-api.ts';
