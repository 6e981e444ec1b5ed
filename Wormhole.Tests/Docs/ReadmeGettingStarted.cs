// snippet: getting-started-usings
using System.Net;
using Akka.Actor;
using ProtoBuf;
using Wormhole.Reactive;
using Wormhole.Streams;
// end snippet

namespace Wormhole.Tests.Docs;

// snippet: getting-started-contracts
[ProtoContract]
public sealed record Greet
{
    [ProtoMember(1)] public string Name { get; init; } = "";
    [ProtoMember(2)] public ActorRef<Greeting>? ReplyTo { get; init; }   // a reference inside a message
}

[ProtoContract]
public sealed record Greeting
{
    [ProtoMember(1)] public string Text { get; init; } = "";
}

[ProtoContract]
public sealed record Add
{
    [ProtoMember(1)] public int A { get; init; }
    [ProtoMember(2)] public int B { get; init; }
    [ProtoMember(3)] public ReplyPort<int>? Reply { get; init; }         // a one-shot reply port
}
// end snippet

/// <summary>The README's "Getting started": a server and a client actor system over real TCP on 127.0.0.1.</summary>
public sealed class ReadmeGettingStarted : Akka.TestKit.Xunit2.TestKit
{
    [Fact]
    public async Task GettingStarted()
    {
        var ct = CancellationToken.None;
        var serverSystem = ActorSystem.Create("server", "akka.loglevel = WARNING");
        ActorSystem clientSystem = Sys;
        var heard = CreateTestProbe();
        try
        {
            // snippet: getting-started-server
            var server = Nexus.Create(serverSystem);
            var greeter = FnActor.Spawn<Greet>(serverSystem, async ctx =>
            {
                await foreach (var greet in ctx.Messages)
                {
                    greet.ReplyTo?.Tell(new Greeting { Text = $"Hello, {greet.Name}!" });
                }
            });
            var adder = FnActor.Spawn<Add>(serverSystem, async ctx =>
            {
                await foreach (var add in ctx.Messages)
                {
                    add.Reply?.Reply(add.A + add.B);
                }
            });
            server.Publish("greeter", greeter);   // reachable from every portal, current and future
            server.Publish("adder", adder);
            await using var listener = await server.ListenTcpAsync(new IPEndPoint(IPAddress.Loopback, 0), ct);
            // end snippet

            // snippet: getting-started-client
            var client = Nexus.Create(clientSystem);
            Portal portal = await client.ConnectAsync(Conduit.Tcp(listener.LocalEndPoint), ct);
            ActorRef<Greet> remoteGreeter = await portal.LookupAsync<Greet>("greeter", ct);
            ActorRef<Add> remoteAdder = await portal.LookupAsync<Add>("adder", ct);

            var me = FnActor.Spawn<Greeting>(clientSystem, async ctx =>
            {
                await foreach (var greeting in ctx.Messages)
                {
                    Console.WriteLine(greeting.Text);   // "Hello, Ada!"
                }
            });
            remoteGreeter.Tell(new Greet { Name = "Ada", ReplyTo = me });   // `me` arrives as a working proxy

            int sum = await remoteAdder.Ask<int>(port => new Add { A = 2, B = 3, Reply = port }, TimeSpan.FromSeconds(5), ct);
            // end snippet

            Assert.Equal(5, sum);
            remoteGreeter.Tell(new Greet { Name = "Ada", ReplyTo = ActorRef<Greeting>.From(heard.Ref) });
            Assert.Equal("Hello, Ada!", heard.ExpectMsg<Greeting>(Support.Bounds.Long).Text);

            // snippet: getting-started-watch
            var watcher = clientSystem.ActorOf(Props.Create(() => new GoneWatcher(remoteGreeter.Untyped)));
            client.Events.Subscribe(e => Console.WriteLine(e));     // PortalEvent.Opened / PortalEvent.Closed(reason)
            await serverSystem.Terminate();                          // the server goes away…
            PortalCloseReason reason = await portal.Completion;     // …the portal says why it closed,
            // the watcher gets Terminated for the proxy, and pending asks fail with PortalClosedException.
            // end snippet

            Assert.True(reason.Kind is PortalCloseKind.ConduitCompleted or PortalCloseKind.ConduitFailed or PortalCloseKind.ClosedByPeer, reason.ToString());
            await GoneWatcher.Gone.Task.WaitAsync(Support.Bounds.Long);
            Assert.NotNull(watcher);
            await client.DisposeAsync();
        }
        finally
        {
            await serverSystem.Terminate();
        }
    }

    private sealed class GoneWatcher : ReceiveActor
    {
        public static readonly TaskCompletionSource Gone = new(TaskCreationOptions.RunContinuationsAsynchronously);

        // snippet: getting-started-watcher
        public GoneWatcher(IActorRef remote)
        {
            Context.Watch(remote);   // a proxy is watched like any actor
            Receive<Terminated>(t => Console.WriteLine($"{t.ActorRef.Path} is gone (remote death or disconnect)"));
        }
        // end snippet

        protected override bool AroundReceive(Receive receive, object message)
        {
            if (message is Terminated)
            {
                Gone.TrySetResult();
            }

            return base.AroundReceive(receive, message);
        }
    }
}
