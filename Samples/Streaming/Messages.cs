using ProtoBuf;
using Wormhole.Reactive;

namespace StreamingSample;

/// <summary>
/// Asks the server's ticker for a live feed of <see cref="Symbol"/>; the answer is a <see cref="QuoteFeed"/>. The
/// feed is endless: it ends when the client stops reading it.
/// </summary>
[ProtoContract]
public sealed record Subscribe
{
    /// <summary>Which instrument.</summary>
    [ProtoMember(1)]
    public string Symbol { get; init; } = "";

    /// <summary>Where the <see cref="QuoteFeed"/> goes.</summary>
    [ProtoMember(2)]
    public ReplyPort<QuoteFeed>? Reply { get; init; }

    /// <summary>Where the producer says, ten times a second, how many quotes it has made so far (none when null).</summary>
    [ProtoMember(3)]
    public ActorRef<ProducerStatus>? Status { get; init; }
}

/// <summary>The answer to <see cref="Subscribe"/>: the quotes, as a stream field.</summary>
/// <remarks>
/// The producer runs on the server and is pulled only as fast as the client reads: the client's portal grants credit
/// a window at a time (<c>NexusOptions.StreamWindowElements</c>), so a slow reader never makes the server buffer more.
/// </remarks>
[ProtoContract]
public sealed record QuoteFeed
{
    /// <summary>The live quotes, consumed once; disposing the enumeration cancels the producer on the server.</summary>
    [ProtoMember(1)]
    public IAsyncEnumerable<Quote>? Quotes { get; init; }
}

/// <summary>One price of the feed.</summary>
[ProtoContract]
public sealed record Quote
{
    /// <summary>The instrument.</summary>
    [ProtoMember(1)]
    public string Symbol { get; init; } = "";

    /// <summary>The quote's number in its feed, counting from 1.</summary>
    [ProtoMember(2)]
    public long Sequence { get; init; }

    /// <summary>The price.</summary>
    [ProtoMember(3)]
    public double Price { get; init; }
}

/// <summary>How far a feed's producer has got.</summary>
[ProtoContract]
public sealed record ProducerStatus
{
    /// <summary>Quotes made so far (the last one's <see cref="Quote.Sequence"/>).</summary>
    [ProtoMember(1)]
    public long Produced { get; init; }
}

/// <summary>Sends a file to the server: its bytes as a stream of chunks, the answer an <see cref="UploadResult"/>.</summary>
[ProtoContract]
public sealed record Upload
{
    /// <summary>The file's name, for the server's log only: the server never uses it as a path.</summary>
    [ProtoMember(1)]
    public string Name { get; init; } = "";

    /// <summary>The file's bytes in order, read by the client only as fast as the server takes them.</summary>
    [ProtoMember(2)]
    public IAsyncEnumerable<Chunk>? Data { get; init; }

    /// <summary>Where the <see cref="UploadResult"/> goes once the server has stored every byte.</summary>
    [ProtoMember(3)]
    public ReplyPort<UploadResult>? Done { get; init; }
}

/// <summary>A piece of an <see cref="Upload"/> (64 KiB, the last one shorter).</summary>
[ProtoContract]
public sealed record Chunk
{
    /// <summary>The bytes.</summary>
    [ProtoMember(1)]
    public byte[] Bytes { get; init; } = [];
}

/// <summary>What the server stored.</summary>
[ProtoContract]
public sealed record UploadResult
{
    /// <summary>How many bytes.</summary>
    [ProtoMember(1)]
    public long Bytes { get; init; }

    /// <summary>Their SHA-256, in lowercase hex.</summary>
    [ProtoMember(2)]
    public string Sha256 { get; init; } = "";
}
