using ProtoBuf;

namespace Wormhole.Streams.Protocol;

/// <summary>One unit of the wire protocol: a protobuf <c>oneof</c> of the frame kinds below.</summary>
/// <remarks>
/// Layout: <c>message Frame { oneof subtype { Hello Hello = 1; … StreamCancel StreamCancel = 13; } }</c>, see
/// <c>docs/wormhole.proto</c>. On stream transports each frame is preceded by its length as a 4-byte
/// big-endian integer, on WebSocket too (a binary message carries one or more such frames whole). Ids are 128-bit (two fixed64).
/// </remarks>
[ProtoContract]
[ProtoInclude(1, typeof(Hello))]
[ProtoInclude(2, typeof(Lookup))]
[ProtoInclude(3, typeof(LookupReply))]
[ProtoInclude(4, typeof(Deliver))]
[ProtoInclude(5, typeof(TerminatedFrame))]
[ProtoInclude(6, typeof(Release))]
[ProtoInclude(7, typeof(Demand))]
[ProtoInclude(8, typeof(ErrorFrame))]
[ProtoInclude(9, typeof(Goodbye))]
[ProtoInclude(10, typeof(KeepAlive))]
[ProtoInclude(11, typeof(StreamItems))]
[ProtoInclude(12, typeof(StreamEnd))]
[ProtoInclude(13, typeof(StreamCancel))]
internal abstract class Frame
{
}

/// <summary>The first frame each side sends; nothing else is accepted before it.</summary>
[ProtoContract]
internal sealed class Hello : Frame
{
    public const uint CurrentVersion = 1;

    [ProtoMember(1)] public uint ProtocolVersion { get; init; }
    [ProtoMember(2)] public WireId SideId { get; init; }
    [ProtoMember(3)] public WireId ConduitHalf { get; init; }
    /// <summary>The largest frame this side accepts; 0: not stated (the receiver then keeps to its own limit).</summary>
    [ProtoMember(4)] public uint MaxFrameBytes { get; init; }

    /// <summary>This side's idle timeout; 0: not stated. Both keep alive at a fraction of the smaller of the two.</summary>
    [ProtoMember(5)] public uint IdleTimeoutMs { get; init; }
}

/// <summary>Asks the peer for the actor it published under a name.</summary>
[ProtoContract]
internal sealed class Lookup : Frame
{
    [ProtoMember(1)] public ulong RequestId { get; init; }
    [ProtoMember(2)] public string Name { get; init; } = "";
}

/// <summary>Answers a <see cref="Lookup"/>: the actor's id on this portal, or an empty id when the name is not published.</summary>
[ProtoContract]
internal sealed class LookupReply : Frame
{
    [ProtoMember(1)] public ulong RequestId { get; init; }
    [ProtoMember(2)] public WireId ActorId { get; init; }
}

/// <summary>A message for a publication of the receiver.</summary>
[ProtoContract]
internal sealed class Deliver : Frame
{
    /// <summary>The receiver's id of the target.</summary>
    [ProtoMember(1)] public WireId Target { get; init; }

    /// <summary>The message, encoded as the target's published message type.</summary>
    /// <remarks>
    /// <c>OverwriteList</c>: when the field repeats, the last one wins, as protobuf specifies for a singular field;
    /// protobuf-net would otherwise append the repeats, which costs quadratic time and memory in the frame size.
    /// </remarks>
    [ProtoMember(2, OverwriteList = true)] public byte[]? Payload { get; init; }

    /// <summary>For an Akka ask: the sender's one-shot reply publication.</summary>
    [ProtoMember(3)] public WireId ReplyTo { get; init; }

    /// <summary>Milliseconds the <see cref="ReplyTo"/> publication stays open.</summary>
    [ProtoMember(4)] public uint ReplyWithinMs { get; init; }

    /// <summary>Instead of a payload: a failure answering a reply publication, as text.</summary>
    [ProtoMember(5)] public string? Failure { get; init; }

    /// <summary>Optional: the sender's W3C trace context, <c>00-&lt;32 hex&gt;-&lt;16 hex&gt;-&lt;2 hex&gt;</c> (55 characters).</summary>
    /// <remarks>Absent (no bytes) when the sender traces nothing; a malformed one is ignored and counted, never a protocol fault.</remarks>
    [ProtoMember(6)] public string? TraceParent { get; init; }

    /// <summary>Optional, only with <see cref="TraceParent"/>: the W3C <c>tracestate</c>, at most <see cref="Tracing.TraceContext.MaxTraceStateLength"/> characters.</summary>
    [ProtoMember(7)] public string? TraceState { get; init; }
}

