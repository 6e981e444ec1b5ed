// The Program.cs of a fresh `dotnet new console` app that PackageRestoreRunTests restores Wormhole.Streams,
// Wormhole.Reactive and Wormhole.Testing into from a local feed (not compiled into Wormhole.Tests).
using System.Net;
using Akka.Actor;
using ProtoBuf;
using Wormhole.Reactive;
using Wormhole.Streams;
using Wormhole.Testing;

using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
var ct = timeout.Token;
var serverSystem = ActorSystem.Create("server");
var clientSystem = ActorSystem.Create("client");

var server = Nexus.Create(serverSystem);
var adder = FnActor.Spawn<Add>(serverSystem, async ctx =>
{
    await foreach (var add in ctx.Messages)
    {
        add.Reply?.Reply(add.A + add.B);
    }
});
server.Publish("adder", adder);
await using var listener = await server.ListenTcpAsync(new IPEndPoint(IPAddress.Loopback, 0), ct);

var client = Nexus.Create(clientSystem);
Portal portal = await client.ConnectAsync(Conduit.Tcp(listener.LocalEndPoint), ct);
ActorRef<Add> remoteAdder = await portal.LookupAsync<Add>("adder", ct);
int sum = await remoteAdder.Ask<int>(port => new Add { A = 2, B = 3, Reply = port }, TimeSpan.FromSeconds(30), ct);
Console.WriteLine($"console over tcp: 2 + 3 = {sum}");

Console.WriteLine($"testing config: {DeterministicActorSystem.Config.GetString("akka.actor.default-dispatcher.type")}");

await portal.CloseAsync("done", ct);
await client.DisposeAsync();
await server.DisposeAsync();
await Task.WhenAll(clientSystem.Terminate(), serverSystem.Terminate());
Console.WriteLine("console done");

[ProtoContract]
public sealed record Add
{
    [ProtoMember(1)] public int A { get; init; }
    [ProtoMember(2)] public int B { get; init; }
    [ProtoMember(3)] public ReplyPort<int>? Reply { get; init; }
}
