using Wormhole.Streams;
using Wormhole.Tests.Support;

namespace Wormhole.Tests.Streams.Streaming;

/// <summary>Credit and residue, over the in-memory conduit with a small fixed window (no growth) and a short subscription timeout.</summary>
public sealed class StreamCreditTests : StreamScenarios
{
    private const int Window = 64;

    protected override NexusOptions Options => new()
    {
        StreamWindowElements = Window,
        StreamWindowBytes = 64 * 1024,
        MaxStreamWindowBytes = 64 * 1024,
        StreamProducerBuffer = 16,
        StreamSubscriptionTimeout = TimeSpan.FromSeconds(1),
    };

    protected override Task<(Portal Client, Portal Server)> ConnectAsync(Nexus client, Nexus server) => InMemory.ConnectAsync(client, server);

    [Fact]
    public async Task SlowConsumer_TheProducerNeverRunsAheadOfTheCreditItGranted()
    {
        var counter = Guid.NewGuid().ToString();
        var feed = await FeedAsync(new FeedRequest { Count = 0, Counter = counter });

        var consumed = 0;
        await using (var ticks = feed.Events!.GetAsyncEnumerator())
        {
            while (consumed < 1_000 && await ticks.MoveNextAsync())
            {
                consumed++;
                Assert.True(Produced() <= consumed + Window + 1, $"produced {Produced():N0} with {consumed:N0} consumed"); // + 1: the pull that would tell the end
                if (consumed % 100 == 0)
                {
                    // The producer runs on until the credit stops it: at least half a window ahead, never more than one (and the
                    // one element it pulls beyond the credit to learn whether its source has ended).
                    await AwaitAssertAsync(() => Assert.True(Produced() >= consumed + Window / 2), Bounds.Long);
                    Assert.InRange(Produced(), consumed + Window / 2, consumed + Window + 1);
                }
            }
        }

        Assert.Equal(1_000, consumed);

        long Produced() => FeedServer.Produced.GetValueOrDefault(counter);
    }

    [Fact]
    public async Task NeverConsumed_BothSidesDropTheStreamAfterTheSubscriptionTimeout_AndALateConsumerIsTold()
    {
        var feed = await FeedAsync(new FeedRequest { Count = 5, Reports = Wormhole.Reactive.ActorRef<string>.From(TestActor) });

        Assert.Equal(1, ClientPortal.Counters.Streams);
        await AwaitAssertAsync(() => Assert.Equal((0, 0), (ClientPortal.Counters.Streams, ServerPortal.Counters.Streams)), Bounds.Long);
        var error = await Assert.ThrowsAsync<RemoteStreamException>(async () =>
        {
            await foreach (var _ in feed.Events!)
            {
            }
        });

        Assert.Equal("subscription-timeout", error.Code);
        ExpectNoMsg(Bounds.Short); // the producer's source was never opened
    }

    [Fact]
    public async Task AStreamOutlivingTwiceTheSubscriptionTimeout_KeepsFlowing()
    {
        var feed = await FeedAsync(new FeedRequest { Count = 0 });
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var read = 0;
        await foreach (var tick in feed.Events!)
        {
            Assert.Equal(read++, tick.N);
            if (clock.Elapsed > TimeSpan.FromSeconds(2.5))
            {
                break;
            }
        }

        Assert.True(read > 0);
    }

    [Fact]
    public async Task HundredThousandShortStreams_LeaveNothingInAnyTable()
    {
        var feeds = await ClientPortal.LookupAsync<FeedRequest>("feeds").WaitAsync(Bounds.Long);
        const int PerFeed = 50, Feeds = 2_000;
        using var bound = new CancellationTokenSource(TimeSpan.FromMinutes(3)); // a stream that stalls fails the test, not hangs it
        var before = References(); // the looked-up "feeds": a publication on the server, a proxy on the client

        for (var i = 0; i < Feeds; i++)
        {
            var feed = await feeds.Ask<Feed>(port => new FeedRequest { Count = 2, More = PerFeed - 1, Reply = port }, Bounds.Long);
            foreach (var stream in feed.More.Prepend(feed.Events!))
            {
                await foreach (var _ in stream.WithCancellation(bound.Token))
                {
                }
            }
        }

        await AwaitAssertAsync(() =>
        {
            Assert.Equal((0, 0), (ClientPortal.Counters.Streams, ServerPortal.Counters.Streams));
            Assert.Equal(before, References()); // every reply port went
            Assert.Equal((0, 0), (ClientPortal.Counters.Dropped, ServerPortal.Counters.Dropped));
        }, Bounds.Long);
    }

    private (int, int, int, int) References() =>
        (ClientPortal.Counters.Publications, ServerPortal.Counters.Publications, ClientPortal.Counters.Proxies, ServerPortal.Counters.Proxies);
}
