using System.Buffers.Binary;
using System.Text;
using System.Text.RegularExpressions;
using Akka.Actor;
using Akka.IO;
using Chat.Contracts;
using Wormhole.Reactive;
using Wormhole.Streams.Protocol;
using Wormhole.Streams.Transmaterialization;
using Wormhole.Tests.Streams.Schema;
using Wormhole.Tests.Support;

namespace Wormhole.Tests.Docs;

/// <summary>
/// Keeps docs/protocol.md's worked examples true: each block marked <c>&lt;!-- bytes: NAME --&gt;</c> holds exactly the
/// bytes the frame codec and the payload encoder write for the example of that name here (the annotations after the
/// hex are free text), and the codec reads them back.
/// </summary>
public sealed partial class ProtocolExamplesTests
{
    // Ids whose bytes count up, so a dump shows the byte order: each half is a little-endian fixed64.
    private static readonly WireId Side = Id(0x11);
    private static readonly WireId ConduitHalf = Id(0x21);
    private static readonly WireId Room = Id(0x31);
    private static readonly WireId Greeter = Id(0xA1);
    private static readonly WireId Adder = Id(0xB1);
    private static readonly WireId Client = Id(0xC1);
    private static readonly WireId Port = Id(0xE1);
    private static readonly WireId Stream = Id(0x41);

    private static readonly Dictionary<string, Func<byte[]>> Examples = new()
    {
        ["hello"] = () => Framed(new Hello { ProtocolVersion = 1, SideId = Side, ConduitHalf = ConduitHalf, MaxFrameBytes = 1024 * 1024, IdleTimeoutMs = 60_000 }),
        ["lookup"] = () => Frame(new Lookup { RequestId = 1, Name = "greeter" }),
        ["lookup-reply"] = () => Frame(new LookupReply { RequestId = 1, ActorId = Greeter }),
        ["lookup-reply-not-found"] = () => Frame(new LookupReply { RequestId = 2 }),
        ["deliver-greet"] = () => Frame(new Deliver
        {
            Target = Greeter,
            Payload = Payload(new Greet { Name = "Ada", ReplyTo = Nobody<Greeting>() }, new WireRef(Client, Yours: false)),
        }),
        ["payload-greet-handed-back"] = () => Payload(new Greet { Name = "Ada", ReplyTo = Nobody<Greeting>() }, new WireRef(Client, Yours: true)),
        ["deliver-add"] = () => Frame(new Deliver
        {
            Target = Adder,
            Payload = Payload(new Add { A = 2, B = 3, Reply = new ReplyPort<int>(ActorRefs.Nobody, TimeSpan.FromSeconds(30)) }, new WireRef(Port, Yours: false, WithinMs: 30_000)),
        }),
        ["deliver-add-answer"] = () => Frame(new Deliver { Target = Port, Payload = Payload(5) }),
        ["deliver-failure"] = () => Frame(new Deliver { Target = Port, Failure = "ArgumentException: bad" }),
        ["deliver-ask"] = () => Frame(new Deliver { Target = Greeter, Payload = Payload(new Greet { Name = "Bo" }), ReplyTo = Port, ReplyWithinMs = 60_000 }),
        ["payload-post"] = () => Payload(new Post { Text = "hi", Reply = new ReplyPort<Ack>(ActorRefs.Nobody, TimeSpan.FromSeconds(10)) }, new WireRef(Port, Yours: false, WithinMs: 10_000)),
        ["payload-welcome"] = () => Payload(
            new Welcome { Alias = "ada", History = [new MessagePosted { From = "bo", Text = "hi", Sequence = 1 }], Room = Nobody<ChatRoom>() },
            new WireRef(Room, Yours: false)),
        ["release"] = () => Frame(new Release { Id = Client, Count = 2 }),
        ["terminated"] = () => Frame(new TerminatedFrame { Id = Greeter }),
        ["error"] = () => Frame(new ErrorFrame { Code = "hello-expected", Message = "the first frame must be Hello" }),
        ["goodbye"] = () => Frame(new Goodbye { Reason = "closed by this side" }),
        ["keepalive"] = () => Frame(new KeepAlive()),
        ["deliver-quotes"] = () => Frame(new Deliver { Target = Port, Payload = StreamPayload(new Quotes { Prices = NoQuotes() }, Stream) }),
        ["demand"] = () => Frame(new Demand { Stream = Stream, Credit = 256, CreditBytes = 256 * 1024 }),
        ["stream-items"] = () => Frame(new StreamItems { Stream = Stream, Items = [Payload(new Quote { Symbol = "ACME", Cents = 100 }), Payload(new Quote { Symbol = "ACME", Cents = 101 })] }),
        ["stream-items-next"] = () => Frame(new StreamItems { Stream = Stream, FirstSeq = 2, Items = [Payload(new Quote { Symbol = "ACME", Cents = 102 })] }),
        ["stream-end"] = () => Frame(new StreamEnd { Stream = Stream, Count = 3 }),
        ["stream-end-failed"] = () => Frame(new StreamEnd { Stream = Stream, Count = 3, Code = "failed", Reason = "the producer failed" }),
        ["stream-cancel"] = () => Frame(new StreamCancel { Stream = Stream }),
        ["stream-end-cancelled"] = () => Frame(new StreamEnd { Stream = Stream, Count = 3, Code = "cancelled" }),
    };

