-------------------------------- MODULE Trace --------------------------------
(***************************************************************************)
(* Trace validation: traces of the TS kernel (src/conformance/traces.ts),  *)
(* each a sequence of events with the projected state step() reached, are  *)
(* behaviours of the spec.  Many traces are checked in one TLC run: an     *)
(* initial state per trace, and from each state only the step the trace    *)
(* records.  A trace the spec cannot follow ends in a state with no        *)
(* successor, which TLC reports as a deadlock (CHECK_DEADLOCK TRUE): the   *)
(* counterexample names the trace (tr) and how far it got (pos).  A trace  *)
(* that reaches its end stutters there.  The invariants of Properties are  *)
(* checked on every state of every trace as well.                          *)
(***************************************************************************)
EXTENDS Properties

CONSTANTS
    \* Traces[i][k] = <<E, processes, threads, objects, cpus, runQueue, futexQueue, irqs, monitor, decisions, effects>>:
    \* the k-th event of trace i and the variables after it, in the order of `vars` (Same: unchanged by the step).
    Traces,
    \* the projection of the TS kernel's boot state (every trace starts there)
    BootState,
    Same

VARIABLES tr, pos

traceVars == <<vars, tr, pos>>

\* The TS boot state is the spec's initial state.
ASSUME BootState = [processes |-> Booted.processes, threads |-> Booted.threads, objects |-> Booted.objects,
                    cpus |-> Booted.cpus, runQueue |-> Booted.runQueue, futexQueue |-> Booted.futexQueue, irqs |-> Booted.irqs,
                    monitor |-> Booted.monitor, decisions |-> Booted.decisions, effects |-> Booted.effects]

TraceInit == Init /\ tr \in DOMAIN Traces /\ pos = 0

\* The spec action an event of step() names, with its parameters.
Do(e) ==
    CASE e.op = "Schedule" -> Schedule(e.cpu)
      [] e.op = "Tick" -> Tick
      [] e.op = "Irq" -> Irq(e.line)
      [] e.op = "Dma" -> Dma(e.address)
      [] e.op = "Call" -> Call(e.tid, e.handle, e.msg)
      [] e.op = "Recv" -> Recv(e.tid, e.handle)
      [] e.op = "Reply" -> Reply(e.tid, e.handle, e.msg)

After(st, i, now) == IF st[i] = Same THEN now ELSE st[i]

\* The state the TS kernel reached.
Reached(st) ==
    /\ processes' = After(st, 2, processes)
    /\ threads' = After(st, 3, threads)
    /\ objects' = After(st, 4, objects)
    /\ cpus' = After(st, 5, cpus)
    /\ runQueue' = After(st, 6, runQueue)
    /\ futexQueue' = After(st, 7, futexQueue)
    /\ irqs' = After(st, 8, irqs)
    /\ monitor' = After(st, 9, monitor)
    /\ decisions' = After(st, 10, decisions)
    /\ effects' = After(st, 11, effects)

TraceNext ==
    \/ /\ pos < Len(Traces[tr])
       /\ Do(Traces[tr][pos + 1][1])
       /\ Reached(Traces[tr][pos + 1])
       /\ pos' = pos + 1
       /\ UNCHANGED tr
    \/ /\ pos = Len(Traces[tr])
       /\ UNCHANGED traceVars

\* The behaviours that follow the traces.
TraceSpec == TraceInit /\ [][TraceNext]_traceVars
===============================================================================
