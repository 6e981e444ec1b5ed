using Akka;
using Akka.Streams.Dsl;
using ProtoBuf;
using Wormhole.Reactive;

namespace Wormhole.Tests.Streams.Streaming;

/// <summary>One element of the test streams.</summary>
[ProtoContract]
public sealed record Tick
{
    [ProtoMember(1)] public int N { get; init; }

    /// <summary>Set when an element carries a reference.</summary>
    [ProtoMember(2)] public ActorRef<string>? Owner { get; init; }
}

/// <summary>Asks the feed server for a stream of <see cref="Count"/> ticks (0: endless) in the form <see cref="Form"/>.</summary>
[ProtoContract]
public sealed record FeedRequest
{
    [ProtoMember(1)] public int Count { get; init; }

    [ProtoMember(2)] public ReplyPort<Feed>? Reply { get; init; }

    /// <summary>0: IAsyncEnumerable, 1: Source, 2: IObservable.</summary>
    [ProtoMember(3)] public int Form { get; init; }

    /// <summary>After this many elements the producer throws (null: never); a <see cref="Shared"/> failure is a RemoteStreamException.</summary>
    [ProtoMember(4)] public int? FailAfter { get; init; }

    [ProtoMember(5)] public bool Shared { get; init; }

    /// <summary>Where the producer reports "opened", "produced N", "finally" (no report when null).</summary>
    [ProtoMember(6)] public ActorRef<string>? Reports { get; init; }

    /// <summary>Ticks carry an actor reference when true.</summary>
    [ProtoMember(7)] public bool WithOwner { get; init; }

    /// <summary>When set, the producer counts the elements it made in <c>FeedServer.Produced[Counter]</c>.</summary>
    [ProtoMember(8)] public string? Counter { get; init; }

    /// <summary>How many streams the feed carries in <c>Feed.More</c> besides <c>Events</c> (each of <see cref="Count"/> ticks).</summary>
    [ProtoMember(9)] public int More { get; init; }
}

/// <summary>A feed: one of its three fields is set, by the form asked for.</summary>
[ProtoContract]
public sealed record Feed
{
    [ProtoMember(1)] public IAsyncEnumerable<Tick>? Events { get; init; }

    [ProtoMember(2)] public Source<Tick, NotUsed>? Source { get; init; }

    [ProtoMember(3)] public IObservable<Tick>? Observable { get; init; }

    /// <summary>A list of streams, for tests of streams inside collections.</summary>
    [ProtoMember(4)] public List<IAsyncEnumerable<Tick>> More { get; init; } = [];
}

/// <summary>An upload: the receiver sums the ticks' numbers and replies the sum.</summary>
[ProtoContract]
public sealed record Upload
{
    [ProtoMember(1)] public IAsyncEnumerable<Tick>? Data { get; init; }

    [ProtoMember(2)] public ReplyPort<long>? Done { get; init; }
}
