using System.Diagnostics;
using Akka.IO;
using Akka.Streams;
using Akka.Streams.Dsl;
using Akka.Streams.TestKit;
using Wormhole.Streams;
using Wormhole.Streams.Portals;
using Wormhole.Tests.Support;

namespace Wormhole.Tests.Streams.Portals;

/// <summary>The portal's inbound token buckets: one second's worth at once, then the rate, never more; backpressure, not loss.</summary>
public sealed class InboundRateLimitTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly ByteString Small = ByteString.FromBytes(new byte[10]);

    [Fact]
    public async Task RateLimit_FrameBucketEmpty_HoldsTheNextFrameUntilItRefills()
    {
        await this.AssertAllStagesStoppedAsync(async () =>
        {
            var (source, sink) = Run(new NexusOptions { MaxInboundFramesPerSecond = 5 });
            sink.Request(10);
            for (var i = 0; i < 5; i++)
            {
                await source.SendNextAsync(Small);
            }

            await sink.ExpectNextNAsync(5, Bounds.Long).ToListAsync(); // a full bucket: one second's worth at once
            var clock = Stopwatch.StartNew();
            await source.SendNextAsync(Small);
            await sink.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100)); // the bucket refills a frame per 200 ms
            await sink.ExpectNextAsync(Bounds.Long);
            Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(150), $"the sixth frame came after {clock.Elapsed.TotalMilliseconds:0} ms, before a token could have refilled");
            await source.SendCompleteAsync();
            await sink.ExpectCompleteAsync();
        }, Materializer());
    }

    [Fact]
    public async Task RateLimit_FrameWaiting_PullsNothingMoreFromUpstream()
    {
        await this.AssertAllStagesStoppedAsync(async () =>
        {
            var pulled = 0;
            var passed = 0;
            var (killSwitch, sink) = Source.Repeat(Small)
                .Select(frame =>
                {
                    Interlocked.Increment(ref pulled); // fused with the stage: one per pull of the rate limit
                    return frame;
                })
                .ViaMaterialized(KillSwitches.Single<ByteString>(), Keep.Right)
                .Via(new InboundRateLimit(new NexusOptions { MaxInboundFramesPerSecond = 1 }))
                .Select(frame =>
                {
                    Interlocked.Increment(ref passed);
                    return frame;
                })
                .ToMaterialized(this.SinkProbe<ByteString>(), Keep.Both)
                .Run(Materializer());
            sink.Request(1_000);

            await sink.ExpectNextAsync(Bounds.Long); // the bucket's one token
            _ = sink.ReceiveWithin<ByteString>(TimeSpan.FromMilliseconds(300)).Count(); // time for a greedy stage to pull ahead (the next token is a second away)

            // Read in this order, whatever the scheduler did meanwhile: each frame that passed, and at most one that waits.
            var pulls = Volatile.Read(ref pulled);
            var frames = Volatile.Read(ref passed);
            Assert.InRange(pulls, 2, frames + 1);
            killSwitch.Shutdown();
            await sink.ExpectNextAsync(Bounds.Long); // the waiting frame still goes, once its token is there
            await sink.ExpectCompleteAsync();
        }, Materializer());
    }

    [Fact]
    public async Task RateLimit_ByteBucket_LimitsBytesPerSecond()
    {
        const int rate = 64 * 1024;
        await this.AssertAllStagesStoppedAsync(async () =>
        {
            var (source, sink) = Run(new NexusOptions { MaxFrameBytes = rate, MaxInboundBytesPerSecond = rate });
            var frame = ByteString.FromBytes(new byte[rate / 4]);
            sink.Request(100);
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < 8; i++)
            {
                await source.SendNextAsync(frame);
            }

            await sink.ExpectNextNAsync(8, Bounds.Long).ToListAsync();

            // Four frames fill the first second's bucket; the other four take about a second more.
            Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(800), $"{8 * rate / 4:N0} bytes at {rate:N0} B/s passed in {clock.Elapsed.TotalMilliseconds:0} ms");
            await source.SendCompleteAsync();
            await sink.ExpectCompleteAsync();
        }, Materializer());
    }

    [Fact]
    public async Task RateLimit_UpstreamCompletesWhileAFrameWaits_EmitsItThenCompletes()
    {
        await this.AssertAllStagesStoppedAsync(async () =>
        {
            var (source, sink) = Run(new NexusOptions { MaxInboundFramesPerSecond = 2 });
            sink.Request(10);
            await source.SendNextAsync(Small);
            await source.SendNextAsync(Small);
            await sink.ExpectNextNAsync(2, Bounds.Long).ToListAsync();
            await source.SendNextAsync(Small);
            await source.SendCompleteAsync();

            await sink.ExpectNextAsync(Bounds.Long);
            await sink.ExpectCompleteAsync();
        }, Materializer());
    }

    [Fact]
    public async Task RateLimit_UpstreamFails_FailsDownstream()
    {
        await this.AssertAllStagesStoppedAsync(async () =>
        {
            var (source, sink) = Run(new NexusOptions());
            sink.Request(1);
            source.SendError(new IOException("the socket broke"));

            var error = await sink.ExpectErrorAsync();
            Assert.Equal("the socket broke", error.Message);
        }, Materializer());
    }

    private (TestPublisher.Probe<ByteString> Source, TestSubscriber.Probe<ByteString> Sink) Run(NexusOptions options) =>
        this.SourceProbe<ByteString>()
            .Via(new InboundRateLimit(options))
            .ToMaterialized(this.SinkProbe<ByteString>(), Keep.Both)
            .Run(Materializer());

    private IMaterializer Materializer() => Sys.Materializer();
}
