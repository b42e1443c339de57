/**
 * Mic — Mandatory Integrity Control (`nk/mic.psl`): integrity levels for
 * subjects (processes, the kernel, resource providers) and resources, and
 * checks of the data flows between them.
 *
 * ```psl
 * policy object integ  : Mic { config = ["LOW", "MEDIUM", "HIGH"] }                        // linear
 * policy object integ2 : Mic { config = { degrees : ["low", "high"], categories : ["net", "log"] } }  // lattice
 * ```
 *
 * Levels are pairs (categories ⊆ C, degree ∈ D), ordered by
 * `(c1, d1) ≤ (c2, d2)` iff `c1 ⊆ c2` and `d1 ≤ d2`; other pairs are
 * incomparable. A level is written as a text (a degree without categories)
 * or `{degree : <Text | ()>, categories : <List<Text> | ()>}` where a `()`
 * (or missing) degree is the lowest and `()` (or missing) categories are
 * none. Each subject also has `levelR`, the lowest level it may receive
 * data from.
 *
 * | method | kind | granted when (all SIDs must have levels, else denied) |
 * |--------|------|--------------------------------------------------------|
 * | `execute {image, target, level, levelR}` | rule | target has no level yet; `level : ()` takes the image's level; `image : ()` needs an explicit level; level ≤ image's; `levelR : ()` = level; levelR ≤ level |
 * | `create {source, target, container, driver, level}` | rule | target has no level yet; `level : ()` = source's level (Cordon's choice); level ≤ source, driver and container (`container : ()` is the root: no bound) |
 * | `delete {source, target, container, driver}` | rule | target ≤ source and target ≤ driver; removes the target's level |
 * | `upgrade {source, target, container, driver, level}` | rule | current < level (strictly above); level ≤ source, driver, container; current ≤ source |
 * | `downgrade {source, target, container, driver, level}` | rule | **Cordon's extension** (not in the KasperskyOS documentation we have): lower a level — level < current (strictly below); current ≤ source and current ≤ driver; a subject's levelR is lowered to the new level when it would be above it |
 * | `call {source, target}` | rule | flow target → source: source ≤ target, or levelR(source) ≤ target |
 * | `invoke {source, target}` | rule | flow source → target: target ≤ source |
 * | `read {source, target}` | rule | source ≤ target, or levelR(source) ≤ target |
 * | `write {source, target}` | rule | target ≤ source |
 * | `query_level {source}` | expression | the level: a text when it has no categories, else `{degree, categories}` |
 *
 * A resource (made by `create`) has no levelR: for `call`/`read` with a
 * resource as source only `source ≤ target` counts. `...` in level types is
 * rejected by the parser (its meaning is not documented).
 */
import * as t from 'io-ts';
import { TextList, strictRecord } from './codecs.ts';
import { defineModel, emptyBySid, denied, granted, listOf, mapDelete, mapSet, record, sidOf, textOf, type RuleMethod, type RuleResult } from './model.ts';
import { fail, isRecord, show, type Value } from './value.ts';

const Config = t.union([TextList, strictRecord({ degrees: TextList, categories: TextList }, 'MicLattice')]);

interface MicObject {
  readonly degrees: readonly string[];
  readonly categories: readonly string[];
}
export interface Level {
  readonly degree: number;
  /** bit i set = category i */
  readonly categories: number;
}
export interface MicContext {
  readonly level: Level;
  /** null for resources */
  readonly levelR: Level | null;
}
export type MicState = ReadonlyMap<number, MicContext>;

export const leq = (a: Level, b: Level): boolean => a.degree <= b.degree && (a.categories & ~b.categories) === 0;
const same = (a: Level, b: Level) => a.degree === b.degree && a.categories === b.categories;

function showLevel(o: MicObject, l: Level): string {
  const cats = o.categories.filter((_, i) => (l.categories & (1 << i)) !== 0);
  return o.categories.length === 0 ? o.degrees[l.degree]! : `{${cats.join(', ')}}/${o.degrees[l.degree]!}`;
}

function degreeOf(o: MicObject, v: Value, what: string): number {
  if (v === null) return 0;
  const name = textOf(v, what);
  const d = o.degrees.indexOf(name);
  if (d < 0) return fail(`${what}: ${JSON.stringify(name)} is not a degree (${o.degrees.join(', ')})`);
  return d;
}

/** A level as written in a rule argument; `()` gives `null`. */
function levelOf(o: MicObject, v: Value, what: string): Level | null {
  if (v === null) return null;
  if (typeof v === 'string') return { degree: degreeOf(o, v, what), categories: 0 };
  if (!isRecord(v)) return fail(`${what} must be a level (a text or {degree, categories}), not ${show(v)}`);
  const extra = Object.keys(v).filter((k) => k !== 'degree' && k !== 'categories');
  if (extra.length > 0) return fail(`${what}: unknown field ${extra.join(', ')} in a level`);
  const degree = degreeOf(o, Object.hasOwn(v, 'degree') ? v.degree! : null, `${what}.degree`);
  let categories = 0;
  const cv = Object.hasOwn(v, 'categories') ? v.categories! : null;
  if (cv !== null) {
    for (const c of listOf(cv, `${what}.categories`)) {
      const i = o.categories.indexOf(textOf(c, `${what}.categories`));
      if (i < 0) return fail(`${what}: ${show(c)} is not a category (${o.categories.join(', ') || 'none declared'})`);
      categories |= 1 << i;
    }
  }
  return { degree, categories };
}

