using System.Diagnostics;
using Wormhole.Streams;
using Wormhole.Streams.Protocol;
using Wormhole.Streams.Streaming;
using Wormhole.Tests.Support;

namespace Wormhole.Tests.Hostile;

/// <summary>The server produces, the hostile peer consumes: its <c>Demand</c> and <c>StreamCancel</c> frames.</summary>
public abstract partial class HostileStreamScenarios
{
    [Fact]
    public async Task DemandAndCancel_ForUnknownIdsAndAnActorsId_AreCounted_ForAnEndedStream_IgnoredQuietly_PastMaxUnknownRequestsTheNextCloses()
    {
        using var watch = Server.Watch(Output!.WriteLine);
        var (peer, portal) = await ConnectAsync(watch);
        var streams = await peer.LookupAsync("streams");
        var silent = await peer.LookupAsync("silent", requestId: 2);
        var tag = NextTag();
        var stream = (await peer.AskStreamsAsync(streams, count: 3, tag))[0];
        await peer.DemandAsync(stream, credit: 10);
        var read = await peer.ReadStreamAsync(stream);
        Assert.Equal([0, 1, 2], read.Pieces);
        Assert.Equal((3UL, ""), (read.End!.Count, read.End.Code));
        await AwaitAssertAsync(() => Assert.Equal(0, portal.Counters.Streams), Bounds.Long);

        for (var i = 0; i < 50; i++)
        {
            await peer.DemandAsync(stream, credit: 20 + (ulong)i); // a stream that ended: late frames about it are quiet
            await peer.CancelAsync(stream);
        }

        for (var i = 0; i < 10; i++)
        {
            await peer.DemandAsync(WireId.NewRandom(), credit: 1);
        }

        for (var i = 0; i < 5; i++)
        {
            await peer.CancelAsync(WireId.NewRandom());
        }

        for (var i = 0; i < 4; i++)
        {
            await peer.DemandAsync(silent, credit: 1); // an actor's id is no stream's: the tables are separate
        }

        await peer.DeliverAsync(silent, new Node { Value = tag }); // and the actor behind the id is untouched
        await AwaitAssertAsync(() => Assert.Contains(tag, Server.SilentReceived), Bounds.Long);
        await peer.DemandAsync(silent, credit: 1); // the 20th unknown: at the limit, still open
        await RoundTripAsync(peer, 3);
        Assert.True(portal.IsOpen);

        await peer.CancelAsync(silent); // the 21st

        await peer.ExpectErrorThenCloseAsync("MaxUnknownRequests");
        await watch.ExpectClosedAsync(PortalCloseKind.LimitExceeded, "MaxUnknownRequests", "21 times (limit 20)", $"a StreamCancel for stream {silent}");
        Assert.Equal(0, portal.Counters.Dropped);
        Assert.Equal(0, portal.Counters.Streams);
        Assert.Equal((1, 1), (Server.Producers[tag].Opened, Server.Producers[tag].Finished));
        await watch.FinishAsync(this, peer);
    }

    [Fact]
    public async Task CreditOf2To64Minus1_InElementsAndBytes_OnAnEndlessStream_PullsItsSourceAtMostStreamProducerBufferBeyondWhatWasSent()
    {
        using var watch = Server.Watch(Output!.WriteLine);
        var (peer, portal) = await ConnectAsync(watch);
        var streams = await peer.LookupAsync("streams");
        var tag = NextTag();
        var stream = (await peer.AskStreamsAsync(streams, count: 0, tag, padBytes: 1_000))[0];
        var probe = Server.Producers[tag];
        peer.PauseReading();

        await peer.DemandAsync(stream, ulong.MaxValue, ulong.MaxValue);

        // The peer reads nothing: once the socket buffers are full the stage stops sending, and the source stops being pulled.
        var pulled = -1L;
        await AwaitAssertAsync(
            () =>
            {
                var now = probe.Pulled;
                var still = now == pulled && now > 0;
                pulled = now;
                Assert.True(still, $"the source is still pulled: {now:N0} pieces so far");
            },
            Bounds.Long,
            TimeSpan.FromMilliseconds(500));
        Assert.True(portal.IsOpen);
        peer.ResumeReading();
        var read = await peer.ReadStreamAsync(stream, until: (int)pulled / 2);
        await peer.CancelAndReadToTheEndAsync(stream, read);

        Output!.WriteLine($"the source stood at {pulled:N0} pieces while the peer did not read; the peer read {read.Pieces.Count:N0} pieces in {read.Frames:N0} frames; {probe}");
        Assert.Equal(Enumerable.Range(0, read.Pieces.Count), read.Pieces);
        await AwaitAssertAsync(() => Assert.Equal((1, 1, 1), (probe.Opened, probe.Finished, probe.Cancelled)), Bounds.Long);
        Assert.InRange(probe.Pulled, read.Pieces.Count, read.Pieces.Count + Options.StreamProducerBuffer);
        Assert.Equal(0, portal.Counters.Streams);
        Assert.True(portal.IsOpen);
        await watch.FinishAsync(this, peer);
    }

