// Example solutions whose generated models are committed in models/ (with
// the counterexample of the faulty one as a replay file), and the registry
// that resolves a replay file's reference to its model.

import { compileSolution, type SolutionDecl, type SolutionTables } from '../kernel/tables.ts';
import type { AllowRule } from '../monitor/rules.ts';
import { CATALOG, valueInterface } from '../conformance/catalog.ts';
import type { ModelDef } from '../conformance/model.ts';
import { solutionModelDef, type SolutionModelOptions } from '../check/solution-model.ts';
import { ProofPing } from '../../proofs/inductive.ts';
import { SCALE_LARGE, SCALE_SMALL } from '../../proofs/scale.ts';

/** A data diode: a PLC on the internal side pushes data through a gateway to the cloud, never back. */
export const DIODE: SolutionDecl = {
  name: 'diode',
  interfaces: [valueInterface('diode.Push', ['Push'])],
  classes: [
    { name: 'Plc', endpoints: [] },
    { name: 'Gateway', endpoints: [{ name: 'in', interface: 'diode.Push' }] },
    { name: 'Cloud', endpoints: [{ name: 'up', interface: 'diode.Push' }] },
  ],
  processes: [
    { name: 'plc', taskClass: 'Plc' },
    { name: 'gw', taskClass: 'Gateway' },
    { name: 'cloud', taskClass: 'Cloud' },
  ],
  connections: [
    { client: 'plc', server: 'gw', id: 'in' },
    { client: 'gw', server: 'cloud', id: 'up' },
  ],
};

/** The diode's policy: the cloud's answers never reach the gateway (its calls to the cloud end with rcSecurityDisallow). */
export const DIODE_RULES: readonly AllowRule[] = [
  { id: 'Einit starts', kind: 'execute', src: 'Einit' },
  { id: 'plc pushes', kind: 'request', src: 'Plc', dst: 'Gateway', endpoint: 'in', method: 'Push' },
  { id: 'gateway acks', kind: 'response', src: 'Gateway', dst: 'Plc' },
  { id: 'gateway forwards', kind: 'request', src: 'Gateway', dst: 'Cloud', endpoint: 'up', method: 'Push' },
  { id: 'threads exit', kind: 'request', dst: 'kl.core.Core', endpoint: 'thread', method: 'Exit' },
];

/** A faulty diode policy: it lets the cloud's answers back to the gateway. */
export const LEAKY_DIODE_RULES: readonly AllowRule[] = [...DIODE_RULES, { id: 'cloud acks', kind: 'response', src: 'Cloud', dst: 'Gateway' }];

export const DIODE_PROPERTY = { kind: 'one-way', internal: ['Plc', 'Gateway'], external: ['Cloud'] } as const;

export function diodeTables(): SolutionTables {
  const c = compileSolution(DIODE);
  if (!c.ok) throw new Error(c.errors.join('; '));
  return c.value;
}

export const DIODE_OPTIONS: SolutionModelOptions = { properties: [DIODE_PROPERTY], transfers: true };

export const Diode: ModelDef = solutionModelDef(diodeTables(), { name: 'diode', rules: DIODE_RULES }, { ...DIODE_OPTIONS, name: 'Diode' });
export const DiodeLeaky: ModelDef = solutionModelDef(diodeTables(), { name: 'leaky-diode', rules: LEAKY_DIODE_RULES }, { ...DIODE_OPTIONS, name: 'DiodeLeaky' });

/** Every model a replay file may name. */
export const REGISTRY: readonly ModelDef[] = [...CATALOG, Diode, DiodeLeaky, ProofPing, SCALE_SMALL, SCALE_LARGE];

export function modelByName(name: string): ModelDef {
  const m = REGISTRY.find((d) => d.name === name);
  if (m === undefined) throw new Error(`no model named "${name}" (known: ${REGISTRY.map((d) => d.name).join(', ')})`);
  return m;
}
