using System.Diagnostics;
using Akka.Streams;
using Akka.Streams.Dsl;
using Akka.Streams.TestKit;
using Wormhole.Streams;
using Wormhole.Streams.Portals;
using Wormhole.Streams.Protocol;
using Wormhole.Tests.Support;

namespace Wormhole.Tests.Streams.Portals;

/// <summary>The portal stage between probes: what it emits, when it backpressures, how it completes; no stage leaks.</summary>
public sealed class PortalStageTests : Akka.TestKit.Xunit2.TestKit
{
    [Fact]
    public async Task Portal_Start_EmitsHello_OpensOnThePeersHello_CompletesOnGoodbye()
    {
        await this.AssertAllStagesStoppedAsync(async () =>
        {
            var (upstream, portal, downstream) = Run(new NexusOptions());
            downstream.Request(10);
            Assert.IsType<Hello>(await downstream.ExpectNextAsync(Bounds.Long));

            await upstream.SendNextAsync(PeerHello());
            await portal.Opened.WaitAsync(Bounds.Long);
            await upstream.SendNextAsync(new Goodbye { Reason = "bye" });

            await downstream.ExpectCompleteAsync();
            var reason = await portal.Completion.WaitAsync(Bounds.Long);
            Assert.Equal(PortalCloseKind.ClosedByPeer, reason.Kind);
            await upstream.ExpectCancellationAsync();
        }, Materializer());
    }

    [Fact]
    public async Task Portal_FrameBeforeHello_EmitsErrorWithItsCode_ThenCompletes()
    {
        await this.AssertAllStagesStoppedAsync(async () =>
        {
            var (upstream, portal, downstream) = Run(new NexusOptions());
            downstream.Request(10);
            await downstream.ExpectNextAsync(Bounds.Long); // Hello

            await upstream.SendNextAsync(new Lookup { RequestId = 1, Name = "x" });

            var error = Assert.IsType<ErrorFrame>(await downstream.ExpectNextAsync(Bounds.Long));
            Assert.Equal(PortalErrorCodes.HelloExpected, error.Code);
            await downstream.ExpectCompleteAsync();
            Assert.Equal(PortalErrorCodes.HelloExpected, (await portal.Completion.WaitAsync(Bounds.Long)).Code);
        }, Materializer());
    }

    [Fact]
    public async Task Portal_DownstreamDoesNotPull_QueuesFramesUpToTheBound_ThenFailsWithErrorAhead()
    {
        await this.AssertAllStagesStoppedAsync(async () =>
        {
            var (upstream, portal, downstream) = Run(new NexusOptions { MaxOutboundFrames = 3, MaxUnknownRequests = 1_000 });
            downstream.Request(1);
            await downstream.ExpectNextAsync(Bounds.Long); // Hello; nothing more is pulled
            await upstream.SendNextAsync(PeerHello());
            for (var n = 1; n <= 3; n++)
            {
                await upstream.SendNextAsync(new Lookup { RequestId = (ulong)n, Name = "nobody" }); // each answered, queued
            }

            await downstream.ExpectNoMsgAsync(Bounds.Short); // backpressure: queued, not emitted
            Assert.False(portal.Completion.IsCompleted);
            await upstream.SendNextAsync(new Lookup { RequestId = 4, Name = "nobody" }); // the fourth answer passes the bound

            downstream.Request(10);
            Assert.Equal(PortalErrorCodes.MaxOutboundFrames, Assert.IsType<ErrorFrame>(await downstream.ExpectNextAsync(Bounds.Long)).Code); // ahead of the queued answers
            await downstream.ExpectCompleteAsync();
            var reason = await portal.Completion.WaitAsync(Bounds.Long);
            Assert.Equal(nameof(NexusOptions.MaxOutboundFrames), reason.Limit);
        }, Materializer());
    }