    /// <summary>
    /// A peer that grants exactly the elements the stream has (10 of 10) gets the <c>StreamEnd</c> too: the end needs no
    /// credit of its own, and the pump pulls the source one element beyond the credit to learn that it ended. (Wormhole's
    /// own consumer never meets this, its window refilling ahead of what it takes; another implementation may.)
    /// </summary>
    [Fact]
    public async Task StreamOfExactlyTheCreditGranted_EndsWithoutMoreCredit()
    {
        using var watch = Server.Watch(Output!.WriteLine);
        var (peer, portal) = await ConnectAsync(watch);
        var streams = await peer.LookupAsync("streams");
        var stream = (await peer.AskStreamsAsync(streams, count: 10, NextTag()))[0];

        await peer.DemandAsync(stream, credit: 10);

        var read = await peer.ReadStreamAsync(stream);
        Assert.Equal(Enumerable.Range(0, 10), read.Pieces);
        Assert.Equal((10UL, ""), (read.End!.Count, read.End.Code));
        Assert.Equal(0, portal.Counters.Streams);
        await watch.FinishAsync(this, peer);
    }

    [Fact]
    public async Task StaleAndShrinkingDemands_AreIgnored_OnlyCreditRaisedInElementsOrBytesSendsMore()
    {
        using var watch = Server.Watch(Output!.WriteLine);
        var (peer, portal) = await ConnectAsync(watch);
        var streams = await peer.LookupAsync("streams");
        var tag = NextTag();
        var ids = await peer.AskStreamsAsync(streams, count: 0, tag, howMany: 2, padBytes: 10); // no empty element (piece 0 unpadded is 0 bytes)
        var (byCount, byBytes) = (ids[0], ids[1]);

        await peer.DemandAsync(byCount, credit: 10);
        var counted = await peer.ReadStreamAsync(byCount, until: 10);
        Assert.Equal(Enumerable.Range(0, 10), counted.Pieces);
        foreach (var (credit, bytes) in new[] { (5UL, RawStreamExtensions.Megabyte), (10UL, RawStreamExtensions.Megabyte), (0UL, 0UL), (3UL, 1UL) })
        {
            await peer.DemandAsync(byCount, credit, bytes); // none raises either value: stale, ignored
        }

        await peer.DemandAsync(byCount, credit: 12, creditBytes: 1); // raises the count; the bytes stay (both are cumulative)
        await peer.ReadStreamAsync(byCount, until: 12, read: counted);

        await peer.DemandAsync(byBytes, credit: 1_000, creditBytes: 1); // an element starts only while the bytes sent are under 1: one
        var bytesRead = await peer.ReadStreamAsync(byBytes, until: 1);
        await peer.DemandAsync(byBytes, credit: 1_000, creditBytes: 1); // stale
        await peer.DemandAsync(byBytes, credit: 1_000, creditBytes: bytesRead.Bytes + 1); // room to start one more
        await peer.ReadStreamAsync(byBytes, until: 2, read: bytesRead);

        await peer.CancelAndReadToTheEndAsync(byCount, counted);
        await peer.CancelAndReadToTheEndAsync(byBytes, bytesRead);
        Assert.Equal(Enumerable.Range(0, 12), counted.Pieces); // the StreamEnds count what was sent: nothing beyond the credit
        Assert.Equal([0, 1], bytesRead.Pieces);
        var probe = Server.Producers[tag];
        await AwaitAssertAsync(() => Assert.Equal((2, 2, 2), (probe.Opened, probe.Finished, probe.Cancelled)), Bounds.Long);
        Assert.InRange(probe.Pulled, 14, 14 + (2 * Options.StreamProducerBuffer));
        Assert.Equal((0, 0L), (portal.Counters.Streams, portal.Counters.Dropped));
        Assert.True(portal.IsOpen);
        await watch.FinishAsync(this, peer);
    }

