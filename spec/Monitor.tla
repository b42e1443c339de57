------------------------------- MODULE Monitor -------------------------------
(***************************************************************************)
(* The decision point (src/monitor/monitor.ts): a pure operator over a     *)
(* policy constant.  The kernel asks `Decide(monitor, event)`; the monitor *)
(* never touches kernel state, and the kernel keeps the monitor's next     *)
(* state only on grant.  A policy comes in one of two forms               *)
(* (src/conformance/monitor-model.ts):                                     *)
(*                                                                         *)
(* "rules": the rule policy of src/monitor/rules.ts, a finite allow        *)
(* relation over event kind x source class x destination class x endpoint *)
(* x method (the compiled table of compileRules), plus limited rules: a    *)
(* rule with a `limit` grants at most that many times, and the monitor     *)
(* state counts its grants (one slot per limited rule, in rule order: the  *)
(* frozen count array of rules.ts).                                        *)
(*                                                                         *)
(* "table": any compiled policy (PSL with its policy objects and message   *)
(* expressions), tabulated: its monitor states, reached from its initial   *)
(* state over every well-formed event of the model, are numbered 0, 1, ...*)
(* and Table[m + 1][i] is its decision in state m on TableEvents[i] (the   *)
(* verdict, the rule by its number in TableRules, the next state).  Events *)
(* carry the model's number of their payload, so a decision that reads    *)
(* the message is exact.                                                   *)
(***************************************************************************)
EXTENDS Integers, Sequences, FiniteSets

CONSTANTS
    \* AllowRule[] of rules.ts, names interned to the ids of SolutionTables:
    \* [kind, src, dst, endpoint, method, limit]; src/dst are class ids,
    \* endpoint/method interned name ids, `Absent` where the TS rule leaves
    \* the field out (= any), limit = NoLimit where the TS rule has none.
    Rules,
    \* the value of a rule field the TS rule leaves out
    Absent,
    \* "rules" or "table": which of the two forms the policy takes
    PolicyForm,
    \* the table form: the events tabulated, the decisions per state and event, the rule names
    TableEvents, Table, TableRules

ASSUME PolicyForm \in {"rules", "table"}

NoLimit == -1

\* Decision.rule for the two kinds of deny (grants carry the rule's index):
\* 'structure' (an undeclared method or a malformed message) and 'default-deny'.
RuleStructure == -1
RuleDefaultDeny == 0

LimitedRules == {i \in DOMAIN Rules : Rules[i].limit # NoLimit}

\* The state slot of a limited rule: its position among the limited rules.
Slot(i) == Cardinality({j \in LimitedRules : j <= i})

\* The initial monitor state: compileRules' `initial`, a zero count per limited rule (null in TS
\* when there is none: <<>> here); state 0 of a table.
MonitorInit == IF PolicyForm = "table" THEN 0 ELSE [k \in 1 .. Cardinality(LimitedRules) |-> 0]

\* The monitor states and the rule numbers a decision may carry.
MonitorStates == IF PolicyForm = "table" THEN 0 .. Len(Table) - 1 ELSE [DOMAIN MonitorInit -> Nat]
RuleNumbers == -1 .. (IF PolicyForm = "table" THEN Len(TableRules) ELSE Len(Rules))

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
(* The table form.  `TableIndex` numbers the tabulated events (evaluated   *)
(* once, when TLC processes the definitions); an event outside the table   *)
(* gets the verdict "untabulated", which TypeOK rejects: the model's event *)
(* alphabet missed an event the kernel produced.                           *)
(***************************************************************************)
TableIndex == [e \in {TableEvents[i] : i \in DOMAIN TableEvents} |-> CHOOSE i \in DOMAIN TableEvents : TableEvents[i] = e]

TableDecide(m, ev) ==
    IF ev \in DOMAIN TableIndex THEN Table[m + 1][TableIndex[ev]]
    ELSE [verdict |-> "untabulated", rule |-> RuleDefaultDeny, next |-> m]

\* The (event, rule) pairs of the table's grants, and their shapes.
TableGrants == UNION {{<<TableEvents[i], Table[m][i].rule>> : i \in {j \in DOMAIN TableEvents : Table[m][j].verdict = "grant"}} : m \in DOMAIN Table}
TableGrantShapes == {[kind |-> g[1].kind, srcClass |-> g[1].srcClass, dstClass |-> g[1].dstClass,
                      endpoint |-> g[1].endpoint, method |-> g[1].method] : g \in TableGrants}

(***************************************************************************)
(* Monitor.decide: first the structural check (every event but execute     *)
(* must name a declared method, and its message must match the method's    *)
(* declaration: `ev.wf`), then the policy.  Rules: the first rule, in      *)
(* order, that matches and has budget left grants; a limited grant counts; *)
(* no rule, no grant.  Table: the tabulated decision.                      *)
(***************************************************************************)
RulesDecide(m, ev) ==
    LET G == Granting(m, ev) IN
    IF G = {}
    THEN [verdict |-> "deny", rule |-> RuleDefaultDeny, next |-> m]
    ELSE LET i == CHOOSE j \in G : \A k \in G : j <= k IN
         [verdict |-> "grant", rule |-> i,
          next |-> IF i \in LimitedRules THEN [m EXCEPT ![Slot(i)] = @ + 1] ELSE m]

Decide(m, ev) ==
    IF ev.kind # "execute" /\ ~ev.wf
    THEN [verdict |-> "deny", rule |-> RuleStructure, next |-> m]
    ELSE IF PolicyForm = "table" THEN TableDecide(m, ev) ELSE RulesDecide(m, ev)

(***************************************************************************)
(* What the properties ask of a policy, in either form.                    *)
(***************************************************************************)
\* Rule `rule` is an explicit grant of exactly this event (in some monitor state).
GrantedBy(rule, ev) ==
    IF PolicyForm = "table" THEN <<ev, rule>> \in TableGrants
    ELSE rule \in DOMAIN Rules /\ Matches(Rules[rule], ev)

\* Some explicit grant names an event of this shape: [kind, srcClass, dstClass, endpoint, method],
\* where a field set to Absent stands for any value.
Fits(x, want) == want = Absent \/ x = Absent \/ x = want
MayGrant(shape) ==
    IF PolicyForm = "table"
    THEN \E g \in TableGrantShapes :
            /\ g.kind = shape.kind
            /\ \A f \in {"srcClass", "dstClass", "endpoint", "method"} : shape[f] = Absent \/ g[f] = shape[f]
    ELSE \E i \in DOMAIN Rules :
            /\ Rules[i].kind = shape.kind
            /\ Fits(Rules[i].src, shape.srcClass) /\ Fits(Rules[i].dst, shape.dstClass)
            /\ Fits(Rules[i].endpoint, shape.endpoint) /\ Fits(Rules[i].method, shape.method)

\* A monitor state keeps every limited rule within its limit (a table has no limits of its own).
WithinLimits(m) ==
    PolicyForm = "table" \/ \A k \in DOMAIN m : m[k] <= Rules[CHOOSE i \in LimitedRules : Slot(i) = k].limit
=============================================================================
