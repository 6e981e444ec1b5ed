using System.Net;
using System.Net.Security;
using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using System.Security.Cryptography.X509Certificates;
using Akka.Actor;
using Wormhole.Reactive;
using Wormhole.Streams;
using Wormhole.Tests.Support;

namespace Wormhole.Tests.Docs;

/// <summary>The README's "Security": a TCP listener with TLS that asks for client certificates, and a client that connects to it.</summary>
public sealed class ReadmeTlsExamples : Akka.TestKit.Xunit2.TestKit
{
    [Fact]
    public async Task ServeAndConnectOverTcpWithTls()
    {
        using var certificates = TestCertificates.Create();
        using var clientCertificate = certificates.Issue("CN=alice", serverAuth: false);
        var serverCertificate = certificates.Server;
        var ourAuthority = certificates.TrustingAuthority();
        var serverSystem = ActorSystem.Create("tls", "akka.loglevel = WARNING");
        var endpoint = new IPEndPoint(IPAddress.Loopback, 0);
        var ct = CancellationToken.None;
        try
        {
            var nexus = Nexus.Create(serverSystem);
            nexus.Publish("greeter", ActorRef<Greet>.From(CreateTestProbe(serverSystem).Ref));
            var client = Nexus.Create(Sys);
            var serverPortal = nexus.Events.OfType<PortalEvent.Opened>().Select(e => e.Portal).FirstAsync().ToTask();

            // snippet: tls-server
            var serverTls = new SslServerAuthenticationOptions
            {
                ServerCertificate = serverCertificate,   // an X509Certificate2 with its private key
                ClientCertificateRequired = true,        // optional: each client shows a certificate
                CertificateChainPolicy = ourAuthority,   // optional: trust only our own CA for those (default: the system's)
            };
            await using var listener = await nexus.ListenTcpAsync(endpoint, serverTls, peer => ValueTask.FromResult(
                peer.ClientCertificate?.Subject == "CN=alice"
                    ? PortalAdmission.Accept()
                    : PortalAdmission.Reject($"unknown client {peer}")));
            // … later: portal.RemoteCertificate is the client's certificate on each portal it accepted.
            // end snippet

            var port = listener.LocalEndPoint.Port;

            // snippet: tls-client
            var clientTls = new SslClientAuthenticationOptions
            {
                TargetHost = "localhost",                   // the name the server's certificate must carry
                ClientCertificates = [clientCertificate],   // when the server asks for one
                CertificateChainPolicy = ourAuthority,      // optional: trust only our own CA (default: the system's)
            };
            Portal portal = await client.ConnectAsync(Conduit.Tcp("localhost", port, clientTls), ct);
            // end snippet

            Assert.NotNull(await portal.LookupAsync<Greet>("greeter", ct).WaitAsync(Bounds.Long));
            Assert.Equal("CN=alice", (await serverPortal.WaitAsync(Bounds.Long)).RemoteCertificate?.Subject);
            await client.DisposeAsync();
            await nexus.DisposeAsync();
        }
        finally
        {
            await serverSystem.Terminate();
        }
    }
}
