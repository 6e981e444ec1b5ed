using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Dsl;
using Wormhole.Reactive;
using Wormhole.Streams;
using Wormhole.Tests.Support;

namespace Wormhole.Tests.Streams;

/// <summary>What a close does to asks, tells and reply ports in flight; what a proxy does with Akka's idioms.</summary>
public abstract partial class PortalScenarios
{
    /// <summary>Longer than <see cref="Bounds.Long"/>: an ask that fails within the bound did not wait for its timeout.</summary>
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Asks_MadeJustBeforeClose_FailAtOnce_WithTheCloseReason()
    {
        var proxy = await SilentAsync();

        var asking = proxy.Ask<int>(port => new Square { Value = 2, Reply = port }, AskTimeout);
        var akkaAsking = proxy.Ask<int>(new Square { Value = 3 }, AskTimeout);
        var burst = Enumerable.Range(0, 200).Select(i => proxy.Ask<int>(new Square { Value = i }, AskTimeout)).ToList();
        _ = _clientPortal.CloseAsync("closing under the asks");

        foreach (var ask in burst.Prepend(akkaAsking).Prepend(asking))
        {
            var error = await Assert.ThrowsAsync<PortalClosedException>(() => ask.WaitAsync(Bounds.Long));
            Assert.Equal(PortalCloseKind.ClosedLocally, error.Reason.Kind);
            Assert.Equal("closing under the asks", error.Reason.Message);
        }
    }

    [Fact]
    public async Task AskAndTell_ThroughAProxyOfAClosedPortal_FailAtOnce_WithTheCloseReason()
    {
        var proxy = await SilentAsync();
        var closed = await _clientPortal.CloseAsync("gone").WaitAsync(Bounds.Long);

        var asking = Assert.ThrowsAsync<PortalClosedException>(() => proxy.Ask<int>(port => new Square { Value = 2, Reply = port }, AskTimeout).WaitAsync(Bounds.Long));
        var akkaAsking = Assert.ThrowsAsync<PortalClosedException>(() => proxy.Ask<int>(new Square { Value = 3 }, AskTimeout).WaitAsync(Bounds.Long));
        proxy.Tell(new Square { Value = 4 }, TestActor);

        Assert.Same(closed, (await asking).Reason);
        Assert.Same(closed, (await akkaAsking).Reason);
        var told = Assert.IsType<PortalClosedException>(ExpectMsg<Status.Failure>(Bounds.Long).Cause);
        Assert.Same(closed, told.Reason);
        Assert.Equal(3, _clientPortal.Counters.Dropped); // nothing lost without a count
    }

    [Fact]
    public async Task ReplyPort_HeldByTheFarSide_ClosesWithThePortal_AndRefusesTheLateReply()
    {
        var held = new TaskCompletionSource<ReplyPort<int>>(TaskCreationOptions.RunContinuationsAsynchronously);
        _server.Nexus.Publish("holder", FnActor.Spawn<Square>(_server.System, async ctx =>
        {
            await foreach (var square in ctx.Messages)
            {
                held.TrySetResult(square.Reply!);
            }
        }));
        var holder = await _clientPortal.LookupAsync<Square>("holder").WaitAsync(Bounds.Long);
        var asking = holder.Ask<int>(port => new Square { Value = 2, Reply = port }, AskTimeout);
        var port = await held.Task.WaitAsync(Bounds.Long);
        Assert.False(port.IsClosed);

        await _clientPortal.CloseAsync().WaitAsync(Bounds.Long);

        await AwaitAssertAsync(() => Assert.True(port.IsClosed), Bounds.Long);
        var refused = Assert.Throws<ReplyPortException>(() => port.Reply(4));
        Assert.Equal(ReplyPortFault.Abandoned, refused.Fault);
        await Assert.ThrowsAsync<PortalClosedException>(() => asking.WaitAsync(Bounds.Long));
    }

    [Fact]
    public async Task PlainTell_WithASender_ArrivesWithAWorkingSender()
    {
        _server.Nexus.Publish("answer-sender", FnActor.Spawn<Ping>(_server.System, async ctx =>
        {
            await foreach (var ping in ctx.Messages)
            {
                ctx.Sender.Tell(new Ping { N = ping.N + 1 });
            }
        }));
        var answerer = await _clientPortal.LookupAsync<Ping>("answer-sender").WaitAsync(Bounds.Long);
        var me = CreateTestProbe();

        answerer.Tell(new Ping { N = 1 }, me.Ref);
        answerer.Tell(new Ping { N = 10 }, me.Ref);

        Assert.Equal(2, me.ExpectMsg<Ping>(Bounds.Long).N);
        Assert.Equal(11, me.ExpectMsg<Ping>(Bounds.Long).N);
        Assert.Equal(1, _serverPortal.Counters.Proxies); // one proxy for the sender, reused
    }

    [Fact]
    public async Task SinkActorRefWithAck_ThroughAProxy_DeliversEveryItem()
    {
        var received = new List<int>();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _server.Nexus.Publish("acking", FnActor.Spawn<StreamMessage>(_server.System, async ctx =>
        {
            await foreach (var message in ctx.Messages)
            {
                switch (message)
                {
                    case StreamItem item:
                        received.Add(item.N);
                        ctx.Sender.Tell(new StreamAck());
                        break;
                    case StreamInit:
                        ctx.Sender.Tell(new StreamAck());
                        break;
                    case StreamDone:
                        done.SetResult();
                        break;
                }
            }
        }));
        var acking = await _clientPortal.LookupAsync<StreamMessage>("acking").WaitAsync(Bounds.Long);

        Source.From(Enumerable.Range(1, 100))
            .Select(n => new StreamItem { N = n })
            .RunWith(Sink.ActorRefWithAck<StreamItem>(acking.Untyped, new StreamInit(), new StreamAck(), new StreamDone()), Sys.Materializer());

        // The sink sends its completion right after the last item, without waiting for its ack, and stops: the last ack
        // may meet a dead proxy, which must pass it to dead letters quietly, or the target dies before it reads the completion.
        await done.Task.WaitAsync(Bounds.Long);
        Assert.Equal(Enumerable.Range(1, 100), received);
    }

