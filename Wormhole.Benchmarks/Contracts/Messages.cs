using ProtoBuf;
using Wormhole.Reactive;

namespace Wormhole.Benchmarks.Contracts;

/// <summary>
/// The one small message every workload sends, to every system: an int, a 16-character string, a long.
/// A protobuf contract for Wormhole and the raw socket; Akka.Remote sends the same class with its default serializer.
/// </summary>
[ProtoContract]
public sealed class Small
{
    public const string Text16 = "0123456789abcdef";

    [ProtoMember(1)] public int Id { get; set; }

    [ProtoMember(2)] public string Text { get; set; } = "";

    [ProtoMember(3)] public long Stamp { get; set; }

    public static Small Make(long i) => new() { Id = (int)i, Text = Text16, Stamp = i };
}

/// <summary>Starts a counted run at a sink: reply <see cref="Progress"/> 0 at once, then every <see cref="AckEvery"/> messages and at <see cref="Expected"/>.</summary>
[ProtoContract]
public sealed class Begin
{
    [ProtoMember(1)] public long Expected { get; set; }

    [ProtoMember(2)] public int AckEvery { get; set; }

    /// <summary>Where Wormhole sinks report (Akka.Remote sinks reply to the sender).</summary>
    [ProtoMember(3)] public ActorRef<Progress>? ReplyTo { get; set; }
}

/// <summary>How many messages the sink has received and counted since the last <see cref="Begin"/>.</summary>
[ProtoContract]
public sealed class Progress
{
    [ProtoMember(1)] public long Received { get; set; }
}

/// <summary>Ping-pong over Wormhole: the small message and where to echo it (Akka.Remote uses the sender instead).</summary>
[ProtoContract]
public sealed class Ping
{
    [ProtoMember(1)] public Small? Body { get; set; }

    [ProtoMember(2)] public ActorRef<Small>? ReplyTo { get; set; }
}

/// <summary>Ask over Wormhole, reply-port form: the small message and a one-shot reply port.</summary>
[ProtoContract]
public sealed class Query
{
    [ProtoMember(1)] public Small? Body { get; set; }

    [ProtoMember(2)] public ReplyPort<Small>? Reply { get; set; }
}

/// <summary>The refs workload: the small message plus a fresh reference in every message.</summary>
[ProtoContract]
public sealed class Carrier
{
    [ProtoMember(1)] public Small? Body { get; set; }

    [ProtoMember(2)] public ActorRef<Small>? Ref { get; set; }
}
