// A direct reading of the intermediate policy form, written independently of
// the compiled table in src/monitor/rules.ts: does any rule grant this event?
// The default-deny property compares every monitor decision against it.

import type { AllowRule, RulePolicy } from '../monitor/rules.ts';
import { ruleId } from '../monitor/rules.ts';
import type { SecurityEvent } from '../monitor/types.ts';
import type { SolutionTables } from '../kernel/solution.ts';

export interface OracleVerdict {
  readonly grant: boolean;
  /** the rule that grants (first in order with budget left), if any */
  readonly rule: string | null;
  readonly why: string;
}

export class RuleOracle {
  private readonly used: number[];
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
    if (!this.structural(e)) return { grant: false, rule: null, why: 'the message does not match its method declaration' };
    for (let i = 0; i < this.policy.rules.length; i++) {
      const r = this.policy.rules[i]!;
      if (!this.matches(r, e)) continue;
      if (r.limit !== undefined && this.used[i]! >= r.limit) continue;
      return { grant: true, rule: ruleId(r, i), why: `${ruleId(r, i)} allows it` };
    }
    return { grant: false, rule: null, why: 'no rule allows it' };
  }

  /** Takes in the decisions already committed before the checks begin (Einit's starts at boot). */
  prime(decisions: readonly { readonly decision: { readonly verdict: string; readonly rule: string } }[]): this {
    for (const d of decisions) if (d.decision.verdict === 'grant') this.commit(d.decision.rule);
    return this;
  }

  /** Records a committed grant (limited rules spend one). */
  commit(rule: string): void {
    const i = this.policy.rules.findIndex((r, k) => ruleId(r, k) === rule);
    if (i >= 0) this.used[i]! += 1;
  }
}
