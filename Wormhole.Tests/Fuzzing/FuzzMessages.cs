using ProtoBuf;
using Wormhole.Reactive;
using Wormhole.Tests.Streams;

namespace Wormhole.Tests.Fuzzing;

/// <summary>A recursive message: nesting through a field, a list and a dictionary, with references and subtypes at every level.</summary>
[ProtoContract]
public sealed record FuzzTree
{
    [ProtoMember(1)] public List<FuzzTree> Children { get; init; } = [];
    [ProtoMember(2)] public FuzzTree? Single { get; init; }
    [ProtoMember(3)] public Dictionary<int, FuzzTree> ByKey { get; init; } = [];
    [ProtoMember(4)] public ActorRef<Pong>? Inbox { get; init; }
    [ProtoMember(5)] public ReplyPort<string>? Ack { get; init; }
    [ProtoMember(6)] public RoomEvent? Event { get; init; }
    [ProtoMember(7)] public string Label { get; init; } = "";
}

/// <summary>
/// Every kind of scalar and collection protobuf-net reads: packed runs, fixed sizes, BCL types, maps, sets, references in lists.
/// Lists, not arrays: repeated runs of an array member are quadratic (see the skipped test in <see cref="PayloadDecoderFuzzTests"/>).
/// </summary>
[ProtoContract]
public sealed record FuzzScalars
{
    [ProtoMember(1, IsPacked = true)] public List<int> Ints { get; init; } = [];
    [ProtoMember(2, IsPacked = true)] public List<long> Longs { get; init; } = [];
    [ProtoMember(3, IsPacked = true)] public List<double> Doubles { get; init; } = [];
    [ProtoMember(4, IsPacked = true, DataFormat = DataFormat.FixedSize)] public List<uint> Fixed { get; init; } = [];
    [ProtoMember(5)] public byte[] Blob { get; init; } = [];
    [ProtoMember(6)] public string Text { get; init; } = "";
    [ProtoMember(7)] public DayOfWeek Day { get; init; }
    [ProtoMember(8)] public decimal Amount { get; init; }
    [ProtoMember(9)] public Guid Id { get; init; }
    [ProtoMember(10)] public DateTime At { get; init; }
    [ProtoMember(11)] public TimeSpan Span { get; init; }
    [ProtoMember(12)] public Dictionary<string, int> Counts { get; init; } = [];
    [ProtoMember(13)] public HashSet<string> Tags { get; init; } = [];
    [ProtoMember(14)] public float Ratio { get; init; }
    [ProtoMember(15)] public bool Flag { get; init; }
    [ProtoMember(16, DataFormat = DataFormat.ZigZag)] public long Signed { get; init; }
    [ProtoMember(17)] public List<ReplyPort<int>> Ports { get; init; } = [];
    [ProtoMember(18)] public List<ActorRef<Pong>> Inboxes { get; init; } = [];
    [ProtoMember(19)] public List<string> Lines { get; init; } = [];
    [ProtoMember(20)] public int? Maybe { get; init; }
}

/// <summary>An array member: refused, because repeated runs of it would decode in quadratic time.</summary>
[ProtoContract]
public sealed record ArrayScalars
{
    [ProtoMember(4, IsPacked = true, DataFormat = DataFormat.FixedSize)] public uint[] Fixed { get; init; } = [];
}
