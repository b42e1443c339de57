----------------------------- MODULE Transitions -----------------------------
(***************************************************************************)
(* The kernel's transition relation as states, for comparing it with the   *)
(* TS kernel's: each state also records the state before the last step     *)
(* (prev) and the event of the last step with its parameters (last), so    *)
(* that TLC's state dump lists every transition (prev, last, state) of the *)
(* model exactly once.  The events are those of Next, named as             *)
(* spec/Trace.tla's Do reads them (src/conformance/events.ts).             *)
(***************************************************************************)
EXTENDS Properties

VARIABLES prev, last

KernelState == [processes |-> processes, threads |-> threads, objects |-> objects, cpus |-> cpus,
                runQueue |-> runQueue, futexQueue |-> futexQueue, irqs |-> irqs, monitor |-> monitor, decisions |-> decisions, effects |-> effects]

LabelledInit == Init /\ prev = Null /\ last = Null

LabelledNext ==
    /\ prev' = KernelState
    /\ \/ \E c \in CPUs : Schedule(c) /\ last' = [op |-> "Schedule", cpu |-> c]
       \/ Tick /\ last' = [op |-> "Tick"]
       \/ \E l \in 0 .. IrqLines - 1 : Irq(l) /\ last' = [op |-> "Irq", line |-> l]
       \/ \E a \in 0 .. DmaPages - 1 : Dma(a) /\ last' = [op |-> "Dma", address |-> a]
       \/ \E t \in Tids :
             /\ Running(t)
             /\ \/ \E h \in Handles, m \in Messages : Call(t, h, m) /\ last' = [op |-> "Call", tid |-> t, handle |-> h, msg |-> m]
                \/ \E h \in Handles : Recv(t, h) /\ last' = [op |-> "Recv", tid |-> t, handle |-> h]
                \/ \E h \in Handles, m \in Replies : Reply(t, h, m) /\ last' = [op |-> "Reply", tid |-> t, handle |-> h, msg |-> m]
===============================================================================
