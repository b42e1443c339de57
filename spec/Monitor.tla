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
(* the message is exact.  The kernel acts on Table.  OracleTable is the    *)
(* same tabulation of the policy's reference interpreter (PSL:            *)
(* src/policy/compile/interpret.ts), over its own monitor states, numbered *)
(* on their own: the oracle of DefaultDeny, independent of the compiled    *)
(* policy (Cedar's engine against its model).  The monitor state is then a *)
(* record: the kernel's table state, the oracle's state reached on the     *)
(* same events, and whether the oracle granted every grant the kernel      *)
(* acted on.                                                               *)
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
    TableEvents, Table, TableRules,
    \* the table form: the reference interpreter's decisions per (its own) state and event, as Table
    OracleTable

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
\* when there is none: <<>> here); state 0 of both tables, in agreement.
MonitorInit == IF PolicyForm = "table" THEN [kernel |-> 0, oracle |-> 0, agreed |-> TRUE] ELSE [k \in 1 .. Cardinality(LimitedRules) |-> 0]

\* The monitor states and the rule numbers a decision may carry.
MonitorStates ==
    IF PolicyForm = "table"
    THEN [kernel : 0 .. Len(Table) - 1, oracle : 0 .. Len(OracleTable) - 1, agreed : BOOLEAN]
    ELSE [DOMAIN MonitorInit -> Nat]
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

\* The kernel's decision is Table's, in the kernel's table state; the oracle decides the same event
\* in its own state, which advances on its own grant.  (The next state counts only on the kernel's
\* grant: Mediate keeps it then and only then.)
TableDecide(m, ev) ==
    IF ev \in DOMAIN TableIndex
    THEN LET k == Table[m.kernel + 1][TableIndex[ev]]
             o == OracleTable[m.oracle + 1][TableIndex[ev]]
         IN [verdict |-> k.verdict, rule |-> k.rule,
             next |-> [kernel |-> k.next,
                       oracle |-> IF o.verdict = "grant" THEN o.next ELSE m.oracle,
                       agreed |-> m.agreed /\ o.verdict = "grant" /\ o.rule = k.rule]]
    ELSE [verdict |-> "untabulated", rule |-> RuleDefaultDeny, next |-> m]

\* The (event, rule) pairs of the oracle's grants, in any of its states, and their shapes.
OracleGrants == UNION {{<<TableEvents[i], OracleTable[m][i].rule>> : i \in {j \in DOMAIN TableEvents : OracleTable[m][j].verdict = "grant"}} : m \in DOMAIN OracleTable}
OracleGrantShapes == {[kind |-> g[1].kind, srcClass |-> g[1].srcClass, dstClass |-> g[1].dstClass,
                       endpoint |-> g[1].endpoint, method |-> g[1].method] : g \in OracleGrants}

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
\* Rule `rule` is an explicit grant of exactly this event (in some monitor state; for a table, a
\* grant of the oracle).
GrantedBy(rule, ev) ==
    IF PolicyForm = "table" THEN <<ev, rule>> \in OracleGrants
    ELSE rule \in DOMAIN Rules /\ Matches(Rules[rule], ev)

\* The oracle granted, on its own state, every grant the kernel acted on (a rule policy is read
\* directly by Decide: it is its own oracle).
OracleAgrees(m) == PolicyForm = "rules" \/ m.agreed

\* Some explicit grant names an event of this shape: [kind, srcClass, dstClass, endpoint, method],
\* where a field set to Absent stands for any value.
Fits(x, want) == want = Absent \/ x = Absent \/ x = want
MayGrant(shape) ==
    IF PolicyForm = "table"
    THEN \E g \in OracleGrantShapes :
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