function contextOf(s: MicState, v: Value, what: string): [number, MicContext] {
  const sid = sidOf(v, what);
  const c = s.get(sid);
  if (c === undefined) return fail(`${what} (sid ${sid}) has no integrity level`);
  return [sid, c];
}

/** `container : ()` is the root resource (no bound); otherwise its level. */
function containerLevel(s: MicState, v: Value): Level | null {
  return v === null ? null : contextOf(s, v, 'container')[1].level;
}

function flowRule(name: string, doc: string, ok: (source: MicContext, target: MicContext) => boolean, explain: string): RuleMethod<MicObject, MicState> {
  return {
    kind: 'rule',
    doc,
    params: ['source', 'target'],
    apply: (o, s, arg): RuleResult<MicState> => {
      const r = record(arg, name, ['source', 'target']);
      const [, source] = contextOf(s, r.source!, 'source');
      const [, target] = contextOf(s, r.target!, 'target');
      return ok(source, target) ? granted(s) : denied(`${name}: ${explain} (source ${showLevel(o, source.level)}, target ${showLevel(o, target.level)})`);
    },
  };
}

const receives = (source: MicContext, target: MicContext) => leq(source.level, target.level) || (source.levelR !== null && leq(source.levelR, target.level));
const sends = (source: MicContext, target: MicContext) => leq(target.level, source.level);

