using Wormhole.Streams.Protocol;
using Wormhole.Streams.Transmaterialization;

namespace Wormhole.Streams.Streaming;

/// <summary>
/// The portal's record of a stream the peer offered this side: where it stands, what arrived, and the credit granted
/// (cumulative, as sent in <c>Demand</c> frames). The stage thread reads and writes it; the window sizes are also read by
/// the consumer's thread (<see cref="StreamInlet{T}"/>), which decides when to ask for more.
/// </summary>
internal abstract class ConsumedStream(WireId id, long announcedAtTick, int windowElements, long windowBytes)
{
    private int _windowElements = windowElements;
    private long _windowBytes = windowBytes;
    private ulong _granted;

    public WireId Id { get; } = id;

    public ConsumerState State { get; set; } = ConsumerState.Announced;

    /// <summary>The sweep tick it arrived at, or was cancelled at: the subscription timeout runs from it.</summary>
    public long SinceTick { get; set; } = announcedAtTick;

    /// <summary>Elements received: the next element's expected sequence number.</summary>
    public ulong Received { get; set; }

    public ulong ReceivedBytes { get; set; }

    /// <summary>The element credit granted; the consumer's thread reads it to tell a wait for credit from a wait for the producer.</summary>
    public ulong Granted
    {
        get => Volatile.Read(ref _granted);
        set => Volatile.Write(ref _granted, value);
    }

    public ulong GrantedBytes { get; set; }

    /// <summary>Elements the consumer may have outstanding (granted, not taken); grows while the consumer outpaces the stream.</summary>
    public int WindowElements
    {
        get => Volatile.Read(ref _windowElements);
        set => Volatile.Write(ref _windowElements, value);
    }

    /// <summary>Bytes the consumer may have outstanding; the byte bound of its buffer (plus one element).</summary>
    public long WindowBytes
    {
        get => Volatile.Read(ref _windowBytes);
        set => Volatile.Write(ref _windowBytes, value);
    }

    /// <summary>The element type, for messages.</summary>
    public abstract Type ElementType { get; }

    /// <summary>Decodes a frame's elements and buffers them for the consumer.</summary>
    /// <exception cref="Exception">An element does not decode as <see cref="ElementType"/> (any exception of the decoder).</exception>
    public abstract void Accept(List<byte[]> elements, PayloadModel payloads, Portals.ReferenceTable table);

    /// <summary>The producer completed: the consumer finishes after what is buffered.</summary>
    public abstract void Complete();

    /// <summary>The stream failed: the consumer throws <paramref name="failure"/> after what is buffered.</summary>
    public abstract void Fail(Exception failure);

    /// <summary>
    /// What the consumer has taken so far, for the next <c>Demand</c>; <c>RanDry</c>: since the last report it found the
    /// buffer empty with every granted element taken, so credit, not the producer, held it back.
    /// </summary>
    public abstract (ulong Taken, ulong TakenBytes, bool RanDry) Report();
}

/// <summary>Where a <see cref="ConsumedStream"/> stands.</summary>
internal enum ConsumerState
{
    /// <summary>Arrived in a payload; nobody consumes it yet.</summary>
    Announced,

    /// <summary>Consumed: credit was granted.</summary>
    Open,

    /// <summary>This side cancelled it and waits for the producer's <c>StreamEnd</c>.</summary>
    Cancelling,
}
