using System.Net;
using System.Net.Security;
using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using Akka.Actor;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using Wormhole.Reactive;
using Wormhole.Streams;
using Wormhole.Tests.Support;

namespace Wormhole.Tests.Streams.Conduits;

/// <summary>
/// TLS on TCP (<see cref="Conduit.Tcp(string, int, SslClientAuthenticationOptions)"/> against a TLS listener) and
/// <c>wss://</c> against Kestrel over HTTPS, with certificates the tests make: what is accepted, what is refused and how.
/// </summary>
public sealed class TlsConduitTests : Akka.TestKit.Xunit2.TestKit, IAsyncLifetime
{
    private readonly TestCertificates _certificates = TestCertificates.Create();
    private RemoteSide _server = null!;
    private Nexus _client = null!;

    public Task InitializeAsync()
    {
        _server = RemoteSide.Create("tls-server");
        _client = Nexus.Create(Sys);
        _server.Nexus.Publish("square", FnActor.Spawn<Square>(_server.System, async ctx =>
        {
            await foreach (var square in ctx.Messages)
            {
                square.Reply?.Reply(square.Value * square.Value);
            }
        }));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _client.DisposeAsync();
        await _server.DisposeAsync();
        _certificates.Dispose();
    }

    [Fact]
    public async Task TcpTls_Ask_RoundTrips()
    {
        await using var listener = await _server.Nexus.ListenTcpAsync(Loopback, _certificates.ServerOptions());

        var portal = await _client.ConnectAsync(Conduit.Tcp("127.0.0.1", listener.LocalEndPoint.Port, _certificates.Client())).WaitAsync(Bounds.Long);
        var square = await portal.LookupAsync<Square>("square").WaitAsync(Bounds.Long);

        Assert.Equal(144, await square.Ask<int>(port => new Square { Value = 12, Reply = port }, Bounds.Long));
    }

    [Fact]
    public async Task TcpTls_ClientCertificate_IsSeenByAdmissionAndOnTheServerPortal()
    {
        using var alice = _certificates.Issue("CN=alice", serverAuth: false);
        var admitted = new TaskCompletionSource<TlsPeer>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var listener = await _server.Nexus.ListenTcpAsync(Loopback, _certificates.ServerOptions(clientCertificateRequired: true), peer =>
        {
            admitted.TrySetResult(peer);
            return ValueTask.FromResult(PortalAdmission.Accept());
        });
        var serverPortal = _server.Nexus.Events.OfType<PortalEvent.Opened>().Select(e => e.Portal).FirstAsync().ToTask();

        var portal = await _client.ConnectAsync(Conduit.Tcp("127.0.0.1", listener.LocalEndPoint.Port, _certificates.Client(clientCertificate: alice))).WaitAsync(Bounds.Long);

        var peer = await admitted.Task.WaitAsync(Bounds.Long);
        Assert.Equal("CN=alice", peer.ClientCertificate?.Subject);
        Assert.Equal(alice.Thumbprint, peer.ClientCertificate?.Thumbprint);
        Assert.Equal(IPAddress.Loopback, ((IPEndPoint)peer.RemoteEndPoint).Address);
        var opened = await serverPortal.WaitAsync(Bounds.Long);
        Assert.Equal(alice.Thumbprint, opened.RemoteCertificate?.Thumbprint);
        Assert.Null(portal.RemoteCertificate); // the client side keeps none: it chose whom to trust in its options
    }

