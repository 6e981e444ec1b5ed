using Akka.Actor;
using Wormhole.Reactive;
using Wormhole.Streams;
using Wormhole.Tests.Streams;
using Wormhole.Tests.Support;

namespace Wormhole.Tests.Security;

/// <summary>Publications and proxies go away when nothing refers to them: a long-lived portal does not grow.</summary>
public sealed class ReleaseTests : Akka.TestKit.Xunit2.TestKit, IAsyncLifetime
{
    /// <summary>Limits that do not get in the way of 100,000 references (the rate limit is not what these tests are about).</summary>
    private static readonly NexusOptions Roomy = new() { MaxInboundFramesPerSecond = 1_000_000, MaxInboundBytesPerSecond = 256 * 1024 * 1024 };

    private RemoteSide _server = null!;
    private Nexus _client = null!;
    private Portal _clientPortal = null!;
    private Portal _serverPortal = null!;

    public async Task InitializeAsync()
    {
        _server = RemoteSide.Create("release-server", Roomy);
        _server.Nexus.Publish("echo", FnActor.Spawn<Ping>(_server.System, async ctx =>
        {
            await foreach (var ping in ctx.Messages)
            {
                ping.ReplyTo?.Tell(new Pong { N = ping.N });
            }
        }));
        _server.Nexus.Publish("square", FnActor.Spawn<Square>(_server.System, async ctx =>
        {
            await foreach (var square in ctx.Messages)
            {
                square.Reply?.Reply(square.Value * square.Value);
            }
        }));
        _client = Nexus.Create(Sys, Roomy);
        (_clientPortal, _serverPortal) = await InMemory.ConnectAsync(_client, _server.Nexus);
    }

    public async Task DisposeAsync()
    {
        await _client.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task StoppingAProxy_ReleasesIt_ThePublisherDropsItsEntry_ALaterLookupWorksAgain()
    {
        var echo = await _clientPortal.LookupAsync<Ping>("echo").WaitAsync(Bounds.Long);
        Assert.Equal(1, _serverPortal.Counters.Publications);
        Watch(echo.Untyped);

        echo.Untyped.Tell(PoisonPill.Instance);

        ExpectTerminated(echo.Untyped, Bounds.Long);
        await AwaitAssertAsync(() => Assert.Equal(0, _serverPortal.Counters.Publications), Bounds.Long);
        Assert.Equal(0, _clientPortal.Counters.Proxies);
        var again = await _clientPortal.LookupAsync<Ping>("echo").WaitAsync(Bounds.Long);
        again.Tell(new Ping { N = 5, ReplyTo = ActorRef<Pong>.From(TestActor) });
        ExpectMsg(new Pong { N = 5 }, Bounds.Long);
    }

    [Fact]
    public async Task HundredThousandReferences_ThroughOneLongLivedPortal_CountsEndAtTheirBaseline()
    {
        var echo = await _clientPortal.LookupAsync<Ping>("echo").WaitAsync(Bounds.Long);
        var square = await _clientPortal.LookupAsync<Square>("square").WaitAsync(Bounds.Long);
        var baseline = (ClientPublications: _clientPortal.Counters.Publications, ServerProxies: _serverPortal.Counters.Proxies, ServerPublications: _serverPortal.Counters.Publications);
        const int batch = 1_000;
        var passed = 0;

        // 50,000 references to short-lived actors: each answers one Pong and stops (a Terminated frame cleans up both sides).
        for (var round = 0; round < 50; round++)
        {
            var left = batch;
            var answered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            for (var i = 0; i < batch; i++)
            {
                var once = FnActor.Spawn<Pong>(Sys, async ctx =>
                {
                    await foreach (var _ in ctx.Messages)
                    {
                        if (Interlocked.Decrement(ref left) == 0)
                        {
                            answered.SetResult();
                        }

                        return;
                    }
                });
                echo.Tell(new Ping { N = i, ReplyTo = once }, ActorRefs.Nobody); // no sender: its publication would stay
            }

            await answered.Task.WaitAsync(Bounds.Long);
            passed += batch;
        }

        // 49,000 reply ports: each vanishes after its one reply.
        for (var round = 0; round < 49; round++)
        {
            var asks = Enumerable.Range(0, batch).Select(i => square.Ask<int>(port => new Square { Value = i, Reply = port }, Bounds.Long));
            var results = await Task.WhenAll(asks).WaitAsync(Bounds.Long);
            Assert.Equal(999 * 999, results[^1]);
            passed += batch;
        }

        // 1,000 references to the server's echo, each released by stopping the proxy when done with it.
        for (var i = 0; i < 1_000; i++)
        {
            var proxy = await _clientPortal.LookupAsync<Ping>("echo").WaitAsync(Bounds.Long);
            proxy.Untyped.Tell(PoisonPill.Instance);
            passed++;
        }

        Assert.Equal(100_000, passed);
        await AwaitAssertAsync(
            () =>
            {
                Assert.Equal(baseline.ClientPublications, _clientPortal.Counters.Publications);
                Assert.Equal(baseline.ServerProxies, _serverPortal.Counters.Proxies);
                Assert.Equal(baseline.ServerPublications, _serverPortal.Counters.Publications); // echo as looked up went (its proxies were released); echo as the sender of its Pongs came
                Assert.Equal(2, _clientPortal.Counters.Proxies); // square's, and echo's: the sender of every Pong
            },
            Bounds.Long);
        Assert.True(_clientPortal.IsOpen);
        Assert.Equal(0, _clientPortal.Counters.Dropped + _serverPortal.Counters.Dropped);
    }
}