    [Fact]
    public async Task Portal_StreamCredit_GoesAheadOfQueuedFrames()
    {
        await this.AssertAllStagesStoppedAsync(async () =>
        {
            var (upstream, portal, downstream) = Run(new NexusOptions { MaxUnknownRequests = 1_000 }, [("feed", TestActor, typeof(Fed))]);
            downstream.Request(2);
            await downstream.ExpectNextAsync(Bounds.Long); // Hello
            await upstream.SendNextAsync(PeerHello());
            await upstream.SendNextAsync(new Lookup { RequestId = 1, Name = "feed" });
            var feed = Assert.IsType<LookupReply>(await downstream.ExpectNextAsync(Bounds.Long)).ActorId;
            await upstream.SendNextAsync(new Deliver { Target = feed, Payload = PortalSessionTests.FedPayload(WireId.NewRandom()) });
            var fed = ExpectMsg<Fed>(Bounds.Long);
            for (var n = 2; n <= 4; n++)
            {
                await upstream.SendNextAsync(new Lookup { RequestId = (ulong)n, Name = "nobody" }); // answers queue: nothing pulls
            }

            await ProcessedAsync(upstream, portal, dropped: 1); // the three answers are queued
            await using var reading = fed.Items!.GetAsyncEnumerator(); // claims the stream: its first Demand
            await ProcessedAsync(upstream, portal, dropped: 2); // the Demand is queued too

            downstream.Request(1);
            Assert.IsType<Demand>(await downstream.ExpectNextAsync(Bounds.Long)); // ahead of the three answers queued before it
            await upstream.SendCompleteAsync();
            await portal.Completion.WaitAsync(Bounds.Long);
        }, Materializer());
    }

    [Fact]
    public async Task Portal_FrameOverTheInboundRate_WaitsForItsToken_AndNothingMoreIsPulled()
    {
        await this.AssertAllStagesStoppedAsync(async () =>
        {
            var taken = 0;
            var (upstream, portal, downstream) = Run(new NexusOptions { MaxInboundFramesPerSecond = 1, MaxUnknownRequests = 1_000 }, onTaken: () => Interlocked.Increment(ref taken));
            downstream.Request(10);
            await downstream.ExpectNextAsync(Bounds.Long); // Hello

            // Started before the only token is taken: the next one refills a second after that, however late the frames come.
            var clock = Stopwatch.StartNew();
            await upstream.SendNextAsync(PeerHello()); // the only token
            await upstream.SendNextAsync(new Lookup { RequestId = 1, Name = "nobody" }); // waits a second for a token
            await upstream.SendNextAsync(new Lookup { RequestId = 2, Name = "nobody" });
            await downstream.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));
            Assert.Equal(2, Volatile.Read(ref taken)); // the waiting frame was taken, the one behind it not: no pull while it waits
            Assert.Equal(1ul, Assert.IsType<LookupReply>(await downstream.ExpectNextAsync(Bounds.Long)).RequestId);
            Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(900), $"the frame was answered after {clock.Elapsed.TotalMilliseconds:0} ms, before its token could have refilled");
            Assert.Equal(2ul, Assert.IsType<LookupReply>(await downstream.ExpectNextAsync(Bounds.Long)).RequestId);

            await upstream.SendCompleteAsync();
            await portal.Completion.WaitAsync(Bounds.Long);
        }, Materializer());
    }

    /// <summary>Sends a message for an unknown id and waits until the stage has counted it: what came before it is handled.</summary>
    private async Task ProcessedAsync(TestPublisher.Probe<Frame> upstream, Portal portal, int dropped)
    {
        await upstream.SendNextAsync(new Deliver { Target = WireId.NewRandom() });
        await AwaitAssertAsync(() => Assert.Equal(dropped, portal.Counters.Dropped), Bounds.Long);
    }

    /// <summary>The stage between probes that speak frames (the codec around it); <paramref name="onTaken"/> sees each frame the stage takes from upstream (fused with it: one per pull).</summary>
    private (TestPublisher.Probe<Frame> Upstream, Portal Portal, TestSubscriber.Probe<Frame> Downstream) Run(
        NexusOptions options, (string, Akka.Actor.IActorRef, Type)[]? publications = null, Action? onTaken = null)
    {
        var nexus = Nexus.Create(Sys, options);
        var ((upstream, portal), downstream) = this.SourceProbe<Frame>()
            .Select(frame =>
            {
                onTaken?.Invoke();
                return FrameCodec.Encode(frame);
            })
            .ViaMaterialized(Flow.FromGraph(new PortalStage(nexus, options, publications ?? [], new PortalCounters())), Keep.Both)
            .Select(bytes => FrameCodec.Decode(bytes, options.MaxFrameBytes))
            .ToMaterialized(this.SinkProbe<Frame>(), Keep.Both)
            .Run(Materializer());
        return (upstream, portal, downstream);
    }

    private static Hello PeerHello() => new() { ProtocolVersion = Hello.CurrentVersion, SideId = WireId.NewRandom(), ConduitHalf = WireId.NewRandom() };

    private ActorMaterializer Materializer() => Sys.Materializer();
}
