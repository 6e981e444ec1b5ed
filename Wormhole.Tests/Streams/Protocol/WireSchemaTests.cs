using Akka.IO;
using Wormhole.Streams.Protocol;
using Wormhole.Tests.Support;

namespace Wormhole.Tests.Streams.Protocol;

/// <summary>
/// docs/wormhole.proto is generated from the frame contracts; this fails when the two drift apart. protoc, a second
/// protobuf implementation, reads the frames the codec writes from that file alone, and writes frames the codec reads.
/// </summary>
public sealed class WireSchemaTests
{
    private static readonly string DocsProto = Path.Combine(RepositoryRoot.Find(), "docs", "wormhole.proto");
    [Fact]
    public void DocsProto_MatchesTheContracts()
    {
        var path = Path.Combine(RepositoryRoot.Find(), "docs", "wormhole.proto");
        var generated = WireSchema.Document();
        if (Environment.GetEnvironmentVariable("WORMHOLE_WRITE_PROTO") == "1")
        {
            File.WriteAllText(path, generated);
        }

        Assert.True(File.Exists(path), $"{path} is missing: run the tests once with WORMHOLE_WRITE_PROTO=1 to write it.");
        Assert.Equal(generated, File.ReadAllText(path).ReplaceLineEndings("\n"));
    }

    [Fact]
    public void Schema_DeclaresEveryFrameKindAsAOneof()
    {
        var schema = FrameCodec.Schema();

        foreach (var kind in new[] { "Hello", "Lookup", "LookupReply", "Deliver", "Terminated", "Release", "Demand", "Error", "Goodbye", "KeepAlive", "StreamItems", "StreamEnd", "StreamCancel" })
        {
            Assert.Contains($"{kind} {kind} = ", schema);
        }

        Assert.Contains("oneof subtype", schema);
    }

    [Fact]
    public void DocsProto_CompilesWithProtoc() => Protoc.Compile(DocsProto);

    [Fact]
    public void Frame_EncodedByProtoc_DecodesInTheFrameCodec()
    {
        var bytes = Protoc.Encode(DocsProto, "Wormhole.Streams.Protocol.Frame", """
            Hello { ProtocolVersion: 1 SideId { High: 1 Low: 2 } ConduitHalf { High: 3 Low: 4 } MaxFrameBytes: 1048576 }
            """);

        var hello = Assert.IsType<Hello>(FrameCodec.Decode(ByteString.FromBytes(bytes), 1024 * 1024));

        Assert.Equal(1u, hello.ProtocolVersion);
        Assert.Equal(new WireId { High = 1, Low = 2 }, hello.SideId);
        Assert.Equal(new WireId { High = 3, Low = 4 }, hello.ConduitHalf);
        Assert.Equal(1024u * 1024, hello.MaxFrameBytes);
    }

    [Fact]
    public void Frame_EncodedByTheFrameCodec_DecodesWithProtoc()
    {
        var deliver = new Deliver
        {
            Target = new WireId { High = 1, Low = 2 },
            Payload = [0x08, 0x2A],
            ReplyTo = new WireId { High = 3, Low = 4 },
            ReplyWithinMs = 60_000,
        };

        var text = Protoc.Decode(DocsProto, "Wormhole.Streams.Protocol.Frame", FrameCodec.Encode(deliver).ToArray());

        Assert.Equal(
            "Deliver {\n  Target {\n    High: 1\n    Low: 2\n  }\n  Payload: \"\\010*\"\n  ReplyTo {\n    High: 3\n    Low: 4\n  }\n  ReplyWithinMs: 60000\n}\n",
            text);
    }
}
