using System.Reflection;
using Akka.IO;
using ProtoBuf;
using Wormhole.Streams.Protocol;
using Xunit.Abstractions;

namespace Wormhole.Tests.Fuzzing;

/// <summary>
/// <see cref="FrameCodec.Decode(Akka.IO.ByteString, int)"/> under mutated input: it never throws, yields a frame or an <see cref="InvalidFrame"/>
/// with a reason, allocates at most 64 bytes per input byte plus a constant, every frame it yields survives the
/// codec law (encoding it and decoding that gives the same frame, and the same bytes again), and every Deliver that
/// <see cref="DeliverReader"/> reads directly is the frame protobuf-net makes of the same bytes.
/// </summary>
public sealed class FrameDecoderFuzzTests(ITestOutputHelper output)
{
    private const int MaxFrameBytes = 1024 * 1024; // NexusOptions' default

    private static readonly int[] NestDepths = [2, 7, 8, 9, 10, 64, 1_000, 5_000];

    /// <summary>How many inputs <see cref="DeliverReader"/> read directly (each compared with protobuf-net's reading).</summary>
    private static long s_readDirectly;

    [Fact]
    public void Fuzz_FrameDecoder_KeepsItsContract()
    {
        var readDirectlyBefore = Interlocked.Read(ref s_readDirectly);
        var report = Fuzzer.Run("frames", FuzzSettings.Seed, FuzzSettings.InputsPerTarget, Seeds(), NestDepths, DecodeChecked);

        var readDirectly = Interlocked.Read(ref s_readDirectly) - readDirectlyBefore;
        output.WriteLine(report.ToString());
        output.WriteLine($"   DeliverReader read {readDirectly:N0} inputs directly, each the same frame as protobuf-net's");
        Assert.True(readDirectly >= FuzzSettings.InputsPerTarget / 1000, $"DeliverReader read only {readDirectly} inputs: the comparison no longer reaches it");
        Assert.Equal(FuzzSettings.InputsPerTarget, report.Inputs);
        Assert.True(report.Outcomes.Count >= 20, $"only {report.Outcomes.Count} distinct outcomes: the mutator no longer reaches much");
        foreach (var kind in new[] { "Hello", "Lookup", "LookupReply", "Deliver", "TerminatedFrame", "Release", "Demand", "ErrorFrame", "Goodbye", "KeepAlive", "StreamItems", "StreamEnd", "StreamCancel" })
        {
            Assert.Contains(report.Outcomes.Keys, outcome => outcome.StartsWith(kind + "{", StringComparison.Ordinal));
        }

        Assert.Contains(report.Outcomes.Keys, outcome => outcome.StartsWith("invalid:", StringComparison.Ordinal));
    }

    [Fact]
    public void Fuzz_FrameSeeds_CoverEveryFrameKind()
    {
        var kinds = Seeds().Select(seed => FrameCodec.Decode(ByteString.FromBytes(seed), MaxFrameBytes).GetType()).ToHashSet();

        var declared = typeof(Frame).GetCustomAttributes<ProtoIncludeAttribute>().Select(include => include.KnownType).ToHashSet();
        Assert.Subset(kinds, declared);
    }

    [Theory]
    [InlineData("0B0B0B0B0B0B0B0B0B0B0B0B0B0B0B0B", "StartGroup")] // groups where Frame's body should be
    [InlineData("2206127F01020304", "EndOfStream")] // Deliver payload claims 127 bytes, carries 4
    [InlineData("2208127FFFFFFFFF0F0102", "")] // Deliver payload claims uint.MaxValue bytes
    [InlineData("0A0A08FFFFFFFFFFFFFFFFFF01", "")] // Hello version: an 11-byte varint
    [InlineData("", "")]
    [InlineData("22052AFFFFFFFF07", "EndOfStream")] // regression: Deliver.Failure's length varint straddles Deliver's end; was OutOfMemoryException
    [InlineData("22052AB2E68DCB06", "EndOfStream")] // regression: … length 1,768,125,234; allocated 1.77 GB
    [InlineData("120512B2E68DCB06", "EndOfStream")] // regression: the same through Lookup.Name
    public void Decode_HostileInput_IsInvalidFrameWithoutAllocatingTheClaim(string hex, string reasonContains)
    {
        var bytes = Convert.FromHexString(hex);
        _ = DecodeChecked(bytes); // warm up: the first refusal fills protobuf-net's and the runtime's caches
        var result = DecodeChecked(bytes);

        Assert.StartsWith("invalid:", result.Outcome);
        Assert.Contains(reasonContains, result.Outcome);
        Assert.True(result.AllocatedBytes <= Fuzzer.AllocationBound(bytes.Length), $"allocated {result.AllocatedBytes:N0} bytes");
    }

