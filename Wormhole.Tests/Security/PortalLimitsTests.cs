using System.Diagnostics;
using Akka.Actor;
using Wormhole.Reactive;
using Wormhole.Streams;
using Wormhole.Streams.Protocol;
using Wormhole.Tests.Streams;
using Wormhole.Tests.Support;

namespace Wormhole.Tests.Security;

/// <summary>Each limit of <see cref="NexusOptions"/> over the in-memory conduit: what a peer meets when it goes past it.</summary>
public sealed class PortalLimitsTests : Akka.TestKit.Xunit2.TestKit, IAsyncLifetime
{
    private readonly List<RemoteSide> _servers = [];
    private Nexus _client = null!;

    public Task InitializeAsync()
    {
        _client = Nexus.Create(Sys);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _client.DisposeAsync();
        foreach (var server in _servers)
        {
            await server.DisposeAsync();
        }
    }

    [Fact]
    public async Task MaxProxies_PeerHandsOverTooManyActors_PortalClosesNamingTheLimit()
    {
        var (server, clientPortal, serverPortal) = await ConnectAsync(new NexusOptions { MaxProxies = 5 });
        server.Nexus.Publish("roster", ActorRef<Roster>.From(CreateTestProbe(server.System).Ref));
        var roster = await clientPortal.LookupAsync<Roster>("roster").WaitAsync(Bounds.Long);

        roster.Tell(new Roster { Members = Enumerable.Range(0, 10).Select(i => new Member { Name = $"m{i}", Inbox = ActorRef<Pong>.From(CreateTestProbe().Ref) }).ToList() });

        var reason = await serverPortal.Completion.WaitAsync(Bounds.Long);
        Assert.Equal(PortalCloseKind.LimitExceeded, reason.Kind);
        Assert.Contains("MaxProxies", reason.Message);
        var clientReason = await clientPortal.Completion.WaitAsync(Bounds.Long);
        Assert.Equal(PortalCloseKind.PeerError, clientReason.Kind);
        Assert.Contains("MaxProxies", clientReason.Message);
    }

    [Fact]
    public async Task MaxPublications_ThisSideHandsOverTooManyActors_PortalClosesNamingTheLimit()
    {
        var (server, clientPortal, _) = await ConnectAsync(new NexusOptions(), new NexusOptions { MaxPublications = 5 });
        server.Nexus.Publish("roster", ActorRef<Roster>.From(CreateTestProbe(server.System).Ref));
        var roster = await clientPortal.LookupAsync<Roster>("roster").WaitAsync(Bounds.Long);

        roster.Tell(new Roster { Members = Enumerable.Range(0, 10).Select(i => new Member { Name = $"m{i}", Inbox = ActorRef<Pong>.From(CreateTestProbe().Ref) }).ToList() });

        var reason = await clientPortal.Completion.WaitAsync(Bounds.Long);
        Assert.Equal(PortalCloseKind.LimitExceeded, reason.Kind);
        Assert.Contains("MaxPublications", reason.Message);
    }

    [Fact]
    public async Task MaxPendingReplies_LocalAsksPastTheLimit_FailAtOnce_TheOthersStillComplete()
    {
        var (server, clientPortal, _) = await ConnectAsync(new NexusOptions(), new NexusOptions { MaxPendingReplies = 3 });
        var silent = CreateTestProbe(server.System);
        server.Nexus.Publish("silent", ActorRef<Square>.From(silent.Ref));
        var square = await clientPortal.LookupAsync<Square>("silent").WaitAsync(Bounds.Long);
        var pending = Enumerable.Range(0, 3).Select(i => square.Ask<int>(port => new Square { Value = i, Reply = port }, Bounds.Long)).ToList();
        var received = Enumerable.Range(0, 3).Select(_ => silent.ExpectMsg<Square>(Bounds.Long)).ToList();

        var refused = await Assert.ThrowsAsync<LimitExceededException>(() => square.Ask<int>(port => new Square { Value = 9, Reply = port }, Bounds.Long));
        var refusedAkkaAsk = await Assert.ThrowsAsync<LimitExceededException>(() => square.Ask<int>(new Square { Value = 10 }, Bounds.Long));

        Assert.Equal(nameof(NexusOptions.MaxPendingReplies), refused.Limit);
        Assert.Equal(nameof(NexusOptions.MaxPendingReplies), refusedAkkaAsk.Limit);
        silent.ExpectNoMsg(Bounds.Short);
        foreach (var square3 in received)
        {
            square3.Reply!.Reply(square3.Value * square3.Value);
        }

        var squares = await Task.WhenAll(pending).WaitAsync(Bounds.Long);
        Assert.Equal(new[] { 0, 1, 4 }, squares);
        Assert.True(clientPortal.IsOpen);
    }

