using System.Net.Sockets;
using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using Wormhole.Reactive;
using Wormhole.Streams;
using Wormhole.Tests.Support;

namespace Wormhole.Tests.Streams;

/// <summary>The portal scenarios over real Unix domain sockets in a temporary folder, plus what only Unix sockets have.</summary>
public sealed class UnixSocketPortalTests : PortalScenarios
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("wh-");
    private readonly List<UnixWormholeListener> _listeners = [];

    protected override async Task<(Portal Client, Portal Server)> ConnectAsync(Nexus client, Nexus server)
    {
        var listener = await server.ListenUnixAsync(SocketPath($"s{_listeners.Count}.sock"));
        _listeners.Add(listener);
        var serverPortal = server.Events.OfType<PortalEvent.Opened>().Select(e => e.Portal).FirstAsync().ToTask();
        var clientPortal = await client.ConnectAsync(Conduit.UnixSocket(listener.Path)).WaitAsync(Bounds.Long);
        return (clientPortal, await serverPortal.WaitAsync(Bounds.Long));
    }

    public override async Task DisposeAsync()
    {
        foreach (var listener in _listeners)
        {
            await listener.DisposeAsync();
        }

        await base.DisposeAsync();
        _folder.Delete(recursive: true);
    }

    [Fact]
    public async Task Connect_NoSocketFileAtThePath_FailsWithConduitFailed()
    {
        var nexus = Nexus.Create(Sys);
        try
        {
            var error = await Assert.ThrowsAsync<PortalClosedException>(
                () => nexus.ConnectAsync(Conduit.UnixSocket(SocketPath("missing.sock"))).WaitAsync(Bounds.Long));

            Assert.Equal(PortalCloseKind.ConduitFailed, error.Reason.Kind);
            Assert.Contains("missing.sock", error.Message);
        }
        finally
        {
            await nexus.DisposeAsync();
        }
    }

    [Fact]
    public async Task ListenerDisposed_ItsPortalsClose_TheFileIsRemoved_NewConnectionsFail()
    {
        var server = RemoteSide.Create("unix-server");
        var client = Nexus.Create(Sys);
        try
        {
            var serverProbe = CreateTestProbe(server.System);
            server.Nexus.Publish("probe", ActorRef<Pong>.From(serverProbe.Ref));
            var listener = await server.Nexus.ListenUnixAsync(SocketPath("disposed.sock"));
            var portal = await client.ConnectAsync(Conduit.UnixSocket(listener.Path)).WaitAsync(Bounds.Long);
            var probe = await portal.LookupAsync<Pong>("probe").WaitAsync(Bounds.Long);
            Watch(probe.Untyped);
            probe.Tell(new Pong { N = 0 });
            await serverProbe.ExpectMsgAsync(new Pong { N = 0 }, Bounds.Long);

            await listener.DisposeAsync().AsTask().WaitAsync(Bounds.Long);

            var reason = await portal.Completion.WaitAsync(Bounds.Long);
            Assert.True(reason.Kind is PortalCloseKind.ConduitCompleted or PortalCloseKind.ConduitFailed, reason.ToString());
            await ExpectTerminatedAsync(probe.Untyped, Bounds.Long);
            Assert.Empty(server.Nexus.Portals);
            Assert.False(File.Exists(listener.Path), "the socket file outlived its listener");
            var error = await Assert.ThrowsAsync<PortalClosedException>(() => client.ConnectAsync(Conduit.UnixSocket(listener.Path)).WaitAsync(Bounds.Long));
            Assert.Equal(PortalCloseKind.ConduitFailed, error.Reason.Kind);
        }
        finally
        {
            await client.DisposeAsync();
            await server.DisposeAsync();
        }
    }

    [Fact]
    public async Task Listen_StaleSocketFileLeftByADeadListener_IsReplaced()
    {
        var path = SocketPath("stale.sock");
        using (var dead = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            // .NET removes a socket's file when the socket is disposed; a crashed process does not. Renaming the file
            // away from the path .NET knows leaves it behind, as a crash would.
            var bound = SocketPath("bound.sock");
            dead.Bind(new UnixDomainSocketEndPoint(bound));
            dead.Listen(1);
            File.Move(bound, path);
        }

        Assert.True(File.Exists(path), "no stale socket file to replace");
        using (var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            var refused = Assert.Throws<SocketException>(() => probe.Connect(new UnixDomainSocketEndPoint(path)));
            Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
        }

        var server = RemoteSide.Create("unix-stale");
        var client = Nexus.Create(Sys);
        try
        {
            server.Nexus.Publish("probe", ActorRef<Pong>.From(CreateTestProbe(server.System).Ref));
            await using var listener = await server.Nexus.ListenUnixAsync(path);
            var portal = await client.ConnectAsync(Conduit.UnixSocket(path)).WaitAsync(Bounds.Long);

            await portal.LookupAsync<Pong>("probe").WaitAsync(Bounds.Long);
        }
        finally
        {
            await client.DisposeAsync();
            await server.DisposeAsync();
        }
    }

    [Fact]
    public async Task Listen_WhereALiveListenerIs_ThrowsIOException_AndTheLiveOneKeepsServing()
    {
        var path = SocketPath("live.sock");
        var server = RemoteSide.Create("unix-live");
        var client = Nexus.Create(Sys);
        try
        {
            server.Nexus.Publish("probe", ActorRef<Pong>.From(CreateTestProbe(server.System).Ref));
            await using var live = await server.Nexus.ListenUnixAsync(path);

            var error = await Assert.ThrowsAsync<IOException>(() => client.ListenUnixAsync(path).WaitAsync(Bounds.Long));

            Assert.Contains("another listener", error.Message);
            var portal = await client.ConnectAsync(Conduit.UnixSocket(path)).WaitAsync(Bounds.Long);
            await portal.LookupAsync<Pong>("probe").WaitAsync(Bounds.Long);
        }
        finally
        {
            await client.DisposeAsync();
            await server.DisposeAsync();
        }
    }

    [Fact]
    public async Task Listen_WhereANonEmptyFileIs_ThrowsIOException_AndKeepsTheFile()
    {
        var path = SocketPath("data.txt");
        await File.WriteAllTextAsync(path, "not a socket");
        var nexus = Nexus.Create(Sys);
        try
        {
            await Assert.ThrowsAsync<IOException>(() => nexus.ListenUnixAsync(path).WaitAsync(Bounds.Long));

            Assert.Equal("not a socket", await File.ReadAllTextAsync(path));
        }
        finally
        {
            await nexus.DisposeAsync();
        }
    }

    [Fact]
    public async Task TransportsDocExample_ListenAndConnect_LookupWorks()
    {
        var server = RemoteSide.Create("unix-doc");
        var clientNexus = Nexus.Create(Sys);
        var serverNexus = server.Nexus;
        var path = SocketPath("app.sock");
        var cancellationToken = new CancellationTokenSource(Bounds.Long).Token;
        serverNexus.Publish("probe", ActorRef<Pong>.From(CreateTestProbe(server.System).Ref));
        try
        {
            // snippet: unix-socket
            // Server: accept portals on a socket file (a stale file left by a crashed server is replaced).
            await using var listener = await serverNexus.ListenUnixAsync(path, cancellationToken);

            // Client: connect to it.
            Portal portal = await clientNexus.ConnectAsync(Conduit.UnixSocket(path), cancellationToken);
            // end snippet

            await portal.LookupAsync<Pong>("probe", cancellationToken);
        }
        finally
        {
            await clientNexus.DisposeAsync();
            await server.DisposeAsync();
        }
    }

    [Fact]
    public void UnixSocket_PathTooLongForASocketAddress_ThrowsArgumentException()
    {
        var error = Assert.Throws<ArgumentException>(() => Conduit.UnixSocket(SocketPath(new string('x', 200) + ".sock")));

        Assert.Equal("path", error.ParamName);
        Assert.Contains("too long", error.Message);
    }

    private string SocketPath(string name) => Path.Combine(_folder.FullName, name);
}
