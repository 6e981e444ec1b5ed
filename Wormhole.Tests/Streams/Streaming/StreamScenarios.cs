using System.Reactive.Threading.Tasks;
using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Dsl;
using Wormhole.Reactive;
using Wormhole.Streams;
using Wormhole.Tests.Support;

namespace Wormhole.Tests.Streams.Streaming;

/// <summary>
/// Streams across a portal, between the TestKit's system (the consumer, mostly) and a server: each subclass runs them
/// over one transport.
/// </summary>
public abstract class StreamScenarios : Akka.TestKit.Xunit2.TestKit, IAsyncLifetime
{
    private RemoteSide _server = null!;
    private Nexus _client = null!;

    protected Portal ClientPortal { get; private set; } = null!;

    protected Portal ServerPortal { get; private set; } = null!;

    protected virtual NexusOptions Options => new();

    /// <summary>Opens a portal between the two nexuses over the transport under test.</summary>
    protected abstract Task<(Portal Client, Portal Server)> ConnectAsync(Nexus client, Nexus server);

    public async Task InitializeAsync()
    {
        _server = RemoteSide.Create("server", Options);
        _client = Nexus.Create(Sys, Options);
        _server.Nexus.Publish("feeds", FeedServer.Feeds(_server.System));
        _server.Nexus.Publish("uploads", FeedServer.Uploads(_server.System));
        (ClientPortal, ServerPortal) = await ConnectAsync(_client, _server.Nexus);
    }

    public virtual async Task DisposeAsync()
    {
        await _client.DisposeAsync();
        await _server.DisposeAsync();
    }

    protected async Task<Feed> FeedAsync(FeedRequest request)
    {
        var feeds = await ClientPortal.LookupAsync<FeedRequest>("feeds").WaitAsync(Bounds.Long);
        return await feeds.Ask<Feed>(port => request with { Reply = port }, Bounds.Long);
    }

    [Fact]
    public async Task AsyncEnumerable_ElementsArriveInOrder_ThenItCompletes()
    {
        var feed = await FeedAsync(new FeedRequest { Count = 10_000 });

        var expected = 0;
        await foreach (var tick in feed.Events!)
        {
            Assert.Equal(expected++, tick.N);
        }

        Assert.Equal(10_000, expected);
    }

    [Fact]
    public async Task Source_MaterializedOnTheConsumer_PullsEveryElement()
    {
        var feed = await FeedAsync(new FeedRequest { Count = 5_000, Form = 1 });

        var ticks = await feed.Source!.RunWith(Sink.Seq<Tick>(), Sys.Materializer()).WaitAsync(Bounds.Long);

        Assert.Equal(Enumerable.Range(0, 5_000), ticks.Select(t => t.N));
    }

    [Fact]
    public async Task Observable_Subscribed_DeliversEveryElementThenCompletes()
    {
        var feed = await FeedAsync(new FeedRequest { Count = 1_000, Form = 2 });

        var ticks = await System.Reactive.Linq.Observable.ToList(feed.Observable!).ToTask().WaitAsync(Bounds.Long);

        Assert.Equal(Enumerable.Range(0, 1_000), ticks.Select(t => t.N));
    }

    [Fact]
    public async Task SecondConsumption_OfEachForm_ThrowsInvalidOperation()
    {
        var events = (await FeedAsync(new FeedRequest { Count = 3 })).Events!;
        var source = (await FeedAsync(new FeedRequest { Count = 3, Form = 1 })).Source!;
        var observable = (await FeedAsync(new FeedRequest { Count = 3, Form = 2 })).Observable!;

        await using var first = events.GetAsyncEnumerator();
        await source.RunWith(Sink.Ignore<Tick>(), Sys.Materializer()).WaitAsync(Bounds.Long);
        using var subscription = observable.Subscribe(_ => { });

        Assert.Contains("consumed once", Assert.Throws<InvalidOperationException>(() => events.GetAsyncEnumerator()).Message);
        Assert.Contains("materialized already", Assert.ThrowsAny<Exception>(() => { source.RunWith(Sink.Ignore<Tick>(), Sys.Materializer()); }).GetBaseException().Message);
        Assert.Contains("subscribed to already", Assert.Throws<InvalidOperationException>(() => observable.Subscribe(_ => { })).Message);
    }

