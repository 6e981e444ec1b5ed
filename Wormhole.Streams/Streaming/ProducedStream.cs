using Wormhole.Streams.Protocol;

namespace Wormhole.Streams.Streaming;

/// <summary>
/// The portal's record of a stream this side offered the peer: its credit (cumulative, as the peer's <c>Demand</c> frames
/// state it) and what was sent against it. Stage thread only.
/// </summary>
internal sealed class ProducedStream(WireId id, IStreamPump pump, long offeredAtTick)
{
    public WireId Id { get; } = id;

    public IStreamPump Pump { get; } = pump;

    /// <summary>The sweep tick it was offered at; unopened past the subscription timeout, it ends.</summary>
    public long OfferedAtTick { get; } = offeredAtTick;

    /// <summary>True once the peer's first <c>Demand</c> opened it (the pump runs).</summary>
    public bool Open { get; set; }

    public ulong Credit { get; set; }

    public ulong CreditBytes { get; set; }

    /// <summary>Elements sent: the next element's sequence number.</summary>
    public ulong Sent { get; set; }

    public ulong SentBytes { get; set; }

    /// <summary>An element taken from the pump that did not fit in the last frame; it goes first in the next.</summary>
    public byte[]? Held { get; set; }

    /// <summary>Set when an element could not be sent after others of the same batch: the stream fails in its next turn.</summary>
    public Exception? Failure { get; set; }

    /// <summary>True while it waits in the table's round of streams with something to send.</summary>
    public bool Scheduled { get; set; }

    /// <summary>True while the peer's credit lets it start another element.</summary>
    public bool HasCredit => Sent < Credit && SentBytes < CreditBytes;
}
