using System.Collections;
using System.Reflection;
using Akka.Actor;
using ProtoBuf;
using Wormhole.Reactive;
using Wormhole.Streams.Transmaterialization;
using Wormhole.Tests.Streams;
using Xunit.Abstractions;

namespace Wormhole.Tests.Fuzzing;

/// <summary>
/// The payload decoder (<see cref="PayloadModel.Deserialize"/>, which the portal's <c>OnDeliver</c> is to call) under mutated input.
/// The portal turns any exception but <see cref="OutOfMemoryException"/> into a protocol violation, so the contract is:
/// no <see cref="OutOfMemoryException"/> and no stack overflow, bounded allocation and time per input, nesting no
/// deeper than <see cref="MaxDepth"/>, and no more references imported than the input could encode.
/// </summary>
public sealed class PayloadDecoderFuzzTests(ITestOutputHelper output)
{
    private const int MaxDepth = 64; // NexusOptions.MaxMessageDepth's default

    /// <summary>
    /// Bytes allocated per input byte, at most. Higher than the frames' 64: an empty nested message is 2 bytes on the
    /// wire and, for a type like <see cref="FuzzTree"/>, an object with an empty list and dictionary (about 220 bytes).
    /// Linear, so bounded by the frame limit: a 1 MiB payload of empty trees costs about 120 MiB.
    /// </summary>
    private const int AllocationPerByte = 256;

    private static readonly int[] NestDepths = [30, 62, 63, 64, 65, 66, 128, 1_000, 5_000];

    private static readonly PayloadModel Payloads = CreateModel();

    [Fact]
    public void Fuzz_PayloadDecoder_KeepsItsContract()
    {
        var groups = Seeds().GroupBy(seed => seed.Type).ToList();
        var table = new FakeReferenceTable(new Random(FuzzSettings.Seed));
        var outcomes = new HashSet<string>(StringComparer.Ordinal);
        long inputs = 0;
        for (var i = 0; i < groups.Count; i++)
        {
            var type = groups[i].Key;
            var share = (FuzzSettings.InputsPerTarget / groups.Count) + (i == 0 ? FuzzSettings.InputsPerTarget % groups.Count : 0);
            var report = Fuzzer.Run($"payloads-{type.Name}", FuzzSettings.Seed + i, share, [.. groups[i].Select(seed => seed.Bytes)], NestDepths, input => DecodeChecked(type, input, table), AllocationPerByte);
            output.WriteLine(report.ToString());
            inputs += report.Inputs;
            outcomes.UnionWith(report.Outcomes.Keys);
        }

        output.WriteLine($"payloads: {inputs:N0} inputs, {outcomes.Count:N0} distinct outcomes");
        Assert.Equal(FuzzSettings.InputsPerTarget, inputs);
        Assert.True(outcomes.Count >= 30, $"only {outcomes.Count} distinct outcomes: the mutator no longer reaches much");
        Assert.Contains(outcomes, outcome => outcome.StartsWith("FuzzTree refused", StringComparison.Ordinal) && outcome.Contains("MaxDepth", StringComparison.Ordinal));
        Assert.Contains(outcomes, outcome => outcome.StartsWith("RoomEvent ok Joined", StringComparison.Ordinal));
    }

