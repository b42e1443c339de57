// The driver: scripted and adversarial programs run on a board model against
// the kernel, with board properties checked per step and DMA isolation judged
// per board.

export {
  loop,
  setupThenLoop,
  compilePrograms,
  resolve,
  lookup,
  type Op,
  type Program,
  type Ref,
  type TransferSpec,
  type CompiledProgram,
  type CompiledOp,
} from './program.ts';
export {
  adversarialSyscall,
  adversaryChoices,
  arbAdversaryProgram,
  blocksItself,
  DRIVER_WEIGHTS,
  KERNEL_SERVICES,
} from './adversary.ts';
export {
  run,
  replay,
  stateDigest,
  type RunOptions,
  type RunResult,
  type RunCounts,
  type StepInfo,
  type StepRecord,
  type EventSource,
  type ReplayResult,
} from './run.ts';
export {
  checkBoardStep,
  irqToHolder,
  noPortIoOffX86,
  dmaGrantedOnly,
  monotonicClock,
  oneThreadPerCpu,
  rejectedUnchanged,
  BOARD_PROPERTIES,
  type BoardProperty,
  type Violation,
} from './board-checks.ts';
export { dmaIsolation, type DmaIsolationReport, type DmaProcessVerdict } from './dma-isolation.ts';
export {
  buildScenario,
  bootScenario,
  pingScenario,
  driverProgram,
  DRIVER_SERVICES,
  type Scenario,
  type ScenarioShape,
  type DriverKind,
} from './scenario.ts';
export { describeEvent, describeResult, kernelService } from './describe.ts';
