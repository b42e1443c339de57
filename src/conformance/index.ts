// The TLA+ specification's side of Cordon in TypeScript: the models of
// spec/ (catalog, files in models/), running them through the TLC bridge,
// and the conformance of the TS kernel with the spec both ways (trace
// validation, reachable sets and transitions), counterexamples mapped back
// to TS events and replayed, solution models, the inductive-invariant check
// and distributed TLC.

export { CATALOG, Ping, PingLive, Duo, Services, Gateway, Broker, swarm } from './catalog.ts';
export { compileModel, renderModel, modelConstants, alphabetEvents, modelMachine, ALL_INVARIANTS } from './model.ts';
export type { ModelDef, Alphabet, CompiledModel, ModelFiles, RenderOptions } from './model.ts';
export { runModels, runModel, writeModels, writeCounterexamples, modelFiles, committedModel, COUNTEREXAMPLES_DIR } from './models.ts';
export type { ModelResult } from './models.ts';
export { explore, withinBounds } from './explorer.ts';
export type { ExploreResult, ExploreOptions, Edge } from './explorer.ts';
export { projector, stateKey, StateKeyer, SPEC_VARIABLES, ProjectionError } from './projection.ts';
export type { SpecState, SpecVariable } from './projection.ts';
export { compareReachable, compareTransitions, printState } from './reachable.ts';
export type { SetComparison, TransitionComparison } from './reachable.ts';
export { TraceWorld, TRACE_WEIGHTS, generateTraces, recordTrace, validateTraces, traceStats, arbTrace } from './traces.ts';
export type { RecordedTrace, TraceValidation, TraceStats } from './traces.ts';
export { mapTrace, traceOf, printCounterexample, replayFile, writeReplayFile, readReplayFile, replay, CounterexampleMappingError, ReplayFileC } from './counterexample.ts';
export type { MappedTrace, MappedStep, ReplayFile, ReplayOutcome, SolutionReference } from './counterexample.ts';
export { eventRecord, describeKernelEvent, serviceName } from './events.ts';
export { checkSolution, solutionModelDef, solutionModelFiles, witness } from './solution-model.ts';
export type { SolutionCheckResult, SolutionModelOptions, SolutionProperty, OneWayProperty } from './solution-model.ts';
export { checkInductive, proofFiles, ProofPing } from './proof.ts';
export type { InductiveResult, ProofDomainOptions } from './proof.ts';
export { compareDistributed, runScaleDistributed, runScaleSingle, scaleFiles, SCALE_LARGE, SCALE_SMALL } from './scale.ts';
export type { DistributedComparison, RunFigures } from './scale.ts';
export { Diode, DiodeLeaky, DIODE, DIODE_RULES, LEAKY_DIODE_RULES, diodeTables, modelByName, REGISTRY } from './examples.ts';
export { runStaged, runStagedDistributed, stageModel, describeResult, SPEC_DIR, MODELS_DIR, PROOFS_DIR } from './run.ts';