    [Fact]
    public async Task DemandFlood_TwoThousandRaisesByOneEachFollowedByAStaleOne_SendsExactlyTheCredit()
    {
        const int raises = 2_000;
        using var watch = Server.Watch(Output!.WriteLine);
        var (peer, portal) = await ConnectAsync(watch);
        var streams = await peer.LookupAsync("streams");
        var tag = NextTag();
        var stream = (await peer.AskStreamsAsync(streams, count: 0, tag))[0];
        var clock = Stopwatch.StartNew();

        var flooding = Task.Run(async () =>
        {
            for (var credit = 1UL; credit <= raises; credit++)
            {
                await peer.DemandAsync(stream, credit);
                await peer.DemandAsync(stream, credit / 2);
            }
        });
        var read = await peer.ReadStreamAsync(stream, until: raises);
        await flooding.WaitAsync(Bounds.Long);
        await peer.CancelAndReadToTheEndAsync(stream, read);

        Output!.WriteLine($"{2 * raises:N0} Demands in {clock.Elapsed.TotalSeconds:0.0} s; {read.Pieces.Count:N0} pieces in {read.Frames:N0} frames; {portal.Counters}");
        Assert.Equal(Enumerable.Range(0, raises), read.Pieces);
        Assert.Equal((0, 0L), (portal.Counters.Streams, portal.Counters.Dropped));
        Assert.True(portal.IsOpen);
        await watch.FinishAsync(this, peer);
    }

    [Fact]
    public async Task NeverConsumed_OurStreamsEndWithSubscriptionTimeout_TheirSourcesNeverOpen_StreamsBackToZero()
    {
        using var watch = Server.Watch(Output!.WriteLine);
        var (peer, portal) = await ConnectAsync(watch);
        var streams = await peer.LookupAsync("streams");
        var tag = NextTag();
        var clock = Stopwatch.StartNew();
        var ids = await peer.AskStreamsAsync(streams, count: 5, tag, howMany: 3);
        Assert.Equal(3, portal.Counters.Streams);

        var ends = new List<StreamEnd>();
        while (ends.Count < ids.Length)
        {
            ends.Add(Assert.IsType<StreamEnd>(await peer.NextSkippingKeepAlivesAsync()));
        }

        var after = clock.Elapsed;
        Output!.WriteLine($"ended after {after.TotalSeconds:0.0} s: {ends[0].Reason}");
        Assert.Equal(ids.ToHashSet(), ends.Select(e => e.Stream).ToHashSet());
        Assert.All(ends, end =>
        {
            Assert.Equal((StreamEndCodes.SubscriptionTimeout, 0UL), (end.Code, end.Count));
            Assert.Equal("nobody consumed the stream within the producer's 2 s subscription timeout", end.Reason);
        });
        Assert.InRange(after, Options.StreamSubscriptionTimeout, Options.StreamSubscriptionTimeout + Bounds.Long);
        await AwaitAssertAsync(() => Assert.Equal(0, portal.Counters.Streams), Bounds.Long);

        await peer.DemandAsync(ids[0], credit: 10); // too late: ignored, quietly
        await RoundTripAsync(peer, 2);
        Assert.Equal(0, Server.Producers[tag].Opened);
        Assert.Equal((0, 0L), (portal.Counters.Streams, portal.Counters.Dropped));
        Assert.True(portal.IsOpen);
        await watch.FinishAsync(this, peer);
    }

