using Akka.IO;
using Wormhole.Streams.Protocol;

namespace Wormhole.Tests.Streams.Protocol;

/// <summary>
/// The direct reader and writer of <c>Deliver</c> frames, and the writer of <c>StreamItems</c> frames, against protobuf-net: the writer writes, byte for byte, what
/// protobuf-net writes; the reader reads every frame the encoder writes, and whatever it reads is the frame protobuf-net
/// makes of the same bytes.
/// </summary>
public sealed class DirectDeliverCodecTests
{
    private static readonly Random Random = new(Fuzzing.FuzzSettings.Seed); // WORMHOLE_FUZZ_SEED picks another sequence

    [Fact]
    public void DeliverWriter_AnyDeliverWithoutFailure_WritesTheBytesProtobufNetWrites()
    {
        for (var i = 0; i < 5_000; i++)
        {
            var deliver = new Deliver
            {
                Target = RandomId(),
                Payload = Random.Next(5) switch { 0 => null, 1 => [], 2 => RandomBytes(Random.Next(100, 20_000)), _ => RandomBytes(Random.Next(1, 100)) },
                ReplyTo = RandomId(),
                ReplyWithinMs = Random.Next(3) switch { 0 => 0, 1 => (uint)Random.Next(1, 200), _ => (uint)Random.NextInt64(0, uint.MaxValue + 1L) },
                TraceParent = RandomTraceText(),
                TraceState = RandomTraceText(),
            };

            var direct = DeliverWriter.Write(deliver);

            Assert.Equal(Convert.ToHexString(FrameCodec.Encode(deliver, writeDeliverDirectly: false).ToArray()), Convert.ToHexString(direct));
        }
    }

    [Fact]
    public void StreamItemsWriter_AnyBatch_WritesTheBytesProtobufNetWrites()
    {
        for (var i = 0; i < 2_000; i++)
        {
            var items = new StreamItems
            {
                Stream = RandomId(),
                FirstSeq = Random.Next(3) switch { 0 => 0, 1 => (ulong)Random.Next(1, 300), _ => (ulong)Random.NextInt64() * 2 },
                Items = Enumerable.Range(0, Random.Next(0, 20)).Select(_ => Random.Next(4) == 0 ? [] : RandomBytes(Random.Next(1, Random.Next(2) == 0 ? 100 : 70_000))).ToList(),
            };

            var direct = StreamItemsWriter.Write(items);

            Assert.Equal(Convert.ToHexString(FrameCodec.Encode(items, writeDeliverDirectly: false).ToArray()), Convert.ToHexString(direct));
        }
    }

    [Fact]
    public void DeliverWriter_AFailure_IsLeftToProtobufNet()
    {
        var failure = new Deliver { Target = RandomId(), Failure = "boom" };

        Assert.False(DeliverWriter.CanWrite(failure));
        Assert.Equal(FrameCodec.Encode(failure, writeDeliverDirectly: false), FrameCodec.Encode(failure));
    }

    [Fact]
    public void DeliverReader_EveryEncodedDeliverWithAPayload_IsReadDirectly_AsTheSameFrame()
    {
        for (var i = 0; i < 5_000; i++)
        {
            var sent = new Deliver
            {
                Target = RandomId(),
                Payload = RandomBytes(Random.Next(0, 300)),
                ReplyTo = Random.Next(3) == 0 ? default : RandomId(),
                ReplyWithinMs = Random.Next(3) == 0 ? 0 : (uint)Random.NextInt64(0, uint.MaxValue + 1L),
                TraceParent = Random.Next(2) == 0 ? null : TraceParent(),
                TraceState = Random.Next(3) == 0 ? "vendor=" + Random.Next() : null,
            };
            var bytes = FrameCodec.Encode(sent).ToArray();

            Assert.True(DeliverReader.TryRead(bytes, out var read), $"not read directly: {Convert.ToHexString(bytes)}");
            Assert.Equal(Describe(sent), Describe(read));
        }
    }

    [Fact]
    public void DeliverReader_FieldsInAnyOrder_Repeated_Missing_Truncated_OrForeign_ReadsOnlyWhatProtobufNetReadsAlike()
    {
        var direct = 0;
        for (var i = 0; i < 20_000; i++)
        {
            var body = RandomBody();
            byte[] frame = [0x22, .. Varint((ulong)body.Length), .. body];
            if (Random.Next(10) == 0)
            {
                frame = frame[..Random.Next(frame.Length)]; // cut anywhere
            }

            if (!DeliverReader.TryRead(frame, out var read))
            {
                continue;
            }

            direct++;
            var general = FrameCodec.Decode(ByteString.FromBytes(frame), int.MaxValue, readDeliverDirectly: false);
            Assert.True(general is Deliver, $"{Convert.ToHexString(frame)}: read directly as {Describe(read)}, protobuf-net says {(general as InvalidFrame)?.Reason ?? general.GetType().Name}");
            Assert.Equal(Describe((Deliver)general), Describe(read));
        }

        Assert.True(direct > 2_000, $"only {direct} of 20,000 frames were read directly");
    }

