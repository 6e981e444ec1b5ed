using ProtoBuf;
using Wormhole.Reactive;

namespace StdioChildSample;

/// <summary>
/// A request to the published "echo" actor. It answers with an <see cref="EchoReply"/> to <see cref="ReplyTo"/> when set,
/// else through <see cref="Reply"/> when set, else to the sender (Akka's <c>Ask</c>).
/// </summary>
[ProtoContract]
public sealed record EchoRequest
{
    [ProtoMember(1)] public string Text { get; init; } = "";
    [ProtoMember(2)] public ActorRef<EchoReply>? ReplyTo { get; init; }
    [ProtoMember(3)] public ReplyPort<EchoReply>? Reply { get; init; }
}

/// <summary>The echo: the request's text and the id of the process that echoed it.</summary>
[ProtoContract]
public sealed record EchoReply
{
    [ProtoMember(1)] public string Text { get; init; } = "";
    [ProtoMember(2)] public int ProcessId { get; init; }
}
