--------------------------- MODULE KernelInductive ---------------------------
(***************************************************************************)
(* An inductive invariant of the kernel, IndInv, that implies              *)
(* DefaultDeny /\ CompleteMediation /\ Isolation, checked inductive by TLC *)
(* over a bounded TypeOK domain (see proofs/README.md):                    *)
(*                                                                         *)
(*   initial states = every state of the bounded domain satisfying IndInv, *)
(*   next = Next (one step: CONSTRAINT TLCGet("level") < 2),               *)
(*   invariant = IndInv (TLC checks it on every successor).                *)
(*                                                                         *)
(* Next never reads `decisions` or `effects` (every step starts from Fresh, *)
(* whose records are empty), so a state's successors do not depend on      *)
(* them, and IndInv's conjuncts over them hold for empty records: starting *)
(* from the domain's states with empty records covers every IndInv state.  *)
(***************************************************************************)
EXTENDS Properties

CONSTANTS
    \* the bounded domain (generated from a model by proofs/inductive.ts)
    ProcSkeleton,    \* SID -> [name, taskClass] (names and classes never change)
    ThreadSkeleton,  \* TID -> [sid, priority]
    ChannelServers,  \* object id (1..) -> the SID serving that channel
    EntryDomain,     \* handle entries a table may hold (besides Null)
    MaxTable,        \* longest handle table
    MaxQueue,        \* longest channel queue
    RiidDomain, MidDomain  \* RIID/MID a queued or served request may carry

(***************************************************************************)
(* The bounded TypeOK domain.                                              *)
(***************************************************************************)
SeqsUpTo(S, n) == UNION {[1 .. k -> S] : k \in 0 .. n}
NoRepeat(q) == \A i, j \in DOMAIN q : i # j => q[i] # q[j]
Tables == SeqsUpTo(EntryDomain \cup {Null}, MaxTable)
BTids == 0 .. Len(ThreadSkeleton) - 1
BSids == 0 .. Len(ProcSkeleton) - 1
BThreadStates ==
    {[tag |-> "ready"], [tag |-> "exited"]}
    \cup [tag : {"running"}, cpu : CPUs]
    \cup [tag : {"call", "recv"}, channel : 1 .. Len(ChannelServers)]
    \cup [tag : {"reply"}, server : BTids]
BServing == {Null} \cup [client : BTids, channel : 1 .. Len(ChannelServers), riid : RiidDomain, mid : MidDomain]
BRequest == [client : BTids, riid : RiidDomain, mid : MidDomain, handles : {<<>>}]

ProcessOK(p) ==
    LET q == processes[p + 1] IN
    /\ q.status = "exited" => q.handles = <<>>
    /\ q.status = "alive" /\ p > EINIT_SID => q.handles # <<>> /\ q.handles[1] = [object |-> KERNEL_OBJECT, rights |-> RCall]
    /\ p <= EINIT_SID => q.handles = <<>> /\ q.status = "alive"
    /\ \A h \in 2 .. Len(q.handles) : q.handles[h] # Null => q.handles[h].object # KERNEL_OBJECT
    /\ \A h \in DOMAIN q.handles : q.handles[h] # Null /\ HasRight(q.handles[h].rights, RRecv) => ChannelServers[q.handles[h].object] = p

RECURSIVE Product(_)
\* the sequences whose i-th element is in ds[i]
Product(ds) == IF ds = <<>> THEN {<<>>} ELSE {<<x>> \o r : x \in Head(ds), r \in Product(Tail(ds))}

\* a process of the domain: the kernel and Einit never change; a solution process may be alive or
\* exited, with any table of at most MaxTable entries (each satisfying ProcessOK, to prune early)
ProcessDomain(p) ==
    IF p <= EINIT_SID
    THEN {[name |-> ProcSkeleton[p + 1].name, taskClass |-> ProcSkeleton[p + 1].taskClass, status |-> "alive", handles |-> <<>>, regions |-> <<>>]}
    ELSE [name : {ProcSkeleton[p + 1].name}, taskClass : {ProcSkeleton[p + 1].taskClass}, status : {"alive", "exited"}, handles : Tables, regions : {<<>>}]

ThreadDomain(t) == [sid : {ThreadSkeleton[t + 1].sid}, priority : {ThreadSkeleton[t + 1].priority}, state : BThreadStates, serving : BServing]

ChannelDomain(o) ==
    [kind : {"channel"}, sid : {objectSid(o)}, server : {ChannelServers[o]},
     queue : {q \in SeqsUpTo(BRequest, MaxQueue) : NoRepeat([i \in DOMAIN q |-> q[i].client])},
     receivers : {r \in SeqsUpTo(BTids, MaxQueue) : NoRepeat(r)}]

(***************************************************************************)
(* The inductive invariant.                                                *)
(***************************************************************************)

\* Threads: a live thread's process is alive; what a thread serves came in on a channel its process serves,
\* from a client waiting for exactly this thread (or gone); a thread waits for a reply from a thread serving it.
ThreadsOK ==
    \A t \in Tids :
        LET th == threads[t + 1] IN
        /\ th.state.tag # "exited" => processes[th.sid + 1].status = "alive"
        /\ processes[th.sid + 1].status = "exited" => th.state.tag = "exited" /\ th.serving = Null
        /\ th.serving # Null =>
              /\ th.serving.client # t
              /\ threads[th.serving.client + 1].state \in {[tag |-> "reply", server |-> t], [tag |-> "exited"]}
        /\ th.state.tag = "reply" =>
              /\ th.state.server # t
              /\ threads[th.state.server + 1].serving # Null
              /\ threads[th.state.server + 1].serving.client = t
        /\ th.state.tag = "recv" => th.serving = Null
        /\ th.state.tag = "exited" => th.serving = Null

\* Channels: queued requests are those of the threads blocked in Call on the channel; receivers are the
\* threads blocked in Recv on it; a channel never has both waiting requests and waiting receivers.
ChannelsOK ==
    \A o \in 1 .. Len(objects) - 1 :
        LET ch == objects[o + 1] IN
        /\ ch.queue = <<>> \/ ch.receivers = <<>>
        /\ \A i \in DOMAIN ch.queue : threads[ch.queue[i].client + 1].state = [tag |-> "call", channel |-> o]
        /\ \A t \in Tids : threads[t + 1].state = [tag |-> "call", channel |-> o] => \E i \in DOMAIN ch.queue : ch.queue[i].client = t
        /\ \A t \in Tids : threads[t + 1].state = [tag |-> "recv", channel |-> o] <=> t \in Range(ch.receivers)

\* Serving and waiting requests name a method some rule allows (CompleteMediation's state part),
\* and the channels are the ones the domain fixes.
RequestsOK ==
    /\ \A o \in 1 .. Len(objects) - 1 : \A r \in Range(objects[o + 1].queue) :
          RequestNamed(ClassOfThread(r.client), processes[objects[o + 1].server + 1].taskClass, r.riid, r.mid)
    /\ \A t \in Tids : threads[t + 1].serving # Null =>
          /\ objects[threads[t + 1].serving.channel + 1].server = threads[t + 1].sid
          /\ RequestNamed(ClassOfThread(threads[t + 1].serving.client), ClassOfThread(t), threads[t + 1].serving.riid, threads[t + 1].serving.mid)

IndInv ==
    /\ TypeOK
    /\ \A p \in Sids : ProcessOK(p)
    /\ ThreadsOK
    /\ ChannelsOK
    /\ RequestsOK
    /\ Scheduling
    /\ ObjectLabels
    /\ DefaultDeny
    /\ CompleteMediation
    /\ Isolation

\* The states of the domain, enumerated in an order that lets TLC prune early.
DomainInit ==
    /\ processes \in Product([p \in 1 .. Len(ProcSkeleton) |-> ProcessDomain(p - 1)])
    /\ \A p \in BSids : ProcessOK(p)
    /\ threads \in Product([t \in 1 .. Len(ThreadSkeleton) |-> ThreadDomain(t - 1)])
    /\ ThreadsOK
    /\ objects \in {<<[kind |-> "kernel", sid |-> KERNEL_SID]>> \o cs : cs \in Product([o \in 1 .. Len(ChannelServers) |-> ChannelDomain(o)])}
    /\ ChannelsOK
    /\ cpus \in [CPUs -> BTids \cup {Null}]
    /\ runQueue \in {q \in SeqsUpTo(BTids, Len(ThreadSkeleton)) : NoRepeat(q)}
    /\ futexQueue = <<>>   \* (BThreadStates has no futex wait: the domain's policies grant no sync.Wait)
    /\ irqs = [l \in 1 .. IrqLines |-> [object |-> Null, pending |-> FALSE, masked |-> FALSE]]
    /\ monitor \in [DOMAIN MonitorInit -> 0 .. Max({0} \cup {Rules[i].limit : i \in LimitedRules})]
    /\ decisions = <<>>
    /\ effects = <<>>
    /\ IndInv

\* The proof obligation's shape: IndInv implies the three properties (checked on every state as well).
Implied == IndInv => DefaultDeny /\ CompleteMediation /\ Isolation

OneStep == TLCGet("level") < 2
===============================================================================
