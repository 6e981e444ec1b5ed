using ProtoBuf;
using Wormhole.Reactive;

namespace Wormhole.Tests.Streams;

[ProtoContract]
public sealed record Ping
{
    [ProtoMember(1)] public int N { get; init; }
    [ProtoMember(2)] public ActorRef<Pong>? ReplyTo { get; init; }
}

[ProtoContract]
public sealed record Pong
{
    [ProtoMember(1)] public int N { get; init; }
}

[ProtoContract]
public sealed record Square
{
    [ProtoMember(1)] public int Value { get; init; }
    [ProtoMember(2)] public ReplyPort<int>? Reply { get; init; }
}

/// <summary>A message that carries references at depth: a list of records, each with a ref and a reply port, plus a dictionary.</summary>
[ProtoContract]
public sealed record Roster
{
    [ProtoMember(1)] public List<Member> Members { get; init; } = [];
    [ProtoMember(2)] public Dictionary<string, ActorRef<Pong>> ByName { get; init; } = [];
}

[ProtoContract]
public sealed record Member
{
    [ProtoMember(1)] public string Name { get; init; } = "";
    [ProtoMember(2)] public ActorRef<Pong>? Inbox { get; init; }
    [ProtoMember(3)] public ReplyPort<string>? Ack { get; init; }
}

[ProtoContract]
[ProtoInclude(10, typeof(Joined))]
[ProtoInclude(11, typeof(Left))]
public abstract record RoomEvent;

[ProtoContract]
public sealed record Joined : RoomEvent
{
    [ProtoMember(1)] public string Who { get; init; } = "";
    [ProtoMember(2)] public ActorRef<Pong>? Inbox { get; init; }
}

[ProtoContract]
public sealed record Left : RoomEvent
{
    [ProtoMember(1)] public string Who { get; init; } = "";
}

[ProtoContract]
public sealed record Numbered
{
    [ProtoMember(1)] public int Sequence { get; init; }
}

/// <summary>Refused: an untyped reference cannot cross a portal.</summary>
[ProtoContract]
public sealed record Untyped
{
    [ProtoMember(1)] public Akka.Actor.IActorRef? Whom { get; init; }
}

/// <summary>Carries a reference to whatever actor accepts <see cref="Ping"/>, to hand references around.</summary>
[ProtoContract]
public sealed record Introduce
{
    [ProtoMember(1)] public ActorRef<Ping>? Actor { get; init; }
}

/// <summary>A conversation in one contract, as <c>Sink.ActorRefWithAck</c> holds it: the ack travels back to the sender.</summary>
[ProtoContract]
[ProtoInclude(10, typeof(StreamInit))]
[ProtoInclude(11, typeof(StreamItem))]
[ProtoInclude(12, typeof(StreamAck))]
[ProtoInclude(13, typeof(StreamDone))]
public abstract record StreamMessage;

[ProtoContract]
public sealed record StreamInit : StreamMessage;

[ProtoContract]
public sealed record StreamItem : StreamMessage
{
    [ProtoMember(1)] public int N { get; init; }
}

[ProtoContract]
public sealed record StreamAck : StreamMessage;

[ProtoContract]
public sealed record StreamDone : StreamMessage;
