using Akka;
using Akka.Streams.Dsl;
using ProtoBuf;
using Wormhole.Reactive;

namespace Wormhole.Tests.Hostile;

/// <summary>One element of the hostile server's streams: a number, and padding to make it <see cref="StreamAsk.PadBytes"/> bigger.</summary>
[ProtoContract]
public sealed record Piece
{
    [ProtoMember(1)] public int N { get; init; }

    [ProtoMember(2)] public byte[]? Pad { get; init; }
}

/// <summary>What the hostile server's "streams" actor takes: it replies a <see cref="StreamOffer"/> of <see cref="Streams"/> streams of <see cref="Count"/> pieces (0: endless).</summary>
[ProtoContract]
public sealed record StreamAsk
{
    [ProtoMember(1)] public ReplyPort<StreamOffer>? Reply { get; init; }

    [ProtoMember(2)] public int Count { get; init; }

    /// <summary>How many streams: one in <see cref="StreamOffer.Events"/>, the rest in <see cref="StreamOffer.More"/>.</summary>
    [ProtoMember(3)] public int Streams { get; init; }

    /// <summary>Names the <see cref="ProducerProbe"/> that records what the sources do.</summary>
    [ProtoMember(4)] public int Tag { get; init; }

    [ProtoMember(5)] public int PadBytes { get; init; }
}

/// <summary>Streams of pieces: the "streams" actor's answer, and what the "sink" actor takes (and keeps, unconsumed, under <see cref="Tag"/>).</summary>
[ProtoContract]
public sealed record StreamOffer
{
    [ProtoMember(1)] public IAsyncEnumerable<Piece>? Events { get; init; }

    [ProtoMember(2)] public List<IAsyncEnumerable<Piece>> More { get; init; } = [];

    [ProtoMember(3)] public int Tag { get; init; }

    /// <summary>A stream as an Akka source (the sink's offers only).</summary>
    [ProtoMember(4)] public Source<Piece, NotUsed>? Source { get; init; }

    /// <summary>A stream as an observable (the sink's offers only).</summary>
    [ProtoMember(5)] public IObservable<Piece>? Observable { get; init; }
}

/// <summary><see cref="StreamAsk"/> on the wire, for a raw peer (its reply port is a <see cref="RawRef"/> with <c>WithinMs</c>).</summary>
[ProtoContract]
public sealed record RawStreamAsk
{
    [ProtoMember(1)] public RawRef? Reply { get; init; }

    [ProtoMember(2)] public int Count { get; init; }

    [ProtoMember(3)] public int Streams { get; init; }

    [ProtoMember(4)] public int Tag { get; init; }

    [ProtoMember(5)] public int PadBytes { get; init; }
}

/// <summary>
/// <see cref="StreamOffer"/> on the wire, for a raw peer: each stream a <c>StreamRef { fixed64 High = 1; fixed64 Low = 2; }</c>
/// (the layout of <see cref="RawRef"/> without <c>Yours</c> and <c>WithinMs</c>).
/// </summary>
[ProtoContract]
public sealed record RawStreamOffer
{
    [ProtoMember(1)] public RawRef? Events { get; init; }

    [ProtoMember(2)] public List<RawRef> More { get; init; } = [];

    [ProtoMember(3)] public int Tag { get; init; }

    [ProtoMember(4)] public RawRef? Source { get; init; }

    [ProtoMember(5)] public RawRef? Observable { get; init; }
}

/// <summary><see cref="Piece"/> on the wire, for a raw peer.</summary>
[ProtoContract]
public sealed record RawPiece
{
    [ProtoMember(1)] public int N { get; init; }

    [ProtoMember(2)] public byte[]? Pad { get; init; }
}