    [Fact]
    public async Task MaxPendingReplies_PeerRequestsPastTheLimit_AreRefusedWithAFailureReply_PortalStaysOpen()
    {
        var (server, clientPortal, serverPortal) = await ConnectAsync(new NexusOptions { MaxPendingReplies = 3 });
        var silent = CreateTestProbe(server.System);
        server.Nexus.Publish("silent", ActorRef<Square>.From(silent.Ref));
        var square = await clientPortal.LookupAsync<Square>("silent").WaitAsync(Bounds.Long);
        var unanswered = Enumerable.Range(0, 3).Select(i => square.Ask<int>(port => new Square { Value = i, Reply = port }, Bounds.Long)).ToList();
        unanswered.ForEach(ask => ask.ContinueWith(t => t.Exception, TaskScheduler.Default)); // they fail when the portal closes at the end
        for (var i = 0; i < 3; i++)
        {
            await silent.ExpectMsgAsync<Square>(Bounds.Long);
        }

        var refused = await Assert.ThrowsAsync<RemoteFailureException>(() => square.Ask<int>(port => new Square { Value = 9, Reply = port }, Bounds.Long));
        var refusedAkkaAsk = await Assert.ThrowsAsync<RemoteFailureException>(() => square.Ask<int>(new Square { Value = 10 }, Bounds.Long));

        Assert.Contains("MaxPendingReplies", refused.Message);
        Assert.Contains("MaxPendingReplies", refusedAkkaAsk.Message);
        silent.ExpectNoMsg(Bounds.Short);
        Assert.True(serverPortal.IsOpen);
        Assert.Equal(2, serverPortal.Counters.Dropped);
    }

    [Fact]
    public async Task MaxUnknownRequests_LookupsOfNamesThatDoNotExist_ClosePortalPastTheLimit()
    {
        var (_, clientPortal, serverPortal) = await ConnectAsync(new NexusOptions { MaxUnknownRequests = 5 });
        for (var i = 0; i < 5; i++)
        {
            await Assert.ThrowsAsync<PublicationNotFoundException>(() => clientPortal.LookupAsync<Ping>($"nobody-{i}").WaitAsync(Bounds.Long));
        }

        Assert.True(serverPortal.IsOpen);

        await Assert.ThrowsAsync<PortalClosedException>(() => clientPortal.LookupAsync<Ping>("one-too-many").WaitAsync(Bounds.Long));

        var reason = await serverPortal.Completion.WaitAsync(Bounds.Long);
        Assert.Equal(PortalCloseKind.LimitExceeded, reason.Kind);
        Assert.Contains("MaxUnknownRequests", reason.Message);
        Assert.Contains("one-too-many", reason.Message);
    }

    [Fact]
    public async Task IdleTimeout_PeerSaysHelloThenNothing_PortalClosesNamingTheLimit()
    {
        var server = Server(new NexusOptions { IdleTimeout = TimeSpan.FromSeconds(1) });
        var peer = RawInMemoryPeer.Connect(this, server.Nexus);
        await peer.HelloAsync();
        var portal = await peer.Portal.WaitAsync(Bounds.Long);

        var reason = await portal.Completion.WaitAsync(Bounds.Long);

        Assert.Equal(PortalCloseKind.LimitExceeded, reason.Kind);
        Assert.Contains("IdleTimeout", reason.Message);
    }

    [Fact]
    public async Task IdleTimeout_IdleButHealthyPeers_KeepAlivesKeepBothPortalsOpen()
    {
        var options = new NexusOptions { IdleTimeout = TimeSpan.FromMilliseconds(1500) };
        var (_, clientPortal, serverPortal) = await ConnectAsync(options, options);
        var framesAtStart = clientPortal.Counters.FramesIn;

        // Five keep-alives take at least 2.5 s: over the 1.5 s idle timeout, the portals outlive it only because of them.
        await AwaitAssertAsync(() => Assert.True(clientPortal.Counters.FramesIn >= framesAtStart + 5), Bounds.Long);

        Assert.True(clientPortal.IsOpen);
        Assert.True(serverPortal.IsOpen);
    }

    [Fact]
    public async Task IdleTimeout_Negotiated_ClientWithTheDefault_KeepsAServerWithAShortTimeoutOpen()
    {
        var (_, clientPortal, serverPortal) = await ConnectAsync(new NexusOptions { IdleTimeout = TimeSpan.FromMilliseconds(1500) }); // the client keeps 60 s
        var framesAtStart = serverPortal.Counters.FramesIn;

        // Five keep-alives from the client take at least 2.5 s: over the server's 1.5 s, so the client kept alive at its pace.
        await AwaitAssertAsync(() => Assert.True(serverPortal.Counters.FramesIn >= framesAtStart + 5), Bounds.Long);

        Assert.True(clientPortal.IsOpen);
        Assert.True(serverPortal.IsOpen);
    }

