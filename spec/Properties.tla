------------------------------ MODULE Properties ------------------------------
(***************************************************************************)
(* The kernel's requirements as TLC checks them: state invariants (over    *)
(* the state and the decision and effect records of the last step), an     *)
(* action property, a liveness property under fairness, and the bounds of  *)
(* a finite model.  src/properties/checks.ts states the same requirements  *)
(* on one TS step; the names match.                                        *)
(***************************************************************************)
EXTENDS Kernel

CONSTANTS
    MaxHandles,   \* model bound: handle table length (handle.Duplicate and transfers grow tables)
    MaxRegions,   \* model bound: regions per process (vmm.Map grows them)
    MaxObjects,   \* model bound: kernel objects (allocations and attachments freed by handle.Close let the table grow)
    MaxThreads,   \* model bound: threads (thread.Create grows the thread table)
    Servers,      \* TIDs of well-behaved servers: they only Recv and Reply on their server handle (the liveness models; {} elsewhere)
    Mortal,       \* TIDs of those servers that may also end at any step: exit, or close their server handles ({} where servers live)
    Watched       \* TIDs of clients whose calls the liveness property follows

Range(f) == {f[i] : i \in DOMAIN f}
Sids == 0 .. Len(processes) - 1
Oids == 0 .. Len(objects) - 1
HandlesOf(p) == processes[p + 1].handles
Held(p) == {h \in 0 .. Len(HandlesOf(p)) - 1 : HandlesOf(p)[h + 1] # Null}
Entry(p, h) == HandlesOf(p)[h + 1]

(***************************************************************************)
(* The model's bounds (a CONSTRAINT: TLC explores no state beyond them, and *)
(* the TS explorer drops the same states).                                 *)
(***************************************************************************)
Bounds ==
    /\ \A p \in Sids : Len(HandlesOf(p)) <= MaxHandles /\ Len(processes[p + 1].regions) <= MaxRegions
    /\ Len(objects) <= MaxObjects
    /\ Len(threads) <= MaxThreads

(***************************************************************************)
(* TypeOK: every variable has the shape of its TS counterpart (types.ts).   *)
(***************************************************************************)
ThreadStates ==
    {[tag |-> "ready"], [tag |-> "exited"]}
    \cup [tag : {"running"}, cpu : CPUs]
    \cup [tag : {"call", "recv"}, channel : Oids]
    \cup [tag : {"reply"}, server : Tids]
    \cup [tag : {"sleep"}, ticks : Nat \ {0}]
    \cup [tag : {"irq"}, line : 0 .. IrqLines - 1]
    \cup [tag : {"futex"}, object : Oids, offset : Nat]

\* the labels an object other than the kernel endpoint may carry (Kernel.tla objectSid)
Labels == OBJECT_SID_BASE + 1 .. OBJECT_SID_BASE + MaxObjects
ObjectShapes ==
    {[kind |-> "kernel", sid |-> KERNEL_SID]}
    \cup [kind : {"channel"}, sid : Labels, server : Sids, queue : Seq([client : Tids, riid : Nat, mid : Nat, handles : Seq(Nat)]), receivers : Seq(Tids)]
    \cup [kind : {"memory"}, sid : Labels, creator : Sids, pages : Nat \ {0}]
    \cup [kind : {"irq"}, sid : Labels, line : 0 .. IrqLines - 1, owner : Sids]
    \cup [kind : {"ports"}, sid : Labels, base : Nat, count : Nat \ {0}, owner : Sids]
    \cup [kind : {"mmio"}, sid : Labels, base : Nat, size : Nat \ {0}, owner : Sids]
    \cup [kind : {"dma"}, sid : Labels, creator : Sids, pages : Nat \ {0}, deviceAddress : Nat, status : {"idle", "busy", "done"}]

EventShapes ==
    [kind : {"execute", "request", "response", "error", "security"}, src : Sids, srcClass : 0 .. Len(Classes) - 1,
     dst : Int, dstClass : Int, endpoint : Int, method : Int, iface : Int, riid : Int, mid : Int, wf : BOOLEAN, transfers : Seq(Nat),
     payload : Nat]

TypeOK ==
    /\ processes \in Seq([name : STRING, taskClass : 0 .. Len(Classes) - 1, status : {"alive", "exited"},
                          handles : Seq([object : Oids, rights : Nat] \cup {Null}),
                          regions : Seq([base : Nat, pages : Nat \ {0}, object : Oids, rights : {0, RRead, RWrite, RRead + RWrite}])])
    /\ threads \in Seq([sid : Sids, priority : 0 .. 31, state : ThreadStates, serving : {Null} \cup [client : Tids, channel : Oids, riid : Nat, mid : Nat]])
    /\ objects \in Seq(ObjectShapes)
    /\ cpus \in [CPUs -> Tids \cup {Null}]
    /\ runQueue \in Seq(Tids)
    /\ futexQueue \in Seq(Tids)
    /\ irqs \in [1 .. IrqLines -> [object : Oids \cup {Null}, pending : BOOLEAN, masked : BOOLEAN]]
    /\ monitor \in MonitorStates
    \* (a table that lacks an event the kernel asked about gives the verdict "untabulated": not a type)
    /\ decisions \in Seq([event : EventShapes, verdict : {"grant", "deny"}, rule : RuleNumbers])
    /\ effects \in Seq([kind : {"execute", "request", "response", "error", "service", "security"}, event : EventShapes,
                        transfers : Seq(Sids \X Oids), created : Seq(Sids \X Oids)])

(***************************************************************************)
(* Scheduling: one current thread per CPU, and a thread is running exactly *)
(* on the CPU whose current thread it is; the run queue holds exactly the  *)
(* ready threads, once each (sched.ts, oneThreadPerCpu in checks.ts).      *)
(***************************************************************************)
Scheduling ==
    /\ \A c \in CPUs : cpus[c] # Null => threads[cpus[c] + 1].state = [tag |-> "running", cpu |-> c]
    /\ \A t \in Tids : threads[t + 1].state.tag = "running" => cpus[threads[t + 1].state.cpu] = t
    /\ \A t \in Tids : threads[t + 1].state.tag = "ready" <=> t \in Range(runQueue)
    /\ Len(runQueue) = Cardinality(Range(runQueue))

(***************************************************************************)
(* DefaultDeny (DESIGN.md principle 3): only an explicit rule produces a   *)
(* grant, and only for a declared method with a well-formed message (an    *)
(* unknown event, an unparsable message, an undeclared method: deny); a    *)
(* denied event takes no effect; a limited rule never grants beyond its    *)
(* limit; a tabulated policy's every grant so far was a grant of its       *)
(* reference interpreter too, on the interpreter's own state.              *)
(***************************************************************************)
DefaultDeny ==
    /\ \A d \in Range(decisions) : d.verdict = "grant" =>
          /\ d.event.kind = "execute" \/ (d.event.wf /\ d.event.iface # -1)
          /\ GrantedBy(d.rule, d.event)
    /\ \A d \in Range(decisions) : d.verdict = "deny" => \A e \in Range(effects) : e.event # d.event
    /\ WithinLimits(monitor)
    /\ OracleAgrees(monitor)

(***************************************************************************)
(* CompleteMediation (DESIGN.md principle 2): every transition that moved  *)
(* information or authority in the last step (a process start, a request, *)
(* a response, an error, a kernel service) has exactly one decision for    *)
(* exactly its event in that step, and it is a grant; and what has crossed *)
(* and is still visible - requests waiting in a queue or being served,     *)
(* processes started - was named by an explicit rule.                      *)
(***************************************************************************)
RequestNamed(srcClass, dstClass, riid, mid) ==
    LET eps == Classes[dstClass + 1].endpoints
        ep == eps[riid + 1]
    IN /\ riid < Len(eps)
       /\ mid < Len(Interfaces[ep.iface + 1])
       /\ MayGrant([kind |-> "request", srcClass |-> srcClass, dstClass |-> dstClass,
                    endpoint |-> ep.nameId, method |-> Interfaces[ep.iface + 1][mid + 1]])

ClassOfThread(t) == processes[threads[t + 1].sid + 1].taskClass

CompleteMediation ==
    /\ \A i \in DOMAIN effects :
          LET same == {j \in DOMAIN decisions : decisions[j].event = effects[i].event}
          IN /\ Cardinality(same) = 1
             /\ \A j \in same : decisions[j].verdict = "grant"
             /\ effects[i].kind = "service" \/ effects[i].kind = effects[i].event.kind
    /\ \A o \in Oids : objects[o + 1].kind = "channel" =>
          \A r \in Range(objects[o + 1].queue) :
             RequestNamed(ClassOfThread(r.client), processes[objects[o + 1].server + 1].taskClass, r.riid, r.mid)
    /\ \A t \in Tids : threads[t + 1].serving # Null =>
          LET sv == threads[t + 1].serving IN
          RequestNamed(ClassOfThread(sv.client), ClassOfThread(t), sv.riid, sv.mid)
    /\ \A p \in Sids \ {KERNEL_SID, EINIT_SID} :
          MayGrant([kind |-> "execute", srcClass |-> Absent, dstClass |-> processes[p + 1].taskClass, endpoint |-> Absent, method |-> Absent])

(***************************************************************************)
(* MediatedSteps (checks.ts completeMediation, as an action property): a  *)
(* step in which a request enters a queue or reaches a server, a process   *)
(* starts, or a process gains an object, records the granted effect that   *)
(* did it.                                                                 *)
(***************************************************************************)
HeldObjects(ps, p) == {ps[p + 1].handles[h].object : h \in {i \in DOMAIN ps[p + 1].handles : ps[p + 1].handles[i] # Null}}

MediatedStep ==
    /\ \A p \in 0 .. Len(processes') - 1 :
          /\ processes'[p + 1].status = "alive" /\ (p >= Len(processes) \/ processes[p + 1].status # "alive") =>
                \E e \in Range(effects') : e.kind = "execute" /\ e.event.dst = p
          /\ \A o \in HeldObjects(processes', p) \ (IF p < Len(processes) THEN HeldObjects(processes, p) ELSE {KERNEL_OBJECT}) :
                \E e \in Range(effects') : <<p, o>> \in Range(e.transfers) \cup Range(e.created)
    /\ \A t \in 0 .. Len(threads') - 1 :
          threads'[t + 1].serving # Null /\ (t >= Len(threads) \/ threads'[t + 1].serving # threads[t + 1].serving) =>
             \/ \E e \in Range(effects') : e.kind = "request" /\ e.event.src = threads'[threads'[t + 1].serving.client + 1].sid
             \/ \E o \in Oids : objects[o + 1].kind = "channel" /\ \E r \in Range(objects[o + 1].queue) : r.client = threads'[t + 1].serving.client

MediatedSteps == [][MediatedStep]_vars

(***************************************************************************)
(* Isolation: a process affects only the processes it shares a granted     *)
(* channel with.  Requests travel only along channels to the channel's     *)
(* server; a thread receives and serves only on channels its process       *)
(* serves; an exited process holds nothing; memory is mapped only as       *)
(* memory objects, with at most read and write; and the last step's        *)
(* requests went from a holder of a channel's client end to the channel's  *)
(* server, its responses and errors from a holder of a server end.         *)
(* (Memory is mapped only as memory objects or DMA buffers.)               *)
(***************************************************************************)
Isolation ==
    /\ \A o \in Oids : objects[o + 1].kind = "channel" =>
          LET ch == objects[o + 1] IN
          /\ \A i \in DOMAIN ch.queue : threads[ch.queue[i].client + 1].state = [tag |-> "call", channel |-> o]
          /\ \A r \in Range(ch.receivers) : threads[r + 1].state = [tag |-> "recv", channel |-> o] /\ threads[r + 1].sid = ch.server
    /\ \A t \in Tids :
          /\ threads[t + 1].state.tag = "call" =>
                LET q == objects[threads[t + 1].state.channel + 1].queue IN Cardinality({i \in DOMAIN q : q[i].client = t}) = 1
          /\ threads[t + 1].state.tag = "recv" => t \in Range(objects[threads[t + 1].state.channel + 1].receivers)
          /\ threads[t + 1].serving # Null => objects[threads[t + 1].serving.channel + 1].server = threads[t + 1].sid
    /\ \A p \in Sids : processes[p + 1].status = "exited" =>
          /\ processes[p + 1].handles = <<>> /\ processes[p + 1].regions = <<>>
          /\ \A t \in Tids : threads[t + 1].sid = p => threads[t + 1].state.tag = "exited"
    /\ \A p \in Sids : \A r \in Range(processes[p + 1].regions) : objects[r.object + 1].kind \in {"memory", "dma"}
    /\ \A e \in Range(effects) :
          /\ e.kind = "request" =>
                \E h \in Held(e.event.src) : objects[Entry(e.event.src, h).object + 1].kind = "channel"
                                            /\ objects[Entry(e.event.src, h).object + 1].server = e.event.dst
                                            /\ HasRight(Entry(e.event.src, h).rights, RCall)
          /\ e.kind \in {"response", "error"} =>
                \E h \in Held(e.event.src) : objects[Entry(e.event.src, h).object + 1].kind = "channel"
                                            /\ objects[Entry(e.event.src, h).object + 1].server = e.event.src

(***************************************************************************)
(* HandlesUnforgeable: a handle is an index into the holder's own table;   *)
(* every entry names an existing object; the kernel endpoint sits at       *)
(* handle 0 of every live process and nowhere else; rights never exceed    *)
(* what the object's creator handed out (handles only ever lose rights):   *)
(* a channel's server end (recv) stays with the server, IRQ handles with   *)
(* their owner; and a system call naming a handle the caller does not      *)
(* hold - as the handle or as a transfer - fails and changes nothing.      *)
(***************************************************************************)
ChannelClientRights == RCall + RTransfer + RDuplicate

Forged(t, h) == handle(Fresh, threads[t + 1].sid, h) = Null

HandlesUnforgeable ==
    /\ \A p \in Sids : \A h \in Held(p) :
          LET e == Entry(p, h)
              o == objects[e.object + 1]
          IN /\ e.object \in Oids
             /\ (e.object = KERNEL_OBJECT) <=> (h = KERNEL_HANDLE)
             /\ o.kind = "kernel" => e.rights = RCall
             /\ o.kind = "channel" => IF HasRight(e.rights, RRecv) THEN e.rights = RRecv /\ o.server = p
                                      ELSE RightsWithin(e.rights, ChannelClientRights)
             /\ o.kind = "memory" => RightsWithin(e.rights, MemoryRights)
             /\ o.kind = "irq" => RightsWithin(e.rights, DeviceRights) /\ o.owner = p
             /\ o.kind \in {"ports", "mmio"} => RightsWithin(e.rights, DeviceRights) /\ o.owner = p
             /\ o.kind = "dma" => RightsWithin(e.rights, DmaRights)
    /\ \A p \in Sids : processes[p + 1].status = "alive" /\ p > EINIT_SID => KERNEL_HANDLE \in Held(p)
    /\ \A t \in Tids : threads[t + 1].state.tag = "running" =>
          \A h \in Handles : Forged(t, h) =>
             /\ \A m \in Messages : call(Fresh, t, h, m) = Fresh
             /\ recv(Fresh, t, h) = Fresh
             /\ \A m \in Replies : reply(Fresh, t, h, m) = Fresh
    /\ \A t \in Tids : threads[t + 1].state.tag = "running" =>
          \A h \in Handles, m \in Messages :
             (\E i \in DOMAIN m.handles : Forged(t, m.handles[i].handle)) => call(Fresh, t, h, m) = Fresh

(***************************************************************************)
(* ObjectLabels: every resource has one security identifier, the only     *)
(* name the monitor is shown it by (KasperskyOS: mandatory identification *)
(* and labelling).  Each kernel object carries objectSid of its id — set  *)
(* when it is created, never changed, the same in every run of the same   *)
(* events; the labels are unique, the kernel endpoint carries the kernel's *)
(* SID, and no other object's label is a process's SID.  (That a handle   *)
(* field of a message reaches the monitor as this label is a property of  *)
(* payloads, which the spec abstracts: test/kernel-labels.test.ts.)       *)
(***************************************************************************)
ObjectLabels ==
    /\ \A o \in Oids : objects[o + 1].sid = objectSid(o)
    /\ \A o, q \in Oids : o # q => objects[o + 1].sid # objects[q + 1].sid
    /\ objects[KERNEL_OBJECT + 1].sid = KERNEL_SID
    /\ \A o \in Oids \ {KERNEL_OBJECT} : objects[o + 1].sid \notin Sids

(***************************************************************************)
(* ReplyToCaller: Reply answers the request the thread received, and only  *)
(* that request's caller: a thread waiting for a reply waits on exactly    *)
(* the thread that holds its request; a Reply changes no thread other      *)
(* than the replier and the caller it serves; and a Reply through a handle *)
(* that is not the server end the request came in on changes nothing.      *)
(***************************************************************************)
ReplyToCaller ==
    /\ \A c \in Tids : threads[c + 1].state.tag = "reply" =>
          LET sv == threads[threads[c + 1].state.server + 1].serving IN sv # Null /\ sv.client = c
    /\ \A t \in Tids : threads[t + 1].state.tag = "running" =>
          \A h \in Handles, m \in Replies :
             LET after == reply(Fresh, t, h, m)
                 sv == threads[t + 1].serving
                 caller == IF sv = Null THEN -1 ELSE sv.client
             IN /\ \A u \in Tids \ {t, caller} : after.threads[u + 1] = threads[u + 1]
                /\ sv # Null /\ serverEnd(Fresh, t, h) # sv.channel => after = Fresh

(***************************************************************************)
(* Devices (checks.ts futexWokenByOwnWake, dmaIntoGrantedBuffer,          *)
(* irqToHolder).                                                           *)
(*                                                                         *)
(* FutexWokenByOwnWake (an action property): a futex waiter leaves its     *)
(* wait only by ending, or by a granted sync.Wake on its own address: a    *)
(* Wake, by a running thread, whose handle names in the waker's own table  *)
(* the memory object the waiter waits on, at the waiter's offset, and      *)
(* which is the step taken.  A futex waiter waits on a memory object its   *)
(* process holds, at an offset inside it (FutexAddress, an invariant).     *)
(***************************************************************************)
WakeOf(t, w, m) ==
    /\ threads[w + 1].state.tag = "running"
    /\ ServiceOf(m) = "sync.Wake"
    /\ handle(Fresh, threads[w + 1].sid, m.args.handle) # Null
    /\ handle(Fresh, threads[w + 1].sid, m.args.handle).object = threads[t + 1].state.object
    /\ m.args.offset = threads[t + 1].state.offset
    /\ LET d == call(Fresh, w, KERNEL_HANDLE, m) IN
       /\ granted(d)
       /\ d.threads = threads' /\ d.futexQueue = futexQueue' /\ d.decisions = decisions'

FutexStep ==
    \A t \in Tids :
       threads[t + 1].state.tag = "futex" /\ threads'[t + 1].state.tag # "futex" =>
          threads'[t + 1].state.tag = "exited" \/ \E w \in Tids, m \in Messages : WakeOf(t, w, m)

FutexWokenByOwnWake == [][FutexStep]_vars

FutexAddress ==
    /\ \A t \in Tids : threads[t + 1].state.tag = "futex" <=> t \in Range(futexQueue)
    /\ Len(futexQueue) = Cardinality(Range(futexQueue))
    /\ \A t \in Range(futexQueue) :
          LET st == threads[t + 1].state
              p == threads[t + 1].sid
          IN /\ objects[st.object + 1].kind = "memory"
             /\ st.offset < objects[st.object + 1].pages * PageSize
             /\ \E h \in Held(p) : Entry(p, h).object = st.object /\ HasRight(Entry(p, h).rights, RRead)

(***************************************************************************)
(* DmaIntoGrantedBuffer: a device writes only into a granted buffer.  A    *)
(* buffer becomes busy (the device may write it) only in a step with a     *)
(* granted dma.Start by a process that held it with the write right, and   *)
(* a completion marks done only a buffer that was busy (an action          *)
(* property, DmaSteps); every buffer lies inside the DMA window, and live  *)
(* buffers do not overlap (an invariant, DmaBuffers).                      *)
(***************************************************************************)
DmaStep ==
    \A o \in Oids : objects[o + 1].kind = "dma" =>
       /\ objects'[o + 1].status = "busy" /\ objects[o + 1].status # "busy" =>
             \E e \in Range(effects') :
                /\ e.kind = "service" /\ e.event.dst = KERNEL_SID /\ ServiceOf(e.event) = "dma.Start"
                /\ \E h \in Held(e.event.src) : Entry(e.event.src, h).object = o /\ HasRight(Entry(e.event.src, h).rights, RWrite)
       /\ objects'[o + 1].status = "done" /\ objects[o + 1].status # "done" => objects[o + 1].status = "busy"

DmaSteps == [][DmaStep]_vars

DmaBuffers ==
    LET live == {o \in liveObjects(Fresh) : objects[o + 1].kind = "dma"} IN
    /\ \A o \in Oids : objects[o + 1].kind = "dma" => objects[o + 1].deviceAddress + objects[o + 1].pages <= DmaPages
    /\ \A o, q \in live : o # q =>
          \/ objects[o + 1].deviceAddress + objects[o + 1].pages <= objects[q + 1].deviceAddress
          \/ objects[q + 1].deviceAddress + objects[q + 1].pages <= objects[o + 1].deviceAddress

(***************************************************************************)
(* IrqToHolder: an interrupt is delivered only to its holder: a thread     *)
(* waiting on a line (the only thread a delivery wakes) belongs to the     *)
(* process that attached the line and still holds its IRQ handle with the  *)
(* read right.                                                             *)
(***************************************************************************)
IrqToHolder ==
    \A t \in Tids : threads[t + 1].state.tag = "irq" =>
       LET l == irqs[threads[t + 1].state.line + 1]
           p == threads[t + 1].sid
       IN /\ l.object # Null
          /\ objects[l.object + 1].owner = p
          /\ \E h \in Held(p) : Entry(p, h).object = l.object /\ HasRight(Entry(p, h).rights, RRead)

(***************************************************************************)
(* Liveness: a granted call is eventually answered - with a response, an   *)
(* error, or an error return such as rcSecurityDisallow or rcNotConnected  *)
(* - even when its server does not live: a watched client blocked in Call  *)
(* or waiting for its reply eventually returns.  Fairness: every CPU keeps *)
(* scheduling (weak fairness), and each well-behaved server keeps          *)
(* receiving and replying on the server handles it holds (strong fairness, *)
(* as it runs only when scheduled).  A mortal server may also end at any   *)
(* step - exit (task.Exit, thread.Exit) or close a server handle - and     *)
(* nothing makes it end or keeps it alive: it may end with callers queued  *)
(* or a request in hand, and the kernel must answer them then.             *)
(***************************************************************************)
ServerHandles(t) == {h \in Handles : handle(Fresh, threads[t + 1].sid, h) # Null /\ HasRight(handle(Fresh, threads[t + 1].sid, h).rights, RRecv)}

\* The liveness models' next-state relation: servers run only their receive loop ...
ServerStep(t) == \E h \in ServerHandles(t) : Recv(t, h) \/ \E m \in Replies : Reply(t, h, m)

\* ... and a mortal server may end: it exits, or closes one of its server handles.
ServerEnd(t) ==
    \E m \in Messages :
        \/ Exit(t, m)
        \/ ServiceOf(m) = "handle.Close" /\ m.args.handle \in ServerHandles(t) /\ Service(t, m)

NextServing ==
    \/ \E c \in CPUs : Schedule(c)
    \/ Tick
    \/ \E l \in 0 .. IrqLines - 1 : Irq(l)
    \/ \E a \in 0 .. DmaPages - 1 : Dma(a)
    \/ \E t \in Tids \ Servers :
          /\ Running(t)
          /\ \/ \E m \in Messages : \/ Execute(t, m) \/ Exit(t, m) \/ Service(t, m)
                                    \/ \E h \in Handles \ {KERNEL_HANDLE} : Call(t, h, m)
             \/ \E h \in Handles : Recv(t, h)
             \/ \E h \in Handles, m \in Replies : Reply(t, h, m)
    \/ \E t \in Servers \cap Tids : ServerStep(t)
    \/ \E t \in Mortal \cap Servers \cap Tids : ServerEnd(t)

\* (No fairness on ServerEnd: whether and when a mortal server ends is left open.)
FairSpec ==
    /\ Init /\ [][NextServing]_vars
    /\ \A c \in CPUs : WF_vars(Schedule(c))
    /\ \A t \in Servers : SF_vars(ServerStep(t))

Blocked(c) == c \in Tids /\ threads[c + 1].state.tag \in {"call", "reply"}

GrantedCallAnswered == \A c \in Watched : Blocked(c) ~> ~Blocked(c)
===============================================================================
