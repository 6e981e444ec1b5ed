using Akka.Actor;
using Wormhole.Reactive;
using Wormhole.Streams;
using Wormhole.Tests.Support;

namespace Wormhole.Tests.Streams;

/// <summary>Three actor systems in a row, A (the TestKit's) – B – C: references travel on through a second portal.</summary>
public sealed class MultiHopTests : Akka.TestKit.Xunit2.TestKit, IAsyncLifetime
{
    private RemoteSide _b = null!;
    private RemoteSide _c = null!;
    private Nexus _a = null!;
    private Portal _aToB = null!;
    private Portal _bToC = null!;

    public async Task InitializeAsync()
    {
        _a = Nexus.Create(Sys);
        _b = RemoteSide.Create("b");
        _c = RemoteSide.Create("c");
        (_aToB, _) = await InMemory.ConnectAsync(_a, _b.Nexus);
        (_bToC, _) = await InMemory.ConnectAsync(_b.Nexus, _c.Nexus);
    }

    public async Task DisposeAsync()
    {
        await _a.DisposeAsync();
        await _b.DisposeAsync();
        await _c.DisposeAsync();
    }

    [Fact]
    public async Task ReferenceFromA_PassedOnByB_ReachesAFromC()
    {
        // C pings whatever actor it is introduced to; B relays introductions to C; A introduces itself to B.
        _c.Nexus.Publish("far", FnActor.Spawn<Introduce>(_c.System, async ctx =>
        {
            await foreach (var introduce in ctx.Messages)
            {
                introduce.Actor!.Tell(new Ping { N = 42 });
            }
        }));
        var far = await _bToC.LookupAsync<Introduce>("far").WaitAsync(Bounds.Long);
        _b.Nexus.Publish("relay", far); // B publishes its proxy of C's actor: a proxy re-published, not chained by hand

        var relay = await _aToB.LookupAsync<Introduce>("relay").WaitAsync(Bounds.Long);
        relay.Tell(new Introduce { Actor = ActorRef<Ping>.From(TestActor) });

        Assert.Equal(42, ExpectMsg<Ping>(Bounds.Long).N);
    }

    [Fact]
    public async Task ReferenceFromC_PassedOnByB_IsToldByA_AndRepliesTravelBack()
    {
        var cInbox = CreateTestProbe(_c.System);
        _c.Nexus.Publish("inbox", ActorRef<Ping>.From(cInbox.Ref));
        var inboxOnB = await _bToC.LookupAsync<Ping>("inbox").WaitAsync(Bounds.Long);
        var hub = FnActor.Spawn<Introduce>(_b.System, async ctx =>
        {
            await foreach (var introduce in ctx.Messages)
            {
                ctx.Sender.Tell(new Introduce { Actor = inboxOnB }); // hand A the proxy of C's actor
            }
        });
        _b.Nexus.Publish("hub", hub);
        var hubOnA = await _aToB.LookupAsync<Introduce>("hub").WaitAsync(Bounds.Long);

        var answer = await hubOnA.Ask<Introduce>(new Introduce(), Bounds.Long);
        answer.Actor!.Tell(new Ping { N = 7, ReplyTo = ActorRef<Pong>.From(TestActor) });

        var ping = cInbox.ExpectMsg<Ping>(Bounds.Long);
        Assert.Equal(7, ping.N);
        ping.ReplyTo!.Tell(new Pong { N = 8 }); // C answers A through B
        Assert.Equal(8, ExpectMsg<Pong>(Bounds.Long).N);
    }

    [Fact]
    public async Task AskAcrossTwoHops_ReplyPortTravelsOn()
    {
        _c.Nexus.Publish("square", FnActor.Spawn<Square>(_c.System, async ctx =>
        {
            await foreach (var square in ctx.Messages)
            {
                square.Reply!.Reply(square.Value * square.Value);
            }
        }));
        _b.Nexus.Publish("square", await _bToC.LookupAsync<Square>("square").WaitAsync(Bounds.Long));
        var square = await _aToB.LookupAsync<Square>("square").WaitAsync(Bounds.Long);

        Assert.Equal(49, await square.Ask<int>(port => new Square { Value = 7, Reply = port }, Bounds.Long));
    }
}
