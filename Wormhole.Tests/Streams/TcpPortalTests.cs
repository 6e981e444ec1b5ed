using System.Net;
using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using Akka.Actor;
using Wormhole.Reactive;
using Wormhole.Streams;
using Wormhole.Tests.Support;

namespace Wormhole.Tests.Streams;

/// <summary>The portal scenarios over real TCP on 127.0.0.1, plus what only TCP has.</summary>
public sealed class TcpPortalTests : PortalScenarios
{
    private readonly List<WormholeListener> _listeners = [];

    protected override async Task<(Portal Client, Portal Server)> ConnectAsync(Nexus client, Nexus server)
    {
        var listener = await server.ListenTcpAsync(new IPEndPoint(IPAddress.Loopback, 0));
        _listeners.Add(listener);
        var serverPortal = server.Events.OfType<PortalEvent.Opened>().Select(e => e.Portal).FirstAsync().ToTask();
        var clientPortal = await client.ConnectAsync(Conduit.Tcp(listener.LocalEndPoint)).WaitAsync(Bounds.Long);
        return (clientPortal, await serverPortal.WaitAsync(Bounds.Long));
    }

    public override async Task DisposeAsync()
    {
        foreach (var listener in _listeners)
        {
            await listener.DisposeAsync();
        }

        await base.DisposeAsync();
    }

    [Fact]
    public async Task Connect_NothingListening_FailsWithConduitFailed()
    {
        var nexus = Nexus.Create(Sys);
        var port = FreePort.Tcp();

        var error = await Assert.ThrowsAsync<PortalClosedException>(() => nexus.ConnectAsync(Conduit.Tcp("127.0.0.1", port)).WaitAsync(Bounds.Long));

        Assert.Equal(PortalCloseKind.ConduitFailed, error.Reason.Kind);
        await nexus.DisposeAsync();
    }

    [Fact]
    public async Task ListenerDisposed_ItsPortalsClose_NewConnectionsFail()
    {
        var server = RemoteSide.Create("tcp-server");
        var client = Nexus.Create(Sys);
        try
        {
            var serverProbe = CreateTestProbe(server.System);
            server.Nexus.Publish("probe", ActorRef<Pong>.From(serverProbe.Ref));
            var listener = await server.Nexus.ListenTcpAsync(new IPEndPoint(IPAddress.Loopback, 0));
            var portal = await client.ConnectAsync(Conduit.Tcp(listener.LocalEndPoint)).WaitAsync(Bounds.Long);
            var probe = await portal.LookupAsync<Pong>("probe").WaitAsync(Bounds.Long);

            probe.Tell(new Pong { N = 0 });
            await serverProbe.ExpectMsgAsync(new Pong { N = 0 }, Bounds.Long);
            await listener.DisposeAsync();

            // Akka.IO's TCP listener owns the connections it accepted: unbinding closes them too.
            var reason = await portal.Completion.WaitAsync(Bounds.Long);
            Assert.True(reason.Kind is PortalCloseKind.ConduitCompleted or PortalCloseKind.ConduitFailed, reason.ToString());
            await Assert.ThrowsAsync<PortalClosedException>(() => client.ConnectAsync(Conduit.Tcp(listener.LocalEndPoint)).WaitAsync(Bounds.Long));
        }
        finally
        {
            await client.DisposeAsync();
            await server.DisposeAsync();
        }
    }
}
