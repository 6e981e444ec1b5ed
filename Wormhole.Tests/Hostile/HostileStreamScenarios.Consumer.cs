using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using Akka.Streams;
using Akka.Streams.Dsl;
using Wormhole.Streams;
using Wormhole.Streams.Protocol;
using Wormhole.Streams.Streaming;
using Wormhole.Tests.Support;

namespace Wormhole.Tests.Hostile;

/// <summary>The hostile peer produces, the server consumes: its <c>StreamItems</c> and <c>StreamEnd</c> frames, and the stream ids it offers.</summary>
public abstract partial class HostileStreamScenarios
{
    private static readonly ulong Window = (ulong)HostileServer.Options.StreamWindowElements;

    private static readonly ulong WindowBytes = (ulong)HostileServer.Options.StreamWindowBytes;

    [Theory]
    [InlineData("before-demand", 0, "1 elements arrived before any Demand")]
    [InlineData("beyond-credit", 0, "257 elements arrived where the credit left room for 256")]
    [InlineData("beyond-byte-credit", 66, "an element started after the byte credit of 262,144 was used up")]
    [InlineData("gap", 3, "elements from sequence number 5 arrived where 3 was next (a gap)")]
    [InlineData("duplicate", 3, "elements from sequence number 2 arrived where 3 was next (a duplicate)")]
    [InlineData("too-large", 1, "an element of 4,101 bytes exceeds MaxStreamElementBytes (4,096)")]
    [InlineData("undecodable", 1, "an element does not decode as Piece")]
    [InlineData("wrong-count", 3, "the stream completed with a count of 5 elements, but 3 arrived")]
    public async Task StreamItemsOrEndBreakingTheRules_FailThatStreamWithProtocolViolation_CancelIt_ThePortalStaysOpen(string rule, int taken, string says)
    {
        using var watch = Server.Watch(Output!.WriteLine);
        var (peer, portal) = await ConnectAsync(watch);
        var sink = await peer.LookupAsync("sink");
        var tag = NextTag();
        var mine = WireId.NewRandom(); // the peer's stream: an id it made up
        await peer.OfferStreamsAsync(sink, tag, RawStreamExtensions.Ref(mine));
        var offer = await Server.OfferAsync(tag);
        Assert.Equal(1, portal.Counters.Streams);
        IAsyncEnumerator<Piece>? elements = null;

        if (rule == "before-demand")
        {
            await peer.SendPiecesAsync(mine, 0, 1); // nobody consumes the stream yet: no Demand was sent
        }
        else
        {
            elements = offer.Events!.GetAsyncEnumerator(); // claimed; nothing taken, so no more credit than the first window
            var demand = await peer.ExpectStreamFrameAsync<Demand>(mine);
            Assert.Equal((Window, WindowBytes), (demand.Credit, demand.CreditBytes));
            await BreakAsync(peer, mine, rule);
        }

        if (rule != "wrong-count")
        {
            Assert.Equal(StreamEndCodes.ProtocolViolation, (await peer.ExpectStreamFrameAsync<StreamCancel>(mine)).Code);
            await peer.SendFrameAsync(new StreamEnd { Stream = mine, Count = (ulong)taken, Code = StreamEndCodes.Cancelled }); // the answer to the cancel
        }

        await AwaitAssertAsync(() => Assert.Equal(0, portal.Counters.Streams), Bounds.Long);
        var (pieces, failure) = await DrainAsync(elements ?? offer.Events!.GetAsyncEnumerator());
        Output!.WriteLine($"the consumer took {pieces.Count} pieces, then: {failure?.GetType().Name}: {failure?.Message}");
        Assert.Equal(Enumerable.Range(0, taken), pieces);
        var broke = Assert.IsType<RemoteStreamException>(failure);
        Assert.Equal(StreamEndCodes.ProtocolViolation, broke.Code);
        Assert.StartsWith($"the stream broke the protocol: {says}", broke.Message, StringComparison.Ordinal);
        await RoundTripAsync(peer, 2); // the next frame is the lookup's reply: no Demand after the violation
        Assert.Equal(0, portal.Counters.Dropped);
        Assert.True(portal.IsOpen);
        await watch.FinishAsync(this, peer);
    }