    /// <summary>Valid payloads of each message type, references included, made by the real encoder.</summary>
    internal static IEnumerable<(Type Type, byte[] Bytes)> Seeds()
    {
        var table = new FakeReferenceTable(new Random(1));
        var inbox = ActorRef<Pong>.From(ActorRefs.Nobody);
        var leaf = new FuzzTree { Label = "leaf", Inbox = inbox, Ack = Port<string>(), Event = new Left { Who = "ann" } };
        var tree = new FuzzTree
        {
            Label = "root",
            Children = [leaf, new FuzzTree { Single = leaf }],
            ByKey = { [1] = leaf, [-7] = new FuzzTree { Event = new Joined { Who = "bob", Inbox = inbox } } },
            Single = new FuzzTree { Children = [leaf] },
        };

        yield return Encode(new Ping { N = 42, ReplyTo = inbox }, table);
        yield return Encode(new Ping(), table);
        yield return Encode(new Square { Value = -9, Reply = Port<int>() }, table);
        yield return Encode(new Roster
        {
            Members = [new Member { Name = "ann", Inbox = inbox, Ack = Port<string>() }, new Member { Name = "bob" }],
            ByName = { ["ann"] = inbox, ["carl"] = inbox },
        }, table);
        yield return Encode<RoomEvent>(new Joined { Who = "ann", Inbox = inbox }, table);
        yield return Encode<RoomEvent>(new Left { Who = "bob" }, table);
        yield return Encode(tree, table);
        yield return Encode(leaf, table);
        yield return Encode(new FuzzScalars
        {
            Ints = [1, -1, int.MaxValue, int.MinValue],
            Longs = [0, long.MaxValue, -5],
            Doubles = [0.5, double.NaN, double.NegativeInfinity],
            Fixed = [uint.MaxValue, 7],
            Blob = [0, 1, 2, 255],
            Text = "ünïcødé",
            Day = DayOfWeek.Friday,
            Amount = 12345.6789m,
            Id = new Guid("0f8fad5b-d9cb-469f-a165-70867728950e"),
            At = new DateTime(2026, 11, 1, 12, 0, 0, DateTimeKind.Utc),
            Span = TimeSpan.FromMinutes(90),
            Counts = { ["a"] = 1, ["b"] = -2 },
            Tags = ["x", "y"],
            Ratio = 0.25f,
            Flag = true,
            Signed = -123_456_789,
            Ports = [Port<int>(), Port<int>()],
            Inboxes = [inbox, inbox],
            Lines = ["one", "", "three"],
            Maybe = 0,
        }, table);
        yield return Encode(new FuzzScalars(), table);

        // an abstract base with fields of its own, subtypes at three levels, nested in fields, lists and maps
        var quote = new Said { Room = "r", Text = "q", Seen = [9] };
        var said = new Said { Room = "lobby", From = inbox, Seen = [1, 2, 300], Text = "hi", Ack = Port<string>(), Quotes = [quote, new Kicked { Who = "x", Room = "r2" }] };
        var banned = new Banned
        {
            Room = "lobby",
            From = inbox,
            Seen = [5, 6],
            Who = "eve",
            Witnesses = { ["ann"] = said, ["bob"] = new Banned { Days = 1, Cause = quote } },
            Days = 3,
            Cause = said,
        };
        var kicked = new Kicked { Who = "k", Room = "hall", Witnesses = { ["w"] = banned } };
        yield return Encode<ChatEvent>(said, table);
        yield return Encode<ChatEvent>(banned, table);
        yield return Encode<ChatEvent>(kicked, table);
        yield return Encode<ChatEvent>(new Topic { Room = "hall", Subject = "news", Seen = [4] }, table);
        yield return Encode(banned, table); // declared as the subtype: still written from the root of its hierarchy
        yield return Encode(new ChatLog
        {
            Events = [said, banned, kicked, quote, new Topic { Subject = "t" }],
            Pinned = banned,
            ByRound = { [1] = said, [2] = banned },
            Title = "log",
            Members = [new Member { Name = "ann", Inbox = inbox, Ack = Port<string>() }],
        }, table);
    }

    [Fact]
    public void Fuzz_PayloadSeeds_DecodeAsTheirTypes()
    {
        var table = new FakeReferenceTable(new Random(2));
        foreach (var (type, bytes) in Seeds())
        {
            Assert.Contains(" ok ", DecodeChecked(type, bytes, table).Outcome);
        }
    }

    [Theory]
    [InlineData(MaxDepth, true)]
    [InlineData(MaxDepth + 1, false)]
    [InlineData(100_000, false)]
    [InlineData(400_000, false)] // as deep as a 1 MiB frame allows: refused, and no stack overflow
    public void Deserialize_NestedPastMaxDepth_IsRefused(int levels, bool accepted)
    {
        var bytes = NestedTree(levels);

        var result = DecodeChecked(typeof(FuzzTree), bytes, new FakeReferenceTable(new Random(3)));

        if (accepted)
        {
            Assert.StartsWith("FuzzTree ok", result.Outcome);
        }
        else
        {
            Assert.Equal("FuzzTree refused InvalidOperationException: Maximum model depth exceeded (see TypeModel.MaxDepth): #", result.Outcome);
        }
    }

