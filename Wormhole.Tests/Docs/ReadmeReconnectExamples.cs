using System.Net;
using Akka.Actor;
using Wormhole.Reactive;
using Wormhole.Streams;
using Wormhole.Tests.Support;

namespace Wormhole.Tests.Docs;

/// <summary>The README's "Reconnecting": a client over two servers goes on through the second when the first shuts down.</summary>
public sealed class ReadmeReconnectExamples : Akka.TestKit.Xunit2.TestKit
{
    [Fact]
    public async Task ReconnectThroughTheNextServer()
    {
        var systems = new[] { ActorSystem.Create("node-a", "akka.loglevel = WARNING"), ActorSystem.Create("node-b", "akka.loglevel = WARNING") };
        var nodes = systems.Select(system => Nexus.Create(system)).ToArray();
        var greeters = systems.Select(system => CreateTestProbe(system)).ToArray();
        var ct = CancellationToken.None;
        try
        {
            var listeners = new List<WormholeListener>();
            for (var i = 0; i < 2; i++)
            {
                nodes[i].Publish("greeter", ActorRef<Greet>.From(greeters[i].Ref));
                listeners.Add(await nodes[i].ListenTcpAsync(new IPEndPoint(IPAddress.Loopback, 0)));
            }

            var (nodeA, nodeB) = (listeners[0].LocalEndPoint, listeners[1].LocalEndPoint);
            var client = Nexus.Create(Sys);
            var states = new List<ConnectionState>();
            ActorRef<Greet>? greeter = null;

            // snippet: reconnecting
            await using ReconnectingPortal connection = await client.ConnectAsync(
                new ReconnectPolicy(Conduit.Tcp(nodeA), Conduit.Tcp(nodeB)) { MaxAttempts = 20 }, ct);
            using var ui = connection.States.Subscribe(state => Console.WriteLine(state));     // Connected, Reconnecting(attempt, delay, reason), Closed
            using var lookups = connection.Lookup<Greet>("greeter").Subscribe(g => greeter = g); // a new proxy on each new portal
            // end snippet
            using var recording = connection.States.Subscribe(state => { lock (states) { states.Add(state); } });

            await AwaitConditionAsync(() => Task.FromResult(greeter is not null), Bounds.Long);
            greeter!.Tell(new Greet { Name = "a" });
            await greeters[0].ExpectMsgAsync<Greet>(Bounds.Long);
            var first = greeter;

            await nodes[0].DisposeAsync(); // a Goodbye: the client goes on through node B

            await AwaitConditionAsync(() => Task.FromResult(greeter != first), Bounds.Long);
            greeter.Tell(new Greet { Name = "b" });
            Assert.Equal("b", (await greeters[1].ExpectMsgAsync<Greet>(Bounds.Long)).Name);
            lock (states)
            {
                Assert.Contains(states, state => state is ConnectionState.Reconnecting { Reason.Kind: PortalCloseKind.ClosedByPeer });
            }

            await client.DisposeAsync();
            foreach (var listener in listeners)
            {
                await listener.DisposeAsync();
            }
        }
        finally
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }

            await Task.WhenAll(systems.Select(system => system.Terminate()));
        }
    }
}
