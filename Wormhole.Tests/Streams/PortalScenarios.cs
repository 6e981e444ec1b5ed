using Akka.Actor;
using Wormhole.Reactive;
using Wormhole.Streams;
using Wormhole.Tests.Support;

namespace Wormhole.Tests.Streams;

/// <summary>
/// The wormhole's main scenarios between two actor systems in one process: the TestKit's (client) and a
/// server. Each subclass runs them all over one transport.
/// </summary>
public abstract partial class PortalScenarios : Akka.TestKit.Xunit2.TestKit, IAsyncLifetime
{
    private RemoteSide _server = null!;
    private Nexus _client = null!;
    private Portal _clientPortal = null!;
    private Portal _serverPortal = null!;

    /// <summary>Opens a portal between the two nexuses over the transport under test.</summary>
    protected abstract Task<(Portal Client, Portal Server)> ConnectAsync(Nexus client, Nexus server);

    public async Task InitializeAsync()
    {
        _server = RemoteSide.Create("server");
        _client = Nexus.Create(Sys);
        _server.Nexus.Publish("echo", EchoActor(_server.System));
        _server.Nexus.Publish("square", SquareActor(_server.System));
        (_clientPortal, _serverPortal) = await ConnectAsync(_client, _server.Nexus);
    }

    public virtual async Task DisposeAsync()
    {
        await _client.DisposeAsync();
        await _server.DisposeAsync();
    }

    private static ActorRef<Ping> EchoActor(ActorSystem system) => FnActor.Spawn<Ping>(system, async ctx =>
    {
        await foreach (var ping in ctx.Messages)
        {
            ping.ReplyTo?.Tell(new Pong { N = ping.N });
        }
    });

    private static ActorRef<Square> SquareActor(ActorSystem system) => FnActor.Spawn<Square>(system, async ctx =>
    {
        await foreach (var square in ctx.Messages)
        {
            if (square.Reply is { } port)
            {
                port.Reply(square.Value * square.Value);
            }
            else
            {
                ctx.Sender.Tell(square.Value * square.Value);
            }
        }
    });

    [Fact]
    public async Task Lookup_Tell_ReferenceInsideTheMessage_ArrivesAsAWorkingProxy()
    {
        var echo = await _clientPortal.LookupAsync<Ping>("echo").WaitAsync(Bounds.Long);

        echo.Tell(new Ping { N = 7, ReplyTo = ActorRef<Pong>.From(TestActor) });

        ExpectMsg(new Pong { N = 7 }, Bounds.Long);
    }

    [Fact]
    public async Task Lookup_UnknownName_ThrowsPublicationNotFound()
    {
        var error = await Assert.ThrowsAsync<PublicationNotFoundException>(() => _clientPortal.LookupAsync<Ping>("nobody").WaitAsync(Bounds.Long));

        Assert.Equal("nobody", error.Name);
        Assert.Contains("'nobody'", error.Message);
    }

    [Fact]
    public async Task Ask_WithReplyPortInTheMessage_ReturnsTheRemoteReply()
    {
        var square = await _clientPortal.LookupAsync<Square>("square").WaitAsync(Bounds.Long);

        var result = await square.Ask<int>(port => new Square { Value = 12, Reply = port }, Bounds.Long);

        Assert.Equal(144, result);
    }

    [Fact]
    public async Task Ask_AkkaIdiom_CalleeRepliesToSender()
    {
        var square = await _clientPortal.LookupAsync<Square>("square").WaitAsync(Bounds.Long);

        var result = await square.Ask<int>(new Square { Value = 9 }, Bounds.Long);

        Assert.Equal(81, result);
    }

    [Fact]
    public async Task ReplyPortFailure_CrossesAsRemoteFailure()
    {
        _server.Nexus.Publish("refuser", FnActor.Spawn<Square>(_server.System, async ctx =>
        {
            await foreach (var square in ctx.Messages)
            {
                square.Reply!.Fail(new ArgumentOutOfRangeException(nameof(square.Value), "too big"));
            }
        }));
        var refuser = await _clientPortal.LookupAsync<Square>("refuser").WaitAsync(Bounds.Long);

        var error = await Assert.ThrowsAsync<RemoteFailureException>(() => refuser.Ask<int>(port => new Square { Value = 1, Reply = port }, Bounds.Long));

        Assert.Contains("too big", error.Message);
    }

