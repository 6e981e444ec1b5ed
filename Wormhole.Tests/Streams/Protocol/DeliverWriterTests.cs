using Wormhole.Streams.Protocol;

namespace Wormhole.Tests.Streams.Protocol;

/// <summary>The direct writer of <c>Deliver</c> frames writes, byte for byte, what protobuf-net writes.</summary>
public sealed class DeliverWriterTests
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
            };

            var direct = DeliverWriter.Write(deliver);

            Assert.Equal(Convert.ToHexString(FrameCodec.Encode(deliver, writeDeliverDirectly: false).ToArray()), Convert.ToHexString(direct));
        }
    }

    [Fact]
    public void DeliverWriter_AFailure_IsLeftToProtobufNet()
    {
        var failure = new Deliver { Target = RandomId(), Failure = "boom" };

        Assert.False(DeliverWriter.CanWrite(failure));
        Assert.Equal(FrameCodec.Encode(failure, writeDeliverDirectly: false), FrameCodec.Encode(failure));
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
}
