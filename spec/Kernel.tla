-------------------------------- MODULE Kernel --------------------------------
(***************************************************************************)
(* The kernel state machine of src/kernel, side by side with the TypeScript *)
(* (DESIGN.md principle 4).  Each TS function of the kernel has an operator *)
(* of the same name here that maps a draft (a record with one field per    *)
(* state variable, like the Draft of draft.ts) to the next draft, in the    *)
(* same order of writes as the TS code; the actions (Call, Recv, Reply,     *)
(* Tick, Schedule, Irq, Dma, and the kernel services Execute, Exit,        *)
(* Service that are Calls on the kernel handle) apply one of them to the   *)
(* current state.                                                          *)
(*                                                                         *)
(* Ids are 0-based as in TS: SID s is processes[s+1], thread t is           *)
(* threads[t+1], object o is objects[o+1], handle h of a process is its     *)
(* handles[h+1], IRQ line l is irqs[l+1].                                   *)
(*                                                                         *)
(* Abstractions (the projection in src/conformance/projection.ts does the  *)
(* same to a TS state):                                                    *)
(*  - payloads: a message carries `accepts`, the (interface, method) pairs *)
(*    whose declaration its payload matches, `args`, the fields kernel     *)
(*    services read, and `payload`, the model's number of its payload (for *)
(*    a tabulated policy that reads messages; 0 for a rule policy); a      *)
(*    queued request keeps only its RIID/MID;                              *)
(*  - time: the clock is dropped; a sleeping thread keeps the number of    *)
(*    ticks until it wakes;                                                 *)
(*  - device registers: what a port or MMIO write stores is dropped (a     *)
(*    read or write changes no variable; it is mediated all the same); a   *)
(*    DMA buffer's device address counts pages from the window's base;     *)
(*  - regions: bases count pages from the first mappable address 0x10000;  *)
(*  - results (return codes) are not state; decisions and effects of the  *)
(*    last step are (so that the security properties are state            *)
(*    invariants);                                                         *)
(*  - every kernel service of ServiceNames is specified (`service`).       *)
(***************************************************************************)
EXTENDS Integers, Sequences, FiniteSets, TLC, Monitor

CONSTANTS
    \* SolutionTables.classes: [endpoints |-> <<[nameId, iface], ...>> (RIID r is endpoints[r+1]), security |-> interface id or -1]
    Classes,
    \* the class names (classByName): ClassNames[c+1] is the name of class c
    ClassNames,
    \* SolutionTables.interfaces: Interfaces[i+1][m+1] is the interned name of method m of interface i
    Interfaces,
    \* SolutionTables.processes: [name, taskClass, priority], in Einit's start order
    BootProcesses,
    \* SolutionTables.connections: [client, server] as 0-based indices into BootProcesses
    Connections,
    \* Machine: CPUs (a set of model values), IRQ lines, the lines the kernel keeps, allocatable pages, nanoseconds per tick
    CPUs, IrqLines, ReservedIrqs, MemoryPages, TickNs,
    \* Machine: bytes per page; port I/O (x86 family); the port and MMIO ranges offered ([base, size]);
    \* the pages of the DMA window (-1: the board has no DMA)
    PageSize, PortIo, Ports, Mmio, DmaPages,
    \* the `null` of TS (a free handle slot, an idle CPU, no request served, a detached IRQ line)
    Null,
    \* The finite event alphabet: handle values syscalls name (held or forged),
    \* messages for Call ([riid, mid, accepts, args, handles, payload]) and for Reply
    \* ([error, accepts, handles, payload]); `handles` are the transfers [handle, rights],
    \* `payload` the model's number of the payload (0 in a rule-form model: see Monitor).
    Handles, Messages, Replies

KERNEL_SID == 0
EINIT_SID == 1
KERNEL_OBJECT == 0
\* Labels (types.ts OBJECT_SID_BASE, objectSid): processes take the SIDs below OBJECT_SID_BASE (their
\* index), a kernel object the SID objectSid of its id, carried on the object from its creation on; the
\* kernel endpoint carries the kernel's SID.
OBJECT_SID_BASE == 1073741824
objectSid(id) == IF id = KERNEL_OBJECT THEN KERNEL_SID ELSE OBJECT_SID_BASE + id
KERNEL_HANDLE == 0
MAX_PRIORITY == 31   \* tables.ts MAX_PRIORITY

\* Rights (types.ts): a bit set.
RCall == 1
RRecv == 2
RRead == 4
RWrite == 8
RMap == 16
RTransfer == 32
RDuplicate == 64
ALL_RIGHTS == 127

Pow2 == [b \in 0 .. 30 |-> 2 ^ b]
HasRight(r, bit) == (r \div bit) % 2 = 1
\* rightsWithin in TS: no right beyond ALL_RIGHTS, and (rights & ~held) === 0
RightsWithin(r, held) == r <= ALL_RIGHTS /\ \A b \in 0 .. 6 : (r \div Pow2[b]) % 2 = 1 => (held \div Pow2[b]) % 2 = 1
\* rights & (read | write)
ReadWrite(r) == (IF HasRight(r, RRead) THEN RRead ELSE 0) + (IF HasRight(r, RWrite) THEN RWrite ELSE 0)

\* kernel-api.ts: KERNEL_ENDPOINTS x the methods of KERNEL_INTERFACES, RIID/MID order
ServiceNames == <<
    <<"task.Execute", "task.Exit">>,
    <<"thread.Create", "thread.Exit", "thread.Sleep">>,
    <<"vmm.Allocate", "vmm.Map", "vmm.Unmap">>,
    <<"sync.Wait", "sync.Wake">>,
    <<"irq.Attach", "irq.Wait", "irq.Ack">>,
    <<"io.AttachPorts", "io.PortRead", "io.PortWrite", "io.AttachMmio", "io.MmioRead", "io.MmioWrite">>,
    <<"dma.Allocate", "dma.Map", "dma.Start">>,
    <<"time.Read", "time.SetRealtime">>,
    <<"handle.Close", "handle.Duplicate">>,
    <<"channel.Create">> >>
SECURITY_RIID == Len(ServiceNames)