    [Fact]
    public async Task TcpTls_UntrustedServerCertificate_IsRefusedNamingTheCause()
    {
        using var stranger = TestCertificates.Create("Stranger CA");
        await using var listener = await _server.Nexus.ListenTcpAsync(Loopback, stranger.ServerOptions());
        var serverClosed = ClosedWithoutOpened(_server.Nexus);

        var error = await Assert.ThrowsAsync<PortalClosedException>(() => _client.ConnectAsync(Conduit.Tcp("127.0.0.1", listener.LocalEndPoint.Port, _certificates.Client())).WaitAsync(Bounds.Long));

        Assert.Equal(PortalCloseKind.ConduitFailed, error.Reason.Kind);
        Assert.True(error.Reason.Message.Contains("TLS handshake", StringComparison.Ordinal), error.Reason.Message);
        Assert.True(error.Reason.Message.Contains("certificate chain", StringComparison.Ordinal), error.Reason.Message);

        // The client checks the certificate once its side of the handshake is done, so the server may have finished its
        // own and see the connection close without a word: either way, no portal opened there.
        var serverReason = await serverClosed.WaitAsync(Bounds.Long);
        Assert.True(serverReason.Kind is PortalCloseKind.ConduitCompleted or PortalCloseKind.ConduitFailed, serverReason.ToString());
    }

    [Fact]
    public async Task TcpTls_ServerCertificateForAnotherName_IsRefusedNamingTheMismatch()
    {
        await using var listener = await _server.Nexus.ListenTcpAsync(Loopback, _certificates.ServerOptions());

        var error = await Assert.ThrowsAsync<PortalClosedException>(() => _client.ConnectAsync(Conduit.Tcp("127.0.0.1", listener.LocalEndPoint.Port, _certificates.Client(targetHost: "wormhole.example"))).WaitAsync(Bounds.Long));

        Assert.Equal(PortalCloseKind.ConduitFailed, error.Reason.Kind);
        Assert.True(error.Reason.Message.Contains("TLS handshake", StringComparison.Ordinal), error.Reason.Message);
        Assert.True(error.Reason.Message.Contains("RemoteCertificateNameMismatch", StringComparison.Ordinal), error.Reason.Message);
    }

    [Fact]
    public async Task TcpTls_PlainClient_FailsCleanlyOnBothSides_IsLogged_TheListenerServesTheNext()
    {
        await using var listener = await _server.Nexus.ListenTcpAsync(Loopback, _certificates.ServerOptions());
        var serverClosed = ClosedWithoutOpened(_server.Nexus);
        var warnings = CreateTestProbe(_server.System);
        _server.System.EventStream.Subscribe(warnings.Ref, typeof(Akka.Event.Warning));

        var error = await Assert.ThrowsAsync<PortalClosedException>(() => _client.ConnectAsync(Conduit.Tcp("127.0.0.1", listener.LocalEndPoint.Port)).WaitAsync(Bounds.Long));

        Assert.True(error.Reason.Kind is PortalCloseKind.ConduitCompleted or PortalCloseKind.ConduitFailed, error.Reason.ToString());
        var reason = await serverClosed.WaitAsync(Bounds.Long);
        Assert.Equal(PortalCloseKind.ConduitFailed, reason.Kind);
        Assert.True(reason.Message.Contains("TLS handshake", StringComparison.Ordinal), reason.Message);
        await warnings.FishForMessageAsync<Akka.Event.Warning>(w => $"{w.Message}".Contains("TLS listener at", StringComparison.Ordinal) && $"{w.Message}".Contains("TLS handshake", StringComparison.Ordinal), Bounds.Long);
        var portal = await _client.ConnectAsync(Conduit.Tcp("127.0.0.1", listener.LocalEndPoint.Port, _certificates.Client())).WaitAsync(Bounds.Long);
        Assert.True(portal.IsOpen);
    }