    [Fact]
    public async Task OwnReference_SentThereAndBack_EqualsTheOriginal()
    {
        var bouncer = FnActor.Spawn<Introduce>(_server.System, async ctx =>
        {
            await foreach (var introduce in ctx.Messages)
            {
                introduce.Actor!.Tell(new Ping { N = 1, ReplyTo = null });
                ctx.Sender.Tell(introduce); // the proxy goes back through the portal it came from
            }
        });
        _server.Nexus.Publish("bouncer", bouncer);
        var remote = await _clientPortal.LookupAsync<Introduce>("bouncer").WaitAsync(Bounds.Long);
        var me = ActorRef<Ping>.From(TestActor);

        var back = await remote.Ask<Introduce>(new Introduce { Actor = me }, Bounds.Long);

        ExpectMsg<Ping>(p => p.N == 1, Bounds.Long);
        Assert.Equal(me, back.Actor);
        Assert.Same(TestActor, back.Actor!.Untyped);
    }

    [Fact]
    public async Task NestedReferences_ListOfRecordsWithRefsAndReplyPorts_RoundTripBothWays()
    {
        // Client -> server: a roster of members, each with an inbox ref and (the same) reply port.
        // Server -> client: pings each inbox and answers the port once.
        var samePort = new TaskCompletionSource<bool>();
        var registrar = FnActor.Spawn<Roster>(_server.System, async ctx =>
        {
            await foreach (var roster in ctx.Messages)
            {
                samePort.TrySetResult(ReferenceEquals(roster.Members[0].Ack, roster.Members[1].Ack));
                foreach (var member in roster.Members)
                {
                    member.Inbox!.Tell(new Pong { N = member.Name.Length });
                }

                roster.Members[0].Ack!.Reply($"welcome {string.Join(" and ", roster.Members.Select(m => m.Name))}");
                roster.ByName["reply-here"].Tell(new Pong { N = 100 });
            }
        });
        _server.Nexus.Publish("registrar", registrar);
        var remote = await _clientPortal.LookupAsync<Roster>("registrar").WaitAsync(Bounds.Long);
        var alice = CreateTestProbe();
        var bob = CreateTestProbe();

        var welcome = await remote.Ask<string>(
            port => new Roster
            {
                Members =
                [
                    new Member { Name = "alice", Inbox = ActorRef<Pong>.From(alice.Ref), Ack = port },
                    new Member { Name = "bob", Inbox = ActorRef<Pong>.From(bob.Ref), Ack = port },
                ],
                ByName = { ["reply-here"] = ActorRef<Pong>.From(TestActor) },
            },
            Bounds.Long);

        Assert.Equal("welcome alice and bob", welcome);
        Assert.True(await samePort.Task.WaitAsync(Bounds.Long), "one reply port, twice in a message, arrives as one port");
        alice.ExpectMsg(new Pong { N = 5 }, Bounds.Long);
        bob.ExpectMsg(new Pong { N = 3 }, Bounds.Long);
        ExpectMsg(new Pong { N = 100 }, Bounds.Long);
    }

    [Fact]
    public async Task NestedReferences_ServerToClient_RosterOfServerActors()
    {
        // The reverse direction: the server's actors travel to the client inside a list and a dictionary.
        var clientSide = CreateTestProbe();
        _clientPortal.Publish("client", ActorRef<Roster>.From(clientSide.Ref));
        var serverInbox = CreateTestProbe(_server.System);
        var toClient = await _serverPortal.LookupAsync<Roster>("client").WaitAsync(Bounds.Long);

        toClient.Tell(new Roster
        {
            Members = [new Member { Name = "server", Inbox = ActorRef<Pong>.From(serverInbox.Ref) }],
            ByName = { ["also"] = ActorRef<Pong>.From(serverInbox.Ref) },
        });

        var roster = clientSide.ExpectMsg<Roster>(Bounds.Long);
        Assert.Equal(roster.Members[0].Inbox, roster.ByName["also"]); // one remote actor, one proxy
        roster.Members[0].Inbox!.Tell(new Pong { N = 1 });
        roster.ByName["also"].Tell(new Pong { N = 2 });
        serverInbox.ExpectMsg(new Pong { N = 1 }, Bounds.Long);
        serverInbox.ExpectMsg(new Pong { N = 2 }, Bounds.Long);
    }

