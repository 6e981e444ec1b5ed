using System.Diagnostics;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Dsl;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Wormhole.Benchmarks.Contracts;
using Wormhole.Benchmarks.Harness;
using Wormhole.Benchmarks.Servers;

namespace Wormhole.Benchmarks.Workloads;

/// <summary>The client ends of the stream workloads: Wormhole and its peers, the raw socket, Akka StreamRefs, SignalR streaming.</summary>
internal static class StreamPeers
{
    /// <summary>Asks the Wormhole server's streamer for a <see cref="Feed"/>: its stream of <paramref name="count"/> elements (0: endless).</summary>
    public static async Task<IAsyncEnumerable<Small>> WormholeFeedAsync(Wormhole.Reactive.ActorRef<StreamRequest> streamer, long count, CancellationToken cancel = default)
    {
        var feed = await streamer.Ask<Feed>(port => new StreamRequest { Count = count, Reply = port }, Clients.Bound, cancel);
        return feed.Items ?? throw new InvalidOperationException("the feed came without its stream");
    }

    /// <summary>A Wormhole feed of <paramref name="total"/> elements read to its end, from the request until the last element.</summary>
    public static Task<TimeSpan> Wormhole(Wormhole.Reactive.ActorRef<StreamRequest> streamer, long total) =>
        ConsumeAsync(cancel => WormholeFeedAsync(streamer, total, cancel), total);

    /// <summary>A connection to <see cref="RawStreamServer"/>, kept for every command of a system's runs.</summary>
    public static Socket RawConnect(ChildServer server)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        socket.Connect("127.0.0.1", server.Port);
        return socket;
    }

    /// <summary>
    /// Asks <see cref="RawStreamServer"/> for <paramref name="total"/> elements and decodes each; the time runs from the
    /// request until the last is decoded.
    /// </summary>
    public static TimeSpan Raw(Socket socket, long total)
    {
        var reader = new RawSocket.FrameReader(socket);
        var clock = Stopwatch.StartNew();
        socket.Send(RawStreamServer.Command(RawStreamServer.StreamCommand, total));
        var received = 0L;
        var last = -1;
        while (received < total && reader.ReadBatch(frame =>
               {
                   last = ProtoBuf.Serializer.Deserialize<Small>(frame).Id;
                   received++;
               }) > 0)
        {
        }

        var elapsed = clock.Elapsed;
        return Check(received, total, last, elapsed);
    }

    /// <summary>
    /// A SignalR connection to <see cref="SignalRServer"/>'s hub at <paramref name="path"/> (by default the stream hub):
    /// WebSocket straight away (no negotiation), MessagePack.
    /// </summary>
    public static async Task<HubConnection> SignalRAsync(ChildServer server, string path = SignalRServer.Path)
    {
        var connection = new HubConnectionBuilder()
            .WithUrl($"http://{server.Endpoint}{path}", HttpTransportType.WebSockets, options => options.SkipNegotiation = true)
            .AddMessagePackProtocol()
            .Build();
        await connection.StartAsync().WaitAsync(Clients.Bound);
        return connection;
    }

    /// <summary><see cref="StreamHub.Stream"/> through <c>StreamAsync</c>, from the call until the last element.</summary>
    public static Task<TimeSpan> SignalR(HubConnection connection, long total) =>
        ConsumeAsync(cancel => Task.FromResult(connection.StreamAsync<Small>(nameof(StreamHub.Stream), total, cancel)), total);

    /// <summary>A remoting actor system configured for StreamRefs (<see cref="Config.StreamRefs"/>) and the server's producer.</summary>
    public static async Task<(ActorSystem System, IActorRef Streamer, IMaterializer Materializer)> StreamRefsAsync(ChildServer server)
    {
        var system = ActorSystem.Create("client", Config.StreamRefs);
        var streamer = await system.ActorSelection($"akka.tcp://server@{server.Endpoint}/user/streamer").ResolveOne(Clients.Bound);
        return (system, streamer, system.Materializer(null, null));
    }

    /// <summary>Asks <see cref="StreamRefsProducer"/> for a source ref and runs it into a sink that counts; from the ask until completion.</summary>
    public static async Task<TimeSpan> StreamRefs(IActorRef streamer, IMaterializer materializer, long total)
    {
        var clock = Stopwatch.StartNew();
        var sourceRef = await streamer.Ask<ISourceRef<Small>>(total, Clients.Bound);
        var received = 0L;
        var last = -1;
        await sourceRef.Source.RunForeach(
            small =>
            {
                last = small.Id;
                received++;
            },
            materializer).WaitAsync(Clients.Bound);
        return Check(received, total, last, clock.Elapsed);
    }

    /// <summary>Opens a stream and reads it to its end; from the call until the last element.</summary>
    public static async Task<TimeSpan> ConsumeAsync(Func<CancellationToken, Task<IAsyncEnumerable<Small>>> open, long total)
    {
        using var cancel = new CancellationTokenSource(Clients.Bound);
        var clock = Stopwatch.StartNew();
        var items = await open(cancel.Token);
        var received = 0L;
        var last = -1;
        await foreach (var small in items.WithCancellation(cancel.Token))
        {
            last = small.Id;
            received++;
        }

        return Check(received, total, last, clock.Elapsed);
    }

    private static TimeSpan Check(long received, long total, int last, TimeSpan elapsed) =>
        received == total && last == (int)(total - 1)
            ? elapsed
            : throw new InvalidOperationException($"the stream ended after {received:N0} of {total:N0} elements (last id {last})");
}
