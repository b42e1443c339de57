// Spec <-> code conformance: the catalog of kernel models of spec/, their
// compilation to TLC constants, the projection of TS kernel states onto the
// spec's variables, the TS explorer, and the comparisons both ways (trace
// validation, reachable sets and transitions). The `cordon check` product
// (solution models, counterexamples) is in src/check; the models/ registry
// and writer in src/models; the inductive-invariant and scale runners in
// proofs/.

export { CATALOG, Ping, PingLive, Duo, Services, Devices, DEVICES_PARTS, Gateway, Broker, swarm } from './catalog.ts';
export {
  compileModel,
  renderModel,
  modelConstants,
  alphabetEvents,
  modelMachine,
  ALL_INVARIANTS,
  ACTION_PROPERTIES,
} from './model.ts';
export type { ModelDef, Alphabet, CompiledModel, ModelFiles, RenderOptions } from './model.ts';
export { explore, withinBounds } from './explorer.ts';
export type { ExploreResult, ExploreOptions, Edge } from './explorer.ts';
export { projector, stateKey, StateKeyer, SPEC_VARIABLES, ProjectionError } from './projection.ts';
export type { SpecState, SpecVariable } from './projection.ts';
export { compareReachable, compareTransitions, printState } from './reachable.ts';
export type { SetComparison, TransitionComparison } from './reachable.ts';
export {
  TraceWorld,
  TRACE_WEIGHTS,
  generateTraces,
  recordTrace,
  walkTraces,
  validateTraces,
  traceStats,
  arbTrace,
} from './traces.ts';
export type { RecordedTrace, TraceValidation, TraceStats } from './traces.ts';
export { eventRecord, describeKernelEvent, serviceName, dmaPage } from './events.ts';
export {
  runStaged,
  runStagedDistributed,
  stageModel,
  describeResult,
  SPEC_DIR,
  MODELS_DIR,
  PROOFS_DIR,
} from './run.ts';
