using System.Text;
using Wormhole.Streams.Protocol;
using Wormhole.Tests.Hostile;

namespace Wormhole.Tests.Fuzzing;

/// <summary>
/// Random stream frames for a live portal, deterministic for one <see cref="Random"/>: mostly about real streams and in the
/// direction each kind goes (<c>Demand</c> and <c>StreamCancel</c> to the server's streams, <c>StreamItems</c> and
/// <c>StreamEnd</c> for the peer's), with the next sequence number and well-formed elements, so that frames reach past
/// the first check; otherwise the other table's ids, an actor's, made-up or empty ones, and numbers at the edges.
/// <paramref name="plausible"/>: only real streams, each in its direction, with the next sequence number.
/// </summary>
internal sealed class StreamFrameMaker(Random random, IReadOnlyList<WireId> produced, IReadOnlyList<WireId> consumed, WireId actor, bool plausible)
{
    private static readonly ulong[] EdgeNumbers =
        [0, 1, 2, 127, 128, 255, 256, 257, 65_535, 65_536, 262_144, 1UL << 31, 1UL << 32, long.MaxValue, ulong.MaxValue - 1, ulong.MaxValue];

    private static readonly string[] Codes = ["", "cancelled", "failed", "subscription-timeout", "protocol-violation", "MaxStreamElementBytes", "MaxStreams"];

    private readonly Dictionary<WireId, ulong> _next = [];

    public Frame Next()
    {
        var kind = random.Next(4);
        var towardProducer = kind is 0 or 3;
        var id = (plausible ? 0 : random.Next(10)) switch
        {
            < 7 => Pick(towardProducer ? produced : consumed),
            7 => Pick(towardProducer ? consumed : produced),
            8 => actor,
            _ => random.Next(2) == 0 ? new WireId { High = (ulong)random.NextInt64(), Low = (ulong)random.NextInt64() } : default,
        };
        return kind switch
        {
            0 => new Demand { Stream = id, Credit = Number(), CreditBytes = Number() },
            1 => Items(id),
            2 => new StreamEnd { Stream = id, Count = random.Next(2) == 0 ? NextSeq(id) : Number(), Code = Text(), Reason = Text() },
            _ => new StreamCancel { Stream = id, Code = Text() },
        };
    }

    private StreamItems Items(WireId id)
    {
        var expected = NextSeq(id);
        var first = !plausible && random.Next(4) == 0 ? Number() : expected;
        var count = random.Next(3) switch { 0 => random.Next(4), 1 => random.Next(64), _ => random.Next(300) };
        var items = new List<byte[]>(count);
        for (var i = 0; i < count; i++)
        {
            items.Add(random.Next(10) switch
            {
                0 => Bytes(random.Next(32)),
                1 when random.Next(10) == 0 => Bytes(3_000 + random.Next(2_000)), // around MaxStreamElementBytes (4,096)
                _ => RawPeerExtensions.Payload(new RawPiece { N = unchecked((int)(first + (ulong)i)) }),
            });
        }

        if (first == expected)
        {
            _next[id] = expected + (ulong)count;
        }

        return new StreamItems { Stream = id, FirstSeq = first, Items = items };
    }

    private WireId Pick(IReadOnlyList<WireId> ids) => ids[random.Next(ids.Count)];

    private ulong NextSeq(WireId id) => _next.TryGetValue(id, out var next) ? next : 0;

    private ulong Number() => random.Next(3) == 0 ? EdgeNumbers[random.Next(EdgeNumbers.Length)] : (ulong)random.Next(1_000);

    private string Text() => random.Next(5) switch
    {
        < 3 => Codes[random.Next(Codes.Length)],
        3 => new StringBuilder().Append((char)random.Next(0x20, 0x2FFF), random.Next(3_000)).ToString(),
        _ => "\0\uFFFF\u202Eé名前",
    };

    private byte[] Bytes(int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }
}
