using System.Diagnostics.Metrics;
using System.Net;
using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Wormhole.Reactive;
using Wormhole.Streams;
using Wormhole.Streams.Protocol;
using Wormhole.Tests.Hostile;
using Wormhole.Tests.Support;
using Xunit.Abstractions;

namespace Wormhole.Tests.Streams.Observability;

/// <summary>The Wormhole meter: each nexus here gets its own <see cref="IMeterFactory"/>, and the recorder listens to that one only.</summary>
public sealed class WormholeMetricsTests : Akka.TestKit.Xunit2.TestKit, IAsyncLifetime
{
    private readonly ITestOutputHelper _output;

    private const int Messages = 50;
    private readonly ServiceProvider _serverServices = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly ServiceProvider _clientServices = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly AsyncDisposables _disposables = new();

    public WormholeMetricsTests(ITestOutputHelper output)
        : base(output: output) => _output = output;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _disposables.DisposeAsync();

        await _serverServices.DisposeAsync();
        await _clientServices.DisposeAsync();
    }

    [Fact]
    public async Task TwoPortalsOverTcp_TellsAnAskAndAPeerFault_AreCountedExactly()
    {
        using var serverMeter = new MeterRecorder(_serverServices.GetRequiredService<IMeterFactory>());
        using var clientMeter = new MeterRecorder(_clientServices.GetRequiredService<IMeterFactory>());
        var server = Track(Nexus.Create(Sys, new NexusOptions { MaxUnknownRequests = 1 }, meterFactory: _serverServices.GetRequiredService<IMeterFactory>()));
        var client = Track(Nexus.Create(Sys, meterFactory: _clientServices.GetRequiredService<IMeterFactory>()));
        var sink = CreateTestProbe();
        server.Publish("sink", ActorRef<Ping>.From(sink.Ref));
        server.Publish("square", FnActor.Spawn<Square>(Sys, async ctx =>
        {
            await foreach (var square in ctx.Messages)
            {
                ctx.Sender.Tell(square.Value * square.Value, Akka.Actor.ActorRefs.NoSender);
            }
        }));
        var listener = Track(await server.ListenTcpAsync(new IPEndPoint(IPAddress.Loopback, 0)));
        var portal = await client.ConnectAsync(Conduit.Tcp("127.0.0.1", listener.LocalEndPoint.Port)).WaitAsync(Bounds.Long);
        var pings = await portal.LookupAsync<Ping>("sink").WaitAsync(Bounds.Long);
        var squares = await portal.LookupAsync<Square>("square").WaitAsync(Bounds.Long);

        for (var n = 0; n < Messages; n++)
        {
            pings.Tell(new Ping { N = n });
        }

        for (var n = 0; n < Messages; n++)
        {
            await sink.ExpectMsgAsync<Ping>(Bounds.Long);
        }

        Assert.Equal(81, await squares.Ask<int>(new Square { Value = 9 }, Bounds.Long));
        var faultClosed = server.Events.OfType<PortalEvent.Closed>().FirstAsync().ToTask();
        var hostile = await RawTcpPeer.ConnectAsync(listener.LocalEndPoint);
        _disposables.Add(hostile);
        await hostile.HelloAsync();
        await hostile.SendFrameAsync(new Deliver { Target = WireId.NewRandom(), Payload = [] });
        await hostile.SendFrameAsync(new Deliver { Target = WireId.NewRandom(), Payload = [] }); // past MaxUnknownRequests = 1
        Assert.Equal(PortalCloseKind.LimitExceeded, (await faultClosed.WaitAsync(Bounds.Long)).Reason.Kind);

        _output.WriteLine($"server:{Environment.NewLine}{serverMeter.Describe()}{Environment.NewLine}client:{Environment.NewLine}{clientMeter.Describe()}");
        Assert.Equal(2, serverMeter.Sum(WormholeMetrics.PortalsOpened));
        Assert.Equal(1, serverMeter.Sum(WormholeMetrics.PortalsClosed, "close.kind=LimitExceeded"));
        Assert.Equal(2, serverMeter.Sum(WormholeMetrics.MessagesDropped, "reason=unknown-target"));
        Assert.Equal(1, serverMeter.Sum(WormholeMetrics.LimitHits, "limit=MaxUnknownRequests"));
        var serverNow = serverMeter.Observe();
        Assert.Equal(1, serverNow[WormholeMetrics.PortalsOpen]);
        Assert.InRange(serverNow[WormholeMetrics.FramesIn], Messages + 6, long.MaxValue); // + Hellos, lookups, the ask, the faulty peer's frames
        Assert.InRange(serverNow[WormholeMetrics.BytesIn], serverNow[WormholeMetrics.FramesIn], long.MaxValue);
        Assert.Equal(2, serverNow[WormholeMetrics.Publications]); // "sink" and "square", on the client's portal
        Assert.Equal(1, serverNow[WormholeMetrics.Proxies]); // the tells' sender (the TestKit's TestActor); the ask's reply port was used once and forgotten

        Assert.Equal(1, clientMeter.Sum(WormholeMetrics.PortalsOpened));
        var clientNow = clientMeter.Observe();
        Assert.InRange(clientNow[WormholeMetrics.FramesOut], Messages + 4, long.MaxValue);
        Assert.InRange(clientNow[WormholeMetrics.BytesOut], clientNow[WormholeMetrics.FramesOut], long.MaxValue);
        Assert.Equal(2, clientNow[WormholeMetrics.Proxies]);
        Assert.Equal(1, clientNow[WormholeMetrics.Publications]); // the TestActor, sender of the tells
        Assert.Equal(0, clientNow[WormholeMetrics.AsksPending]);
        var ask = Assert.Single(clientMeter.Values(WormholeMetrics.AskDuration));
        Assert.InRange(ask, 0, Bounds.Long.TotalSeconds);

        await portal.CloseAsync().WaitAsync(Bounds.Long);
        await AwaitConditionAsync(() => Task.FromResult(serverMeter.Sum(WormholeMetrics.PortalsClosed, "close.kind=ClosedByPeer") == 1), Bounds.Long);
        Assert.Equal(0, serverMeter.Observe()[WormholeMetrics.PortalsOpen]);
        Assert.InRange(serverMeter.Observe()[WormholeMetrics.FramesIn], serverNow[WormholeMetrics.FramesIn], long.MaxValue); // closed portals' frames stay counted
    }

    [Fact]
    public async Task PendingAsk_IsCounted_UntilItsReplyArrives()
    {
        using var clientMeter = new MeterRecorder(_clientServices.GetRequiredService<IMeterFactory>());
        var server = Track(Nexus.Create(Sys, meterFactory: _serverServices.GetRequiredService<IMeterFactory>()));
        var client = Track(Nexus.Create(Sys, meterFactory: _clientServices.GetRequiredService<IMeterFactory>()));
        var callee = CreateTestProbe();
        server.Publish("square", ActorRef<Square>.From(callee.Ref));
        var listener = Track(await server.ListenTcpAsync(new IPEndPoint(IPAddress.Loopback, 0)));
        var portal = await client.ConnectAsync(Conduit.Tcp("127.0.0.1", listener.LocalEndPoint.Port)).WaitAsync(Bounds.Long);
        var squares = await portal.LookupAsync<Square>("square").WaitAsync(Bounds.Long);

        var answer = squares.Ask<int>(new Square { Value = 3 }, Bounds.Long);
        await callee.ExpectMsgAsync<Square>(Bounds.Long);

        Assert.Equal(1, clientMeter.Observe()[WormholeMetrics.AsksPending]);
        Assert.Empty(clientMeter.Values(WormholeMetrics.AskDuration));
        callee.LastSender.Tell(9, Akka.Actor.ActorRefs.NoSender);
        Assert.Equal(9, await answer);
        Assert.Equal(0, clientMeter.Observe()[WormholeMetrics.AsksPending]);
        Assert.Single(clientMeter.Values(WormholeMetrics.AskDuration));
    }

    private T Track<T>(T disposable)
        where T : IAsyncDisposable
    {
        _disposables.Add(disposable);
        return disposable;
    }
}
