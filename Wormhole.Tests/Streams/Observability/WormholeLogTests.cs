using System.Net;
using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using Akka.Actor;
using Akka.Configuration;
using Microsoft.Extensions.Logging;
using Wormhole.Streams;
using Wormhole.Streams.Protocol;
using Wormhole.Tests.Hostile;
using Wormhole.Tests.Support;

namespace Wormhole.Tests.Streams.Observability;

/// <summary>Wormhole's own logs: categories, levels, event ids and structured fields through Microsoft.Extensions.Logging, and Akka's logging without a factory.</summary>
public sealed class WormholeLogTests : Akka.TestKit.Xunit2.TestKit, IAsyncLifetime
{
    private readonly CapturingLoggerProvider _logs = new();
    private readonly ILoggerFactory _factory;
    private readonly AsyncDisposables _disposables = new();

    public WormholeLogTests() => _factory = LoggerFactory.Create(builder => builder.AddProvider(_logs).SetMinimumLevel(LogLevel.Debug));

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _disposables.DisposeAsync();

        _factory.Dispose();
    }

    [Fact]
    public async Task PeerFault_LogsOneWarning_InPortalCategory_WithPortalIdCloseKindAndReason()
    {
        var (nexus, listener) = await ServeAsync(new NexusOptions(), _factory);
        var closed = nexus.Events.OfType<PortalEvent.Closed>().FirstAsync().ToTask();
        var peer = await ConnectRawAsync(listener);
        await peer.HelloAsync();

        await peer.SendFrameAsync(RawPeerExtensions.NewHello()); // a second Hello: a protocol violation

        var portal = (await closed.WaitAsync(Bounds.Long)).Portal;
        var fault = await _logs.WaitForAsync(e => e.Level == LogLevel.Warning && e.Category == "Wormhole.Portal", Bounds.Long);
        Assert.Equal(portal.Id, fault.State["PortalId"]);
        Assert.Equal(PortalCloseKind.ProtocolViolation, fault.State["CloseKind"]);
        Assert.Equal("the peer sent a second Hello", fault.State["Reason"]);
        Assert.Equal(PortalErrorCodes.DuplicateHello, fault.State["Code"]);
        Assert.Equal(portal.RemoteEndPoint!.ToString(), fault.State["RemoteEndPoint"]);
        Assert.StartsWith("127.0.0.1:", $"{fault.State["RemoteEndPoint"]}", StringComparison.Ordinal);
        Assert.Equal(1003, fault.EventId.Id);
        Assert.Equal($"Portal {portal.Id} closed: ProtocolViolation: the peer sent a second Hello (peer {portal.RemoteEndPoint}, code duplicate-hello)", fault.Message);
        Assert.Single(_logs.Entries, e => e.Level >= LogLevel.Warning);
    }

    [Fact]
    public async Task AdmissionRefusal_LogsInformation_InNexusCategory_WithTheRemoteEndPoint()
    {
        var (_, listener) = await ServeAsync(new NexusOptions(), _factory, _ => ValueTask.FromResult(PortalAdmission.Reject("no room")));

        await ConnectRawAsync(listener);

        var refused = await _logs.WaitForAsync(e => e.Category == "Wormhole.Nexus", Bounds.Long);
        Assert.Equal(LogLevel.Information, refused.Level);
        Assert.Equal(2001, refused.EventId.Id);
        Assert.Equal("no room", refused.State["Reason"]);
        Assert.StartsWith("127.0.0.1:", $"{refused.State["RemoteEndPoint"]}", StringComparison.Ordinal);
    }

    [Fact]
    public async Task LimitHit_LogsAWarningNamingTheLimit()
    {
        var (_, listener) = await ServeAsync(new NexusOptions { MaxUnknownRequests = 3 }, _factory);
        var peer = await ConnectRawAsync(listener);
        await peer.HelloAsync();

        for (var i = 0; i < 4; i++)
        {
            await peer.SendFrameAsync(new Deliver { Target = WireId.NewRandom(), Payload = [] });
        }

        var hit = await _logs.WaitForAsync(e => e.Category == "Wormhole.Portal" && e.State.ContainsKey("LimitName"), Bounds.Long);
        Assert.Equal(LogLevel.Warning, hit.Level);
        Assert.Equal(nameof(NexusOptions.MaxUnknownRequests), hit.State["LimitName"]);
        Assert.Equal(PortalCloseKind.LimitExceeded, hit.State["CloseKind"]);
        var unknown = _logs.Entries.Where(e => e.EventId.Name == "UnknownTarget").ToList();
        Assert.Equal(4, unknown.Count);
        Assert.Equal(4L, unknown[^1].State["Dropped"]);
    }

    [Fact]
    public async Task WithoutALoggerFactory_ThePortalsFaultReachesAkkasEventStream_UnderItsCategory()
    {
        var system = ActorSystem.Create("akka-logs", ConfigurationFactory.ParseString("akka.loglevel = WARNING"));
        _disposables.Add(new Terminator(system));
        var warnings = CreateTestProbe(system);
        system.EventStream.Subscribe(warnings.Ref, typeof(Akka.Event.Warning));
        var (nexus, listener) = await ServeAsync(new NexusOptions(), loggerFactory: null, system: system);
        var closed = nexus.Events.OfType<PortalEvent.Closed>().FirstAsync().ToTask();
        var peer = await ConnectRawAsync(listener);
        await peer.HelloAsync();

        await peer.SendFrameAsync(RawPeerExtensions.NewHello());

        var portal = (await closed.WaitAsync(Bounds.Long)).Portal;
        var warning = await warnings.FishForMessageAsync<Akka.Event.Warning>(w => w.LogSource == "Wormhole.Portal", Bounds.Long);
        Assert.StartsWith($"Portal {portal.Id} closed: ProtocolViolation: the peer sent a second Hello", $"{warning.Message}", StringComparison.Ordinal);
        Assert.Empty(_logs.Entries);
    }

    private async Task<(Nexus Nexus, WormholeListener Listener)> ServeAsync(NexusOptions options, ILoggerFactory? loggerFactory, Func<EndPoint, ValueTask<PortalAdmission>>? admit = null, ActorSystem? system = null)
    {
        var nexus = Nexus.Create(system ?? Sys, options, loggerFactory);
        _disposables.Add(nexus);
        var listener = await nexus.ListenTcpAsync(new IPEndPoint(IPAddress.Loopback, 0), admit);
        _disposables.Add(listener);
        return (nexus, listener);
    }

    private async Task<RawTcpPeer> ConnectRawAsync(WormholeListener listener)
    {
        var peer = await RawTcpPeer.ConnectAsync(listener.LocalEndPoint);
        _disposables.Add(peer);
        return peer;
    }

    private sealed class Terminator(ActorSystem system) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await system.Terminate();
    }
}