    [Theory]
    [InlineData("Source")]
    [InlineData("IObservable")]
    public async Task AGapInAStreamConsumedAsASourceOrAnObservable_FailsItWithProtocolViolation_AfterTheElementsBefore(string form)
    {
        using var watch = Server.Watch(Output!.WriteLine);
        var (peer, portal) = await ConnectAsync(watch);
        var sink = await peer.LookupAsync("sink");
        var tag = NextTag();
        var mine = WireId.NewRandom();
        var stream = RawStreamExtensions.Ref(mine);
        await peer.DeliverAsync(sink, form == "Source" ? new RawStreamOffer { Tag = tag, Source = stream } : new RawStreamOffer { Tag = tag, Observable = stream });
        var offer = await Server.OfferAsync(tag);
        var pieces = new List<int>();
        var consuming = form == "Source"
            ? offer.Source!.RunForeach(piece => pieces.Add(piece.N), Sys.Materializer())
            : offer.Observable!.Do(piece => pieces.Add(piece.N)).LastOrDefaultAsync().ToTask();
        await peer.ExpectStreamFrameAsync<Demand>(mine);

        await peer.SendPiecesAsync(mine, 0, 3);
        await peer.SendPiecesAsync(mine, 5, 1);

        Assert.Equal(StreamEndCodes.ProtocolViolation, (await peer.ExpectStreamFrameAsync<StreamCancel>(mine)).Code);
        await peer.SendFrameAsync(new StreamEnd { Stream = mine, Count = 3, Code = StreamEndCodes.Cancelled });
        var failure = await Assert.ThrowsAsync<RemoteStreamException>(() => consuming.WaitAsync(Bounds.Long));
        Assert.Equal(StreamEndCodes.ProtocolViolation, failure.Code);
        Assert.StartsWith("the stream broke the protocol: elements from sequence number 5 arrived where 3 was next (a gap)", failure.Message, StringComparison.Ordinal);
        Assert.Equal([0, 1, 2], pieces);
        await AwaitAssertAsync(() => Assert.Equal(0, portal.Counters.Streams), Bounds.Long);
        await RoundTripAsync(peer, 2);
        Assert.True(portal.IsOpen);
        await watch.FinishAsync(this, peer);
    }

    [Fact]
    public async Task ThePeersStreamNeverConsumedHere_IsCancelledWithSubscriptionTimeout_ALateConsumerIsToldSo_ItIsForgottenIfThePeerNeverAnswers()
    {
        using var watch = Server.Watch(Output!.WriteLine);
        var (peer, portal) = await ConnectAsync(watch);
        var sink = await peer.LookupAsync("sink");
        var tag = NextTag();
        var mine = WireId.NewRandom();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await peer.OfferStreamsAsync(sink, tag, RawStreamExtensions.Ref(mine));
        var offer = await Server.OfferAsync(tag);

        var cancel = await peer.ExpectStreamFrameAsync<StreamCancel>(mine); // nobody consumed it
        var after = clock.Elapsed;

        Assert.Equal(StreamEndCodes.SubscriptionTimeout, cancel.Code);
        Assert.InRange(after, Options.StreamSubscriptionTimeout, Options.StreamSubscriptionTimeout + Bounds.Long);
        var (pieces, failure) = await DrainAsync(offer.Events!.GetAsyncEnumerator());
        Assert.Empty(pieces);
        var late = Assert.IsType<RemoteStreamException>(failure);
        Assert.Equal(StreamEndCodes.SubscriptionTimeout, late.Code);
        Assert.Contains("2 s subscription timeout", late.Message, StringComparison.Ordinal);
        await AwaitAssertAsync(() => Assert.Equal(0, portal.Counters.Streams), Bounds.Long); // cancelling, it waited for the peer's StreamEnd; forgotten after another timeout
        Output!.WriteLine($"cancelled after {after.TotalSeconds:0.0} s, forgotten after {clock.Elapsed.TotalSeconds:0.0} s");
        await RoundTripAsync(peer, 2); // no Demand went out for it
        Assert.Equal(0, portal.Counters.Dropped);
        Assert.True(portal.IsOpen);
        await watch.FinishAsync(this, peer);
    }

