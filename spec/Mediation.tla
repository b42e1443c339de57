------------------------------ MODULE Mediation ------------------------------
(***************************************************************************)
(* The two mediation requirements on their own, without the kernel: the    *)
(* abstract layer that Kernel.tla refines (as in the layered specs of the  *)
(* TLA+ Examples).  A step of the system delivers some events (a process   *)
(* start, a request, a response, an error, a kernel service: what the      *)
(* kernel acted on) and the monitor decides some events; nothing else is   *)
(* observed.                                                               *)
(*                                                                         *)
(*  - CompleteMediation (DESIGN.md principle 2): every delivered event was *)
(*    decided in the step that delivered it, with one verdict.             *)
(*  - DefaultDeny (DESIGN.md principle 3): nothing is delivered that the   *)
(*    policy did not grant: its decision is a grant, and the policy's      *)
(*    explicit rules permit the event.                                     *)
(*                                                                         *)
(* Spec allows every step that keeps both; a kernel implements it when     *)
(* each of its steps, seen through a refinement mapping (delivered <- the  *)
(* events of its effects, decisions <- its decision records), is such a    *)
(* step.  models/MCPingMediation.tla checks that Kernel.tla does, with TLC. *)
(***************************************************************************)

CONSTANTS
    \* Permits(e): some explicit rule of the policy grants event e (the policy's word, not the monitor's verdict)
    Permits(_)

VARIABLES
    delivered,  \* the events the kernel delivered in the last step (a set)
    decisions   \* the monitor's decisions of the last step: a set of [event, verdict] ("grant" | "deny")

vars == <<delivered, decisions>>

\* The decisions of the step about event e.
DecisionsOn(e) == {d \in decisions : d.event = e}

\* Every delivery was decided, with one verdict.
CompleteMediation == \A e \in delivered : DecisionsOn(e) # {} /\ \A d, d2 \in DecisionsOn(e) : d.verdict = d2.verdict

\* Nothing is delivered that the policy did not grant: a grant decision, and an explicit rule that permits it.
DefaultDeny == \A e \in delivered : Permits(e) /\ \E d \in DecisionsOn(e) : d.verdict = "grant"

\* Every step, the first (the boot) included, keeps both.
Mediated == CompleteMediation /\ DefaultDeny

Init == Mediated
Next == Mediated'

Spec == Init /\ [][Next]_vars
===============================================================================
