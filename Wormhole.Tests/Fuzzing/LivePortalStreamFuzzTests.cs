using System.Diagnostics;
using System.Net.Sockets;
using Wormhole.Streams;
using Wormhole.Streams.Protocol;
using Wormhole.Tests.Hostile;
using Wormhole.Tests.Support;
using Xunit.Abstractions;

namespace Wormhole.Tests.Fuzzing;

/// <summary>
/// Seeded random stream frames (<c>Demand</c>, <c>StreamItems</c>, <c>StreamEnd</c>, <c>StreamCancel</c>; in every third
/// round a tenth of them mutated further by <see cref="ProtobufMutator"/>, which mostly ends the round) driven into a live portal of the hostile server over TCP, one
/// connection per round, the bytes cut at random across frame boundaries. Ids are mostly those of real streams (the
/// server's, which the peer demands; the peer's, which the server consumes), sometimes the other table's, an actor's, a
/// made-up or an empty one; sequence numbers are mostly the next one. Every third round sends fewer frames, only about
/// real streams and in order (<see cref="StreamFrameMaker"/>'s plausible mode), so that some rounds outlive MaxUnknownRequests. Invariants: nothing escapes Wormhole (no unhandled
/// or unobserved exception, no error log), every round ends with the portal still answering or closed with a protocol
/// fault or limit (never a failed stage), the server's consumer of the peer's stream ends completed, with a
/// <see cref="RemoteStreamException"/> or <see cref="PortalClosedException"/>, and the good clients keep their round trips.
/// </summary>
public sealed class LivePortalStreamFuzzTests(TcpHostileServer server, ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output), IClassFixture<TcpHostileServer>
{
    private const int FramesPerRound = 150;

    private const ulong SettleRequest = 987_654_321;

    private static readonly int[] NestDepths = [2, 8, 64];