    [Fact]
    public async Task TcpTls_RequiredClientCertificateMissing_IsRefused()
    {
        var admitted = false;
        await using var listener = await _server.Nexus.ListenTcpAsync(Loopback, _certificates.ServerOptions(clientCertificateRequired: true), _ =>
        {
            admitted = true;
            return ValueTask.FromResult(PortalAdmission.Accept());
        });
        var serverClosed = ClosedWithoutOpened(_server.Nexus);

        // With TLS 1.3 the client may finish its handshake before the server has looked at the (missing) certificate:
        // the refusal then arrives as the connection fails, not as a failed handshake.
        var error = await Assert.ThrowsAsync<PortalClosedException>(() => _client.ConnectAsync(Conduit.Tcp("127.0.0.1", listener.LocalEndPoint.Port, _certificates.Client())).WaitAsync(Bounds.Long));

        Assert.True(error.Reason.Kind is PortalCloseKind.ConduitCompleted or PortalCloseKind.ConduitFailed, error.Reason.ToString());
        var reason = await serverClosed.WaitAsync(Bounds.Long);
        Assert.Equal(PortalCloseKind.ConduitFailed, reason.Kind);
        Assert.True(reason.Message.Contains("TLS handshake", StringComparison.Ordinal), reason.Message);
        Assert.False(admitted);
    }

    [Fact]
    public async Task TcpTls_AdmissionRejectsTheCertificate_ConnectFails_NoPortalOpens()
    {
        using var mallory = _certificates.Issue("CN=mallory", serverAuth: false);
        await using var listener = await _server.Nexus.ListenTcpAsync(Loopback, _certificates.ServerOptions(clientCertificateRequired: true), peer =>
            ValueTask.FromResult(peer.ClientCertificate?.Subject == "CN=alice" ? PortalAdmission.Accept() : PortalAdmission.Reject($"unknown client {peer}")));

        var error = await Assert.ThrowsAsync<PortalClosedException>(() => _client.ConnectAsync(Conduit.Tcp("127.0.0.1", listener.LocalEndPoint.Port, _certificates.Client(clientCertificate: mallory))).WaitAsync(Bounds.Long));

        Assert.True(error.Reason.Kind is PortalCloseKind.ConduitCompleted or PortalCloseKind.ConduitFailed, error.Reason.ToString());
        Assert.Empty(_server.Nexus.Portals);
    }

    [Fact]
    public async Task TcpTls_ClientThatNeverHandshakes_IsCutOffAfterTheHandshakeTimeout()
    {
        await using var server = RemoteSide.Create("tls-timeout", new NexusOptions { HandshakeTimeout = TimeSpan.FromMilliseconds(500) });
        await using var listener = await server.Nexus.ListenTcpAsync(Loopback, _certificates.ServerOptions());
        var serverClosed = ClosedWithoutOpened(server.Nexus);
        using var silent = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);

        await silent.ConnectAsync(listener.LocalEndPoint);

