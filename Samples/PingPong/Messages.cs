using ProtoBuf;
using Wormhole.Reactive;

namespace PingPongSample;

/// <summary>
/// What two ping-pong actors say to each other, as in the Rust original's <c>PingPongMsg</c>: each message
/// carries the sender's own reference, and the answer goes back through it.
/// </summary>
/// <remarks>
/// The wire knows only field numbers, never type names: a peer in another process (or language) that
/// declares the same numbers speaks the same protocol.
/// </remarks>
[ProtoContract]
[ProtoInclude(10, typeof(Ping))]
[ProtoInclude(11, typeof(Pong))]
public abstract record PingPong
{
    /// <summary>Who sent it: answer here.</summary>
    [ProtoMember(1)]
    public required ActorRef<PingPong> From { get; init; }

    /// <summary>Which round of the game this is, counting from 1.</summary>
    [ProtoMember(2)]
    public int Round { get; init; }

    /// <summary>Part of the client's throughput burst rather than the game: answered like any other, counted, not printed.</summary>
    [ProtoMember(3)]
    public bool Burst { get; init; }
}

/// <summary>A serve; the receiver answers with a <see cref="Pong"/> of the same round.</summary>
[ProtoContract]
public sealed record Ping : PingPong;

/// <summary>The answer to a <see cref="Ping"/>.</summary>
[ProtoContract]
public sealed record Pong : PingPong;
