/**
 * The registry of security model classes the PSL compiler knows: a map from
 * the name written in `policy object x : <Name>` to the class. The default
 * registry holds the ten models of the KasperskyOS SDK that Cordon
 * implements and Cordon's own TypeEnforcement and Rbac; `withModels` adds
 * more (see README.md, "Adding a model").
 */
import { Base } from './base.ts';
import { Bool, MathModel, Pred, Struct } from './basic.ts';
import { Flow } from './flow.ts';
import { HashSet } from './hashset.ts';
import { Mic } from './mic.ts';
import type { Model } from './model.ts';
import { Rbac } from './rbac.ts';
import { Regex } from './regex.ts';
import { StaticMap } from './staticmap.ts';
import { TypeEnforcement } from './te.ts';

export type ModelRegistry = ReadonlyMap<string, Model>;

/**
 * The order matters for calls without an object name: such a call goes to
 * the first default object (in this order) whose model has that method —
 * `grant ()` to `base`, `size (…)` to `struct`.
 */
export const BUILTIN_MODELS: ModelRegistry = new Map(
  [Base, Pred, Bool, MathModel, Struct, Regex, HashSet, StaticMap, Flow, Mic, TypeEnforcement, Rbac].map((m) => [m.name, m] as const),
);

/** Models that are known but deliberately not implemented (a policy object of one is an unsupported construct). */
export const UNSUPPORTED_MODELS: ReadonlyMap<string, string> = new Map([['Era', 'the Era model (legacy Starter Kit only, not part of KasperskyOS CE)']]);

/**
 * A registry with further models. A name already taken is an error (replace
 * a built-in model by building your own map instead).
 */
export function withModels(base: ModelRegistry, ...models: readonly Model[]): ModelRegistry {
  const out = new Map(base);
  for (const m of models) {
    if (out.has(m.name)) throw new Error(`a security model named ${m.name} is already registered`);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(m.name)) throw new Error(`a security model name must be an identifier, not ${JSON.stringify(m.name)}`);
    for (const [name, method] of Object.entries(m.methods))
      if (method.kind !== 'rule' && method.kind !== 'expression') throw new Error(`${m.name}.${name}: a method is a rule or an expression`);
    out.set(m.name, m);
  }
  return out;
}