    [Fact]
    public void Decode_GroupsNestedAMillionDeep_IsInvalidFrameWithoutStackOverflow()
    {
        var bytes = new byte[MaxFrameBytes];
        for (var i = 0; i < bytes.Length; i += 2)
        {
            (bytes[i], bytes[i + 1]) = (0xFB, 0x06); // field 111 (unknown), start group
        }

        Assert.StartsWith("invalid:", DecodeChecked(bytes).Outcome);
    }

    /// <summary>
    /// Regression, found by the fuzzer (seed 20251101, input #568): protobuf-net appended each repeat of a
    /// <c>bytes</c> field to the ones before, so a 1 MB frame of repeated <c>Deliver.Payload</c> fields allocated
    /// about 20 GB and took seconds (quadratic). Minimized: <c>22 03 12 01 00</c> (Deliver { Payload = [0] }) repeated.
    /// Now the last one wins, as protobuf specifies for a singular field.
    /// </summary>
    [Fact]
    public void Decode_RepeatedPayloadFields_LastOneWinsWithoutQuadraticAllocation()
    {
        var bytes = new List<byte>();
        for (var i = 0; i < 20_000; i++)
        {
            bytes.AddRange([0x22, 0x03, 0x12, 0x01, (byte)i]);
        }

        _ = DecodeChecked([.. bytes]); // warm up
        var result = DecodeChecked([.. bytes]);
        var frame = FrameCodec.Decode(ByteString.FromBytes([.. bytes]), MaxFrameBytes);

        Assert.Equal("Deliver{Payload}", result.Outcome);
        Assert.Equal([(byte)(19_999 & 0xFF)], Assert.IsType<Deliver>(frame).Payload ?? []);
        Assert.True(result.AllocatedBytes <= Fuzzer.AllocationBound(bytes.Count), $"allocated {result.AllocatedBytes:N0} bytes for {bytes.Count:N0}");
    }

    /// <summary>Valid encodings of every frame kind, several values each, made by the real encoder.</summary>
    internal static IReadOnlyList<byte[]> Seeds()
    {
        var id = new WireId { High = 0x0123_4567_89AB_CDEF, Low = 0xFEDC_BA98_7654_3210 };
        var other = new WireId { High = 1, Low = ulong.MaxValue };
        var payload = PayloadDecoderFuzzTests.Seeds().First().Bytes;
        Frame[] frames =
        [
            new Hello { ProtocolVersion = Hello.CurrentVersion, SideId = id, ConduitHalf = other, MaxFrameBytes = MaxFrameBytes },
            new Hello { ProtocolVersion = 2 },
            new Lookup { RequestId = 7, Name = "echo" },
            new Lookup { RequestId = ulong.MaxValue, Name = "ünïcødé/名前" },
            new LookupReply { RequestId = 7, ActorId = id },
            new LookupReply { RequestId = 8 },
            new Deliver { Target = id, Payload = payload },
            new Deliver { Target = id, Payload = payload, ReplyTo = other, ReplyWithinMs = 5_000 },
            new Deliver { Target = other, Failure = "boom" },
            new Deliver { Target = id, Payload = [] },
            new TerminatedFrame { Id = id },
            new Release { Id = other },
            new Demand { Stream = id, Credit = 16 },
            new Demand { Stream = other, Credit = ulong.MaxValue, CreditBytes = ulong.MaxValue },
            new StreamItems { Stream = id, FirstSeq = 0, Items = [payload, [], [0x08, 0x01]] },
            new StreamItems { Stream = other, FirstSeq = ulong.MaxValue, Items = [.. Enumerable.Range(0, 40).Select(n => new byte[] { 0x08, (byte)n })] },
            new StreamItems { Stream = id, FirstSeq = 256 },
            new StreamEnd { Stream = id, Count = 3 },
            new StreamEnd { Stream = other, Count = 1_000, Code = "failed", Reason = "the producer failed" },
            new StreamEnd { Stream = id, Code = "MaxStreamElementBytes", Reason = "MaxStreamElementBytes: an element of 2,000,000 bytes exceeds the 1,048,512-byte limit" },
            new StreamCancel { Stream = id },
            new StreamCancel { Stream = other, Code = "protocol-violation" },
            new ErrorFrame { Code = "malformed-frame", Message = "frame of 70,000 bytes exceeds the 65,536-byte limit" },
            new Goodbye { Reason = "bye" },
            new KeepAlive(),
        ];
        return [.. frames.Select(frame => FrameCodec.Encode(frame).ToArray())];
    }