    [Fact]
    public async Task UnknownIds_FromFiftyConnections_WarningsAreRateLimitedPerNexus_CountersStayExact()
    {
        const int connections = 50, perConnection = 101;
        var server = Server(new NexusOptions());
        var warnings = CreateTestProbe(server.System);
        server.System.EventStream.Subscribe(warnings.Ref, typeof(Akka.Event.Warning));
        var portals = new List<Portal>();
        for (var c = 0; c < connections; c++)
        {
            var peer = RawInMemoryPeer.Connect(this, server.Nexus);
            await peer.HelloAsync();
            portals.Add(await peer.Portal.WaitAsync(Bounds.Long));
            for (var n = 0; n < perConnection; n++)
            {
                await peer.SendAsync(new Deliver { Target = WireId.NewRandom(), Payload = [] });
            }
        }

        foreach (var portal in portals)
        {
            Assert.Equal(nameof(NexusOptions.MaxUnknownRequests), (await portal.Completion.WaitAsync(Bounds.Long)).Limit);
        }

        Assert.Equal(connections * perConnection, portals.Sum(p => p.Counters.Dropped));
        var logged = warnings.ReceiveWhile(Bounds.Long, TimeSpan.FromMilliseconds(500), m => (m as Akka.Event.Warning)?.Message.ToString(), int.MaxValue);
        var unknown = logged.Count(line => line!.Contains("not (or no longer) published", StringComparison.Ordinal));
        Assert.InRange(unknown, 1, Wormhole.Streams.Portals.WarningGate.PerWindow); // 5,050 drops, at most 20 lines
    }

    [Fact]
    public async Task MaxProxiesPerNexus_ReachedOverTwoPortals_ClosesThePortalThatWouldPassIt()
    {
        var server = Server(new NexusOptions { MaxProxiesPerNexus = 30 });
        server.Nexus.Publish("echo", FnActor.Spawn<Ping>(server.System, async ctx =>
        {
            await foreach (var _ in ctx.Messages)
            {
            }
        }));

        var (first, firstPortal) = await RawEchoPeerAsync(server);
        await HandOverAsync(first.Peer, first.Echo, 20);
        await AwaitAssertAsync(() => Assert.Equal(20, firstPortal.Counters.Proxies), Bounds.Long);
        var (second, secondPortal) = await RawEchoPeerAsync(server);
        await HandOverAsync(second.Peer, second.Echo, 11); // ten fit in the nexus's 30; the eleventh does not

        var reason = await secondPortal.Completion.WaitAsync(Bounds.Long);
        Assert.Equal(PortalCloseKind.LimitExceeded, reason.Kind);
        Assert.Equal(nameof(NexusOptions.MaxProxies), reason.Limit);
        Assert.Contains("MaxProxiesPerNexus", reason.Message);
        Assert.True(firstPortal.IsOpen);
        Assert.Equal(20, server.Nexus.Proxies.Used); // the closed portal's ten went back

        static async Task HandOverAsync(RawInMemoryPeer peer, WireId echo, int references)
        {
            for (var n = 0; n < references; n++)
            {
                await peer.SendAsync(new Deliver { Target = echo, Payload = RawInMemoryPeer.PingPayload(n, WireId.NewRandom()) });
            }
        }
    }

    private async Task<((RawInMemoryPeer Peer, WireId Echo) Raw, Portal Portal)> RawEchoPeerAsync(RemoteSide server)
    {
        var peer = RawInMemoryPeer.Connect(this, server.Nexus);
        await peer.HelloAsync();
        var portal = await peer.Portal.WaitAsync(Bounds.Long);
        Assert.IsType<Hello>(await peer.ReadAsync());
        return ((peer, await peer.LookupAsync("echo")), portal);
    }