/// <summary>A publication of the sender has terminated.</summary>
[ProtoContract(Name = "Terminated")]
internal sealed class TerminatedFrame : Frame
{
    [ProtoMember(1)] public WireId Id { get; init; }
}

/// <summary>
/// The sender's proxy for a publication of the receiver stopped. <see cref="Count"/> is how many times that proxy was
/// handed the id; the receiver drops the publication once every time it sent the id has been released.
/// </summary>
[ProtoContract]
internal sealed class Release : Frame
{
    [ProtoMember(1)] public WireId Id { get; init; }
    [ProtoMember(2)] public ulong Count { get; init; }
}

/// <summary>
/// Consumer to producer: credit for a stream, both values cumulative since the stream opened. The producer sends element
/// <c>seq</c> only while <c>seq &lt; Credit</c>, and starts one only while the bytes it sent are under <see cref="CreditBytes"/>.
/// The first <c>Demand</c> opens the stream; one that raises neither value is stale and ignored.
/// </summary>
[ProtoContract]
internal sealed class Demand : Frame
{
    /// <summary>The producer's id of the stream (from the <c>StreamRef</c> in the payload that carried it).</summary>
    [ProtoMember(1)] public WireId Stream { get; init; }

    [ProtoMember(2)] public ulong Credit { get; init; }

    [ProtoMember(3)] public ulong CreditBytes { get; init; }
}

/// <summary>Producer to consumer: elements <see cref="FirstSeq"/>, <see cref="FirstSeq"/> + 1, … of a stream, each encoded as the stream's element type.</summary>
[ProtoContract]
internal sealed class StreamItems : Frame
{
    [ProtoMember(1)] public WireId Stream { get; init; }

    /// <summary>The sequence number of the first element here; a stream's elements are numbered from 0 without gaps.</summary>
    [ProtoMember(2)] public ulong FirstSeq { get; init; }

    [ProtoMember(3)] public List<byte[]> Items { get; init; } = [];
}

/// <summary>Producer to consumer, the stream's last frame: it completed (empty <see cref="Code"/>), failed, or answers a cancel.</summary>
[ProtoContract]
internal sealed class StreamEnd : Frame
{
    [ProtoMember(1)] public WireId Stream { get; init; }

    /// <summary>How many elements the producer sent in all.</summary>
    [ProtoMember(2)] public ulong Count { get; init; }

    /// <summary>Empty: completed; otherwise a <see cref="Streaming.StreamEndCodes"/> value.</summary>
    [ProtoMember(3)] public string Code { get; init; } = "";

    /// <summary>A short reason meant for the peer (never a stack trace).</summary>
    [ProtoMember(4)] public string Reason { get; init; } = "";
}

/// <summary>Consumer to producer: stop producing; the producer answers with <c>StreamEnd</c> (code <c>cancelled</c>).</summary>
[ProtoContract]
internal sealed class StreamCancel : Frame
{
    [ProtoMember(1)] public WireId Stream { get; init; }

    /// <summary>Why: empty when the consumer stopped by choice, or a <see cref="Streaming.StreamEndCodes"/> value.</summary>
    [ProtoMember(2)] public string Code { get; init; } = "";
}

/// <summary>The sender closes the portal because of a fault.</summary>
[ProtoContract(Name = "Error")]
internal sealed class ErrorFrame : Frame
{
    [ProtoMember(1)] public string Code { get; init; } = "";
    [ProtoMember(2)] public string Message { get; init; } = "";
}

/// <summary>The sender closes the portal in order.</summary>
[ProtoContract]
internal sealed class Goodbye : Frame
{
    [ProtoMember(1)] public string Reason { get; init; } = "";

    /// <summary>The sender asks the peer not to connect again (a client turned away); false: an ordinary close, e.g. a server that shuts down.</summary>
    [ProtoMember(2)] public bool Final { get; init; }
}

/// <summary>Sent by a side that has sent nothing for a third of the smaller idle timeout of the two sides, so the peer knows it is alive.</summary>
[ProtoContract]
internal sealed class KeepAlive : Frame
{
}

/// <summary>Not on the wire: what the decoder yields for bytes that are not a valid frame.</summary>
#pragma warning disable PBN0013, PBN0014 // deliberately not a contract: it never crosses the wire
internal sealed class InvalidFrame(Portals.ProtocolFault fault) : Frame
{
    public Portals.ProtocolFault Fault { get; } = fault;

    public string Reason => Fault.Detail;
}
#pragma warning restore PBN0013, PBN0014