    private static readonly string ProtocolMd = File.ReadAllText(Path.Combine(RepositoryRoot.Find(), "docs", "protocol.md")).ReplaceLineEndings("\n");

    public static TheoryData<string> ExampleNames() => [.. Examples.Keys];

    [Theory]
    [MemberData(nameof(ExampleNames))]
    public void Example_InProtocolMd_IsWhatWormholeWrites(string name)
    {
        var written = Examples[name]();
        var documented = DocumentedBytes(name);

        Assert.True(documented is not null, $"docs/protocol.md has no block <!-- bytes: {name} -->; Wormhole writes:\n{Dump(written)}");
        Assert.True(written.AsSpan().SequenceEqual(documented), $"docs/protocol.md's '{name}' differs; Wormhole writes:\n{Dump(written)}");
    }

    [Fact]
    public void EveryByteBlockInProtocolMd_IsAnExample() =>
        Assert.Equal(Examples.Keys.Order(), ByteBlock().Matches(ProtocolMd).Select(m => m.Groups["name"].Value).Order());

    [Theory]
    [MemberData(nameof(ExampleNames))]
    public void FrameExample_DecodesAndEncodesBackTheSame(string name)
    {
        if (name.StartsWith("payload-", StringComparison.Ordinal))
        {
            return;
        }

        var bytes = name == "hello" ? Examples[name]()[4..] : Examples[name]();

        var frame = FrameCodec.Decode(ByteString.FromBytes(bytes), 1024 * 1024);

        Assert.IsNotType<InvalidFrame>(frame);
        Assert.Equal(Convert.ToHexString(bytes), Convert.ToHexString(FrameCodec.Encode(frame).ToArray()));
    }

    [Fact]
    public void LookupReply_WithoutActorIdOrWithAZeroId_MeansNotFound()
    {
        byte[] absent = [0x1A, 0x02, 0x08, 0x02];
        byte[] zero = [0x1A, 0x16, 0x08, 0x02, 0x12, 0x12, 0x09, 0, 0, 0, 0, 0, 0, 0, 0, 0x11, 0, 0, 0, 0, 0, 0, 0, 0];

        foreach (var bytes in new[] { absent, zero, Examples["lookup-reply-not-found"]() })
        {
            Assert.True(Assert.IsType<LookupReply>(FrameCodec.Decode(ByteString.FromBytes(bytes), 1024)).ActorId.IsEmpty);
        }
    }

    private static WireId Id(byte first)
    {
        Span<byte> bytes = stackalloc byte[16];
        for (var i = 0; i < 16; i++)
        {
            bytes[i] = (byte)(first + i);
        }

        return new WireId { High = BinaryPrimitives.ReadUInt64LittleEndian(bytes), Low = BinaryPrimitives.ReadUInt64LittleEndian(bytes[8..]) };
    }

    private static byte[] Frame(Frame frame) => FrameCodec.Encode(frame).ToArray();

    /// <summary>A frame as it travels on a stream transport: its length as 4 bytes, big-endian, then the frame.</summary>
    private static byte[] Framed(Frame frame)
    {
        var body = Frame(frame);
        var framed = new byte[4 + body.Length];
        BinaryPrimitives.WriteUInt32BigEndian(framed, (uint)body.Length);
        body.CopyTo(framed, 4);
        return framed;
    }

    private static byte[] Payload<T>(T message, params WireRef[] references) =>
        WormholeSchemaTests.EncodeAsAPortalDoes(message, new ScriptedReferenceTable(references));

    /// <summary>A payload whose stream fields take the given ids, in the order the encoder meets them.</summary>
    private static byte[] StreamPayload<T>(T message, params WireId[] streams) =>
        WormholeSchemaTests.EncodeAsAPortalDoes(message, new ScriptedStreamTable(streams));

    private static async IAsyncEnumerable<Quote> NoQuotes()
    {
        await Task.CompletedTask;
        yield break;
    }

    private static ActorRef<T> Nobody<T>() => ActorRef<T>.From(ActorRefs.Nobody);

    /// <summary>The bytes of the block named <paramref name="name"/>: on each line, the hex pairs before the annotation.</summary>
    private static byte[]? DocumentedBytes(string name)
    {
        var block = ByteBlock().Matches(ProtocolMd).SingleOrDefault(m => m.Groups["name"].Value == name);
        if (block is null)
        {
            return null;
        }

        var hex = new StringBuilder();
        foreach (var line in block.Groups["dump"].Value.Split('\n'))
        {
            hex.Append(HexPrefix().Match(line).Groups["hex"].Value.Replace(" ", "", StringComparison.Ordinal));
        }

        return Convert.FromHexString(hex.ToString());
    }

    private static string Dump(byte[] bytes) =>
        string.Join('\n', bytes.Chunk(16).Select(line => string.Join(' ', line.Select(b => b.ToString("x2")))));

    [GeneratedRegex("<!-- bytes: (?<name>[a-z-]+) -->\n```text\n(?<dump>.*?)```", RegexOptions.Singleline)]
    private static partial Regex ByteBlock();

    /// <summary>A dump line: optional indentation, hex pairs separated by single spaces, then two spaces or more before the annotation.</summary>
    [GeneratedRegex("^ *(?<hex>[0-9a-f]{2}( [0-9a-f]{2})*)(  .*)?$")]
    private static partial Regex HexPrefix();
}