    [Theory]
    [InlineData("22020A00", true)] // an empty Target
    [InlineData("2204120201FF", true)] // a 2-byte payload
    [InlineData("2203120201", false)] // the payload claims 2 bytes, 1 follows
    [InlineData("22031201", false)] // the Deliver claims 3 bytes, 2 follow
    [InlineData("22022A00", false)] // a Failure: left to protobuf-net
    [InlineData("220412001200", false)] // Payload twice
    [InlineData("2206209A9A9A9A9A", false)] // ReplyWithinMs: a varint that does not end
    [InlineData("2207208080808010", false)] // ReplyWithinMs over uint.MaxValue
    [InlineData("22000A00", false)] // bytes after the Deliver
    [InlineData("220A0A080901000000000000", false)] // Target's High with one byte too few
    [InlineData("", false)]
    [InlineData("22023200", true)] // an empty TraceParent
    [InlineData("2203320141", true)] // a 1-character TraceParent
    [InlineData("22033A0141", true)] // a TraceState alone (the portal ignores it; the codec reads it)
    [InlineData("22063201413A014200", false)] // bytes after the Deliver
    [InlineData("2206320141320142", false)] // TraceParent twice
    [InlineData("22033201C3", false)] // a TraceParent byte that is not ASCII: left to protobuf-net
    [InlineData("2203320241", false)] // the TraceParent claims 2 bytes, 1 follows
    public void DeliverReader_Edges(string hex, bool readsDirectly)
    {
        var frame = Convert.FromHexString(hex);

        Assert.Equal(readsDirectly, DeliverReader.TryRead(frame, out _));
    }

    private static byte[] RandomBody()
    {
        var parts = new List<byte[]>();
        for (var n = Random.Next(0, 6); n > 0; n--)
        {
            parts.Add(Random.Next(13) switch
            {
                0 or 1 => [0x0A, .. LengthDelimited(RandomIdBody())],
                2 or 3 => [0x12, .. LengthDelimited(RandomBytes(Random.Next(0, 20)))],
                4 or 5 => [0x1A, .. LengthDelimited(RandomIdBody())],
                6 or 7 => [0x20, .. Varint((ulong)Random.NextInt64(0, uint.MaxValue + 2L), padding: Random.Next(3) == 0)],
                8 => [0x2A, .. LengthDelimited("boom"u8.ToArray())],
                9 => [(byte)Random.Next(256), .. RandomBytes(Random.Next(0, 4))],
                10 => [0x0A, .. Varint((ulong)Random.Next(0, 40))],
                11 => [(byte)(Random.Next(2) == 0 ? 0x32 : 0x3A), .. LengthDelimited(Random.Next(3) switch
                {
                    0 => System.Text.Encoding.ASCII.GetBytes(TraceParent()),
                    1 => RandomBytes(Random.Next(0, 8)), // not ASCII, or not even UTF-8
                    _ => "k=v"u8.ToArray(),
                })],
                _ => [0x12, .. Varint(uint.MaxValue)],
            });
        }

        return [.. parts.SelectMany(p => p)];
    }

    /// <summary>None, empty, a W3C traceparent, or any text (non-ASCII too): the codec carries what it is given; the portal judges it.</summary>
    private static string? RandomTraceText() => Random.Next(5) switch
    {
        0 or 1 => null,
        2 => "",
        3 => TraceParent(),
        _ => new string(Enumerable.Range(0, Random.Next(1, 300)).Select(_ => (char)Random.Next(0x20, 0x800)).ToArray()),
    };

    private static string TraceParent() => $"00-{Convert.ToHexStringLower(RandomBytes(16))}-{Convert.ToHexStringLower(RandomBytes(8))}-01";

    private static byte[] RandomIdBody()
    {
        var halves = new List<byte[]>();
        if (Random.Next(4) != 0)
        {
            halves.Add([0x09, .. BitConverter.GetBytes((ulong)Random.NextInt64())]);
        }

        if (Random.Next(4) != 0)
        {
            halves.Add([0x11, .. BitConverter.GetBytes((ulong)Random.NextInt64())]);
        }

        if (Random.Next(6) == 0)
        {
            halves.Add(Random.Next(2) == 0 ? halves.FirstOrDefault() ?? [0x09, 1, 0, 0, 0, 0, 0, 0, 0] : [0x18, 0x01]); // a repeat, or a third field
        }

        return [.. halves.OrderBy(_ => Random.Next()).SelectMany(h => h)];
    }

    /// <summary>Ids with either half, both or neither 0: protobuf-net leaves a 0 half out.</summary>
    private static WireId RandomId() => new()
    {
        High = Random.Next(3) == 0 ? 0 : (ulong)Random.NextInt64(),
        Low = Random.Next(3) == 0 ? 0 : (ulong)Random.NextInt64(),
    };

    private static byte[] RandomBytes(int count)
    {
        var bytes = new byte[count];
        Random.NextBytes(bytes);
        return bytes;
    }

    private static byte[] LengthDelimited(byte[] body) => [.. Varint((ulong)body.Length), .. body];

    /// <summary>A varint; with <paramref name="padding"/>, one more byte than it needs (valid, not canonical).</summary>
    private static byte[] Varint(ulong value, bool padding = false)
    {
        var bytes = new List<byte>();
        do
        {
            bytes.Add((byte)(value & 0x7F | 0x80));
            value >>= 7;
        }
        while (value != 0);

        if (padding)
        {
            bytes.Add(0x80);
        }

        bytes[^1] &= 0x7F;
        return [.. bytes];
    }

    private static string Describe(Deliver deliver) =>
        $"target {deliver.Target.High:x16}{deliver.Target.Low:x16}, payload {(deliver.Payload is { } p ? Convert.ToHexString(p) : "none")}, " +
        $"reply to {deliver.ReplyTo.High:x16}{deliver.ReplyTo.Low:x16} within {deliver.ReplyWithinMs}, failure {deliver.Failure ?? "none"}, " +
        $"traceparent {deliver.TraceParent ?? "none"}, tracestate {deliver.TraceState ?? "none"}";
}