    /// <summary>Decodes one input and checks the contract; the outcome is the frame kind and its set members, or the reason's shape.</summary>
    private static FuzzResult DecodeChecked(byte[] input)
    {
        var bytes = ByteString.FromBytes(input);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var frame = FrameCodec.Decode(bytes, MaxFrameBytes);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        switch (frame)
        {
            case null:
                throw new FuzzViolation("Decode returned null");
            case InvalidFrame invalid when string.IsNullOrWhiteSpace(invalid.Reason):
                throw new FuzzViolation("an InvalidFrame without a reason");
            case InvalidFrame invalid:
                return new FuzzResult("invalid: " + FuzzCorpus.Shape(invalid.Reason), allocated);
        }

        var chunked = FrameCodec.Decode(Chunked(input), MaxFrameBytes);
        if (Describe(chunked, values: true) != Describe(frame, values: true))
        {
            throw new FuzzViolation($"chunk boundaries: {Describe(frame, values: true)} from one chunk, {Describe(chunked, values: true)} from several");
        }

        if (DeliverReader.TryRead(input, out var direct))
        {
            Interlocked.Increment(ref s_readDirectly);
            var read = Describe(direct, values: true);
            var general = Describe(FrameCodec.Decode(bytes, MaxFrameBytes, readDeliverDirectly: false), values: true);
            if (read != general)
            {
                throw new FuzzViolation($"DeliverReader read {read}; protobuf-net reads {general}");
            }
        }

        var encoded = FrameCodec.Encode(frame);
        var again = FrameCodec.Decode(encoded, int.MaxValue);
        if (again.GetType() != frame.GetType() || Describe(again, values: true) != Describe(frame, values: true))
        {
            throw new FuzzViolation($"codec law: decoded {Describe(frame, values: true)}, which encodes as {Fuzzer.Hex(encoded.ToArray())} and decodes back as {Describe(again, values: true)}");
        }

        if (!FrameCodec.Encode(again).Equals(encoded))
        {
            throw new FuzzViolation($"codec law: {Describe(frame, values: true)} encodes differently the second time");
        }

        return new FuzzResult(Describe(frame, values: false), allocated);
    }

    /// <summary>
    /// The same bytes as a rope of chunks, as a transport hands them over: cut where the input's own bytes say (so the
    /// cuts move with every mutation and reproduce with the input), through ids, varints and stream items alike.
    /// </summary>
    private static ByteString Chunked(byte[] input)
    {
        var chunks = new List<ArraySegment<byte>>();
        var at = 0;
        while (at < input.Length)
        {
            var length = Math.Min(input.Length - at, 1 + (input[at] % 13));
            chunks.Add(new ArraySegment<byte>(input, at, length));
            at += length;
        }

        return ByteString.FromBytes(chunks);
    }

    /// <summary>"Deliver{Target,Payload}": the kind and its non-default members (with their values, for the law).</summary>
    private static string Describe(Frame frame, bool values)
    {
        if (frame is InvalidFrame invalid)
        {
            return "invalid: " + invalid.Reason;
        }

        var members = frame.GetType().GetProperties()
            .Where(property => property.GetCustomAttribute<ProtoMemberAttribute>() is not null)
            .OrderBy(property => property.GetCustomAttribute<ProtoMemberAttribute>()!.Tag)
            .Select(property => (property.Name, Value: property.GetValue(frame)))
            .Where(member => !IsDefault(member.Value))
            .Select(member => values ? $"{member.Name}={Value(member.Value)}" : member.Name);
        return $"{frame.GetType().Name}{{{string.Join(",", members)}}}";
    }

    private static string? Value(object? value) => value switch
    {
        byte[] bytes => Fuzzer.Hex(bytes),
        WireId wireId => $"{wireId.High:x16}{wireId.Low:x16}",
        List<byte[]> items => $"[{string.Join(",", items.Select(item => Fuzzer.Hex(item)))}]", // StreamItems.Items
        _ => value?.ToString(),
    };

    private static bool IsDefault(object? value) => value switch
    {
        null => true,
        string text => text.Length == 0,
        System.Collections.ICollection collection => collection.Count == 0,
        ValueType => value.Equals(Activator.CreateInstance(value.GetType())),
        _ => false,
    };
}