    [Fact]
    public async Task InboundRate_PeerSendsFasterThanTheLimit_IsSlowedDownNotClosed()
    {
        const int rate = 200;
        const int messages = 600;
        var (server, clientPortal, serverPortal) = await ConnectAsync(new NexusOptions { MaxInboundFramesPerSecond = rate });
        var sink = CreateTestProbe(server.System);
        server.Nexus.Publish("sink", ActorRef<Numbered>.From(sink.Ref));
        var target = await clientPortal.LookupAsync<Numbered>("sink").WaitAsync(Bounds.Long);
        var clock = Stopwatch.StartNew();

        for (var i = 0; i < messages; i++)
        {
            target.Tell(new Numbered { Sequence = i });
        }

        for (var i = 0; i < messages; i++)
        {
            Assert.Equal(i, sink.ExpectMsg<Numbered>(Bounds.Long).Sequence);
        }

        // A full bucket lets one second's worth through at once; the rest trickles in at the rate.
        var atLeast = TimeSpan.FromSeconds((messages - rate) / (double)rate * 0.9);
        Assert.True(clock.Elapsed >= atLeast, $"{messages} frames at {rate}/s arrived in {clock.Elapsed.TotalSeconds:0.00} s, faster than the limit allows ({atLeast.TotalSeconds:0.00} s)");
        Assert.True(serverPortal.IsOpen);
        Assert.True(clientPortal.IsOpen);
    }

    [Fact]
    public async Task OutboundOverflow_FailPortal_PeerThatStopsReading_PortalClosesNamingTheLimit()
    {
        var (portal, flood) = await SlowReaderAsync(new NexusOptions { MaxOutboundFrames = 10 });

        await flood;

        var reason = await portal.Completion.WaitAsync(Bounds.Long);
        Assert.Equal(PortalCloseKind.LimitExceeded, reason.Kind);
        Assert.Contains("MaxOutboundFrames", reason.Message);
    }

    [Fact]
    public async Task OutboundOverflow_DropNewest_PeerThatStopsReading_MessagesAreDroppedAndCounted_PortalStaysOpen()
    {
        var (portal, flood) = await SlowReaderAsync(new NexusOptions { MaxOutboundFrames = 10, OutboundOverflow = OutboundOverflowPolicy.DropNewest });

        await flood;

        await AwaitAssertAsync(() => Assert.True(portal.Counters.Dropped >= 100, $"{portal.Counters.Dropped} dropped; {(portal.Completion.IsCompleted ? portal.Completion.Result : "open")}"), Bounds.Long);
        Assert.False(portal.Completion.IsCompleted, portal.Completion.IsCompleted ? (await portal.Completion).ToString() : "open");
    }

    /// <summary>
    /// A raw peer that looks up an echo actor, then sends 300 pings (each answered with a pong to the peer) and never reads
    /// again. Returns the server's portal and the flood's completion.
    /// </summary>
    private async Task<(Portal Portal, Task Flood)> SlowReaderAsync(NexusOptions options)
    {
        var server = Server(options);
        server.Nexus.Publish("echo", FnActor.Spawn<Ping>(server.System, async ctx =>
        {
            await foreach (var ping in ctx.Messages)
            {
                // No implicit sender: TestKit leaves its TestActor as the "current actor" of pool threads, so another test's
                // short-lived TestActor could travel as the sender and its death queue Terminated frames for this peer.
                ping.ReplyTo?.Tell(new Pong { N = ping.N }, ActorRefs.Nobody);
            }
        }));
        var peer = RawInMemoryPeer.Connect(this, server.Nexus);
        await peer.HelloAsync();
        var portal = await peer.Portal.WaitAsync(Bounds.Long);
        Assert.IsType<Hello>(await peer.ReadAsync());
        var echo = await peer.LookupAsync("echo");
        var me = WireId.NewRandom();

        async Task FloodAsync()
        {
            for (var n = 0; n < 300 && portal.IsOpen; n++)
            {
                var sending = peer.SendAsync(new Deliver { Target = echo, Payload = RawInMemoryPeer.PingPayload(n, me) });
                if (await Task.WhenAny(sending, portal.Completion) != sending || sending.IsFaulted)
                {
                    _ = sending.Exception;
                    return; // the server closed the conduit under the flood, as a socket would be closed
                }
            }
        }

        return (portal, FloodAsync().WaitAsync(Bounds.Long));
    }

    private RemoteSide Server(NexusOptions options)
    {
        var server = RemoteSide.Create($"server-{_servers.Count}", options);
        _servers.Add(server);
        return server;
    }

    private async Task<(RemoteSide Server, Portal Client, Portal ServerPortal)> ConnectAsync(NexusOptions serverOptions, NexusOptions? clientOptions = null)
    {
        var server = Server(serverOptions);
        var (a, b) = Conduit.InMemoryPair();
        var clientPortal = _client.ConnectAsync(a, clientOptions ?? new NexusOptions());
        var serverPortal = server.Nexus.ConnectAsync(b);
        return (server, await clientPortal.WaitAsync(Bounds.Long), await serverPortal.WaitAsync(Bounds.Long));
    }
}
