using ProtoBuf;
using Wormhole.Reactive;

namespace Conformance;

// The messages of the conformance server's actors. `dotnet ConformanceServer.dll --schema` prints their proto, which
// clients/typescript/test/contracts/conformance.proto must equal (the Node test "the committed contract schema is the
// server's" checks it; `npm run schema` rewrites it).

/// <summary>To "echo": answered with the same text and <see cref="Hops"/> + 1, to <see cref="ReplyTo"/> or else to the sender.</summary>
[ProtoContract]
public sealed record Echo
{
    [ProtoMember(1)] public string Text { get; init; } = "";
    [ProtoMember(2)] public ActorRef<Echo>? ReplyTo { get; init; }
    [ProtoMember(3)] public int Hops { get; init; }
}

/// <summary>To "adder": the sum goes to the reply port as a bare int; <c>A = B = 0</c> is answered with a failure.</summary>
[ProtoContract]
public sealed record Add
{
    [ProtoMember(1)] public int A { get; init; }
    [ProtoMember(2)] public int B { get; init; }
    [ProtoMember(3)] public ReplyPort<int>? Reply { get; init; }
}

/// <summary>To "factory": makes a new counter actor and answers with a reference to it.</summary>
[ProtoContract]
public sealed record MakeCounter
{
    [ProtoMember(1)] public ReplyPort<CounterMade>? Reply { get; init; }
}

/// <summary>The factory's answer: a reference the server hands to the client.</summary>
[ProtoContract]
public sealed record CounterMade
{
    [ProtoMember(1)] public ActorRef<CounterCommand>? Counter { get; init; }
}

/// <summary>What a counter accepts.</summary>
[ProtoContract]
[ProtoInclude(10, typeof(Increment))]
[ProtoInclude(11, typeof(StopCounter))]
public abstract record CounterCommand;

/// <summary>Adds <see cref="By"/>; the running total goes to the reply port.</summary>
[ProtoContract]
public sealed record Increment : CounterCommand
{
    [ProtoMember(1)] public int By { get; init; }
    [ProtoMember(2)] public ReplyPort<long>? Total { get; init; }
}

/// <summary>The counter stops itself: the client's reference to it ends (Terminated).</summary>
[ProtoContract]
public sealed record StopCounter : CounterCommand;

/// <summary>To "bouncer": tells <see cref="Target"/> and each of <see cref="More"/> an <see cref="Echo"/> "bounced" and answers with the same references.</summary>
[ProtoContract]
public sealed record Bounce
{
    [ProtoMember(1)] public ActorRef<Echo>? Target { get; init; }
    [ProtoMember(2)] public ReplyPort<Bounced>? Reply { get; init; }
    [ProtoMember(3)] public List<ActorRef<Echo>> More { get; init; } = [];
}

/// <summary>The bouncer's answer: the client's own references, handed back.</summary>
[ProtoContract]
public sealed record Bounced
{
    [ProtoMember(1)] public ActorRef<Echo>? Target { get; init; }
    [ProtoMember(2)] public List<ActorRef<Echo>> More { get; init; } = [];
}

/// <summary>To "inspector": the counters of the server's portal whose id (the first 8 hex digits of its conduit half) is given.</summary>
[ProtoContract]
public sealed record Inspect
{
    [ProtoMember(1)] public string PortalId { get; init; } = "";
    [ProtoMember(2)] public ReplyPort<PortalStats>? Reply { get; init; }
}

/// <summary>The inspector's answer.</summary>
[ProtoContract]
public sealed record PortalStats
{
    [ProtoMember(1)] public bool Found { get; init; }
    [ProtoMember(2)] public int Publications { get; init; }
    [ProtoMember(3)] public int Proxies { get; init; }
}

/// <summary>
/// To "caller": the server looks up <see cref="Name"/> among the client's publications and, by <see cref="Mode"/>, tells
/// it an <see cref="Echo"/> ("" or "tell"), tells it with a sender that takes one <see cref="Echo"/> ("tell-with-sender"), asks
/// it as Akka does ("ask-sender"), or asks a <see cref="Quiz"/> with a reply port inside ("ask-port"). <see cref="Done"/>
/// gets the text of the client's answer ("told" for a plain tell), or "failed: …".
/// </summary>
[ProtoContract]
public sealed record CallBack
{
    [ProtoMember(1)] public string PortalId { get; init; } = "";
    [ProtoMember(2)] public string Name { get; init; } = "";
    [ProtoMember(3)] public string Text { get; init; } = "";
    [ProtoMember(4)] public ReplyPort<string>? Done { get; init; }
    [ProtoMember(5)] public string Mode { get; init; } = "";
}

/// <summary>What the server asks a client's "ask-port" publication: the answer goes to <see cref="Reply"/>.</summary>
[ProtoContract]
public sealed record Quiz
{
    [ProtoMember(1)] public string Text { get; init; } = "";
    [ProtoMember(2)] public ReplyPort<Echo>? Reply { get; init; }
}

/// <summary>Nested to any depth: the client publishes one to check its depth limit against a hostile peer.</summary>
[ProtoContract]
public sealed record Nested
{
    [ProtoMember(1)] public Nested? Inner { get; init; }
    [ProtoMember(2)] public string Text { get; init; } = "";
}

/// <summary>To "counter-stream": answered with a stream of <see cref="N"/> ticks 0, 1, … (endless when <see cref="N"/> is 0).</summary>
[ProtoContract]
public sealed record CountTo
{
    [ProtoMember(1)] public int N { get; init; }
    [ProtoMember(2)] public ReplyPort<Counting>? Reply { get; init; }
}

/// <summary>The answer of "counter-stream": the ticks follow as a stream.</summary>
[ProtoContract]
public sealed record Counting
{
    [ProtoMember(1)] public IAsyncEnumerable<Tick>? Ticks { get; init; }
}

/// <summary>One element of a counting stream.</summary>
[ProtoContract]
public sealed record Tick
{
    [ProtoMember(1)] public long Seq { get; init; }
}

/// <summary>To "stream-stats": how the server's producers of "counter-stream" fared so far.</summary>
[ProtoContract]
public sealed record StreamStats
{
    [ProtoMember(1)] public ReplyPort<StreamReport>? Reply { get; init; }
}

/// <summary>The answer of "stream-stats": ticks pulled from the sources (all streams), and sources stopped before their end or completed.</summary>
[ProtoContract]
public sealed record StreamReport
{
    [ProtoMember(1)] public long Pulled { get; init; }
    [ProtoMember(2)] public int Stopped { get; init; }
    [ProtoMember(3)] public int Completed { get; init; }
}

/// <summary>To "upload-sink": the server reads <see cref="Ticks"/> (all of them, or only the first <see cref="TakeOnly"/> when it is over 0, then stops) and answers how it went.</summary>
[ProtoContract]
public sealed record Upload
{
    [ProtoMember(1)] public IAsyncEnumerable<Tick>? Ticks { get; init; }
    [ProtoMember(2)] public int TakeOnly { get; init; }
    [ProtoMember(3)] public ReplyPort<UploadReport>? Reply { get; init; }
}

/// <summary>The answer of "upload-sink": how many ticks arrived, whether their Seq were 0, 1, … in order, and how the stream ended ("" or the exception's type and message).</summary>
[ProtoContract]
public sealed record UploadReport
{
    [ProtoMember(1)] public long Count { get; init; }
    [ProtoMember(2)] public bool InOrder { get; init; }
    [ProtoMember(3)] public string Error { get; init; } = "";
}
