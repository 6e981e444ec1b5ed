using ProtoBuf;
using Wormhole.Reactive;
using Wormhole.Tests.Streams;

namespace Wormhole.Tests.Fuzzing;

/// <summary>
/// An abstract <c>[ProtoInclude]</c> base with fields of its own, as a peer in another language sees it:
/// <c>message ChatEvent { string room = 1; ActorRef from = 2; repeated int32 seen = 3; oneof subtype { Said said = 10; Kicked kicked = 11; Topic topic = 12; } }</c>.
/// protobuf-net writes the subtype field first; an encoder that writes ascending field numbers writes it last.
/// </summary>
[ProtoContract]
[ProtoInclude(10, typeof(Said))]
[ProtoInclude(11, typeof(Kicked))]
[ProtoInclude(12, typeof(Topic))]
public abstract record ChatEvent
{
    [ProtoMember(1)] public string Room { get; init; } = "";
    [ProtoMember(2)] public ActorRef<Pong>? From { get; init; }
    [ProtoMember(3, IsPacked = true)] public List<int> Seen { get; init; } = [];
}

/// <summary>A leaf subtype that nests its base: a list of events and a reply port.</summary>
[ProtoContract]
public sealed record Said : ChatEvent
{
    [ProtoMember(1)] public string Text { get; init; } = "";
    [ProtoMember(2)] public List<ChatEvent> Quotes { get; init; } = [];
    [ProtoMember(3)] public ReplyPort<string>? Ack { get; init; }
}

/// <summary>A leaf subtype with nothing below it that could hold a subtype.</summary>
[ProtoContract]
public sealed record Topic : ChatEvent
{
    [ProtoMember(1)] public string Subject { get; init; } = "";
}

/// <summary>A concrete middle level whose own subtype field (5) sits between its fields (1 and 7).</summary>
[ProtoContract]
[ProtoInclude(5, typeof(Banned))]
public record Kicked : ChatEvent
{
    [ProtoMember(1)] public string Who { get; init; } = "";
    [ProtoMember(7)] public Dictionary<string, ChatEvent> Witnesses { get; init; } = [];
}

/// <summary>The third level: <c>ChatEvent { kicked = 11 { banned = 5 { … } } }</c>.</summary>
[ProtoContract]
public sealed record Banned : Kicked
{
    [ProtoMember(1)] public int Days { get; init; }
    [ProtoMember(2)] public ChatEvent? Cause { get; init; }
}

/// <summary>A plain message that holds events in a field, a list and a map.</summary>
[ProtoContract]
public sealed record ChatLog
{
    [ProtoMember(1)] public List<ChatEvent> Events { get; init; } = [];
    [ProtoMember(2)] public ChatEvent? Pinned { get; init; }
    [ProtoMember(3)] public Dictionary<int, ChatEvent> ByRound { get; init; } = [];
    [ProtoMember(4)] public string Title { get; init; } = "";
    [ProtoMember(5)] public List<Member> Members { get; init; } = [];
}