    [Fact]
    public async Task PeerIgnoresOurCancel_ItemsWithinCreditAreDroppedAndCounted_BeyondCreditAViolation_CountedTowardMaxUnknownRequests()
    {
        using var watch = Server.Watch(Output!.WriteLine);
        var (peer, portal) = await ConnectAsync(watch);
        var sink = await peer.LookupAsync("sink");
        var tag = NextTag();
        var mine = WireId.NewRandom();
        await peer.OfferStreamsAsync(sink, tag, RawStreamExtensions.Ref(mine));
        var elements = (await Server.OfferAsync(tag)).Events!.GetAsyncEnumerator();
        Assert.Equal(Window, (await peer.ExpectStreamFrameAsync<Demand>(mine)).Credit);
        await peer.SendPiecesAsync(mine, 0, 10);
        for (var n = 0; n < 10; n++)
        {
            Assert.True(await elements.MoveNextAsync().AsTask().WaitAsync(Bounds.Long));
            Assert.Equal(n, elements.Current.N);
        }

        await elements.DisposeAsync(); // the consumer stops
        Assert.Equal("", (await peer.ExpectStreamFrameAsync<StreamCancel>(mine)).Code);

        await peer.SendPiecesAsync(mine, 10, 100); // the peer goes on regardless, within its credit of 256
        await peer.SendPiecesAsync(mine, 110, 100);
        await peer.SendPiecesAsync(mine, 210, 46);
        await AwaitAssertAsync(() => Assert.Equal(246, portal.Counters.Dropped), Bounds.Long);
        await peer.SendPiecesAsync(mine, 256, 1); // beyond its credit: a violation, counted (the 1st)
        await peer.SendFrameAsync(new StreamEnd { Stream = mine, Count = 256, Code = StreamEndCodes.Cancelled });
        await SendUnknownAsync(peer, 19); // the 20th: at the limit
        await RoundTripAsync(peer, 2);
        Assert.True(portal.IsOpen);
        Assert.Equal((246L, 0), (portal.Counters.Dropped, portal.Counters.Streams));

        await SendUnknownAsync(peer, 1);

        var frames = await peer.ReadUntilClosedAsync();
        Assert.DoesNotContain(frames, f => f is StreamCancel); // the violation of a cancelled stream cancels nothing more
        Assert.Equal("MaxUnknownRequests", Assert.IsType<ErrorFrame>(frames[^1]).Code);
        await watch.ExpectClosedAsync(PortalCloseKind.LimitExceeded, "MaxUnknownRequests", "21 times (limit 20)", "a StreamItems for stream");
        Assert.Equal(246, portal.Counters.Dropped);
        await watch.FinishAsync(this, peer);
    }

    [Fact]
    public async Task ItemsAndASecondStreamEnd_AfterTheStreamEnded_AreEachCountedTowardMaxUnknownRequests_TheConsumerCompletedUnharmed()
    {
        using var watch = Server.Watch(Output!.WriteLine);
        var (peer, portal) = await ConnectAsync(watch);
        var sink = await peer.LookupAsync("sink");
        var tag = NextTag();
        var mine = WireId.NewRandom();
        await peer.OfferStreamsAsync(sink, tag, RawStreamExtensions.Ref(mine));
        var elements = (await Server.OfferAsync(tag)).Events!.GetAsyncEnumerator();
        await peer.ExpectStreamFrameAsync<Demand>(mine);
        await peer.SendPiecesAsync(mine, 0, 3);
        await peer.SendFrameAsync(new StreamEnd { Stream = mine, Count = 3 });
        var (pieces, failure) = await DrainAsync(elements);
        Assert.Equal([0, 1, 2], pieces);
        Assert.Null(failure);
        Assert.Equal(0, portal.Counters.Streams);

        await peer.SendPiecesAsync(mine, 3, 1); // after its end (the 1st unknown)
        await peer.SendFrameAsync(new StreamEnd { Stream = mine, Count = 4 }); // a second end (the 2nd)
        await SendUnknownAsync(peer, 18); // the 20th
        await RoundTripAsync(peer, 2);
        Assert.True(portal.IsOpen);
        await SendUnknownAsync(peer, 1);

        await peer.ExpectErrorThenCloseAsync("MaxUnknownRequests");
        await watch.ExpectClosedAsync(PortalCloseKind.LimitExceeded, "MaxUnknownRequests", "21 times (limit 20)");
        Assert.Equal(0, portal.Counters.Dropped);
        await watch.FinishAsync(this, peer);
    }

