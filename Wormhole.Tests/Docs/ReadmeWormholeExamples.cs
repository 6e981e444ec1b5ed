// snippet: transports-usings
using Akka.IO;                        // ByteString
using Akka.Streams;
using Akka.Streams.Dsl;
using Microsoft.AspNetCore.Builder;   // WebApplication (ASP.NET Core)
using Wormhole.Streams;
// end snippet
using System.Net;
using Akka.Actor;
using Wormhole.Reactive;
using Wormhole.Tests.Support;

namespace Wormhole.Tests.Docs;

/// <summary>The README's "Transports": a portal composed into a graph of one's own, and a portal served by ASP.NET Core over WebSocket.</summary>
public sealed class ReadmeWormholeExamples : Akka.TestKit.Xunit2.TestKit
{
    [Fact]
    public async Task ComposeAPortalIntoYourOwnGraph()
    {
        var serverSystem = ActorSystem.Create("composed", "akka.loglevel = WARNING");
        ActorSystem system = Sys;
        try
        {
            var server = Nexus.Create(serverSystem);
            server.Publish("probe", ActorRef<Greeting>.From(CreateTestProbe(serverSystem).Ref));
            await using var listener = await server.ListenTcpAsync(new IPEndPoint(IPAddress.Loopback, 0));
            var port = listener.LocalEndPoint.Port;
            var nexus = Nexus.Create(system);
            long bytesOut = 0;

            // snippet: portal-flow
            // A portal is a Flow<ByteString, ByteString, Task<Portal>>, one frame per element: put anything around it.
            var framedTcp = Framing.SimpleFramingProtocol(1024 * 1024)
                .JoinMat(system.TcpStream().OutgoingConnection("127.0.0.1", port), Keep.Left);
            var (portalTask, killSwitch) = nexus.PortalFlow()
                .Select(frame => { Interlocked.Add(ref bytesOut, frame.Count); return frame; })   // metrics
                .ViaMaterialized(KillSwitches.Single<ByteString>(), Keep.Both)                    // a kill switch
                .Join(framedTcp)
                .Run(system.Materializer());
            Portal portal = await portalTask;
            // … later: killSwitch.Shutdown() closes the portal.
            // end snippet

            await portal.LookupAsync<Greeting>("probe").WaitAsync(Bounds.Long);
            Assert.True(Interlocked.Read(ref bytesOut) > 0);
            killSwitch.Shutdown();
            var reason = await portal.Completion.WaitAsync(Bounds.Long);
            Assert.Equal(PortalCloseKind.ConduitCompleted, reason.Kind);
            await nexus.DisposeAsync();
            await server.DisposeAsync();
        }
        finally
        {
            await serverSystem.Terminate();
        }
    }

    [Fact]
    public async Task ServeOverWebSocket()
    {
        var serverSystem = ActorSystem.Create("web", "akka.loglevel = WARNING");
        ActorSystem clientSystem = Sys;
        var ct = CancellationToken.None;
        try
        {
            var greeter = ActorRef<Greet>.From(CreateTestProbe(serverSystem).Ref);
            var args = new[] { "--urls", "http://127.0.0.1:0" };

            // snippet: websocket-server
            var builder = WebApplication.CreateBuilder(args);
            var app = builder.Build();
            var nexus = Nexus.Create(serverSystem);
            nexus.Publish("greeter", greeter);
            app.UseWebSockets();
            app.MapWormhole("/ws", nexus);   // each WebSocket request becomes one portal
            await app.StartAsync(ct);
            // end snippet

            var uri = app.WebSocketUri();
            var client = Nexus.Create(clientSystem);

            // snippet: websocket-client
            Portal portal = await client.ConnectAsync(Conduit.WebSocket(uri), ct);   // ws://host:port/ws
            // end snippet

            var proxy = await portal.LookupAsync<Greet>("greeter", ct).WaitAsync(Bounds.Long);
            Assert.NotNull(proxy);
            await client.DisposeAsync();
            await app.StopAsync().WaitAsync(Bounds.Long);
            await app.DisposeAsync();
            await nexus.DisposeAsync();
        }
        finally
        {
            await serverSystem.Terminate();
        }
    }
}
