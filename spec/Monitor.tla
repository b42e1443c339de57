------------------------------- MODULE Monitor -------------------------------
(***************************************************************************)
(* The decision point (src/monitor/monitor.ts with the rule policy of      *)
(* src/monitor/rules.ts): a pure operator over a policy constant.  The     *)
(* kernel asks `Decide(monitor, event)`; the monitor never touches kernel   *)
(* state, and the kernel keeps the monitor's next state only on grant.     *)
(*                                                                         *)
(* The policy is a finite allow relation over event kind x source class x  *)
(* destination class x endpoint x method (the compiled table of            *)
(* compileRules), plus limited rules: a rule with a `limit` grants at most *)
(* that many times, and the monitor state counts its grants (one slot per  *)
(* limited rule, in rule order: the frozen count array of rules.ts).       *)
(***************************************************************************)
EXTENDS Integers, Sequences, FiniteSets

CONSTANTS
    \* AllowRule[] of rules.ts, names interned to the ids of SolutionTables:
    \* [kind, src, dst, endpoint, method, limit]; src/dst are class ids,
    \* endpoint/method interned name ids, `Absent` where the TS rule leaves
    \* the field out (= any), limit = NoLimit where the TS rule has none.
    Rules,
    \* the value of a rule field the TS rule leaves out
    Absent

NoLimit == -1

\* Decision.rule for the two kinds of deny (grants carry the rule's index):
\* 'structure' (an undeclared method or a malformed message) and 'default-deny'.
RuleStructure == -1
RuleDefaultDeny == 0

LimitedRules == {i \in DOMAIN Rules : Rules[i].limit # NoLimit}

\* The state slot of a limited rule: its position among the limited rules.
Slot(i) == Cardinality({j \in LimitedRules : j <= i})

\* compileRules' `initial`: a zero count per limited rule (null in TS when there is none: <<>> here).
MonitorInit == [k \in 1 .. Cardinality(LimitedRules) |-> 0]

\* A rule names this event (a field the rule leaves out matches anything, -1 included).
Matches(r, ev) ==
    /\ r.kind = ev.kind
    /\ r.src = Absent \/ r.src = ev.srcClass
    /\ r.dst = Absent \/ r.dst = ev.dstClass
    /\ r.endpoint = Absent \/ r.endpoint = ev.endpoint
    /\ r.method = Absent \/ r.method = ev.method

HasBudget(m, i) == Rules[i].limit = NoLimit \/ m[Slot(i)] < Rules[i].limit

\* The rules that would grant the event in monitor state m.
Granting(m, ev) == {i \in DOMAIN Rules : Matches(Rules[i], ev) /\ HasBudget(m, i)}

(***************************************************************************)
(* Monitor.decide: first the structural check (every event but execute     *)
(* must name a declared method, and its message must match the method's    *)
(* declaration: `ev.wf`), then the policy: the first rule, in order, that  *)
(* matches and has budget left grants; a limited grant counts.  No rule,   *)
(* no grant.                                                               *)
(***************************************************************************)
Decide(m, ev) ==
    IF ev.kind # "execute" /\ ~ev.wf
    THEN [verdict |-> "deny", rule |-> RuleStructure, next |-> m]
    ELSE LET G == Granting(m, ev) IN
         IF G = {}
         THEN [verdict |-> "deny", rule |-> RuleDefaultDeny, next |-> m]
         ELSE LET i == CHOOSE j \in G : \A k \in G : j <= k IN
              [verdict |-> "grant", rule |-> i,
               next |-> IF i \in LimitedRules THEN [m EXCEPT ![Slot(i)] = @ + 1] ELSE m]
=============================================================================