    [Fact]
    public async Task StreamEndWithAHugeReasonAndCode_TheConsumerSeesThemCut_To256And64CharactersAndAnEllipsis()
    {
        using var watch = Server.Watch(Output!.WriteLine);
        var (peer, portal) = await ConnectAsync(watch);
        var sink = await peer.LookupAsync("sink");
        var tag = NextTag();
        var mine = WireId.NewRandom();
        await peer.OfferStreamsAsync(sink, tag, RawStreamExtensions.Ref(mine));
        var elements = (await Server.OfferAsync(tag)).Events!.GetAsyncEnumerator();
        await peer.ExpectStreamFrameAsync<Demand>(mine);
        await peer.SendPiecesAsync(mine, 0, 2);

        await peer.SendFrameAsync(new StreamEnd { Stream = mine, Count = 2, Code = new string('c', 1_000), Reason = new string('r', 60_000) });

        var (pieces, failure) = await DrainAsync(elements);
        Assert.Equal([0, 1], pieces);
        var failed = Assert.IsType<RemoteStreamException>(failure);
        Assert.Equal(new string('r', 256) + "…", failed.Message);
        Assert.Equal(new string('c', 64) + "…", failed.Code);
        Assert.Equal((0, 0L), (portal.Counters.Streams, portal.Counters.Dropped));
        await RoundTripAsync(peer, 2);
        Assert.True(portal.IsOpen);
        await watch.FinishAsync(this, peer);
    }

    [Fact]
    public async Task PeerOffersMaxStreamsPlusOne_ClosesWithMaxStreams_TheStreamsItOfferedFailWithPortalClosed()
    {
        using var watch = Server.Watch(Output!.WriteLine);
        var (peer, portal) = await ConnectAsync(watch);
        var sink = await peer.LookupAsync("sink");
        var (tag, last) = (NextTag(), NextTag());
        await peer.OfferStreamsAsync(sink, tag, [.. Enumerable.Range(0, Options.MaxStreams).Select(_ => RawStreamExtensions.Ref(WireId.NewRandom()))]);
        var offer = await Server.OfferAsync(tag);
        Assert.Equal(Options.MaxStreams - 1, offer.More.Count);
        Assert.Equal(Options.MaxStreams, portal.Counters.Streams);

        await peer.OfferStreamsAsync(sink, last, RawStreamExtensions.Ref(WireId.NewRandom()));

        await peer.ExpectErrorThenCloseAsync("MaxStreams");
        var reason = await watch.ExpectClosedAsync(PortalCloseKind.LimitExceeded, "MaxStreams", "more than 32 open streams");
        Assert.Equal(("MaxStreams", "MaxStreams"), (reason.Code, reason.Limit));
        Assert.False(Server.Offers.TryGetValue(last, out var delivered) && delivered.Task.IsCompleted, "the offer past the limit was delivered");
        var (pieces, failure) = await DrainAsync(offer.More[^1].GetAsyncEnumerator());
        Assert.Empty(pieces);
        Assert.IsType<PortalClosedException>(failure);
        Assert.Equal(0, portal.Counters.Streams);
        await watch.FinishAsync(this, peer);
    }

    [Theory]
    [InlineData("yours", "marked as this side's")]
    [InlineData("empty", "empty")]
    [InlineData("twice", "already open")]
    public async Task StreamRefThatIsNotANewStreamOfThePeer_ClosesWithBadPayload(string how, string naming)
    {
        using var watch = Server.Watch(Output!.WriteLine);
        var (peer, _) = await ConnectAsync(watch);
        var sink = await peer.LookupAsync("sink");
        var id = WireId.NewRandom();
        var stream = how switch
        {
            "yours" => RawStreamExtensions.Ref(id, yours: true),
            "empty" => new RawRef(),
            _ => RawStreamExtensions.Ref(id),
        };

        await peer.OfferStreamsAsync(sink, NextTag(), how == "twice" ? [stream, stream] : [stream]);

        await peer.ExpectErrorThenCloseAsync("bad-payload");
        await watch.ExpectClosedAsync(PortalCloseKind.ProtocolViolation, "stream", naming);
        await watch.FinishAsync(this, peer);
    }

