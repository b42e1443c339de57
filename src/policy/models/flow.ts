/**
 * Flow (`nk/flow.psl`): a finite-state machine per resource (SID). All the
 * machines of one object share its configuration.
 *
 * ```psl
 * policy object door_fsm : Flow {
 *     type State = "closed" | "open" | "locked"
 *     config = { states      : ["closed", "open", "locked"]
 *              , initial     : "closed"
 *              , transitions : { "closed" : ["open", "locked"], "open" : ["closed"], "locked" : ["closed"] } }
 * }
 * ```
 *
 * | method                 | kind               | semantics                                   | denied / fails when |
 * |------------------------|--------------------|---------------------------------------------|---------------------|
 * | `init {sid}`           | rule               | a machine in `initial` for sid              | sid has one; bad sid |
 * | `fini {sid}`           | rule               | destroy the machine of sid                  | none; bad sid       |
 * | `enter {sid, state}`   | rule               | move to `state` if `current → state` is in `transitions` | not listed (also for the current state without a self-loop); none; bad sid |
 * | `allow {sid, states}`  | rule               | granted iff the current state is in `states` | not in it; none; bad sid |
 * | `query {sid}`          | expression → State | the current state (for `choice`)            | none; bad sid       |
 *
 * `type State` must list exactly the configured states; states missing from
 * `transitions` have no way out. Audit key: `omit : [<state>, …]`.
 */
import * as t from 'io-ts';
import { TextList, strictRecord } from './codecs.ts';
import { defineModel, emptyBySid, denied, granted, listOf, mapDelete, mapSet, record, sidOf, textOf, type RuleResult } from './model.ts';
import { textLiterals } from './types.ts';
import { fail, show, type Value } from './value.ts';

const Config = strictRecord({ states: TextList, initial: t.string, transitions: t.record(t.string, TextList) }, 'FlowConfig');

interface FlowObject {
  readonly states: ReadonlySet<string>;
  readonly initial: string;
  readonly transitions: ReadonlyMap<string, ReadonlySet<string>>;
}
export type FlowState = ReadonlyMap<number, string>;

function current(s: FlowState, sid: number): string {
  return s.get(sid) ?? fail(`sid ${sid} has no state machine`);
}

function stateOf(o: FlowObject, v: Value, what: string): string {
  const name = textOf(v, what);
  if (!o.states.has(name)) return fail(`${JSON.stringify(name)} is not a state (states: ${[...o.states].join(', ')})`);
  return name;
}

function init(o: FlowObject, s: FlowState, sidV: Value): RuleResult<FlowState> {
  const sid = sidOf(sidV);
  return s.has(sid) ? denied(`sid ${sid} already has a state machine`) : granted(mapSet(s, sid, o.initial));
}

function fini(s: FlowState, sidV: Value): RuleResult<FlowState> {
  const sid = sidOf(sidV);
  return s.has(sid) ? granted(mapDelete(s, sid)) : denied(`sid ${sid} has no state machine`);
}

function enter(o: FlowObject, s: FlowState, sidV: Value, stateV: Value): RuleResult<FlowState> {
  const sid = sidOf(sidV);
  const to = stateOf(o, stateV, 'enter: state');
  const from = current(s, sid);
  if (!(o.transitions.get(from)?.has(to) ?? false)) return denied(`transition ${from} → ${to} is not permitted`);
  return from === to ? granted(s) : granted(mapSet(s, sid, to));
}

function allow(o: FlowObject, s: FlowState, sidV: Value, statesV: Value): RuleResult<FlowState> {
  const sid = sidOf(sidV);
  const states = listOf(statesV, 'allow: states').map((x) => stateOf(o, x, 'allow: states'));
  const now = current(s, sid);
  return states.includes(now) ? granted(s) : denied(`state ${now} is not one of ${states.join(', ') || 'no state'}`);
}

export const Flow = defineModel<t.TypeOf<typeof Config>, FlowObject, FlowState>({
  name: 'Flow',
  description: 'per-resource finite-state machines (init, fini, enter, allow, query)',
  modules: ['nk.flow'],
  config: Config,
  types: { required: ['State'], optional: [] },
  audit: {
    auditable: true,
    options: {
      omit: (o, v) =>
        Array.isArray(v) && v.every((x) => typeof x === 'string' && o.states.has(x)) ? null : `omit must be a list of states of the object, not ${show(v)}`,
    },
  },
  prepare: ({ config, types, aliases }) => {
    const declared = textLiterals(types.get('State')!, aliases);
    if (declared === null) return { ok: false, error: 'type State of a Flow must be a variant of text literals ("a" | "b" | …)' };
    const states = new Set(config.states);
    if (states.size !== config.states.length) return { ok: false, error: 'config.states lists a state twice' };
    const declaredSet = new Set(declared);
    if (declaredSet.size !== states.size || [...states].some((x) => !declaredSet.has(x)))
      return { ok: false, error: `config.states [${config.states.join(', ')}] must be the members of type State [${declared.join(', ')}]` };
    if (!states.has(config.initial)) return { ok: false, error: `config.initial ${JSON.stringify(config.initial)} is not a state` };
    const transitions = new Map<string, ReadonlySet<string>>();
    for (const [from, tos] of Object.entries(config.transitions)) {
      if (!states.has(from)) return { ok: false, error: `config.transitions: ${JSON.stringify(from)} is not a state` };
      const bad = tos.find((x) => !states.has(x));
      if (bad !== undefined) return { ok: false, error: `config.transitions: ${JSON.stringify(from)} → ${JSON.stringify(bad)}: not a state` };
      transitions.set(from, new Set(tos));
    }
    return { ok: true, object: { states, initial: config.initial, transitions } };
  },
  initial: () => emptyBySid(),
  methods: {
    init: {
      kind: 'rule',
      doc: 'init {sid} — a machine in the initial state for sid',
      params: ['sid'],
      apply: (o, s, arg) => init(o, s, record(arg, 'init', ['sid']).sid!),
      applyFields: (o, s, f) => init(o, s, f[0]!),
    },
    fini: {
      kind: 'rule',
      doc: 'fini {sid} — destroy the machine of sid',
      params: ['sid'],
      apply: (_o, s, arg) => fini(s, record(arg, 'fini', ['sid']).sid!),
      applyFields: (_o, s, f) => fini(s, f[0]!),
    },
    enter: {
      kind: 'rule',
      doc: 'enter {sid, state} — move to state if the transition is listed',
      params: ['sid', 'state'],
      apply: (o, s, arg) => {
        const r = record(arg, 'enter', ['sid', 'state']);
        return enter(o, s, r.sid!, r.state!);
      },
      applyFields: (o, s, f) => enter(o, s, f[0]!, f[1]!),
    },
    allow: {
      kind: 'rule',
      doc: 'allow {sid, states} — granted iff the current state is one of states',
      params: ['sid', 'states'],
      apply: (o, s, arg) => {
        const r = record(arg, 'allow', ['sid', 'states']);
        return allow(o, s, r.sid!, r.states!);
      },
      applyFields: (o, s, f) => allow(o, s, f[0]!, f[1]!),
    },
    query: {
      kind: 'expression',
      doc: 'query {sid} — the current state of sid',
      params: ['sid'],
      evaluate: (_o, s, arg) => current(s, sidOf(record(arg, 'query', ['sid']).sid!)),
      evaluateFields: (_o, s, f) => current(s, sidOf(f[0]!)),
      label: (o, label) => {
        if (typeof label !== 'string' || !o.states.has(label)) return `${show(label)} is not a state of this Flow (states: ${[...o.states].join(', ')})`;
        return (v) => v === label;
      },
    },
  },
});