    [Fact]
    public async Task MessageOfTheWrongType_ToldToAProxy_IsRefusedLocally_ThePortalStaysOpen()
    {
        var echo = await _clientPortal.LookupAsync<Ping>("echo").WaitAsync(Bounds.Long);

        echo.Untyped.Tell("not a Ping", TestActor);

        var refused = Assert.IsType<UnsupportedMessageTypeException>(ExpectMsg<Status.Failure>(Bounds.Long).Cause);
        Assert.Contains("String", refused.Message);
        Assert.Equal(1, _clientPortal.Counters.Dropped);
        echo.Tell(new Ping { N = 7, ReplyTo = ActorRef<Pong>.From(TestActor) });
        ExpectMsg(new Pong { N = 7 }, Bounds.Long);
        Assert.True(_clientPortal.IsOpen && _serverPortal.IsOpen);
    }

    [Fact]
    public async Task UntypedAkkaAsk_ThroughAProxy_FailsAtOnce_NamingTheReplyType_ThePortalStaysOpen()
    {
        var square = await _clientPortal.LookupAsync<Square>("square").WaitAsync(Bounds.Long);

        var error = await Assert.ThrowsAsync<UnsupportedMessageTypeException>(() => square.Untyped.Ask(new Square { Value = 3 }, AskTimeout).WaitAsync(Bounds.Long));

        Assert.Contains("Object", error.Message);
        Assert.Equal(9, await square.Ask<int>(new Square { Value = 3 }, Bounds.Long));
        Assert.True(_clientPortal.IsOpen && _serverPortal.IsOpen);
    }

    [Fact]
    public async Task TellsFasterThanTheConduit_EveryMessageIsDeliveredOrCounted_AndTheReasonSaysWhy()
    {
        const int tells = 50_000;
        var delivered = 0;
        _server.Nexus.Publish("count", FnActor.Spawn<Ping>(_server.System, async ctx =>
        {
            await foreach (var _ in ctx.Messages)
            {
                Interlocked.Increment(ref delivered);
            }
        }));
        var count = await _clientPortal.LookupAsync<Ping>("count").WaitAsync(Bounds.Long);

        for (var n = 0; n < tells; n++)
        {
            count.Tell(new Ping { N = n }, ActorRefs.Nobody);
        }

        var accounted = () => Volatile.Read(ref delivered) + _clientPortal.Counters.Dropped;
        await AwaitAssertAsync(
            () => Assert.True(accounted() == tells, $"{Volatile.Read(ref delivered):N0} delivered + {_clientPortal.Counters.Dropped:N0} dropped of {tells:N0}; {(_clientPortal.Completion.IsCompleted ? _clientPortal.Completion.Result : "open")}"),
            TimeSpan.FromSeconds(60),
            TimeSpan.FromMilliseconds(100));
        if (_clientPortal.Completion.IsCompleted)
        {
            var reason = await _clientPortal.Completion;
            Assert.Equal(PortalCloseKind.LimitExceeded, reason.Kind);
            Assert.Equal(nameof(NexusOptions.MaxOutboundFrames), reason.Limit);
            Assert.Contains("this side sent faster than the peer and the conduit took them", reason.Message);
        }
    }

    [Fact]
    public async Task TellAsyncFasterThanTheConduit_WaitsForRoom_EveryMessageIsDelivered_AndThePortalStaysOpen()
    {
        const int tells = 50_000;
        var delivered = 0;
        _server.Nexus.Publish("count", FnActor.Spawn<Ping>(_server.System, async ctx =>
        {
            await foreach (var _ in ctx.Messages)
            {
                Interlocked.Increment(ref delivered);
            }
        }));
        var count = await _clientPortal.LookupAsync<Ping>("count").WaitAsync(Bounds.Long);

        for (var n = 0; n < tells; n++)
        {
            await count.TellAsync(new Ping { N = n }).WaitAsync(Bounds.Long);
        }

        await AwaitAssertAsync(() => Assert.Equal(tells, Volatile.Read(ref delivered)), TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(100));
        Assert.Equal(0, _clientPortal.Counters.Dropped);
        Assert.True(_clientPortal.IsOpen && _serverPortal.IsOpen);
    }

    [Fact]
    public async Task TellAsync_ThePortalClosed_FailsWithPortalClosed()
    {
        var silent = await SilentAsync();
        await _clientPortal.CloseAsync("closing for the test").WaitAsync(Bounds.Long);

        var error = await Assert.ThrowsAsync<PortalClosedException>(() => silent.TellAsync(new Square { Value = 1 }));

        Assert.Contains("closing for the test", error.Message);
    }

    private async Task<ActorRef<Square>> SilentAsync()
    {
        var silent = CreateTestProbe(_server.System);
        _server.Nexus.Publish("silent", ActorRef<Square>.From(silent.Ref));
        return await _clientPortal.LookupAsync<Square>("silent").WaitAsync(Bounds.Long);
    }
}