    [Theory]
    [InlineData(1)] // packed int32 run
    [InlineData(3)] // packed double run
    [InlineData(4)] // packed fixed32 run
    [InlineData(5)] // byte[]
    [InlineData(6)] // string
    [InlineData(12)] // a map entry
    [InlineData(17)] // a reply port
    public void Deserialize_FieldClaimingABillionBytes_IsRefusedWithoutAllocatingIt(int field)
    {
        // tag, length 1,000,000,000 as a varint, then 16 bytes
        byte[] bytes = [(byte)((field << 3) | 2), 0x80, 0x94, 0xEB, 0xDC, 0x03, .. new byte[16]];

        var table = new FakeReferenceTable(new Random(4));
        _ = DecodeChecked(typeof(FuzzScalars), bytes, table); // warm up: the first refusal fills protobuf-net's and the runtime's caches
        var result = DecodeChecked(typeof(FuzzScalars), bytes, table);

        Assert.StartsWith("FuzzScalars refused", result.Outcome);
        Assert.True(result.AllocatedBytes <= Fuzzer.AllocationBound(bytes.Length, AllocationPerByte), $"allocated {result.AllocatedBytes:N0} bytes");
    }

    /// <summary>
    /// Regression: as for <c>Deliver.Payload</c> in frames, repeats of a <c>byte[]</c> member in a message type were
    /// appended to one another, quadratic in time and allocation. Now the last one wins.
    /// </summary>
    [Fact]
    public void Deserialize_RepeatedBytesField_LastOneWinsWithoutQuadraticAllocation()
    {
        var bytes = new List<byte>();
        for (var i = 0; i < 20_000; i++)
        {
            bytes.AddRange([0x2A, 0x01, (byte)i]); // FuzzScalars.Blob = [i]
        }

        var table = new FakeReferenceTable(new Random(5));
        _ = DecodeChecked(typeof(FuzzScalars), [.. bytes], table); // warm up
        var result = DecodeChecked(typeof(FuzzScalars), [.. bytes], table);
        var message = (FuzzScalars)Payloads.Deserialize(typeof(FuzzScalars), [.. bytes], table)!;

        Assert.StartsWith("FuzzScalars ok", result.Outcome);
        Assert.Equal([(byte)(19_999 & 0xFF)], message.Blob);
        Assert.True(result.AllocatedBytes <= Fuzzer.AllocationBound(bytes.Count, AllocationPerByte), $"allocated {result.AllocatedBytes:N0} bytes for {bytes.Count:N0}");
    }

    /// <summary>
    /// Regression, found by the fuzzer (seed 20251103, input #2521 of Roster, 146 bytes; minimized below): a string
    /// length whose varint straddles the end of its sub-message made protobuf-net's span reader rent the claimed
    /// length, 1.77 GB here, or throw <see cref="OutOfMemoryException"/> for int.MaxValue.
    /// </summary>
    [Theory]
    [InlineData("0A050AB2E68DCB06")] // Roster { Members = [ Member { Name: length 1,768,125,234 (last varint byte outside Member) } ] }
    [InlineData("0A050AFFFFFFFF07")] // … length int.MaxValue
    [InlineData("0A050AFEFFFFFF07")] // … length int.MaxValue - 1
    public void Deserialize_StringLengthStraddlingItsMessageEnd_IsRefusedWithoutAllocatingIt(string hex)
    {
        var bytes = Convert.FromHexString(hex);
        var table = new FakeReferenceTable(new Random(6));

        _ = DecodeChecked(typeof(Roster), bytes, table); // warm up
        var result = DecodeChecked(typeof(Roster), bytes, table);

        Assert.StartsWith("Roster refused", result.Outcome);
        Assert.True(result.AllocatedBytes <= Fuzzer.AllocationBound(bytes.Length, AllocationPerByte), $"allocated {result.AllocatedBytes:N0} bytes");
    }

    /// <summary>
    /// protobuf-net concatenates each run of a repeated array member into a new array, so 5,000 one-element runs cost
    /// quadratic allocation. Message types with arrays (other than byte[]) are therefore refused when they are published
    /// or sent, naming the field and suggesting List&lt;T&gt;.
    /// </summary>
    [Fact]
    public void Prepare_ArrayMember_IsRefusedNamingTheFieldAndSuggestingAList()
    {
        var error = Assert.Throws<Wormhole.Streams.UnsupportedMessageTypeException>(() => new PayloadModel(64).Prepare(typeof(ArrayScalars)));

        Assert.Contains("ArrayScalars.Fixed", error.Message);
        Assert.Contains("List<UInt32>", error.Message);
    }

