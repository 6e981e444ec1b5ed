using ProtoBuf;
using Wormhole.Reactive;
using Wormhole.Tests.Streams;

namespace Wormhole.Tests.Hostile;

/// <summary>What the hostile server's "silent" actor takes: recursive (for the depth limit) and with a packed list (for huge counts).</summary>
[ProtoContract]
public sealed record Node
{
    [ProtoMember(1)] public int Value { get; init; }
    [ProtoMember(2)] public Node? Child { get; init; }
    [ProtoMember(3, DataFormat = DataFormat.FixedSize, IsPacked = true)] public List<long> Items { get; init; } = [];
}

/// <summary>What the hostile server's "asker" actor takes: it asks <see cref="Whom"/> to square <see cref="Value"/> through a reply port.</summary>
[ProtoContract]
public sealed record AskSquare
{
    [ProtoMember(1)] public ActorRef<Square>? Whom { get; init; }
    [ProtoMember(2)] public int Value { get; init; }
}

/// <summary>An actor reference as a raw peer writes it by hand (the layout of <c>WireRef</c>).</summary>
[ProtoContract]
public sealed record RawRef
{
    [ProtoMember(1, DataFormat = DataFormat.FixedSize)] public ulong High { get; init; }
    [ProtoMember(2, DataFormat = DataFormat.FixedSize)] public ulong Low { get; init; }
    [ProtoMember(3)] public bool Yours { get; init; }
    [ProtoMember(4)] public uint WithinMs { get; init; }
}

/// <summary><see cref="AskSquare"/> on the wire, for a raw peer.</summary>
[ProtoContract]
public sealed record RawAskSquare
{
    [ProtoMember(1)] public RawRef? Whom { get; init; }
    [ProtoMember(2)] public int Value { get; init; }
}

/// <summary><see cref="Square"/> on the wire, for a raw peer.</summary>
[ProtoContract]
public sealed record RawSquare
{
    [ProtoMember(1)] public int Value { get; init; }
    [ProtoMember(2)] public RawRef? Reply { get; init; }
}

/// <summary>What the hostile server's "flood" actor takes: it tells <see cref="To"/> <see cref="Count"/> nodes of about <see cref="Bytes"/> bytes each, at once.</summary>
[ProtoContract]
public sealed record Flood
{
    [ProtoMember(1)] public ActorRef<Node>? To { get; init; }
    [ProtoMember(2)] public int Count { get; init; }
    [ProtoMember(3)] public int Bytes { get; init; }
}

/// <summary><see cref="Flood"/> on the wire, for a raw peer.</summary>
[ProtoContract]
public sealed record RawFlood
{
    [ProtoMember(1)] public RawRef? To { get; init; }
    [ProtoMember(2)] public int Count { get; init; }
    [ProtoMember(3)] public int Bytes { get; init; }
}
