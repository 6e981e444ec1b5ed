using System.Reactive.Threading.Tasks;
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

    public async Task DisposeAsync()
    {
        await _client.DisposeAsync();
        await _server.DisposeAsync();
    }

    protected async Task<Feed> FeedAsync(FeedRequest request)
    {
        var feeds = await ClientPortal.LookupAsync<FeedRequest>("feeds");
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
}
