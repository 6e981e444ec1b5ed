using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Akka.IO;
using Wormhole.Reactive;
using Wormhole.Streams;
using Wormhole.Streams.Protocol;
using Wormhole.Tests.Hostile;
using Wormhole.Tests.Streams;
using Wormhole.Tests.Support;
using Xunit.Abstractions;

namespace Wormhole.Tests.Security;

/// <summary>Memory is measured in this process, so these tests run alone.</summary>
[CollectionDefinition(nameof(MemoryUnderAttackTests), DisableParallelization = true)]
public sealed class MemoryUnderAttackCollection
{
}

/// <summary>
/// A peer floods a real TCP server, or stops reading, with Wormhole's default limits: the server's managed memory stays
/// under a stated bound and five well-behaved clients keep getting answers throughout.
/// </summary>
[Collection(nameof(MemoryUnderAttackTests))]
public sealed class MemoryUnderAttackTests : Akka.TestKit.Xunit2.TestKit, IAsyncLifetime
{
    /// <summary>What the server may grow by under attack: a rate-limited portal holds a few frames, Akka.IO its buffers.</summary>
    private const long Bound = 64L * 1024 * 1024;

    private static readonly TimeSpan AttackTime = TimeSpan.FromSeconds(4);

    private readonly ITestOutputHelper _output;
    private readonly List<GoodClient> _goodClients = [];
    private RemoteSide _server = null!;
    private WormholeListener _listener = null!;
    private Nexus _clients = null!;

    public MemoryUnderAttackTests(ITestOutputHelper output) => _output = output;

    public async Task InitializeAsync()
    {
        _server = RemoteSide.Create("attacked");
        _server.Nexus.Publish("echo", FnActor.Spawn<Ping>(_server.System, async ctx =>
        {
            await foreach (var ping in ctx.Messages)
            {
                ping.ReplyTo?.Tell(new Pong { N = ping.N });
            }
        }));
        _server.Nexus.Publish("square", FnActor.Spawn<Square>(_server.System, async ctx =>
        {
            await foreach (var square in ctx.Messages)
            {
                square.Reply?.Reply(square.Value * square.Value);
            }
        }));
        _server.Nexus.Publish("blobs", FnActor.Spawn<Blob>(_server.System, async ctx =>
        {
            await foreach (var blob in ctx.Messages)
            {
                blob.ReplyTo?.Tell(new Blob { Data = new byte[blob.ReplySize] });
            }
        }));
        _listener = await _server.Nexus.ListenTcpAsync(new IPEndPoint(IPAddress.Loopback, 0));
        _clients = Nexus.Create(Sys);
        for (var i = 0; i < 5; i++)
        {
            _goodClients.Add(await GoodClient.StartAsync(i, Sys, _clients, Conduit.Tcp(_listener.LocalEndPoint)));
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var client in _goodClients)
        {
            await client.DisposeAsync();
        }

        await _clients.DisposeAsync();
        await _listener.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Flood_PeerSendsAsFastAsItCan_ServerMemoryStaysBounded_GoodClientsGetThrough()
    {
        using var flooder = await RawConnectAsync();
        var echo = await LookupAsync(flooder, "echo");
        var frame = Framed(new Deliver { Target = echo, Payload = RawInMemoryPeer.PingPayload(1, default) });
        var before = GoodRoundTrips();

        var (peak, baseline, sent) = await MeasureWhileAsync(async stop =>
        {
            var sentFrames = 0L;
            var batch = Enumerable.Repeat(frame, 256).SelectMany(f => f).ToArray();
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    await flooder.GetStream().WriteAsync(batch, stop);
                }
                catch (OperationCanceledException)
                {
                    break; // the server's TCP window was closed: the write waited out the attack
                }

                sentFrames += 256;
            }

            return sentFrames;
        });

