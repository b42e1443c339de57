// The oracles of the default-deny property: what the policy says of an event,
// computed independently of the compiled policy the kernel asks (the Cedar
// way: engine against model). For the intermediate rule form, a direct
// reading of the rules (RuleOracle, written independently of the compiled
// table in src/monitor/rules.ts); for PSL, the reference interpreter
// (src/policy/compile/interpret.ts) behind the same decision point
// (InterpreterOracle). The property compares every monitor decision with it.

import type { AllowRule, RulePolicy } from '../monitor/rules.ts';
import { ruleId } from '../monitor/rules.ts';
import {
  rulesKey,
  type CompiledPolicy,
  type Decision,
  type MonitorState,
  type SecurityEvent,
} from '../monitor/types.ts';
import { createMonitor, type Monitor } from '../monitor/monitor.ts';
import { describeEvent } from '../monitor/audit.ts';
import type { SolutionTables } from '../kernel/tables.ts';

/** What the default-deny property asks of an oracle. */
export interface DecisionOracle {
  /**
   * Judges one decision the kernel recorded, on the oracle's own state: null
   * when the oracle decides the event the same way (its grant is then taken
   * in), otherwise how they differ.
   */
  judge(event: SecurityEvent, decision: Decision): string | null;
  /** a disagreement before the checks began (on Einit's starts at boot), or null */
  readonly broken: string | null;
}

type Recorded = readonly { readonly event: SecurityEvent; readonly decision: Decision }[];

/**
 * The reference interpreter of a PSL policy as the oracle: run behind the
 * decision point's own message check (createMonitor, so an undeclared method
 * or a malformed message is denied on both sides before any rule), on the
 * same events as the kernel's monitor and on the interpreter's own monitor
 * states (its state advances on its own grants). Every kernel grant must be
 * an interpreter grant by the same rule, and every interpreter grant a
 * kernel grant.
 */
export class InterpreterOracle implements DecisionOracle {
  private readonly monitor: Monitor;
  private state: MonitorState;
  broken: string | null = null;

  constructor(
    private readonly tables: SolutionTables,
    interpreter: CompiledPolicy,
  ) {
    this.monitor = createMonitor(tables, interpreter);
    this.state = this.monitor.initial;
  }

  judge(event: SecurityEvent, decision: Decision): string | null {
    const want = this.monitor.decide(this.state, event);
    const what = describeEvent(this.tables, event);
    if (want.verdict !== decision.verdict)
      return `${what}: the monitor said ${decision.verdict} (${rulesKey(decision)}) but the reference interpreter says ${want.verdict} (${rulesKey(want)}${want.reason === undefined ? '' : `: ${want.reason}`})`;
    if (want.verdict === 'grant') {
      if (rulesKey(want) !== rulesKey(decision))
        return `${what}: granted by ${rulesKey(decision)}, but the reference interpreter grants it by ${rulesKey(want)}`;
      this.state = want.next;
    }
    return null;
  }

  /** Takes in the decisions already made before the checks begin (Einit's starts at boot), judging each. */
  prime(decisions: Recorded): this {
    for (const d of decisions) {
      const why = this.judge(d.event, d.decision);
      if (why !== null && this.broken === null) this.broken = `at boot: ${why}`;
    }
    return this;
  }
}

export interface OracleVerdict {
  readonly grant: boolean;
  /** the rule that grants (first in order with budget left), if any */
  readonly rule: string | null;
  readonly why: string;
}

export class RuleOracle implements DecisionOracle {
  private readonly used: number[];
  readonly broken = null;
  constructor(
    private readonly tables: SolutionTables,
    private readonly policy: RulePolicy,
  ) {
    this.used = policy.rules.map(() => 0);
  }

  /** Is the message well formed for the method it names? (The monitor must deny it before any rule otherwise.) */
  structural(e: SecurityEvent): boolean {
    if (e.kind === 'execute') return true;
    const iface = this.tables.interfaces[e.iface];
    const m = iface?.methods[e.mid];
    if (m === undefined) return false;
    const codec = e.kind === 'response' ? m.response : e.kind === 'error' ? m.error : m.request;
    return codec.is(e.message);
  }

  matches(r: AllowRule, e: SecurityEvent): boolean {
    const t = this.tables;
    return (
      r.kind === e.kind &&
      (r.src === undefined || r.src === t.classes[e.srcClass]?.name) &&
      (r.dst === undefined || r.dst === t.classes[e.dstClass]?.name) &&
      (r.endpoint === undefined || r.endpoint === t.endpointNames[e.endpoint]) &&
      (r.method === undefined || r.method === t.methodNames[e.method])
    );
  }

  /** What the policy says of this event, given the grants committed so far. */
  expect(e: SecurityEvent): OracleVerdict {
    if (!this.structural(e))
      return { grant: false, rule: null, why: 'the message does not match its method declaration' };
    for (let i = 0; i < this.policy.rules.length; i++) {
      const r = this.policy.rules[i]!;
      if (!this.matches(r, e)) continue;
      if (r.limit !== undefined && this.used[i]! >= r.limit) continue;
      return { grant: true, rule: ruleId(r, i), why: `${ruleId(r, i)} allows it` };
    }
    return { grant: false, rule: null, why: 'no rule allows it' };
  }

  /** Takes in the decisions already committed before the checks begin (Einit's starts at boot). */
  prime(decisions: readonly { readonly decision: Pick<Decision, 'verdict' | 'rules'> }[]): this {
    for (const d of decisions) if (d.decision.verdict === 'grant') this.commit(rulesKey(d.decision));
    return this;
  }

  judge(event: SecurityEvent, decision: Decision): string | null {
    const want = this.expect(event);
    const what = describeEvent(this.tables, event);
    if (want.grant !== (decision.verdict === 'grant'))
      return `${what}: the monitor said ${decision.verdict} (${rulesKey(decision)}) but the rules say ${want.grant ? 'grant' : 'deny'}: ${want.why}`;
    if (want.grant) {
      if (rulesKey(decision) !== want.rule)
        return `${what}: granted by ${rulesKey(decision)}, but the first rule that applies is ${want.rule}`;
      this.commit(rulesKey(decision));
    }
    return null;
  }

  /** Records a committed grant (limited rules spend one). */
  commit(rule: string): void {
    const i = this.policy.rules.findIndex((r, k) => ruleId(r, k) === rule);
    if (i >= 0) this.used[i]! += 1;
  }
}