    [Fact]
    public async Task AskingForMaxStreamsPlusOne_TheReplyIsNotSent_NoSourceOpens_ThePortalStaysOpen()
    {
        using var watch = Server.Watch(Output!.WriteLine);
        var (peer, portal) = await ConnectAsync(watch);
        var streams = await peer.LookupAsync("streams");
        var tag = NextTag();

        await peer.DeliverAsync(streams, new RawStreamAsk { Reply = RawStreamExtensions.Ref(WireId.NewRandom()) with { WithinMs = 10_000 }, Count = 1, Streams = Options.MaxStreams + 1, Tag = tag });

        await AwaitAssertAsync(() => Assert.Equal(1, portal.Counters.Dropped), Bounds.Long); // refused at the server's own send
        Assert.Equal(0, portal.Counters.Streams);
        var ids = await peer.AskStreamsAsync(streams, count: 1, NextTag(), howMany: Options.MaxStreams);
        Assert.Equal(Options.MaxStreams, ids.Distinct().Count());
        Assert.Equal(Options.MaxStreams, portal.Counters.Streams);
        Assert.Equal(0, Server.Producers[tag].Opened);
        Assert.True(portal.IsOpen);
        await watch.FinishAsync(this, peer);
    }

    [Fact]
    public async Task OpenCancelChurn_TwoThousandOfOurStreamsDemandedOrNotAndCancelledAtOnce_EveryOneEndsCancelled_NothingLingers()
    {
        const int batches = 80, perBatch = 25;
        using var watch = Server.Watch(Output!.WriteLine);
        var (peer, portal) = await ConnectAsync(watch);
        var streams = await peer.LookupAsync("streams");
        var tag = NextTag();
        var ends = new Dictionary<WireId, StreamEnd>();
        var undemanded = new HashSet<WireId>();
        var items = 0L;
        var most = 0;
        var clock = Stopwatch.StartNew();
        GC.Collect();
        var memoryBefore = GC.GetTotalMemory(forceFullCollection: true);

        void Other(Frame frame)
        {
            switch (frame)
            {
                case StreamItems some:
                    items += some.Items.Count;
                    break;
                case StreamEnd end:
                    Assert.True(ends.TryAdd(end.Stream, end), $"a second StreamEnd for {end.Stream}");
                    break;
                default:
                    throw new InvalidOperationException($"unexpected {frame.GetType().Name}");
            }
        }

        for (var batch = 0; batch < batches; batch++)
        {
            var ids = await peer.AskStreamsAsync(streams, count: 0, tag, howMany: perBatch, other: Other);
            for (var i = 0; i < ids.Length; i++)
            {
                var id = ids[i];
                if (i % 5 != 0) // every fifth is cancelled before any Demand: its source never opens
                {
                    await peer.DemandAsync(id, ulong.MaxValue, ulong.MaxValue);
                }
                else
                {
                    undemanded.Add(id);
                }

                await peer.CancelAsync(id);
                await peer.CancelAsync(id); // a second cancel for a stream that just ended: quiet
            }

            most = Math.Max(most, portal.Counters.Streams);
        }

        while (ends.Count < batches * perBatch)
        {
            Other(await peer.NextSkippingKeepAlivesAsync() ?? throw new InvalidOperationException($"closed: {peer.CloseDescription}"));
        }

        var probe = Server.Producers[tag];
        await AwaitAssertAsync(() => Assert.Equal(probe.Opened, probe.Finished), Bounds.Long);
        var memoryAfter = GC.GetTotalMemory(forceFullCollection: true);
        Output!.WriteLine($"{batches * perBatch:N0} streams in {clock.Elapsed.TotalSeconds:0.0} s: {items:N0} pieces went out before the cancels; at most {most} streams open at a batch's end; {probe}; managed memory {memoryBefore / 1e6:0.0} MB before, {memoryAfter / 1e6:0.0} MB after; {portal.Counters}");
        Assert.All(ends.Values, end => Assert.Equal(StreamEndCodes.Cancelled, end.Code));
        Assert.Equal(batches * perBatch / 5, undemanded.Count);
        Assert.All(undemanded, id => Assert.Equal(0UL, ends[id].Count));
        Assert.InRange(probe.Opened, 0, batches * perBatch * 4 / 5);
        Assert.InRange(most, 0, perBatch);
        Assert.InRange(probe.Pulled, 0, items + ((long)probe.Opened * Options.StreamProducerBuffer));
        Assert.Equal(probe.Opened, probe.Cancelled);
        Assert.Equal((0, 0L), (portal.Counters.Streams, portal.Counters.Dropped));
        Assert.True(portal.IsOpen);
        await watch.FinishAsync(this, peer);
    }
}
