// The Program.cs of a fresh `dotnet new web` app that PackageRestoreRunTests restores Wormhole.AspNetCore into from a
// local feed (not compiled into Wormhole.Tests): AddAkka + AddWormhole + MapWormhole with options from appsettings.json
// (WebProgram.appsettings.json), and a client that connects to it over WebSocket.
// snippet: aspnetcore-hosting
using Akka.Hosting;
using Wormhole.Reactive;
using Wormhole.Streams;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddAkka("server", akka => akka.WithActors((system, registry) =>
    registry.Register<Adder>(FnActor.Spawn<Add>(system, Adder.RunAsync).Untyped)));
builder.Services.AddWormhole(wormhole => wormhole.Publish<Add, Adder>("adder"));
var app = builder.Build();
app.UseWebSockets();
app.MapWormhole("/ws");
// end snippet

using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
var ct = timeout.Token;
app.Urls.Add("http://127.0.0.1:0");
await app.StartAsync(ct);
var server = app.Services.GetRequiredService<Nexus>();
Console.WriteLine($"options from appsettings.json: MaxFrameBytes = {server.Options.MaxFrameBytes}, IdleTimeout = {server.Options.IdleTimeout}");

var clientSystem = Akka.Actor.ActorSystem.Create("client");
var client = Nexus.Create(clientSystem);
var uri = new UriBuilder(app.Urls.Single()) { Scheme = "ws", Path = "/ws" }.Uri;
Portal portal = await client.ConnectAsync(Conduit.WebSocket(uri), ct);
ActorRef<Add> remoteAdder = await portal.LookupAsync<Add>("adder", ct);
int sum = await remoteAdder.Ask<int>(port => new Add { A = 20, B = 22, Reply = port }, TimeSpan.FromSeconds(30), ct);
Console.WriteLine($"web over websocket: 20 + 22 = {sum}");

await app.StopAsync(ct); // the host says goodbye to every client
Console.WriteLine($"the client's portal closed: {await portal.Completion.WaitAsync(ct)}");
await client.DisposeAsync();
await clientSystem.Terminate();
Console.WriteLine("web done");

[ProtoBuf.ProtoContract]
public sealed record Add
{
    [ProtoBuf.ProtoMember(1)] public int A { get; init; }
    [ProtoBuf.ProtoMember(2)] public int B { get; init; }
    [ProtoBuf.ProtoMember(3)] public ReplyPort<int>? Reply { get; init; }
}

/// <summary>The actor that adds; also its key in Akka.Hosting's ActorRegistry.</summary>
public sealed class Adder
{
    public static async Task RunAsync(FnActorContext<Add> actor)
    {
        await foreach (var add in actor.Messages)
        {
            add.Reply?.Reply(add.A + add.B);
        }
    }
}