    [Fact]
    public async Task OurStreamsIdOfferedBackAsThePeersOwn_IsAnotherStream_InTheOtherTable_BothFlowUnconfused()
    {
        using var watch = Server.Watch(Output!.WriteLine);
        var (peer, portal) = await ConnectAsync(watch);
        var streams = await peer.LookupAsync("streams");
        var sink = await peer.LookupAsync("sink", requestId: 2);
        var (tag, backTag) = (NextTag(), NextTag());
        var ours = (await peer.AskStreamsAsync(streams, count: 0, tag))[0];

        await peer.OfferStreamsAsync(sink, backTag, RawStreamExtensions.Ref(ours)); // the server's id, as the peer's stream

        var elements = (await Server.OfferAsync(backTag)).Events!.GetAsyncEnumerator();
        Assert.Equal(2, portal.Counters.Streams);
        var demand = await peer.ExpectStreamFrameAsync<Demand>(ours); // the server consumes the peer's stream of that id
        Assert.Equal(Window, demand.Credit);
        await peer.DemandAsync(ours, credit: 5); // and the peer consumes the server's
        var read = await peer.ReadStreamAsync(ours, until: 5);
        Assert.Equal([0, 1, 2, 3, 4], read.Pieces);
        await peer.SendPiecesAsync(ours, 100, 3, firstSeq: 0);
        await peer.SendFrameAsync(new StreamEnd { Stream = ours, Count = 3 });
        var (pieces, failure) = await DrainAsync(elements);
        Assert.Equal([100, 101, 102], pieces);
        Assert.Null(failure);
        Assert.Equal(1, portal.Counters.Streams); // the server's stream of that id is still open
        await peer.CancelAndReadToTheEndAsync(ours, read);

        Assert.Equal(5, read.Pieces.Count);
        Assert.Equal((0, 0L), (portal.Counters.Streams, portal.Counters.Dropped));
        Assert.True(portal.IsOpen);
        await RoundTripAsync(peer, 3);
        await watch.FinishAsync(this, peer);
    }

    /// <summary>After the server's first <c>Demand</c> (256 elements, 256 KiB), the peer breaks <paramref name="rule"/>.</summary>
    private static async Task BreakAsync(IRawPeer peer, WireId stream, string rule)
    {
        switch (rule)
        {
            case "beyond-credit":
                await peer.SendPiecesAsync(stream, 0, 257);
                break;
            case "beyond-byte-credit":
                // 66 elements of 4,000 bytes: the last starts at 260,000, under the 262,144 granted; they end at 264,000,
                // past it. Then a 67th, which starts past it. In frames under the 64 KiB frame limit.
                for (var first = 0; first < 66; first += 15)
                {
                    await peer.SendFrameAsync(new StreamItems { Stream = stream, FirstSeq = (ulong)first, Items = [.. Enumerable.Range(first, Math.Min(15, 66 - first)).Select(n => PieceOfExactly(n, 4_000))] });
                }

                await peer.SendFrameAsync(new StreamItems { Stream = stream, FirstSeq = 66, Items = [PieceOfExactly(66, 4_000)] });
                break;
            case "gap":
                await peer.SendPiecesAsync(stream, 0, 3);
                await peer.SendPiecesAsync(stream, 5, 1);
                break;
            case "duplicate":
                await peer.SendPiecesAsync(stream, 0, 3);
                await peer.SendPiecesAsync(stream, 2, 1);
                break;
            case "too-large":
                await peer.SendPiecesAsync(stream, 0, 1);
                await peer.SendPiecesAsync(stream, 1, 1, padBytes: HostileServer.Options.MaxStreamElementBytes); // 4,096 bytes of padding, 4,101 in all
                break;
            case "undecodable":
                await peer.SendPiecesAsync(stream, 0, 1);
                await peer.SendFrameAsync(new StreamItems { Stream = stream, FirstSeq = 1, Items = [[(1 << 3) | 2, 5, .. "hello"u8]] }); // Piece.N as a string
                break;
            case "wrong-count":
                await peer.SendPiecesAsync(stream, 0, 3);
                await peer.SendFrameAsync(new StreamEnd { Stream = stream, Count = 5 });
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(rule), rule, null);
        }
    }

    /// <summary>Piece <paramref name="n"/> encoded in exactly <paramref name="bytes"/> bytes (padded).</summary>
    private static byte[] PieceOfExactly(int n, int bytes)
    {
        for (var pad = bytes; pad > 0; pad--)
        {
            var encoded = RawPeerExtensions.Payload(new RawPiece { N = n, Pad = new byte[pad] });
            if (encoded.Length == bytes)
            {
                return encoded;
            }
        }

        throw new ArgumentOutOfRangeException(nameof(bytes), bytes, "no padding gives that size");
    }
}
