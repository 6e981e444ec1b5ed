using ProtoBuf;
using Wormhole.Reactive;

namespace Wormhole.Tests.Streams;

/// <summary>A payload of chosen size, to push frames past a size limit.</summary>
[ProtoContract]
public sealed record Blob
{
    [ProtoMember(1)] public byte[] Data { get; init; } = [];
    [ProtoMember(2)] public int ReplySize { get; init; }
    [ProtoMember(3)] public ActorRef<Blob>? ReplyTo { get; init; }
}
