using Wormhole.Streams;
using Wormhole.Streams.Protocol;
using Wormhole.Tests.Support;
using Xunit.Abstractions;
using static Wormhole.Tests.Hostile.HandWire;

namespace Wormhole.Tests.Hostile;

/// <summary>The hostile stream scenarios against a TCP listener, and the stream protocol spoken byte by byte.</summary>
public sealed class TcpHostileStreamTests(TcpHostileServer server, ITestOutputHelper output) : HostileStreamScenarios(server, output), IClassFixture<TcpHostileServer>
{
    /// <summary>
    /// Streams across the wormhole as another language's implementation would speak them, every byte by hand (no protobuf
    /// library; <see cref="HandWire"/> writes varints, fixed64 ids and length-delimited fields): over TCP each frame is a
    /// 4-byte big-endian length and a protobuf <c>Frame</c> whose one field, numbered by kind, holds the frame.
    /// The peer asks the server's "streams" actor for a stream of 1,000 pieces through a reply port, finds the
    /// <c>StreamRef</c> in the reply's payload, opens it with a <c>Demand</c>, reads its <c>StreamItems</c> (each element
    /// a <c>Piece</c> payload), grants more credit as it goes (cumulative counts), and reads the <c>StreamEnd</c>.
    /// </summary>
    [Fact]
    public async Task StreamFramesSpokenByHand_AskForAStream_FindItsRef_DemandIt_ReadItsElementsAndItsEnd()
    {
        const int total = 1_000, window = 100;
        using var watch = Server.Watch(Output!.WriteLine);
        var peer = await Server.ConnectRawAsync();

        // Hello = 1 { uint32 ProtocolVersion = 1; WireId SideId = 2; WireId ConduitHalf = 3; uint32 MaxFrameBytes = 4; }
        await peer.SendBodyAsync(Frame(1, [.. VarintField(1, 1), .. Id(2, WireId.NewRandom()), .. Id(3, WireId.NewRandom()), .. VarintField(4, 1024 * 1024)]));
        Assert.Equal(1, (await NextAsync(peer)).Kind); // the server's Hello

        // Lookup = 2 { uint64 RequestId = 1; string Name = 2; } → LookupReply = 3 { uint64 RequestId = 1; WireId ActorId = 2; }
        await peer.SendBodyAsync(Frame(2, [.. VarintField(1, 1), .. Field(2, "streams"u8)]));
        var (kind, body) = await NextAsync(peer);
        Assert.Equal(3, kind);
        var streams = ReadId(Fields(body).Single(f => f.Field == 2).Bytes);
        var portal = await watch.OpenedPortalAsync();

        // Deliver = 4 { WireId Target = 1; bytes Payload = 2; }, the payload a StreamAsk { ReplyPort Reply = 1; int32 Count = 2; int32 Tag = 4; },
        // the reply port a WireRef { fixed64 High = 1; fixed64 Low = 2; uint32 WithinMs = 4; } of the peer's own making.
        var port = WireId.NewRandom();
        var tag = NextTag();
        var reply = Field(1, [.. IdFields(port), .. VarintField(4, 10_000)]);
        await peer.SendBodyAsync(Frame(4, [.. Id(1, streams), .. Field(2, [.. reply, .. VarintField(2, total), .. VarintField(4, (ulong)tag)])]));

        // The answer: a Deliver to the port, its payload a StreamOffer { StreamRef Events = 1; int32 Tag = 3; },
        // the StreamRef { fixed64 High = 1; fixed64 Low = 2; } the server's id of the stream.
        (kind, body) = await NextAsync(peer);
        Assert.Equal(4, kind);
        var deliver = Fields(body);
        Assert.Equal(port, ReadId(deliver.Single(f => f.Field == 1).Bytes));
        var offer = Fields(deliver.Single(f => f.Field == 2).Bytes);
        Assert.Equal((ulong)tag, offer.Single(f => f.Field == 3).Value);
        var stream = ReadId(offer.Single(f => f.Field == 1).Bytes);
        Assert.Equal(0, Server.Producers[tag].Opened); // offered, not opened: the source waits for the first Demand

        // Demand = 7 { WireId Stream = 1; uint64 Credit = 2; uint64 CreditBytes = 3; }: credit is cumulative, counted
        // from the stream's start, in elements and in bytes. The first Demand opens the stream.
        ulong credit = window, creditBytes = 64 * 1024;
        await peer.SendBodyAsync(Frame(7, [.. Id(1, stream), .. VarintField(2, credit), .. VarintField(3, creditBytes)]));

        // StreamItems = 11 { WireId Stream = 1; uint64 FirstSeq = 2; repeated bytes Items = 3; }, each item a Piece { int32 N = 1; };
        // StreamEnd = 12 { WireId Stream = 1; uint64 Count = 2; string Code = 3; string Reason = 4; }, its last frame.
        var received = 0UL;
        var receivedBytes = 0UL;
        var frames = 0;
        while (true)
        {
            (kind, body) = await NextAsync(peer);
            var fields = Fields(body);
            Assert.Equal(stream, ReadId(fields.Single(f => f.Field == 1).Bytes));
            if (kind == 12)
            {
                Assert.Equal((ulong)total, fields.SingleOrDefault(f => f.Field == 2).Value);
                Assert.Empty(fields.SingleOrDefault(f => f.Field == 3).Bytes ?? []); // no Code (absent or empty): it completed
                break;
            }

            Assert.Equal(11, kind);
            frames++;
            Assert.Equal(received, fields.SingleOrDefault(f => f.Field == 2).Value); // FirstSeq: the next one, no gap
            foreach (var item in fields.Where(f => f.Field == 3))
            {
                Assert.True(received < credit && receivedBytes < creditBytes, $"element {received} came beyond the credit ({credit}, {creditBytes} bytes)");
                Assert.Equal(received, Fields(item.Bytes).SingleOrDefault(f => f.Field == 1).Value); // Piece.N (0 is left out)
                received++;
                receivedBytes += (ulong)item.Bytes.Length;
            }

            if (credit - received <= window / 2)
            {
                (credit, creditBytes) = (received + window, receivedBytes + (64 * 1024));
                await peer.SendBodyAsync(Frame(7, [.. Id(1, stream), .. VarintField(2, credit), .. VarintField(3, creditBytes)]));
            }
        }

        Output!.WriteLine($"{received:N0} pieces in {frames} StreamItems frames, then the StreamEnd");
        Assert.Equal((ulong)total, received);
        await AwaitAssertAsync(() => Assert.Equal(0, portal.Counters.Streams), Bounds.Long);

        // Goodbye = 9 { string Reason = 1; }: an orderly close.
        await peer.SendBodyAsync(Frame(9, Field(1, "done"u8)));
        await watch.ExpectClosedAsync(PortalCloseKind.ClosedByPeer, "done");
        Assert.Equal((1, 1), (Server.Producers[tag].Opened, Server.Producers[tag].Finished));
        await watch.FinishAsync(this, peer);
    }

    /// <summary>The next frame that is not a KeepAlive (kind 10): its kind and body.</summary>
    private static async Task<(int Kind, byte[] Body)> NextAsync(IRawPeer peer)
    {
        while (true)
        {
            var frame = await peer.ReceiveBodyAsync(Bounds.Long) ?? throw new InvalidOperationException($"the server closed: {peer.CloseDescription}");
            if (Unframe(frame) is var (kind, body) && kind != 10)
            {
                return (kind, body);
            }
        }
    }
}