        var reason = await serverClosed.WaitAsync(Bounds.Long);
        Assert.Equal(PortalCloseKind.ConduitFailed, reason.Kind);
        Assert.True(reason.Message.Contains("TLS handshake", StringComparison.Ordinal) && reason.Message.Contains("0.5 s", StringComparison.Ordinal), reason.Message);
    }

    [Fact]
    public async Task TcpTls_ServerThatNeverHandshakes_FailsTheConnectAfterTheHandshakeTimeout()
    {
        using var silent = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;

        var error = await Assert.ThrowsAsync<PortalClosedException>(() =>
            _client.ConnectAsync(Conduit.Tcp("127.0.0.1", port, _certificates.Client()), new NexusOptions { HandshakeTimeout = TimeSpan.FromMilliseconds(500) }).WaitAsync(Bounds.Long));

        Assert.True(error.Reason.Message.Contains("TLS handshake", StringComparison.Ordinal) && error.Reason.Message.Contains("0.5 s", StringComparison.Ordinal), error.Reason.ToString());
    }

    [Fact]
    public async Task Wss_AgainstKestrelHttps_Ask_RoundTrips()
    {
        await using var app = await StartHttpsAsync(_server.Nexus, _certificates.Server);
        var certificates = _certificates;

        var portal = await _client.ConnectAsync(Conduit.WebSocket(WssUri(app), options => options.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
            errors == SslPolicyErrors.None || (errors == SslPolicyErrors.RemoteCertificateChainErrors && certificate?.GetCertHashString() == certificates.Server.Thumbprint))).WaitAsync(Bounds.Long);
        var square = await portal.LookupAsync<Square>("square").WaitAsync(Bounds.Long);

        Assert.Equal(81, await square.Ask<int>(port => new Square { Value = 9, Reply = port }, Bounds.Long));
    }

    [Fact]
    public async Task Wss_AgainstKestrelHttps_UntrustedCertificate_IsRefused()
    {
        await using var app = await StartHttpsAsync(_server.Nexus, _certificates.Server);

        var error = await Assert.ThrowsAsync<PortalClosedException>(() => _client.ConnectAsync(Conduit.WebSocket(WssUri(app))).WaitAsync(Bounds.Long));

        Assert.Equal(PortalCloseKind.ConduitFailed, error.Reason.Kind);
        Assert.True(error.Reason.Message.Contains("TLS handshake", StringComparison.Ordinal), error.Reason.Message);
        Assert.True(error.Reason.Message.Contains("certificate chain", StringComparison.Ordinal), error.Reason.Message);
        Assert.Empty(_server.Nexus.Portals);
    }

    [Fact]
    public async Task Wss_AgainstKestrelHttps_TheClientCertificateLandsOnTheServerPortal_WithTheAddress()
    {
        using var alice = _certificates.Issue("CN=alice", serverAuth: false);
        await using var app = await StartHttpsAsync(_server.Nexus, _certificates.Server, requireClientCertificate: true);
        var serverPortal = _server.Nexus.Events.OfType<PortalEvent.Opened>().Select(e => e.Portal).FirstAsync().ToTask();
        var certificates = _certificates;

        await _client.ConnectAsync(Conduit.WebSocket(WssUri(app), options =>
        {
            options.ClientCertificates.Add(alice);
            options.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                errors == SslPolicyErrors.None || (errors == SslPolicyErrors.RemoteCertificateChainErrors && certificate?.GetCertHashString() == certificates.Server.Thumbprint);
        })).WaitAsync(Bounds.Long);

        var opened = await serverPortal.WaitAsync(Bounds.Long);
        Assert.Equal(alice.Thumbprint, opened.RemoteCertificate?.Thumbprint);
        Assert.Equal(IPAddress.Loopback, ((IPEndPoint)opened.RemoteEndPoint!).Address.MapToIPv4());
    }

    private static IPEndPoint Loopback => new(IPAddress.Loopback, 0);

    /// <summary>The reason of the first portal <paramref name="nexus"/> reports closed; fails if one opens first.</summary>
    private static Task<PortalCloseReason> ClosedWithoutOpened(Nexus nexus) =>
        nexus.Events.FirstAsync().Select(e => e is PortalEvent.Closed closed ? closed.Reason : throw new InvalidOperationException($"a portal opened: {e}")).ToTask();

    private static async Task<WebApplication> StartHttpsAsync(Nexus nexus, System.Security.Cryptography.X509Certificates.X509Certificate2 certificate, bool requireClientCertificate = false)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = ["--hostBuilder:reloadConfigOnChange=false"] });
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrelHttpsConfiguration();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(https =>
        {
            https.ServerCertificate = certificate;
            if (requireClientCertificate)
            {
                https.ClientCertificateMode = Microsoft.AspNetCore.Server.Kestrel.Https.ClientCertificateMode.RequireCertificate;
                https.ClientCertificateValidation = (_, _, _) => true; // the test's own CA; the portal's certificate is what is checked
            }
        })));
        var app = builder.Build();
        app.UseWebSockets();
        app.MapWormhole("/ws", nexus);
        await app.StartAsync().WaitAsync(Bounds.Long);
        return app;
    }

    private static Uri WssUri(WebApplication app) => new UriBuilder(app.Urls.Single()) { Scheme = "wss", Path = "/ws" }.Uri;
}