    [Fact]
    public async Task SubtypesWithReferences_DecodeAsThePublishedBaseType()
    {
        var events = CreateTestProbe(_server.System);
        _server.Nexus.Publish("room", ActorRef<RoomEvent>.From(events.Ref));
        var room = await _clientPortal.LookupAsync<RoomEvent>("room").WaitAsync(Bounds.Long);

        room.Tell(new Joined { Who = "ada", Inbox = ActorRef<Pong>.From(TestActor) });
        room.Tell(new Left { Who = "ada" });

        var joined = events.ExpectMsg<Joined>(Bounds.Long);
        Assert.Equal("ada", joined.Who);
        joined.Inbox!.Tell(new Pong { N = 3 });
        ExpectMsg(new Pong { N = 3 }, Bounds.Long);
        Assert.Equal("ada", events.ExpectMsg<Left>(Bounds.Long).Who);
    }

    [Fact]
    public async Task Order_TenThousandMessagesFromOneSender_ArriveInOrder()
    {
        var received = new TaskCompletionSource<List<int>>(TaskCreationOptions.RunContinuationsAsynchronously);
        _server.Nexus.Publish("sink", FnActor.Spawn<Numbered>(_server.System, async ctx =>
        {
            var seen = new List<int>(10_000);
            await foreach (var numbered in ctx.Messages)
            {
                seen.Add(numbered.Sequence);
                if (seen.Count == 10_000)
                {
                    received.SetResult(seen);
                }
            }
        }));
        var sink = await _clientPortal.LookupAsync<Numbered>("sink").WaitAsync(Bounds.Long);

        for (var i = 0; i < 10_000; i++)
        {
            sink.Tell(new Numbered { Sequence = i });
        }

        Assert.Equal(Enumerable.Range(0, 10_000), await received.Task.WaitAsync(TimeSpan.FromSeconds(60)));
    }

    [Fact]
    public async Task RemoteActorStops_WatchersOfTheProxyGetTerminated()
    {
        var mortal = FnActor.Spawn<Ping>(_server.System, async ctx =>
        {
            await foreach (var ping in ctx.Messages)
            {
                return;
            }
        });
        _server.Nexus.Publish("mortal", mortal);
        var proxy = await _clientPortal.LookupAsync<Ping>("mortal").WaitAsync(Bounds.Long);
        Watch(proxy.Untyped);

        proxy.Tell(new Ping { N = 1 });

        ExpectTerminated(proxy.Untyped, Bounds.Long);
        Assert.True(_clientPortal.IsOpen);
    }