\* Where mappable regions start (services.ts mapRegion, projection.ts REGION_BASE); region bases count pages from here.
RegionBase == 65536

\* The kernel service a Call on the kernel handle names by its RIID/MID ("none" if none).
ServiceOf(m) ==
    IF m.riid < Len(ServiceNames) /\ m.mid < Len(ServiceNames[m.riid + 1])
    THEN ServiceNames[m.riid + 1][m.mid + 1] ELSE "none"

Min(S) == CHOOSE x \in S : \A y \in S : x <= y
Max(S) == CHOOSE x \in S : \A y \in S : x >= y
Remove(q, x) == SelectSeq(q, LAMBDA y : y # x)
ClassId(name) == IF \E c \in DOMAIN ClassNames : ClassNames[c] = name
                 THEN (CHOOSE c \in DOMAIN ClassNames : ClassNames[c] = name) - 1 ELSE -1

(***************************************************************************)
(* The state (types.ts KernelState, projected).                            *)
(***************************************************************************)
VARIABLES
    processes,  \* SID -> [name, taskClass, status ("alive" | "exited"), handles (Null | [object, rights]), regions ([base, pages, object, rights])]
    threads,    \* TID -> [sid, priority, state ([tag, ...] as ThreadState), serving (Null | [client, channel, riid, mid])]
    objects,    \* ObjectId -> [kind |-> "kernel"] | [kind |-> "channel", server, queue, receivers] | [kind |-> "memory", creator, pages] | [kind |-> "irq", line, owner]
                \*   | [kind |-> "ports", base, count, owner] | [kind |-> "mmio", base, size, owner] | [kind |-> "dma", creator, pages, deviceAddress, status]
    cpus,       \* CPU -> current TID or Null
    runQueue,   \* ready threads in arrival order
    futexQueue, \* futex waiters (sync.Wait) in arrival order
    irqs,       \* line -> [object, pending, masked]
    monitor,    \* the monitor state: grant counts of the limited rules (a table: see Monitor.tla)
    decisions,  \* the decisions of the last step: [event, verdict, rule]
    effects     \* the mediated transitions of the last step: [kind, event, transfers, created]

vars == <<processes, threads, objects, cpus, runQueue, futexQueue, irqs, monitor, decisions, effects>>

\* The draft of the current state (draft.ts: new Draft(state)); a step starts with empty records.
Fresh == [processes |-> processes, threads |-> threads, objects |-> objects, cpus |-> cpus,
          runQueue |-> runQueue, futexQueue |-> futexQueue, irqs |-> irqs, monitor |-> monitor,
          decisions |-> <<>>, effects |-> <<>>, created |-> <<>>]

\* The state is the draft (the initial state: boot's draft).
Is(s) ==
    /\ processes = s.processes
    /\ threads = s.threads
    /\ objects = s.objects
    /\ cpus = s.cpus
    /\ runQueue = s.runQueue
    /\ futexQueue = s.futexQueue
    /\ irqs = s.irqs
    /\ monitor = s.monitor
    /\ decisions = s.decisions
    /\ effects = s.effects

\* Draft.finish: the draft becomes the next state.  (The draft is bound once by \E, so that TLC
\* evaluates it once even where it does not cache LET values, as when it computes ENABLED.)
Apply(s) ==
    \E d \in {s} :
        /\ processes' = d.processes
        /\ threads' = d.threads
        /\ objects' = d.objects
        /\ cpus' = d.cpus
        /\ runQueue' = d.runQueue
        /\ futexQueue' = d.futexQueue
        /\ irqs' = d.irqs
        /\ monitor' = d.monitor
        /\ decisions' = d.decisions
        /\ effects' = d.effects

Proc(s, sid) == s.processes[sid + 1]
Thr(s, t) == s.threads[t + 1]
Obj(s, o) == s.objects[o + 1]

(***************************************************************************)
(* draft.ts                                                                *)
(***************************************************************************)

\* Draft.handle: the entry of a live process's handle h, or Null.
handle(s, sid, h) ==
    IF Proc(s, sid).status = "alive" /\ h >= 0 /\ h < Len(Proc(s, sid).handles)
    THEN Proc(s, sid).handles[h + 1] ELSE Null

FreeSlot(hs) == IF \E i \in DOMAIN hs : hs[i] = Null THEN Min({i \in DOMAIN hs : hs[i] = Null}) - 1 ELSE Len(hs)

\* Draft.installHandle: the entry goes into the first free slot (the handle value is FreeSlot before).
installHandle(s, sid, e) ==
    LET hs == Proc(s, sid).handles
        h == FreeSlot(hs)
    IN [s EXCEPT !.processes[sid + 1].handles = IF h = Len(hs) THEN Append(hs, e) ELSE [hs EXCEPT ![h + 1] = e]]

\* Draft.moveThread: leaving `running` frees the CPU, leaving `ready` (`futex`) leaves the run
\* (futex) queue, becoming `ready` (`futex`) joins it at the back; `sv` replaces what the thread serves.
moveThreadServing(s, t, st, sv) ==
    LET th == Thr(s, t)
        from == th.state.tag
        s1 == IF from # st.tag /\ from = "running" THEN [s EXCEPT !.cpus[th.state.cpu] = Null] ELSE s
        s2 == IF from # st.tag /\ from = "ready" THEN [s1 EXCEPT !.runQueue = Remove(@, t)]
              ELSE IF from # st.tag /\ from = "futex" THEN [s1 EXCEPT !.futexQueue = Remove(@, t)] ELSE s1
        s3 == IF from # st.tag /\ st.tag = "ready" THEN [s2 EXCEPT !.runQueue = Append(@, t)]
              ELSE IF from # st.tag /\ st.tag = "futex" THEN [s2 EXCEPT !.futexQueue = Append(@, t)] ELSE s2
    IN [s3 EXCEPT !.threads[t + 1] = [sid |-> th.sid, priority |-> th.priority, state |-> st, serving |-> sv]]

moveThread(s, t, st) == moveThreadServing(s, t, st, Thr(s, t).serving)

\* Draft.wake: a blocked thread's syscall returns; it becomes ready.
wake(s, t) == moveThread(s, t, [tag |-> "ready"])

\* Draft.mediate: the one mediation point.  The decision is recorded; the monitor state advances only on grant.
mediate(s, ev) ==
    LET d == Decide(s.monitor, ev)
    IN [s EXCEPT !.decisions = Append(@, [event |-> ev, verdict |-> d.verdict, rule |-> d.rule]),
                 !.monitor = IF d.verdict = "grant" THEN d.next ELSE @]

granted(s) == s.decisions[Len(s.decisions)].verdict = "grant"

\* Draft.effect
effect(s, kind, ev, transfers, created) ==
    [s EXCEPT !.effects = Append(@, [kind |-> kind, event |-> ev, transfers |-> transfers, created |-> created])]

(***************************************************************************)
(* ipc.ts                                                                  *)
(***************************************************************************)

\* captureTransfers: every transferred handle must be held with the transfer right and pass on no right it lacks.
captureTransfers(s, sid, hs) ==
    LET rc(i) == LET e == handle(s, sid, hs[i].handle) IN
                 IF e = Null THEN "rcBadHandle"
                 ELSE IF ~HasRight(e.rights, RTransfer) THEN "rcNoRights"
                 ELSE IF ~RightsWithin(hs[i].rights, e.rights) THEN "rcNoRights"
                 ELSE "ok"
        bad == {i \in DOMAIN hs : rc(i) # "ok"}
    IN IF bad = {}
       THEN [rc |-> "ok", entries |-> [i \in DOMAIN hs |-> [object |-> handle(s, sid, hs[i].handle).object, rights |-> hs[i].rights]]]
       ELSE [rc |-> rc(Min(bad)), entries |-> <<>>]

\* messageEvent: the security event of a message; endpoint and method belong to the server's class
\* (the destination's for a request, the source's for a response or error, and the source's
\* security interface for a security event).  `wf`: the method is declared and the payload matches it.
messageEvent(s, kind, src, dst, riid, mid, accepts, payload, entries) ==
    LET srcClass == Proc(s, src).taskClass
        dstClass == Proc(s, dst).taskClass
        cls == Classes[(IF kind = "request" THEN dstClass ELSE srcClass) + 1]
        ep == IF riid < Len(cls.endpoints) THEN cls.endpoints[riid + 1] ELSE Null
        iface == IF kind = "security" THEN cls.security ELSE IF ep = Null THEN -1 ELSE ep.iface
        declared == iface >= 0 /\ iface < Len(Interfaces) /\ mid < Len(Interfaces[iface + 1])
    IN [kind |-> kind, src |-> src, srcClass |-> srcClass, dst |-> dst, dstClass |-> dstClass,
        endpoint |-> IF kind = "security" \/ ep = Null THEN -1 ELSE ep.nameId,
        method |-> IF declared THEN Interfaces[iface + 1][mid + 1] ELSE -1,
        iface |-> IF declared THEN iface ELSE -1,
        riid |-> riid, mid |-> mid,
        wf |-> declared /\ <<iface, mid>> \in accepts,
        transfers |-> [i \in DOMAIN entries |-> entries[i].rights],
        payload |-> payload]

RECURSIVE installAll(_, _, _, _)
\* install: the captured entries go into the receiver's table, one after the other.
installAll(s, sid, es, hs) ==
    IF es = <<>> THEN [s |-> s, handles |-> hs]
    ELSE installAll(installHandle(s, sid, Head(es)), sid, Tail(es), Append(hs, FreeSlot(Proc(s, sid).handles)))

install(s, sid, es) == installAll(s, sid, es, <<>>)

\* the effect's transfers: [receiving SID, object] of each installed handle
transferred(s, sid, hs) == [i \in DOMAIN hs |-> <<sid, Proc(s, sid).handles[hs[i] + 1].object>>]

\* receivable: a live process holds the server end (the recv right) of the channel.
receivable(s, o) ==
    \E p \in DOMAIN s.processes :
        /\ s.processes[p].status = "alive"
        /\ \E h \in DOMAIN s.processes[p].handles :
              /\ s.processes[p].handles[h] # Null
              /\ s.processes[p].handles[h].object = o
              /\ HasRight(s.processes[p].handles[h].rights, RRecv)

RECURSIVE wakeAll(_, _), wakeThreads(_, _), unserveFrom(_, _, _)
\* the callers of a channel's queued requests, in queue order
wakeAll(s, q) == IF q = <<>> THEN s ELSE wakeAll(wake(s, Head(q).client), Tail(q))
\* the threads of a sequence of TIDs, in order
wakeThreads(s, q) == IF q = <<>> THEN s ELSE wakeThreads(wake(s, Head(q)), Tail(q))
\* the threads serving a request of channel o, from TID t on, stop serving it; each caller still waiting is woken
unserveFrom(s, o, t) ==
    IF t >= Len(s.threads) THEN s
    ELSE LET th == Thr(s, t) IN
         unserveFrom(IF th.serving = Null \/ th.serving.channel # o THEN s
                     ELSE LET c == Thr(s, th.serving.client)
                              s1 == moveThreadServing(s, t, th.state, Null)
                          IN IF c.state.tag = "reply" /\ c.state.server = t THEN wake(s1, th.serving.client) ELSE s1,
                     o, t + 1)

\* disconnect: a channel whose server end no live process holds any more (its last receive handle
\* closed, or its server exited): its queued callers, then its receivers, then the callers whose request
\* a thread received on it are woken (rcNotConnected).
disconnect(s, o) ==
    IF Obj(s, o).kind # "channel" \/ receivable(s, o) THEN s
    ELSE LET ch == Obj(s, o)
             s1 == IF ch.queue # <<>> \/ ch.receivers # <<>>
                   THEN [s EXCEPT !.objects[o + 1].queue = <<>>, !.objects[o + 1].receivers = <<>>] ELSE s
         IN unserveFrom(wakeThreads(wakeAll(s1, ch.queue), ch.receivers), o, 0)

(***************************************************************************)
(* services.ts: lifecycle                                                  *)
(***************************************************************************)

spawnThread(s, sid, priority) ==
    LET t == Len(s.threads)
    IN wake([s EXCEPT !.threads = Append(@, [sid |-> sid, priority |-> priority, state |-> [tag |-> "exited"], serving |-> Null])], t)

createProcess(s, name, cls, priority) ==
    LET sid == Len(s.processes)
        p == [name |-> name, taskClass |-> cls, status |-> "alive",
              handles |-> <<[object |-> KERNEL_OBJECT, rights |-> RCall]>>, regions |-> <<>>]
    IN spawnThread([s EXCEPT !.processes = Append(@, p)], sid, priority)

RECURSIVE exitThread(_, _), exitProcess(_, _), exitThreadsFrom(_, _, _), disconnectFrom(_, _)

\* exitThread: whoever the thread was serving is woken (rcNotConnected); the last thread's exit ends its process.
exitThread(s, t) ==
    LET th == Thr(s, t)
        s1 == IF th.state.tag \in {"recv", "call"}
              THEN LET id == th.state.channel IN
                   [s EXCEPT !.objects[id + 1].receivers = Remove(@, t),
                             !.objects[id + 1].queue = SelectSeq(@, LAMBDA r : r.client # t)]
              ELSE s
        s2 == IF th.serving # Null
              THEN LET c == Thr(s1, th.serving.client) IN
                   IF c.state.tag = "reply" /\ c.state.server = t THEN wake(s1, th.serving.client) ELSE s1
              ELSE s1
        s3 == moveThreadServing(s2, t, [tag |-> "exited"], Null)
    IN IF th.state.tag = "exited" THEN s
       ELSE IF \A x \in DOMAIN s3.threads : s3.threads[x].sid # th.sid \/ s3.threads[x].state.tag = "exited"
            THEN exitProcess(s3, th.sid)
            ELSE s3

exitThreadsFrom(s, sid, t) ==
    IF t >= Len(s.threads) THEN s
    ELSE exitThreadsFrom(IF Thr(s, t).sid = sid THEN exitThread(s, t) ELSE s, sid, t + 1)

\* every channel from object o on is disconnected if nobody can receive on it any more
disconnectFrom(s, o) == IF o >= Len(s.objects) THEN s ELSE disconnectFrom(disconnect(s, o), o + 1)

releaseIrqs(s, sid) ==
    [s EXCEPT !.irqs = [l \in DOMAIN s.irqs |->
        IF s.irqs[l].object # Null /\ Obj(s, s.irqs[l].object).kind = "irq" /\ Obj(s, s.irqs[l].object).owner = sid
        THEN [object |-> Null, pending |-> FALSE, masked |-> FALSE] ELSE s.irqs[l]]]

\* exitProcess: its threads end, callers waiting on the channels it served are woken (rcNotConnected), its handles and IRQ lines are released.
exitProcess(s, sid) ==
    IF Proc(s, sid).status # "alive" THEN s
    ELSE LET s1 == [s EXCEPT !.processes[sid + 1].status = "exited"]
             s2 == exitThreadsFrom(s1, sid, 0)
             s3 == disconnectFrom(s2, 0)
             s4 == releaseIrqs(s3, sid)
         IN [s4 EXCEPT !.processes[sid + 1].handles = <<>>, !.processes[sid + 1].regions = <<>>]

(***************************************************************************)
(* services.ts: the services                                               *)
(***************************************************************************)

\* objectOf: the handle must name an object of one of `kinds`, with `rights`; else the failure.
objectOf(s, t, h, kinds, rights) ==
    LET e == handle(s, Thr(s, t).sid, h) IN
    IF e = Null THEN [rc |-> "rcBadHandle"]
    ELSE IF Obj(s, e.object).kind \notin kinds THEN [rc |-> "rcInvalidArgument"]
    ELSE IF ~RightsWithin(rights, e.rights) THEN [rc |-> "rcNoRights"]
    ELSE [rc |-> "ok", id |-> e.object, obj |-> Obj(s, e.object)]

\* give: a new object, labelled with objectSid of its id, recorded as created for the service effect, and a
\* handle to it.  (The TS creators write the label into the object: Draft.nextObjectSid.)
give(s, sid, o, rights) ==
    LET id == Len(s.objects)
    IN installHandle([s EXCEPT !.objects = Append(@, [sid |-> objectSid(id)] @@ o), !.created = Append(@, <<sid, id>>)],
                     sid, [object |-> id, rights |-> rights])

\* liveObjects: objects a live process still holds a handle to or maps, and DMA buffers a device is
\* still writing (only these keep their pages).
liveObjects(s) ==
    {o \in 0 .. Len(s.objects) - 1 : Obj(s, o).kind = "dma" /\ Obj(s, o).status = "busy"} \cup
    UNION {{s.processes[p].handles[h].object : h \in {i \in DOMAIN s.processes[p].handles : s.processes[p].handles[i] # Null}}
           \cup {s.processes[p].regions[r].object : r \in DOMAIN s.processes[p].regions}
           : p \in {q \in DOMAIN s.processes : s.processes[q].status = "alive"}}

RECURSIVE sumPages(_, _, _)
sumPages(s, os, i) ==
    IF i > Len(os) THEN 0
    ELSE (IF os[i] \in liveObjects(s) /\ Obj(s, os[i]).kind = "memory" THEN Obj(s, os[i]).pages ELSE 0) + sumPages(s, os, i + 1)
\* usedPages: the pages of the live memory objects.
usedPages(s) == sumPages(s, [i \in 1 .. Len(s.objects) |-> i - 1], 1)

\* held: a live process still holds a handle to the object.
held(s, o) == \E p \in DOMAIN s.processes :
                 s.processes[p].status = "alive" /\ \E h \in DOMAIN s.processes[p].handles : s.processes[p].handles[h] # Null /\ s.processes[p].handles[h].object = o

RECURSIVE wakeIrqWaitersFrom(_, _, _)
wakeIrqWaitersFrom(s, line, t) ==
    IF t >= Len(s.threads) THEN s
    ELSE wakeIrqWaitersFrom(IF Thr(s, t).state.tag = "irq" /\ Thr(s, t).state.line = line THEN wake(s, t) ELSE s, line, t + 1)

\* releaseIfUnheld: after a handle is closed, an IRQ line nobody holds any more is released and its waiters woken (rcNotConnected).
releaseIfUnheld(s, o) ==
    IF Obj(s, o).kind # "irq" \/ held(s, o) THEN s
    ELSE LET line == Obj(s, o).line IN
         IF s.irqs[line + 1].object # o THEN s
         ELSE wakeIrqWaitersFrom([s EXCEPT !.irqs[line + 1] = [object |-> Null, pending |-> FALSE, masked |-> FALSE]], line, 0)

\* mapRegion: a new region above every region of the process.
mapRegion(s, sid, o, pages, rights) ==
    LET rs == Proc(s, sid).regions
        base == IF rs = <<>> THEN 0 ELSE Max({rs[i].base + rs[i].pages : i \in DOMAIN rs})
    IN [s EXCEPT !.processes[sid + 1].regions = Append(@, [base |-> base, pages |-> pages, object |-> o, rights |-> ReadWrite(rights)])]

\* deliverIrq: a pending interrupt goes to the first thread waiting on the line, unless it is masked.
deliverIrq(s, line) ==
    LET l == s.irqs[line + 1]
        waiters == {t \in 0 .. Len(s.threads) - 1 : Thr(s, t).state.tag = "irq" /\ Thr(s, t).state.line = line}
    IN IF l.masked \/ waiters = {}
       THEN [s EXCEPT !.irqs[line + 1].pending = TRUE]
       ELSE wake([s EXCEPT !.irqs[line + 1] = [l EXCEPT !.pending = FALSE, !.masked = TRUE]], Min(waiters))

MemoryRights == RRead + RWrite + RMap + RTransfer + RDuplicate
DmaRights == RRead + RWrite + RMap + RTransfer
DeviceRights == RRead + RWrite

\* dmaAddress: the first fit in the DMA window among the buffers still live, as a page of the window; -1 if none.
dmaAddress(s, n) ==
    LET taken == {o \in liveObjects(s) : Obj(s, o).kind = "dma"}
        free(a) == \A o \in taken : a + n <= Obj(s, o).deviceAddress \/ Obj(s, o).deviceAddress + Obj(s, o).pages <= a
        fits == {a \in 0 .. DmaPages - n : free(a)}
    IN IF fits = {} THEN -1 ELSE Min(fits)

\* attach: a port or MMIO range the board offers and no live process holds; a handle with read and write to it.
attach(s, t, kind, base, size, offered) ==
    LET sid == Thr(s, t).sid
        extent(o) == IF o.kind = "ports" THEN o.count ELSE o.size
        overlaps(id) == Obj(s, id).kind = kind /\ base < Obj(s, id).base + extent(Obj(s, id)) /\ Obj(s, id).base < base + size
    IN IF size = 0 \/ ~\E r \in offered : base >= r.base /\ base + size <= r.base + r.size THEN s
       ELSE IF \E id \in 0 .. Len(s.objects) - 1 : overlaps(id) /\ held(s, id) THEN s
       ELSE give(s, sid, IF kind = "ports" THEN [kind |-> kind, base |-> base, count |-> size, owner |-> sid]
                         ELSE [kind |-> kind, base |-> base, size |-> size, owner |-> sid], DeviceRights)

\* register: a port or MMIO register read or write inside the attached range.  The register's value is
\* not part of the state (device I/O is abstracted): it changes no variable, whatever it finds.
register(s, t, kind, h, at, rights) == s

\* the futex waiters on offset `off` of object `o`, in arrival order
futexWaiters(s, o, off) ==
    SelectSeq(s.futexQueue, LAMBDA w : Thr(s, w).state.tag = "futex" /\ Thr(s, w).state.object = o /\ Thr(s, w).state.offset = off)

\* task.Execute: a new process of a solution class, started only on a granted execute event.
execute(s, t, a) ==
    LET src == Thr(s, t).sid
        cls == ClassId(a.taskClass)
        sid == Len(s.processes)
        ev == [kind |-> "execute", src |-> src, srcClass |-> Proc(s, src).taskClass, dst |-> sid, dstClass |-> cls,
               endpoint |-> -1, method |-> -1, iface |-> -1, riid |-> -1, mid |-> -1, wf |-> TRUE, transfers |-> <<>>, payload |-> 0]
        s1 == mediate(s, ev)
    IN IF cls < 2 THEN s
       ELSE IF a.name = "" \/ \E p \in DOMAIN s.processes : s.processes[p].name = a.name THEN s
       ELSE IF sid >= OBJECT_SID_BASE THEN s
       ELSE IF ~granted(s1) THEN s1
       ELSE effect(createProcess(s1, a.name, cls, Thr(s, t).priority), "execute", ev, <<>>, <<>>)

\* SERVICES of services.ts, on granted requests: the next draft.
service(name, s, t, a) ==
    LET sid == Thr(s, t).sid IN
    CASE name = "task.Execute" -> execute(s, t, a)
      [] name = "task.Exit" -> exitProcess(s, sid)
      [] name = "thread.Create" ->
            IF a.priority > MAX_PRIORITY THEN s ELSE spawnThread(s, sid, a.priority)
      [] name = "thread.Exit" -> exitThread(s, t)
      [] name = "thread.Sleep" ->
            IF a.ns = 0 THEN s ELSE moveThread(s, t, [tag |-> "sleep", ticks |-> (a.ns + TickNs - 1) \div TickNs])
      [] name = "vmm.Allocate" ->
            IF a.pages = 0 \/ usedPages(s) + a.pages > MemoryPages THEN s
            ELSE LET s1 == give(s, sid, [kind |-> "memory", creator |-> sid, pages |-> a.pages], MemoryRights)
                 IN mapRegion(s1, sid, Len(s.objects), a.pages, MemoryRights)
      [] name = "vmm.Map" ->
            LET o == objectOf(s, t, a.handle, {"memory"}, RMap) IN
            IF o.rc # "ok" THEN s ELSE mapRegion(s, sid, o.id, o.obj.pages, handle(s, sid, a.handle).rights)
      [] name = "irq.Attach" ->
            IF a.line >= IrqLines THEN s
            ELSE IF a.line \in ReservedIrqs THEN s
            ELSE IF s.irqs[a.line + 1].object # Null THEN s
            ELSE LET s1 == give(s, sid, [kind |-> "irq", line |-> a.line, owner |-> sid], RRead + RWrite)
                 IN [s1 EXCEPT !.irqs[a.line + 1] = [object |-> Len(s.objects), pending |-> FALSE, masked |-> FALSE]]
      [] name = "irq.Wait" ->
            LET o == objectOf(s, t, a.handle, {"irq"}, RRead) IN
            IF o.rc # "ok" THEN s
            ELSE LET l == s.irqs[o.obj.line + 1] IN
                 IF l.object # o.id THEN s
                 ELSE IF l.pending /\ ~l.masked THEN [s EXCEPT !.irqs[o.obj.line + 1] = [l EXCEPT !.pending = FALSE, !.masked = TRUE]]
                 ELSE moveThread(s, t, [tag |-> "irq", line |-> o.obj.line])
      [] name = "irq.Ack" ->
            LET o == objectOf(s, t, a.handle, {"irq"}, RWrite) IN
            IF o.rc # "ok" THEN s
            ELSE LET l == s.irqs[o.obj.line + 1]
                     s1 == [s EXCEPT !.irqs[o.obj.line + 1].masked = FALSE]
                 IN IF l.object # o.id THEN s ELSE IF l.pending THEN deliverIrq(s1, o.obj.line) ELSE s1
      [] name = "vmm.Unmap" ->
            LET rs == Proc(s, sid).regions
                at(r) == RegionBase + r.base * PageSize = a.base
            IN IF ~\E i \in DOMAIN rs : at(rs[i]) THEN s
               ELSE [s EXCEPT !.processes[sid + 1].regions = SelectSeq(rs, LAMBDA r : ~at(r))]
      [] name = "sync.Wait" ->
            LET o == objectOf(s, t, a.handle, {"memory"}, RRead) IN
            IF o.rc # "ok" THEN s
            ELSE IF a.offset >= o.obj.pages * PageSize THEN s
            ELSE moveThread(s, t, [tag |-> "futex", object |-> o.id, offset |-> a.offset])
      [] name = "sync.Wake" ->
            LET o == objectOf(s, t, a.handle, {"memory"}, RRead) IN
            IF o.rc # "ok" THEN s
            ELSE LET ws == futexWaiters(s, o.id, a.offset) IN wakeThreads(s, SubSeq(ws, 1, Min({a.count, Len(ws)})))
      [] name = "io.AttachPorts" -> IF ~PortIo THEN s ELSE attach(s, t, "ports", a.base, a.count, Ports)
      [] name = "io.PortRead" -> register(s, t, "ports", a.handle, a.port, RRead)
      [] name = "io.PortWrite" -> register(s, t, "ports", a.handle, a.port, RWrite)
      [] name = "io.AttachMmio" -> attach(s, t, "mmio", a.base, a.size, Mmio)
      [] name = "io.MmioRead" -> register(s, t, "mmio", a.handle, a.offset, RRead)
      [] name = "io.MmioWrite" -> register(s, t, "mmio", a.handle, a.offset, RWrite)
      [] name = "dma.Allocate" ->
            LET addr == IF DmaPages < 0 \/ a.pages = 0 THEN -1 ELSE dmaAddress(s, a.pages) IN
            IF addr < 0 THEN s
            ELSE give(s, sid, [kind |-> "dma", creator |-> sid, pages |-> a.pages, deviceAddress |-> addr, status |-> "idle"], DmaRights)
      [] name = "dma.Map" ->
            LET o == objectOf(s, t, a.handle, {"dma"}, RMap) IN
            IF o.rc # "ok" THEN s ELSE mapRegion(s, sid, o.id, o.obj.pages, handle(s, sid, a.handle).rights)
      [] name = "dma.Start" ->
            LET o == objectOf(s, t, a.handle, {"dma"}, RWrite) IN
            IF o.rc # "ok" THEN s ELSE [s EXCEPT !.objects[o.id + 1].status = "busy"]
      [] name = "time.Read" -> s
      [] name = "time.SetRealtime" -> s
      [] name = "handle.Close" ->
            IF a.handle = 0 \/ handle(s, sid, a.handle) = Null THEN s
            ELSE LET o == handle(s, sid, a.handle).object
                 IN disconnect(releaseIfUnheld([s EXCEPT !.processes[sid + 1].handles[a.handle + 1] = Null], o), o)
      [] name = "handle.Duplicate" ->
            LET e == handle(s, sid, a.handle) IN
            IF e = Null THEN s
            ELSE IF ~HasRight(e.rights, RDuplicate) \/ ~RightsWithin(a.rights, e.rights) THEN s
            ELSE installHandle(s, sid, [object |-> e.object, rights |-> a.rights])
      [] name = "channel.Create" ->
            \* a channel served by the caller: the client end (call, transfer, duplicate), then the server end
            LET s1 == give(s, sid, [kind |-> "channel", server |-> sid, queue |-> <<>>, receivers |-> <<>>], RCall + RTransfer + RDuplicate)
            IN installHandle(s1, sid, [object |-> Len(s.objects), rights |-> RRecv])
      [] OTHER -> Assert(FALSE, <<"a granted kernel request that names no kernel service", name>>)

\* decode (services.ts): the kernel reads a service's arguments only from a payload that matches the
\* service's codec, whatever the monitor checked; otherwise the caller gets rcInvalidArgument and the
\* service does not run.  (Under Monitor a granted request always matches: ~wf is denied.)
decode(m) ==
    IF m.riid < Len(Classes[1].endpoints) /\ <<Classes[1].endpoints[m.riid + 1].iface, m.mid>> \in m.accepts
    THEN [ok |-> TRUE, args |-> m.args] ELSE [ok |-> FALSE]

\* callKernel: a Call on the kernel handle is a kernel service or a query of the caller's security
\* interface; mediated first, then decoded, run only on grant; the service effect precedes the effects
\* the service causes.
callKernel(s, t, m) ==
    LET sid == Thr(s, t).sid
        kind == IF m.riid = SECURITY_RIID THEN "security" ELSE "request"
        ev == messageEvent(s, kind, sid, KERNEL_SID, m.riid, m.mid, m.accepts, m.payload, <<>>)
        s1 == mediate(s, ev)
        a == decode(m)
        s2 == IF a.ok THEN service(ServiceOf(m), s1, t, a.args) ELSE s1
        n == Len(s1.effects)
    IN IF Len(m.handles) > 0 THEN s
       ELSE IF ~granted(s1) THEN s1
       ELSE IF kind = "security" THEN effect(s1, "security", ev, <<>>, <<>>)
       ELSE [s2 EXCEPT !.effects = SubSeq(@, 1, n) \o
                          <<[kind |-> "service", event |-> ev, transfers |-> <<>>, created |-> s2.created]>> \o
                          SubSeq(@, n + 1, Len(@))]

\* call: a request on a channel's client end, mediated; granted, if a live process holds the server end,
\* it (and its handles) enter the server's domain, and it goes to a waiting receiver or joins the
\* channel's queue; if none does, it ends with rcNotConnected and nothing crosses.
call(s, t, h, m) ==
    LET sid == Thr(s, t).sid
        e == handle(s, sid, h)
        obj == Obj(s, e.object)
        xf == captureTransfers(s, sid, m.handles)
        ev == messageEvent(s, "request", sid, obj.server, m.riid, m.mid, m.accepts, m.payload, xf.entries)
        s1 == mediate(s, ev)
        inst == install(s1, obj.server, xf.entries)
        s2 == effect(inst.s, "request", ev, transferred(inst.s, obj.server, inst.handles), <<>>)
        ch == Obj(s2, e.object)
    IN IF e = Null THEN s
       ELSE IF obj.kind = "kernel" THEN callKernel(s, t, m)
       ELSE IF obj.kind # "channel" \/ ~HasRight(e.rights, RCall) THEN s
       ELSE IF xf.rc # "ok" THEN s
       ELSE IF ~granted(s1) THEN s1
       ELSE IF ~receivable(s1, e.object) THEN s1
       ELSE IF ch.receivers # <<>>
            THEN LET r == Head(ch.receivers)
                     s3 == [s2 EXCEPT !.objects[e.object + 1].receivers = Tail(@)]
                     s4 == moveThread(s3, t, [tag |-> "reply", server |-> r])
                 IN moveThreadServing(s4, r, [tag |-> "ready"], [client |-> t, channel |-> e.object, riid |-> m.riid, mid |-> m.mid])
            ELSE moveThread([s2 EXCEPT !.objects[e.object + 1].queue =
                                 Append(@, [client |-> t, riid |-> m.riid, mid |-> m.mid, handles |-> inst.handles])],
                            t, [tag |-> "call", channel |-> e.object])

\* serverEnd: the handle must be a channel's server end (recv right); its object id, or -1.
serverEnd(s, t, h) ==
    LET e == handle(s, Thr(s, t).sid, h) IN
    IF e = Null THEN -1
    ELSE IF Obj(s, e.object).kind # "channel" \/ ~HasRight(e.rights, RRecv) THEN -1
    ELSE e.object

\* recv: take the first queued request, or wait among the channel's receivers.
recv(s, t, h) ==
    LET id == serverEnd(s, t, h)
        ch == Obj(s, id)
        next == Head(ch.queue)
    IN IF id < 0 THEN s
       ELSE IF Thr(s, t).serving # Null THEN s
       ELSE IF ch.queue = <<>>
            THEN moveThread([s EXCEPT !.objects[id + 1].receivers = Append(@, t)], t, [tag |-> "recv", channel |-> id])
            ELSE LET s1 == moveThread([s EXCEPT !.objects[id + 1].queue = Tail(@)], next.client, [tag |-> "reply", server |-> t])
                 IN moveThreadServing(s1, t, Thr(s1, t).state, [client |-> next.client, channel |-> id, riid |-> next.riid, mid |-> next.mid])

\* reply: answers the request the thread received on this channel, and only its caller; the answer is
\* mediated as a response or an error; denied, it ends the call with rcSecurityDisallow for both.
reply(s, t, h, m) ==
    LET id == serverEnd(s, t, h)
        sid == Thr(s, t).sid
        sv == Thr(s, t).serving
        client == Thr(s, sv.client)
        xf == captureTransfers(s, sid, m.handles)
        kind == IF m.error THEN "error" ELSE "response"
        ev == messageEvent(s, kind, sid, client.sid, sv.riid, sv.mid, m.accepts, m.payload, xf.entries)
        s1 == mediate(moveThreadServing(s, t, Thr(s, t).state, Null), ev)
        inst == install(s1, client.sid, xf.entries)
    IN IF id < 0 THEN s
       ELSE IF sv = Null THEN s
       ELSE IF sv.channel # id THEN s
       ELSE IF client.state.tag # "reply" \/ client.state.server # t THEN moveThreadServing(s, t, Thr(s, t).state, Null)
       ELSE IF xf.rc # "ok" THEN s
       ELSE IF ~granted(s1) THEN wake(s1, sv.client)
       ELSE wake(effect(inst.s, kind, ev, transferred(inst.s, client.sid, inst.handles), <<>>), sv.client)

(***************************************************************************)
(* sched.ts                                                                *)
(***************************************************************************)

\* schedule: the CPU's current thread goes to the back of the run queue; the first of the highest priority runs.
schedule(s, c) ==
    LET cur == s.cpus[c]
        s1 == IF cur # Null THEN moveThread(s, cur, [tag |-> "ready"]) ELSE s
        q == s1.runQueue
        prio(i) == Thr(s1, q[i]).priority
        best == CHOOSE i \in DOMAIN q : (\A j \in DOMAIN q : prio(j) <= prio(i)) /\ (\A j \in 1 .. i - 1 : prio(j) < prio(i))
    IN IF q = <<>> THEN s1
       ELSE [moveThread(s1, q[best], [tag |-> "running", cpu |-> c]) EXCEPT !.cpus[c] = q[best]]

RECURSIVE tickFrom(_, _)
tickFrom(s, t) ==
    IF t >= Len(s.threads) THEN s
    ELSE LET st == Thr(s, t).state IN
         tickFrom(IF st.tag # "sleep" THEN s
                  ELSE IF st.ticks = 1 THEN wake(s, t)
                  ELSE [s EXCEPT !.threads[t + 1].state.ticks = @ - 1], t + 1)

\* tick: the clock advances one tick; sleepers whose time has come wake, in TID order.
tick(s) == tickFrom(s, 0)

\* irq: an interrupt on a line nobody attached is dropped.
irq(s, line) == IF s.irqs[line + 1].object = Null THEN s ELSE deliverIrq(s, line)

\* dma: the device completes the transfer of the busy buffer at a device address (the one of lowest
\* id); a completion where no transfer is in flight is spurious and dropped.
dma(s, addr) ==
    LET busy == {o \in 0 .. Len(s.objects) - 1 : Obj(s, o).kind = "dma" /\ Obj(s, o).deviceAddress = addr /\ Obj(s, o).status = "busy"}
    IN IF busy = {} THEN s ELSE [s EXCEPT !.objects[Min(busy) + 1].status = "done"]

(***************************************************************************)
(* boot.ts                                                                 *)
(***************************************************************************)

RECURSIVE bootFrom(_, _, _)
\* Einit starts each process of the solution through a mediated execute event.
bootFrom(s, i, sids) ==
    IF i > Len(BootProcesses) THEN [s |-> s, sids |-> sids]
    ELSE LET p == BootProcesses[i]
             ev == [kind |-> "execute", src |-> EINIT_SID, srcClass |-> 1, dst |-> Len(s.processes), dstClass |-> p.taskClass,
                    endpoint |-> -1, method |-> -1, iface |-> -1, riid |-> -1, mid |-> -1, wf |-> TRUE, transfers |-> <<>>, payload |-> 0]
             s1 == mediate(s, ev)
         IN IF granted(s1)
            THEN bootFrom(effect(createProcess(s1, p.name, p.taskClass, p.priority), "execute", ev, <<>>, <<>>), i + 1, Append(sids, Len(s.processes)))
            ELSE bootFrom(s1, i + 1, Append(sids, -1))

RECURSIVE connectFrom(_, _, _)
\* Static channels between the processes that started: the client end (call, transfer, duplicate) and the server end (recv).
connectFrom(s, i, sids) ==
    IF i > Len(Connections) THEN s
    ELSE LET c == sids[Connections[i].client + 1]
             v == sids[Connections[i].server + 1]
             id == Len(s.objects)
         IN connectFrom(IF c < 0 \/ v < 0 THEN s
                        ELSE installHandle(installHandle([s EXCEPT !.objects = Append(@, [kind |-> "channel", sid |-> objectSid(id), server |-> v, queue |-> <<>>, receivers |-> <<>>])],
                                                         c, [object |-> id, rights |-> RCall + RTransfer + RDuplicate]),
                                           v, [object |-> id, rights |-> RRecv]),
                        i + 1, sids)

Empty == [processes |-> <<[name |-> "kernel", taskClass |-> 0, status |-> "alive", handles |-> <<>>, regions |-> <<>>],
                          [name |-> "Einit", taskClass |-> 1, status |-> "alive", handles |-> <<>>, regions |-> <<>>]>>,
          threads |-> <<>>, objects |-> <<[kind |-> "kernel", sid |-> KERNEL_SID]>>, cpus |-> [c \in CPUs |-> Null], runQueue |-> <<>>, futexQueue |-> <<>>,
          irqs |-> [l \in 1 .. IrqLines |-> [object |-> Null, pending |-> FALSE, masked |-> FALSE]],
          monitor |-> MonitorInit, decisions |-> <<>>, effects |-> <<>>, created |-> <<>>]

Booted == LET b == bootFrom(Empty, 1, <<>>) IN connectFrom(b.s, 1, b.sids)

(***************************************************************************)
(* The specification                                                       *)
(***************************************************************************)

\* Every handle the alphabet transfers carries a rights mask 0..ALL_RIGHTS: the kernel rejects any
\* other message as malformed before it is a step (step.ts badMessage, types.ts isRights), so
\* captureTransfers only ever sees such masks.  (handle.Duplicate's rights are bounded by its codec,
\* kernel-api.ts RightsMask: a payload outside it is not in the message's `accepts`.)
ASSUME \A m \in Messages \cup Replies : \A i \in DOMAIN m.handles : m.handles[i].rights \in 0 .. ALL_RIGHTS

Init == Is(Booted)

Running(t) == Thr(Fresh, t).state.tag = "running"
Tids == 0 .. Len(threads) - 1

\* The system calls of a running thread (step.ts rejects a syscall of a thread that is not running).
Call(t, h, m) == Running(t) /\ Apply(call(Fresh, t, h, m))
Recv(t, h) == Running(t) /\ Apply(recv(Fresh, t, h))
Reply(t, h, m) == Running(t) /\ Apply(reply(Fresh, t, h, m))

\* Kernel services are Calls on the kernel handle; these name them by what they ask for.
Execute(t, m) == ServiceOf(m) = "task.Execute" /\ Call(t, KERNEL_HANDLE, m)
Exit(t, m) == ServiceOf(m) \in {"task.Exit", "thread.Exit"} /\ Call(t, KERNEL_HANDLE, m)
Service(t, m) == ServiceOf(m) \notin {"task.Execute", "task.Exit", "thread.Exit"} /\ Call(t, KERNEL_HANDLE, m)

\* Hardware and scheduler events.
Schedule(c) == Apply(schedule(Fresh, c))
Tick == Apply(tick(Fresh))
Irq(l) == Apply(irq(Fresh, l))
Dma(a) == Apply(dma(Fresh, a))

Next ==
    \/ \E c \in CPUs : Schedule(c)
    \/ Tick
    \/ \E l \in 0 .. IrqLines - 1 : Irq(l)
    \/ \E a \in 0 .. DmaPages - 1 : Dma(a)
    \/ \E t \in Tids :
          /\ Running(t)
          /\ \/ \E m \in Messages : \/ Execute(t, m) \/ Exit(t, m) \/ Service(t, m)
                                    \/ \E h \in Handles \ {KERNEL_HANDLE} : Call(t, h, m)
             \/ \E h \in Handles : Recv(t, h)
             \/ \E h \in Handles, m \in Replies : Reply(t, h, m)

Spec == Init /\ [][Next]_vars
===============================================================================