    [Fact]
    public async Task ConsumerStopsEarly_TheProducerIsCancelled_AndBothSidesForgetTheStream()
    {
        var feed = await FeedAsync(new FeedRequest { Count = 0, Reports = ActorRef<string>.From(TestActor) });

        await foreach (var tick in feed.Events!)
        {
            if (tick.N == 9)
            {
                break;
            }
        }

        ExpectMsg("opened", Bounds.Long);
        Assert.EndsWith("cancelled=True", ExpectMsg<string>(Bounds.Long));
        await AwaitAssertAsync(() => Assert.Equal((0, 0), (ClientPortal.Counters.Streams, ServerPortal.Counters.Streams)), Bounds.Long);
    }

    [Fact]
    public async Task CancellingTheEnumerationsToken_CancelsTheProducer()
    {
        var feed = await FeedAsync(new FeedRequest { Count = 0, Reports = ActorRef<string>.From(TestActor) });
        using var cancellation = new CancellationTokenSource();

        var read = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var tick in feed.Events!.WithCancellation(cancellation.Token))
            {
                if (++read == 100)
                {
                    cancellation.Cancel();
                }
            }
        });

        ExpectMsg("opened", Bounds.Long);
        Assert.EndsWith("cancelled=True", ExpectMsg<string>(Bounds.Long));
    }

    [Fact]
    public async Task SourceDownstreamCancels_TheProducerIsCancelled()
    {
        var feed = await FeedAsync(new FeedRequest { Count = 0, Form = 1, Reports = ActorRef<string>.From(TestActor) });

        var ticks = await feed.Source!.Take(5).RunWith(Sink.Seq<Tick>(), Sys.Materializer()).WaitAsync(Bounds.Long);

        Assert.Equal(5, ticks.Count);
        ExpectMsg("opened", Bounds.Long);
        Assert.StartsWith("finally", ExpectMsg<string>(Bounds.Long));
    }

    [Fact]
    public async Task ObservableSubscriptionDisposed_TheProducerIsCancelled()
    {
        var feed = await FeedAsync(new FeedRequest { Count = 0, Form = 2, Reports = ActorRef<string>.From(TestActor) });
        var first = new TaskCompletionSource();

        var subscription = feed.Observable!.Subscribe(_ => first.TrySetResult());
        await first.Task.WaitAsync(Bounds.Long);
        subscription.Dispose();

        ExpectMsg("opened", Bounds.Long);
        Assert.StartsWith("finally", ExpectMsg<string>(Bounds.Long));
    }

    [Fact]
    public async Task ProducerThrows_ConsumerGetsTheElementsThenRemoteStreamException_WithoutTheExceptionsText()
    {
        var feed = await FeedAsync(new FeedRequest { Count = 100, FailAfter = 5 });

        var received = new List<int>();
        var error = await Assert.ThrowsAsync<RemoteStreamException>(async () =>
        {
            await foreach (var tick in feed.Events!)
            {
                received.Add(tick.N);
            }
        });

        Assert.Equal([0, 1, 2, 3, 4], received);
        Assert.Equal("failed", error.Code);
        Assert.Equal("the producer failed", error.Message);
    }

    [Fact]
    public async Task ProducerThrowsRemoteStreamException_ItsMessageIsWhatTheConsumerSees()
    {
        var feed = await FeedAsync(new FeedRequest { Count = 100, FailAfter = 2, Shared = true });

        var error = await Assert.ThrowsAsync<RemoteStreamException>(async () =>
        {
            await foreach (var _ in feed.Events!)
            {
            }
        });

        Assert.Equal("the feed ran dry", error.Message);
    }

    [Fact]
    public async Task PortalCloses_AnOpenStreamFailsWithPortalClosed_AndItsProducerIsCancelled()
    {
        var counter = Guid.NewGuid().ToString();
        var feed = await FeedAsync(new FeedRequest { Count = 0, Counter = counter });

        var error = await Assert.ThrowsAsync<PortalClosedException>(async () =>
        {
            await foreach (var tick in feed.Events!)
            {
                if (tick.N == 10)
                {
                    await ClientPortal.CloseAsync("done here");
                }
            }
        });

        Assert.Contains("done here", error.Message);
        await AwaitAssertAsync(() => Assert.EndsWith("cancelled=True", FeedServer.EventsOf(counter).LastOrDefault()), Bounds.Long);
    }

    [Fact]
    public async Task Upload_TheClientsOwnStreamInAMessage_IsConsumedByTheServer()
    {
        var uploads = await ClientPortal.LookupAsync<Upload>("uploads").WaitAsync(Bounds.Long);

        var sum = await uploads.Ask<long>(port => new Upload { Data = Numbers(20_000), Done = port }, Bounds.Long);

        Assert.Equal(Enumerable.Range(0, 20_000).Sum(n => (long)n), sum);

        static async IAsyncEnumerable<Tick> Numbers(int count)
        {
            for (var n = 0; n < count; n++)
            {
                yield return new Tick { N = n };
            }

            await Task.CompletedTask;
        }
    }

    [Fact]
    public async Task ElementsCarryActorReferences_AndStreamsTravelInLists()
    {
        var feed = await FeedAsync(new FeedRequest { Count = 3, WithOwner = true, More = 2 });

        var owners = new List<ActorRef<string>?>();
        await foreach (var tick in feed.Events!)
        {
            owners.Add(tick.Owner);
        }

        Assert.Equal(3, owners.Count);
        Assert.All(owners, owner => Assert.NotNull(owner));
        Assert.Equal(2, feed.More.Count);
        foreach (var more in feed.More)
        {
            var count = 0;
            await foreach (var _ in more)
            {
                count++;
            }

            Assert.Equal(3, count);
        }
    }

    [Fact]
    public async Task BusyStream_DoesNotStarveAsks_OnTheSamePortal()
    {
        var feed = await FeedAsync(new FeedRequest { Count = 0 });
        using var stop = new CancellationTokenSource();
        var consumed = 0L;
        var reader = Task.Run(async () =>
        {
            await foreach (var _ in feed.Events!.WithCancellation(stop.Token))
            {
                consumed++;
            }
        });
        await AwaitAssertAsync(() => Assert.True(Interlocked.Read(ref consumed) > 10_000), Bounds.Long);

        var feeds = await ClientPortal.LookupAsync<FeedRequest>("feeds").WaitAsync(Bounds.Long);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; i < 20; i++)
        {
            var small = await feeds.Ask<Feed>(port => new FeedRequest { Count = 1, Reply = port }, Bounds.Long);
            await foreach (var _ in small.Events!)
            {
            }
        }

        stop.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => reader).WaitAsync(Bounds.Long);
        Assert.True(clock.Elapsed < Bounds.Long, $"20 asks and streams beside a busy stream took {clock.Elapsed}");
    }

    [Fact]
    public async Task AStreamNobodyReads_SlowsOnlyItself_AnotherOnTheSamePortalFlowsToTheEnd()
    {
        var stalled = await FeedAsync(new FeedRequest { Count = 0 });
        await using var held = stalled.Events!.GetAsyncEnumerator();
        Assert.True(await held.MoveNextAsync()); // opened, then left unread: its window fills and it stops

        var flowing = await FeedAsync(new FeedRequest { Count = 20_000 });
        var read = 0;
        await foreach (var tick in flowing.Events!)
        {
            Assert.Equal(read++, tick.N);
        }

        Assert.Equal(20_000, read);
        Assert.True(await held.MoveNextAsync()); // the stalled one is still there, and resumes
        Assert.Equal(1, held.Current.N);
    }
}
