using ProtoBuf;
using Wormhole.Reactive;

namespace Wormhole.Tests.Streams.Transmaterialization;

/// <summary>A message whose subtype lists its base, and whose base holds a reference declared after the subtype (as the chat's ChatEvent and Said).</summary>
[ProtoContract]
[ProtoInclude(10, typeof(Answer))]
public class Discussion
{
    [ProtoMember(1)] public ActorRef<DiscussionWatcher>? Watcher { get; init; }
}

[ProtoContract]
public sealed class Answer : Discussion
{
    [ProtoMember(1)] public List<Discussion> Quotes { get; init; } = [];
}

/// <summary>Used by no other test: its reference's serializer is registered by <see cref="Discussion"/>'s check alone.</summary>
[ProtoContract]
public sealed record DiscussionWatcher
{
    [ProtoMember(1)] public string Topic { get; init; } = "";
}