    /// <summary>Decodes one input as the portal does and checks the contract; the outcome names the type, and the shape of the result or the refusal.</summary>
    private static FuzzResult DecodeChecked(Type type, byte[] input, FakeReferenceTable table)
    {
        table.Reset();
        object? message = null;
        Exception? refusal = null;
        var before = GC.GetAllocatedBytesForCurrentThread();
        try
        {
            message = Payloads.Deserialize(type, input, table);
        }
        catch (OutOfMemoryException e)
        {
            throw new FuzzViolation($"OutOfMemoryException, which the portal does not catch: {e.Message}");
        }
        catch (Exception e)
        {
            refusal = e;
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        if (refusal is not null)
        {
            return new FuzzResult($"{type.Name} refused {refusal.GetType().Name}: {FuzzCorpus.Shape(refusal.Message)}", allocated);
        }

        if (message is null)
        {
            return new FuzzResult($"{type.Name} null", allocated);
        }

        if (!type.IsInstanceOfType(message))
        {
            throw new FuzzViolation($"decoded a {message.GetType()} where a {type} was declared");
        }

        var depth = Depth(message);
        if (depth > MaxDepth)
        {
            throw new FuzzViolation($"decoded a {type.Name} nested {depth} deep past the {MaxDepth} limit");
        }

        var references = table.Imports + table.ReplyPortImports;
        if (references > input.Length / 2)
        {
            throw new FuzzViolation($"{references} references imported from {input.Length} bytes (each takes at least 2)");
        }

        return new FuzzResult($"{type.Name} ok {message.GetType().Name} depth {Bucket(depth)} refs {Bucket(references)}", allocated);
    }

    private static string Bucket(int n) => n <= 1 ? n.ToString() : $"<={1 << (int)Math.Ceiling(Math.Log2(n))}";

    /// <summary>How deep messages nest in a decoded graph (the root is 1), walked without recursion.</summary>
    private static int Depth(object root)
    {
        var deepest = 0;
        var pending = new Stack<(object Value, int Depth)>();
        pending.Push((root, 1));
        while (pending.TryPop(out var item))
        {
            deepest = Math.Max(deepest, item.Depth);
            foreach (var child in MessagesIn(item.Value))
            {
                pending.Push((child, item.Depth + 1));
            }
        }

        return deepest;
    }

    private static IEnumerable<object> MessagesIn(object message)
    {
        foreach (var property in message.GetType().GetProperties(BindingFlags.Instance | BindingFlags.Public))
        {
            if (property.GetCustomAttribute<ProtoMemberAttribute>() is null || property.GetValue(message) is not { } value)
            {
                continue;
            }

            var values = value switch
            {
                IDictionary map => map.Values.Cast<object>(),
                string or byte[] => [],
                IEnumerable items => items.Cast<object>(),
                _ => [value],
            };
            foreach (var element in values)
            {
                if (element is not null && element.GetType().IsDefined(typeof(ProtoContractAttribute), inherit: false))
                {
                    yield return element;
                }
            }
        }
    }

    /// <summary>A <see cref="FuzzTree"/> of <paramref name="levels"/> levels through <see cref="FuzzTree.Single"/> (field 2), built inside out.</summary>
    private static byte[] NestedTree(int levels)
    {
        var sizes = new long[levels];
        for (var i = 1; i < levels; i++)
        {
            sizes[i] = sizes[i - 1] + 1 + ProtoNode.VarintLength((ulong)sizes[i - 1]);
        }

        var bytes = new List<byte>((int)sizes[^1]);
        for (var i = levels - 1; i >= 1; i--)
        {
            bytes.Add(0x12);
            ProtoNode.WriteVarint(bytes, (ulong)sizes[i - 1]);
        }

        return [.. bytes];
    }

    private static (Type, byte[]) Encode<T>(T message, FakeReferenceTable table)
    {
        using var stream = new MemoryStream();
        Payloads.Model.Serialize(stream, message, table);
        return (typeof(T), stream.ToArray());
    }

    private static ReplyPort<T> Port<T>() => new(ActorRefs.Nobody, TimeSpan.FromSeconds(5));

    private static PayloadModel CreateModel()
    {
        var model = new PayloadModel(MaxDepth);
        foreach (var type in new[] { typeof(Ping), typeof(Pong), typeof(Square), typeof(Roster), typeof(RoomEvent), typeof(FuzzTree), typeof(FuzzScalars), typeof(ChatEvent), typeof(Banned), typeof(ChatLog) })
        {
            model.Prepare(type);
        }

        return model;
    }
}