    [Fact]
    public async Task Disconnect_ProxiesTerminate_PendingAsksFailAtOnce_ClosedEventEmitted()
    {
        var events = new List<PortalEvent>();
        using var subscription = _client.Events.Subscribe(e => { lock (events) { events.Add(e); } });
        var silent = CreateTestProbe(_server.System);
        _server.Nexus.Publish("silent", ActorRef<Square>.From(silent.Ref));
        var proxy = await _clientPortal.LookupAsync<Square>("silent").WaitAsync(Bounds.Long);
        Watch(proxy.Untyped);
        var asking = proxy.Ask<int>(port => new Square { Value = 2, Reply = port }, TimeSpan.FromSeconds(60));
        var akkaAsking = proxy.Ask<int>(new Square { Value = 3 }, TimeSpan.FromSeconds(60));
        silent.ExpectMsg<Square>(Bounds.Long);
        silent.ExpectMsg<Square>(Bounds.Long);

        var closedAt = DateTime.UtcNow;
        await _serverPortal.CloseAsync().WaitAsync(Bounds.Long);

        var error = await Assert.ThrowsAsync<PortalClosedException>(() => asking.WaitAsync(Bounds.Long));
        await Assert.ThrowsAsync<PortalClosedException>(() => akkaAsking.WaitAsync(Bounds.Long));
        Assert.True(DateTime.UtcNow - closedAt < TimeSpan.FromSeconds(1), $"asks failed {(DateTime.UtcNow - closedAt).TotalMilliseconds:N0} ms after the close");
        Assert.Equal(PortalCloseKind.ClosedByPeer, error.Reason.Kind);
        ExpectTerminated(proxy.Untyped, Bounds.Long);
        var reason = await _clientPortal.Completion.WaitAsync(Bounds.Long);
        Assert.Equal(PortalCloseKind.ClosedByPeer, reason.Kind);
        AwaitAssert(() => { lock (events) { Assert.Contains(events, e => e is PortalEvent.Closed c && c.Portal == _clientPortal); } }, Bounds.Long);
    }

    [Fact]
    public async Task Visibility_NamePublishedOnAPortal_IsFoundByTheLookupThePeerMakesRightAfter()
    {
        for (var i = 0; i < 200; i++)
        {
            _clientPortal.Publish($"fresh-{i}", ActorRef<Ping>.From(TestActor));

            await _serverPortal.LookupAsync<Ping>($"fresh-{i}").WaitAsync(Bounds.Long);
        }
    }

    [Fact]
    public async Task Visibility_PortalScopedNameIsNotFoundFromAnotherPortal_NexusWideNamePublishedLaterIsFound()
    {
        var third = Nexus.Create(Sys);
        try
        {
            var (otherClientPortal, otherServerPortal) = await ConnectAsync(third, _server.Nexus);
            _serverPortal.Publish("private", ActorRef<Ping>.From(CreateTestProbe(_server.System).Ref));

            await _clientPortal.LookupAsync<Ping>("private").WaitAsync(Bounds.Long);
            await Assert.ThrowsAsync<PublicationNotFoundException>(() => otherClientPortal.LookupAsync<Ping>("private").WaitAsync(Bounds.Long));

            _server.Nexus.Publish("late", ActorRef<Ping>.From(CreateTestProbe(_server.System).Ref));
            await _clientPortal.LookupAsync<Ping>("late").WaitAsync(Bounds.Long);
            await otherClientPortal.LookupAsync<Ping>("late").WaitAsync(Bounds.Long);
            Assert.NotNull(otherServerPortal);
        }
        finally
        {
            await third.DisposeAsync();
        }
    }

    [Fact]
    public async Task UntypedActorRefInAMessage_IsRefusedNamingTheField()
    {
        var error = Assert.Throws<UnsupportedMessageTypeException>(() => _server.Nexus.Publish("bad", ActorRef<Untyped>.From(TestActor)));
        Assert.Contains("Untyped.Whom", error.Message);
        Assert.Contains("ActorRef<T>", error.Message);

        await Assert.ThrowsAsync<UnsupportedMessageTypeException>(() => _clientPortal.LookupAsync<Untyped>("echo").WaitAsync(Bounds.Long));
    }

    [Fact]
    public async Task Counters_CountFramesAndPublications()
    {
        var echo = await _clientPortal.LookupAsync<Ping>("echo").WaitAsync(Bounds.Long);
        echo.Tell(new Ping { N = 1, ReplyTo = ActorRef<Pong>.From(TestActor) });
        ExpectMsg<Pong>(Bounds.Long);

        Assert.True(_clientPortal.Counters.FramesOut >= 3); // Hello, Lookup, Deliver
        Assert.True(_clientPortal.Counters.FramesIn >= 3);  // Hello, LookupReply, Deliver
        Assert.Equal(2, _clientPortal.Counters.Publications); // TestActor, published anonymously as an ActorRef<Pong> and as the tell's sender (accepting Ping)
        Assert.True(_clientPortal.Counters.Proxies >= 1);
    }
}