        _output.WriteLine($"flood: {sent:N0} frames sent in {AttackTime.TotalSeconds} s; server memory {baseline / 1048576.0:N1} MiB → peak {peak / 1048576.0:N1} MiB (bound +{Bound / 1048576} MiB)");
        Assert.True(peak - baseline < Bound, $"the server grew by {(peak - baseline) / 1048576.0:N1} MiB under the flood");
        AssertGoodClientsGotThrough(before);
        var floodPortal = _server.Nexus.Portals.Single(p => p.Counters.FramesIn > 1_000);
        Assert.True(floodPortal.Counters.FramesIn < sent, "the server read everything: the rate limit did not push back");
    }

    [Fact]
    public async Task SlowReader_PeerNeverReads_OutboundByteLimitClosesItsPortal_ServerMemoryStaysBounded_GoodClientsGetThrough()
    {
        using var reader = await RawConnectAsync();
        var blobs = await LookupAsync(reader, "blobs");
        var me = WireId.NewRandom();
        var ask = BlobRequest(4_000, me);
        var before = GoodRoundTrips();
        var reasons = new List<PortalCloseReason>();
        using var subscription = _server.Nexus.Events.Subscribe(e =>
        {
            if (e is PortalEvent.Closed c)
            {
                lock (reasons)
                {
                    reasons.Add(c.Reason);
                }
            }
        });

        // Each request asks the server for 4 KB through the peer's reference; the peer never reads, so the answers pile up.
        var (peak, baseline, _) = await MeasureWhileAsync(async stop =>
        {
            var n = 0;
            try
            {
                while (!stop.IsCancellationRequested)
                {
                    var batch = Enumerable.Repeat(Framed(new Deliver { Target = blobs, Payload = ask }), 256).SelectMany(f => f).ToArray();
                    await reader.GetStream().WriteAsync(batch, stop);
                    n += 256;
                }
            }
            catch (Exception e) when (e is OperationCanceledException or IOException)
            {
                // the server closed the connection, or stopped reading it
            }

            return (long)n;
        });

        _output.WriteLine($"slow reader: server memory {baseline / 1048576.0:N1} MiB → peak {peak / 1048576.0:N1} MiB (bound +{Bound / 1048576} MiB); reasons: {string.Join("; ", reasons)}");
        await AwaitAssertAsync(
            () =>
            {
                lock (reasons)
                {
                    Assert.Contains(reasons, r => r.Kind == PortalCloseKind.LimitExceeded && r.Message.Contains("MaxOutboundBytes", StringComparison.Ordinal));
                }
            },
            Bounds.Long);
        Assert.True(peak - baseline < Bound, $"the server grew by {(peak - baseline) / 1048576.0:N1} MiB under the slow reader");
        AssertGoodClientsGotThrough(before);
    }

    /// <summary>Runs the attack for <see cref="AttackTime"/> while sampling the live managed heap; returns its peak, the baseline and the attack's result.</summary>
    private async Task<(long Peak, long Baseline, long Result)> MeasureWhileAsync(Func<CancellationToken, Task<long>> attack)
    {
        var baseline = GC.GetTotalMemory(forceFullCollection: true);
        var peak = baseline;
        using var stop = new CancellationTokenSource(AttackTime);
        var attacking = Task.Run(() => attack(stop.Token));
        using var ticks = new PeriodicTimer(TimeSpan.FromMilliseconds(200));
        while (!attacking.IsCompleted && await ticks.WaitForNextTickAsync())
        {
            peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: true)); // what the server holds on to, not its garbage
        }

        return (peak, baseline, await attacking);
    }

    private long[] GoodRoundTrips() => _goodClients.Select(c => c.RoundTrips).ToArray();

    private void AssertGoodClientsGotThrough(long[] before)
    {
        AwaitAssert(
            () =>
            {
                foreach (var client in _goodClients)
                {
                    Assert.True(client.RoundTrips > before[client.Index] + 5, $"{client} made no progress during the attack");
                    Assert.True(client.Portal.IsOpen, $"{client} lost its portal");
                }
            },
            Bounds.Long);
    }

    private async Task<TcpClient> RawConnectAsync()
    {
        var client = new TcpClient();
        await client.ConnectAsync(_listener.LocalEndPoint).WaitAsync(Bounds.Long);
        await client.GetStream().WriteAsync(Framed(new Hello { ProtocolVersion = Hello.CurrentVersion, SideId = WireId.NewRandom(), ConduitHalf = WireId.NewRandom(), MaxFrameBytes = 1024 * 1024 }));
        return client;
    }

    /// <summary>Looks up a name and reads frames until the reply (the server's Hello comes first).</summary>
    private static async Task<WireId> LookupAsync(TcpClient client, string name)
    {
        await client.GetStream().WriteAsync(Framed(new Lookup { RequestId = 1, Name = name }));
        while (true)
        {
            var length = new byte[4];
            await client.GetStream().ReadExactlyAsync(length).AsTask().WaitAsync(Bounds.Long);
            var body = new byte[BinaryPrimitives.ReadInt32BigEndian(length)];
            await client.GetStream().ReadExactlyAsync(body).AsTask().WaitAsync(Bounds.Long);
            if (FrameCodec.Decode(ByteString.FromBytes(body), int.MaxValue) is LookupReply reply)
            {
                return reply.ActorId;
            }
        }
    }

    /// <summary>A <c>Blob { ReplySize, ReplyTo }</c> payload whose reply reference is an id of the raw peer.</summary>
    private static byte[] BlobRequest(int replySize, WireId replyTo)
    {
        using var stream = new MemoryStream();
        ProtoBuf.Serializer.Serialize(stream, new RawBlobRequest { ReplySize = replySize, ReplyTo = new RawInMemoryPeer.RawRef { High = replyTo.High, Low = replyTo.Low } });
        return stream.ToArray();
    }

    private static byte[] Framed(Frame frame)
    {
        var body = FrameCodec.Encode(frame).ToArray();
        var framed = new byte[4 + body.Length];
        BinaryPrimitives.WriteInt32BigEndian(framed, body.Length);
        body.CopyTo(framed, 4);
        return framed;
    }

    /// <summary>Mirrors <c>Blob</c>'s fields 2 and 3 on the wire.</summary>
    [ProtoBuf.ProtoContract]
    internal sealed class RawBlobRequest
    {
        [ProtoBuf.ProtoMember(2)] public int ReplySize { get; set; }
        [ProtoBuf.ProtoMember(3)] public RawInMemoryPeer.RawRef? ReplyTo { get; set; }
    }
}
