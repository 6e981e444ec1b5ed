using ProtoBuf.Meta;
using Wormhole.Streams.Protocol;
using Wormhole.Streams.Streaming;

namespace Wormhole.Tests.Hostile;

/// <summary>What a raw peer does with streams, frame by frame: asks for them, demands, reads, offers its own and sends their elements.</summary>
internal static class RawStreamExtensions
{
    /// <summary>The byte credit a raw peer grants when bytes are not what the test is about.</summary>
    public const ulong Megabyte = 1024 * 1024;

    /// <summary>A <c>StreamRef</c> (or an actor's <c>WireRef</c>) of <paramref name="id"/>.</summary>
    public static RawRef Ref(WireId id, bool yours = false) => new() { High = id.High, Low = id.Low, Yours = yours };

    /// <summary>
    /// Asks the server's "streams" actor (id <paramref name="streams"/>) for streams through a reply port of the peer; returns
    /// the stream ids of the reply (its <c>Events</c> first, then <c>More</c>). Frames read before the reply go to <paramref name="other"/>.
    /// </summary>
    public static async Task<WireId[]> AskStreamsAsync(this IRawPeer peer, WireId streams, int count, int tag, int howMany = 1, int padBytes = 0, Action<Frame>? other = null)
    {
        var port = WireId.NewRandom();
        await peer.DeliverAsync(streams, new RawStreamAsk { Reply = Ref(port) with { WithinMs = 10_000 }, Count = count, Streams = howMany, Tag = tag, PadBytes = padBytes });
        while (true)
        {
            var frame = await peer.NextSkippingKeepAlivesAsync() ?? throw new InvalidOperationException($"the server closed before it answered the ask (tag {tag}): {peer.CloseDescription}");
            if (frame is Deliver deliver && deliver.Target == port)
            {
                var offer = RuntimeTypeModel.Default.Deserialize<RawStreamOffer>(deliver.Payload.AsSpan());
                Assert.Equal(tag, offer.Tag);
                return [.. new[] { offer.Events! }.Concat(offer.More).Select(r => new WireId { High = r.High, Low = r.Low })];
            }

            if (other is null)
            {
                throw new InvalidOperationException($"expected the answer to the ask, got {frame.GetType().Name}");
            }

            other(frame);
        }
    }

    /// <summary>Offers streams of the peer (ids it makes up) to the server's "sink" actor, under <paramref name="tag"/>.</summary>
    public static Task OfferStreamsAsync(this IRawPeer peer, WireId sink, int tag, params RawRef[] streams) =>
        peer.DeliverAsync(sink, new RawStreamOffer { Tag = tag, Events = streams[0], More = [.. streams.Skip(1)] });

    public static Task DemandAsync(this IRawPeer peer, WireId stream, ulong credit, ulong creditBytes = Megabyte) =>
        peer.SendFrameAsync(new Demand { Stream = stream, Credit = credit, CreditBytes = creditBytes });

    public static Task CancelAsync(this IRawPeer peer, WireId stream, string code = "") =>
        peer.SendFrameAsync(new StreamCancel { Stream = stream, Code = code });

    /// <summary>Sends pieces <paramref name="first"/>, <paramref name="first"/> + 1, … of a stream the peer offered, numbered as their sequence numbers (unless <paramref name="firstSeq"/> says otherwise).</summary>
    public static Task SendPiecesAsync(this IRawPeer peer, WireId stream, int first, int count, ulong? firstSeq = null, int padBytes = 0) =>
        peer.SendFrameAsync(new StreamItems
        {
            Stream = stream,
            FirstSeq = firstSeq ?? (ulong)first,
            Items = [.. Enumerable.Range(first, count).Select(n => RawPeerExtensions.Payload(new RawPiece { N = n, Pad = padBytes > 0 ? new byte[padBytes] : null }))],
        });

    /// <summary>The next frame that is not a keep-alive, which must be a <typeparamref name="T"/> for <paramref name="stream"/>.</summary>
    public static async Task<T> ExpectStreamFrameAsync<T>(this IRawPeer peer, WireId stream)
        where T : Frame
    {
        var frame = Assert.IsType<T>(await peer.NextSkippingKeepAlivesAsync());
        Assert.Equal(stream, frame switch { Demand d => d.Stream, StreamCancel c => c.Stream, StreamItems i => i.Stream, StreamEnd e => e.Stream, _ => default });
        return frame;
    }

    /// <summary>
    /// Reads <paramref name="stream"/>'s elements until at least <paramref name="until"/> have arrived in all (or, with null,
    /// until its <c>StreamEnd</c>): checks their sequence numbers run on from what <paramref name="read"/> holds without gaps,
    /// decodes them as pieces and adds them to it, with the end (if read). Frames of other streams go to <paramref name="other"/>
    /// (without it they fail the test).
    /// </summary>
    public static async Task<StreamRead> ReadStreamAsync(this IRawPeer peer, WireId stream, int? until = null, StreamRead? read = null, Action<Frame>? other = null)
    {
        read ??= new StreamRead();
        while (read.End is null && (until is null || read.Pieces.Count < until))
        {
            switch (await peer.NextSkippingKeepAlivesAsync())
            {
                case StreamItems items when items.Stream == stream:
                    Assert.Equal((ulong)read.Pieces.Count, items.FirstSeq);
                    foreach (var item in items.Items)
                    {
                        read.Pieces.Add(RuntimeTypeModel.Default.Deserialize<RawPiece>(item.AsSpan()).N);
                        read.Bytes += (ulong)item.Length;
                    }

                    read.Frames++;
                    break;
                case StreamEnd end when end.Stream == stream:
                    read.End = end;
                    return read;
                case null:
                    throw new InvalidOperationException($"the server closed while the peer read stream {stream}: {peer.CloseDescription}");
                case var frame when other is not null:
                    other(frame);
                    break;
                case var frame:
                    throw new InvalidOperationException($"expected stream {stream}'s elements, got {frame.GetType().Name}");
            }
        }

        return read;
    }

    /// <summary>Cancels <paramref name="stream"/> and reads what was still in flight, until the producer's <c>StreamEnd</c>, which must be <c>cancelled</c> and count every element.</summary>
    public static async Task<StreamRead> CancelAndReadToTheEndAsync(this IRawPeer peer, WireId stream, StreamRead read)
    {
        await peer.CancelAsync(stream);
        await peer.ReadStreamAsync(stream, read: read);
        Assert.NotNull(read.End);
        Assert.Equal(StreamEndCodes.Cancelled, read.End.Code);
        Assert.Equal((ulong)read.Pieces.Count, read.End.Count);
        return read;
    }
}

/// <summary>What a raw peer read of one stream: the pieces' numbers in order, their bytes as sent, and the end once it came.</summary>
internal sealed class StreamRead
{
    public List<int> Pieces { get; } = [];

    public ulong Bytes { get; set; }

    public int Frames { get; set; }

    public StreamEnd? End { get; set; }
}
