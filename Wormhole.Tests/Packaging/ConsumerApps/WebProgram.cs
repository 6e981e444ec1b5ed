// The Program.cs of a fresh `dotnet new web` app that PackageRestoreRunTests restores Wormhole.AspNetCore into from a
// local feed (not compiled into Wormhole.Tests): MapWormhole, and a client that connects to it over WebSocket.
using Akka.Actor;
using ProtoBuf;
using Wormhole.Reactive;
using Wormhole.Streams;

using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
var ct = timeout.Token;
var serverSystem = ActorSystem.Create("server");
var clientSystem = ActorSystem.Create("client");

var builder = WebApplication.CreateBuilder(args);
builder.WebHost.UseUrls("http://127.0.0.1:0");
builder.Logging.SetMinimumLevel(LogLevel.Warning);
var app = builder.Build();
var nexus = Nexus.Create(serverSystem);
nexus.Publish("adder", FnActor.Spawn<Add>(serverSystem, async ctx =>
{
    await foreach (var add in ctx.Messages)
    {
        add.Reply?.Reply(add.A + add.B);
    }
}));
app.UseWebSockets();
app.MapWormhole("/ws", nexus);
await app.StartAsync(ct);

var uri = new UriBuilder(app.Urls.Single()) { Scheme = "ws", Path = "/ws" }.Uri;
var client = Nexus.Create(clientSystem);
Portal portal = await client.ConnectAsync(Conduit.WebSocket(uri), ct);
ActorRef<Add> remoteAdder = await portal.LookupAsync<Add>("adder", ct);
int sum = await remoteAdder.Ask<int>(port => new Add { A = 20, B = 22, Reply = port }, TimeSpan.FromSeconds(30), ct);
Console.WriteLine($"web over websocket: 20 + 22 = {sum}");

await portal.CloseAsync("done", ct);
await client.DisposeAsync();
await app.StopAsync(ct);
await nexus.DisposeAsync();
await Task.WhenAll(clientSystem.Terminate(), serverSystem.Terminate());
Console.WriteLine("web done");

[ProtoContract]
public sealed record Add
{
    [ProtoMember(1)] public int A { get; init; }
    [ProtoMember(2)] public int B { get; init; }
    [ProtoMember(3)] public ReplyPort<int>? Reply { get; init; }
}
