using Akka.Actor;
using Wormhole.Reactive;
using Wormhole.Streams.Protocol;
using Wormhole.Streams.Transmaterialization;
using Wormhole.Tests.Streams;

namespace Wormhole.Tests.Fuzzing;

/// <summary>
/// Protobuf lets an encoder write a message's fields in any order. protobuf-net writes a <c>[ProtoInclude]</c>
/// subtype field before the base's own fields; Go, Python and JS encoders write ascending numbers, so the subtype
/// field comes last. <see cref="PayloadModel.Deserialize"/> must decode every such order as the same value.
/// </summary>
public sealed class PayloadFieldOrderTests
{
    private const int MaxDepth = 64;

    private static readonly PayloadModel Payloads = CreateModel();

    [Theory]
    [InlineData("0A056C6F626279" + "52040A026869")] // ChatEvent { room = 1: "lobby"; said = 10: Said { text = 1: "hi" } }, ascending as protoc's encoders write it
    [InlineData("7B08017C" + "0A056C6F626279" + "6801" + "52040A026869")] // … after an unknown group (15) and, between, an unknown varint (13)
    public void Deserialize_AbstractBaseFieldBeforeSubtypeField_DecodesTheSubtype(string hex)
    {
        var bytes = Convert.FromHexString(hex);

        var message = Payloads.Deserialize(typeof(ChatEvent), bytes, new FakeReferenceTable(new Random(1)));

        var said = Assert.IsType<Said>(message);
        Assert.Equal("lobby", said.Room);
        Assert.Equal("hi", said.Text);
    }

    [Fact]
    public void Deserialize_BaseFieldBeforeALeafSubtype_DecodesTheSubtype()
    {
        // ChatEvent { room = 1: "lobby"; topic = 12: Topic { subject = 1: "x" } }: Topic holds no message that could hold a subtype
        var bytes = Convert.FromHexString("0A056C6F626279" + "62030A0178");

        var message = Payloads.Deserialize(typeof(ChatEvent), bytes, new FakeReferenceTable(new Random(1)));

        var topic = Assert.IsType<Topic>(message);
        Assert.Equal(("lobby", "x"), (topic.Room, topic.Subject));
    }

    [Fact]
    public void Deserialize_SubtypeFieldBetweenFieldsAtEveryLevel_DecodesTheSubtype()
    {
        // ChatEvent { room = 1: "r"; kicked = 11: Kicked { who = 1: "eve"; banned = 5: Banned { days = 1: 3 }; }; seen = 3: [7] }
        var bytes = Convert.FromHexString("0A0172" + "5A09" + "0A03657665" + "2A020803" + "1A0107");

        var message = Payloads.Deserialize(typeof(ChatEvent), bytes, new FakeReferenceTable(new Random(1)));

        var banned = Assert.IsType<Banned>(message);
        Assert.Equal(("r", "eve", 3, 7), (banned.Room, banned.Who, banned.Days, Assert.Single(banned.Seen)));
    }

    /// <summary>
    /// Differential: every seed payload, re-encoded with its fields ascending, descending and in 20 seeded random
    /// interleavings (packed runs split), decodes to what the original decodes to, importing as many references.
    /// </summary>
    [Fact]
    public void Deserialize_FieldsReencodedInAnyOrder_DecodeAsTheOriginal()
    {
        var shuffler = new FieldShuffler(new Random(FuzzSettings.Seed));
        var orders = new[] { FieldShuffler.Order.Ascending, FieldShuffler.Order.Descending }
            .Concat(Enumerable.Repeat(FieldShuffler.Order.Shuffled, 20));
        var reordered = 0;
        var checkedInputs = 0;
        foreach (var (type, bytes) in PayloadDecoderFuzzTests.Seeds())
        {
            var expected = Decode(type, bytes);
            foreach (var order in orders)
            {
                var permuted = shuffler.Reencode(type, bytes, order);
                reordered += permuted.AsSpan().SequenceEqual(bytes) ? 0 : 1;

                Decoded actual;
                try
                {
                    actual = Decode(type, permuted);
                }
                catch (Exception e)
                {
                    throw new Xunit.Sdk.XunitException($"{type.Name} {order} {Convert.ToHexString(permuted)} (from {Convert.ToHexString(bytes)}): {e.GetType().Name}: {e.Message}");
                }

                Assert.True(expected == actual, $"{type.Name} {order} {Convert.ToHexString(permuted)} (from {Convert.ToHexString(bytes)}) decodes as {actual}, not {expected}");
                checkedInputs++;
            }
        }

        Assert.True(reordered > checkedInputs / 2, $"only {reordered} of {checkedInputs} re-encodings differ from their original");
    }

    /// <summary>A decoded value as bytes protobuf-net writes for it (references numbered in the order met), and the references it imported.</summary>
    private static Decoded Decode(Type type, byte[] bytes)
    {
        var table = new FakeReferenceTable(new Random(1));
        var message = Payloads.Deserialize(type, bytes, table) ?? throw new InvalidOperationException("decoded as null");
        using var stream = new MemoryStream();
        Payloads.Model.Serialize(stream, message, new Numbering());
        return new Decoded(message.GetType().Name, Convert.ToHexString(stream.ToArray()), table.Imports, table.ReplyPortImports);
    }

    private static PayloadModel CreateModel()
    {
        var model = new PayloadModel(MaxDepth);
        foreach (var type in new[] { typeof(ChatEvent), typeof(Banned), typeof(ChatLog), typeof(Ping), typeof(Square), typeof(Roster), typeof(RoomEvent), typeof(FuzzTree), typeof(FuzzScalars) })
        {
            model.Prepare(type);
        }

        return model;
    }

    /// <summary>Exports references numbered in the order met, reply ports without their remaining time (which runs while the test does).</summary>
    private sealed class Numbering : IReferenceTable
    {
        private ulong _next;

        public WireRef Export(IActorRef actor, Type messageType) => new(new WireId { Low = ++_next }, Yours: false);

        public WireRef ExportReplyPort(IActorRef target, Type replyType, TimeSpan remaining) => new(new WireId { Low = ++_next }, Yours: false, WithinMs: 1);

        public IActorRef Import(WireRef reference, Type messageType) => throw new NotSupportedException("exports only");

        public ReplyPort<T> ImportReplyPort<T>(WireRef reference) => throw new NotSupportedException("exports only");
    }

    /// <summary>What a decoded payload is, for comparison: its type, its canonical encoding and the references it imported.</summary>
    private sealed record Decoded(string Type, string Hex, int Imports, int ReplyPortImports);
}
