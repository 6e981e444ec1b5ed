using ProtoBuf;
using Wormhole.Reactive;

namespace Wormhole.Benchmarks.Contracts;

/// <summary>The stream workloads over Wormhole: a stream of <see cref="Small"/> in a message.</summary>
[ProtoContract]
public sealed class Feed
{
    [ProtoMember(1)] public IAsyncEnumerable<Small>? Items { get; set; }
}

/// <summary>Asks the server for a <see cref="Feed"/> of <see cref="Count"/> elements (0: endless).</summary>
[ProtoContract]
public sealed class StreamRequest
{
    [ProtoMember(1)] public long Count { get; set; }

    [ProtoMember(2)] public ReplyPort<Feed>? Reply { get; set; }
}

/// <summary>One element of an upload: a slice of bytes.</summary>
[ProtoContract]
public sealed class Chunk
{
    [ProtoMember(1)] public byte[]? Bytes { get; set; }
}

/// <summary>An upload: the server reads <see cref="Data"/> to its end and replies the number of bytes on <see cref="Done"/>.</summary>
[ProtoContract]
public sealed class Upload
{
    [ProtoMember(1)] public IAsyncEnumerable<Chunk>? Data { get; set; }

    [ProtoMember(2)] public ReplyPort<long>? Done { get; set; }
}