    [Fact]
    public async Task Fuzz_StreamFramesIntoALivePortal_CutAcrossChunkBoundaries_NothingEscapes_GoodClientsUnharmed()
    {
        var seed = FuzzSettings.Seed;
        var random = new Random(seed);
        var mutator = new ProtobufMutator(random, NestDepths);
        var donors = FrameDecoderFuzzTests.Seeds();
        var (sent, outcomes, consumers) = (new SortedDictionary<string, int>(), new SortedDictionary<string, int>(), new SortedDictionary<string, int>());
        using var watch = server.Watch(Output!.WriteLine);
        var clock = Stopwatch.StartNew();

        for (var round = 0; round < FuzzSettings.LiveRounds; round++)
        {
            var peer = await server.ConnectRawAsync();
            Portal portal;
            Task<(List<int> Pieces, Exception? Failure)> consuming;
            try
            {
                await peer.HelloAsync();
                portal = await watch.OpenedPortalAsync(round);
                var streams = await peer.LookupAsync("streams");
                var sink = await peer.LookupAsync("sink", requestId: 2);
                var actor = await peer.LookupAsync("silent", requestId: 3);
                var produced = await peer.AskStreamsAsync(streams, count: random.Next(2) == 0 ? 20 : 2_000, tag: round, howMany: 2, padBytes: random.Next(3) == 0 ? 100 : 0);
                WireId[] consumed = [RandomId(random), RandomId(random)];
                await peer.OfferStreamsAsync(sink, round, [.. consumed.Select(id => RawStreamExtensions.Ref(id))]);
                var offer = await server.OfferAsync(round);
                consuming = DrainAsync(offer.Events!); // claimed at once; the other stays unclaimed
                var plausible = round % 3 == 1;
                var frames = new StreamFrameMaker(random, produced, consumed, actor, plausible);
                var bytes = new List<byte>();
                for (var i = 0; i < (plausible ? FramesPerRound / 5 : FramesPerRound); i++)
                {
                    var frame = frames.Next();
                    var body = FrameCodec.Encode(frame).ToArray();
                    var name = frame.GetType().Name;
                    if (round % 3 == 2 && random.Next(10) == 0)
                    {
                        body = mutator.Mutate(body, donors);
                        name += " (mutated)";
                    }

                    Count(sent, name);
                    bytes.AddRange(RawTcpPeer.Prefixed(body));
                }

                await SendInPiecesAsync(peer, [.. bytes], random);
                Count(outcomes, await SettleAsync(peer, portal, round));
            }
            finally
            {
                await peer.DisposeAsync();
            }

            await portal.Completion.WaitAsync(Bounds.Long);
            var (_, failure) = await consuming.WaitAsync(Bounds.Long);
            Count(consumers, failure switch { null => "completed", RemoteStreamException remote => $"RemoteStreamException ({(remote.Code.Length <= 32 && remote.Code.All(c => char.IsAsciiLetterOrDigit(c) || c == '-') ? remote.Code : "the peer's own code")})", _ => failure.GetType().Name });
            Assert.True(failure is null or RemoteStreamException or PortalClosedException, $"round {round} (seed {seed}): the server's consumer failed with {failure}");
        }

        await AwaitAssertAsync(() => Assert.Equal(HostileServer.GoodClientCount, server.Nexus.Portals.Count), Bounds.Long, TimeSpan.FromMilliseconds(100));
        Output!.WriteLine($"{FuzzSettings.LiveRounds} rounds of up to {FramesPerRound} frames (seed {seed}) in {clock.Elapsed.TotalSeconds:0.0} s");
        Output!.WriteLine($"sent: {string.Join(", ", sent.Select(p => $"{p.Value:N0} {p.Key}"))}");
        Output!.WriteLine($"rounds ended: {string.Join("; ", outcomes.Select(p => $"{p.Value} × {p.Key}"))}");
        Output!.WriteLine($"the server's consumer: {string.Join("; ", consumers.Select(p => $"{p.Value} × {p.Key}"))}");
        await watch.AssertBystandersUnharmedAsync(this);
        Assert.True(outcomes.Count >= 3, "the rounds ended in fewer than 3 ways: the frames no longer reach much");
    }

    /// <summary>Sends <paramref name="bytes"/> in writes of 1 to 16 or 1 to 4,096 bytes, cutting through prefixes and frames; stops once the server closed.</summary>
    private static async Task SendInPiecesAsync(IRawPeer peer, byte[] bytes, Random random)
    {
        for (var at = 0; at < bytes.Length && !peer.Closed;)
        {
            var length = Math.Min(bytes.Length - at, 1 + random.Next(random.Next(2) == 0 ? 16 : 4_096));
            try
            {
                await peer.SendRawAsync(bytes.AsMemory(at, length));
            }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
            {
                return; // the server closed the connection under the write
            }

            at += length;
        }
    }

    /// <summary>After the frames: a lookup answered ("open") or the server's close, whose kind must be a fault of the peer's.</summary>
    private static async Task<string> SettleAsync(IRawPeer peer, Portal portal, int round)
    {
        try
        {
            await peer.SendFrameAsync(new Lookup { RequestId = SettleRequest, Name = "echo" });
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
        }

        while (await peer.ReceiveAsync(Bounds.Long) is { } frame)
        {
            if (frame is LookupReply { RequestId: SettleRequest })
            {
                return "open";
            }
        }

        var reason = await portal.Completion.WaitAsync(Bounds.Long);
        Assert.True(
            reason.Kind is PortalCloseKind.ProtocolViolation or PortalCloseKind.LimitExceeded or PortalCloseKind.ClosedByPeer or PortalCloseKind.PeerError,
            $"round {round}: the portal closed with {reason}");
        return $"{reason.Kind} {reason.Code}";
    }

    private static async Task<(List<int> Pieces, Exception? Failure)> DrainAsync(IAsyncEnumerable<Piece> stream)
    {
        var pieces = new List<int>();
        try
        {
            await foreach (var piece in stream)
            {
                pieces.Add(piece.N);
            }

            return (pieces, null);
        }
        catch (Exception e)
        {
            return (pieces, e);
        }
    }

    private static WireId RandomId(Random random) => new() { High = (ulong)random.NextInt64() | 1, Low = (ulong)random.NextInt64() };

    private static void Count(IDictionary<string, int> counts, string key) => counts[key] = counts.TryGetValue(key, out var n) ? n + 1 : 1;
}