export const Mic = defineModel<t.TypeOf<typeof Config>, MicObject, MicState>({
  name: 'Mic',
  description: 'mandatory integrity control: levels of subjects and resources, and the flows between them',
  modules: ['nk.mic'],
  config: Config,
  types: { required: [], optional: [] },
  audit: { auditable: true },
  prepare: ({ config }) => {
    const { degrees, categories } = Array.isArray(config) ? { degrees: config as readonly string[], categories: [] as readonly string[] } : (config as MicObject);
    if (degrees.length === 0) return { ok: false, error: 'a Mic needs at least one degree' };
    if (new Set(degrees).size !== degrees.length) return { ok: false, error: 'a degree is listed twice' };
    if (new Set(categories).size !== categories.length) return { ok: false, error: 'a category is listed twice' };
    if (categories.length > 30) return { ok: false, error: 'Cordon supports at most 30 Mic categories' };
    return { ok: true, object: { degrees, categories } };
  },
  initial: () => emptyBySid(),
  methods: {
    execute: {
      kind: 'rule',
      doc: 'execute {image, target, level, levelR} — give a started subject its level and levelR',
      params: ['image', 'target', 'level', 'levelR'],
      apply: (o, s, arg) => {
        const r = record(arg, 'execute', ['image', 'target', 'level', 'levelR']);
        const target = sidOf(r.target!, 'target');
        if (s.has(target)) return denied(`target (sid ${target}) already has an integrity level`);
        const image = r.image === null ? null : contextOf(s, r.image!, 'image')[1].level;
        const asked = levelOf(o, r.level!, 'level');
        if (asked === null && image === null) return fail('execute: level () needs an image with a level');
        const level = asked ?? image!;
        if (image !== null && !leq(level, image)) return denied(`execute: level ${showLevel(o, level)} is not at or below the image's ${showLevel(o, image)}`);
        const levelR = levelOf(o, r.levelR!, 'levelR') ?? level;
        if (!leq(levelR, level)) return denied(`execute: levelR ${showLevel(o, levelR)} is not at or below level ${showLevel(o, level)}`);
        return granted(mapSet(s, target, Object.freeze({ level, levelR })));
      },
    },
    create: {
      kind: 'rule',
      doc: 'create {source, target, container, driver, level} — give a new resource its level',
      params: ['source', 'target', 'container', 'driver', 'level'],
      apply: (o, s, arg) => {
        const r = record(arg, 'create', ['source', 'target', 'container', 'driver', 'level']);
        const [, source] = contextOf(s, r.source!, 'source');
        const [, driver] = contextOf(s, r.driver!, 'driver');
        const container = containerLevel(s, r.container!);
        const target = sidOf(r.target!, 'target');
        if (s.has(target)) return denied(`target (sid ${target}) already has an integrity level`);
        const level = levelOf(o, r.level!, 'level') ?? source.level;
        for (const [name, bound] of [['source', source.level], ['driver', driver.level], ['container', container]] as const)
          if (bound !== null && !leq(level, bound)) return denied(`create: level ${showLevel(o, level)} is not at or below the ${name}'s ${showLevel(o, bound)}`);
        return granted(mapSet(s, target, Object.freeze({ level, levelR: null })));
      },
    },
    delete: {
      kind: 'rule',
      doc: 'delete {source, target, container, driver} — remove a resource\'s level',
      params: ['source', 'target', 'container', 'driver'],
      apply: (o, s, arg) => {
        const r = record(arg, 'delete', ['source', 'target', 'container', 'driver']);
        const [, source] = contextOf(s, r.source!, 'source');
        const [sid, target] = contextOf(s, r.target!, 'target');
        const [, driver] = contextOf(s, r.driver!, 'driver');
        containerLevel(s, r.container!);
        if (!leq(target.level, source.level)) return denied(`delete: target ${showLevel(o, target.level)} is not at or below the source's ${showLevel(o, source.level)}`);
        if (!leq(target.level, driver.level)) return denied(`delete: target ${showLevel(o, target.level)} is not at or below the driver's ${showLevel(o, driver.level)}`);
        return granted(mapDelete(s, sid));
      },
    },
    upgrade: {
      kind: 'rule',
      doc: 'upgrade {source, target, container, driver, level} — raise a level',
      params: ['source', 'target', 'container', 'driver', 'level'],
      apply: (o, s, arg) => {
        const r = record(arg, 'upgrade', ['source', 'target', 'container', 'driver', 'level']);
        const [, source] = contextOf(s, r.source!, 'source');
        const [sid, target] = contextOf(s, r.target!, 'target');
        const [, driver] = contextOf(s, r.driver!, 'driver');
        const container = containerLevel(s, r.container!);
        const level = levelOf(o, r.level!, 'level') ?? fail('upgrade: level () is not a level');
        if (!leq(target.level, level) || same(target.level, level)) return denied(`upgrade: ${showLevel(o, level)} is not above the current ${showLevel(o, target.level)}`);
        for (const [name, bound] of [['source', source.level], ['driver', driver.level], ['container', container]] as const)
          if (bound !== null && !leq(level, bound)) return denied(`upgrade: level ${showLevel(o, level)} is not at or below the ${name}'s ${showLevel(o, bound)}`);
        if (!leq(target.level, source.level)) return denied(`upgrade: target ${showLevel(o, target.level)} is not at or below the source's ${showLevel(o, source.level)}`);
        return granted(mapSet(s, sid, Object.freeze({ level, levelR: target.levelR })));
      },
    },
    downgrade: {
      kind: 'rule',
      doc: 'downgrade {source, target, container, driver, level} — lower a level (Cordon\'s extension)',
      params: ['source', 'target', 'container', 'driver', 'level'],
      apply: (o, s, arg) => {
        const r = record(arg, 'downgrade', ['source', 'target', 'container', 'driver', 'level']);
        const [, source] = contextOf(s, r.source!, 'source');
        const [sid, target] = contextOf(s, r.target!, 'target');
        const [, driver] = contextOf(s, r.driver!, 'driver');
        containerLevel(s, r.container!);
        const level = levelOf(o, r.level!, 'level') ?? fail('downgrade: level () is not a level');
        if (!leq(level, target.level) || same(target.level, level)) return denied(`downgrade: ${showLevel(o, level)} is not below the current ${showLevel(o, target.level)}`);
        if (!leq(target.level, source.level)) return denied(`downgrade: target ${showLevel(o, target.level)} is not at or below the source's ${showLevel(o, source.level)}`);
        if (!leq(target.level, driver.level)) return denied(`downgrade: target ${showLevel(o, target.level)} is not at or below the driver's ${showLevel(o, driver.level)}`);
        const levelR = target.levelR === null ? null : leq(target.levelR, level) ? target.levelR : level;
        return granted(mapSet(s, sid, Object.freeze({ level, levelR })));
      },
    },
    call: flowRule('call', 'call {source, target} — source calls target and receives its data', receives, 'source is not at or below target, nor is its levelR'),
    invoke: flowRule('invoke', 'invoke {source, target} — source sends data to target', sends, 'target is not at or below source'),
    read: flowRule('read', 'read {source, target} — source reads resource target', receives, 'source is not at or below target, nor is its levelR'),
    write: flowRule('write', 'write {source, target} — source writes resource target', sends, 'target is not at or below source'),
    query_level: {
      kind: 'expression',
      doc: 'query_level {source} — the level of a subject or resource',
      params: ['source'],
      evaluate: (o, s, arg) => {
        const [, c] = contextOf(s, record(arg, 'query_level', ['source']).source!, 'source');
        const degree = o.degrees[c.level.degree]!;
        if (c.level.categories === 0) return degree;
        return Object.freeze({ categories: Object.freeze(o.categories.filter((_, i) => (c.level.categories & (1 << i)) !== 0)), degree });
      },
      label: (o, label) => {
        if (typeof label !== 'string' || !o.degrees.includes(label)) return `${show(label)} is not a degree of this Mic (${o.degrees.join(', ')})`;
        return (v) => v === label;
      },
    },
  },
});
