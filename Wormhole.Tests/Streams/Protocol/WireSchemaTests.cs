using Wormhole.Streams.Protocol;
using Wormhole.Tests.Support;

namespace Wormhole.Tests.Streams.Protocol;

/// <summary>docs/wormhole.proto is generated from the frame contracts; this fails when the two drift apart.</summary>
public sealed class WireSchemaTests
{
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

        foreach (var kind in new[] { "Hello", "Lookup", "LookupReply", "Deliver", "Terminated", "Release", "Demand", "Error", "Goodbye" })
        {
            Assert.Contains($"{kind} {kind} = ", schema);
        }

        Assert.Contains("oneof subtype", schema);
    }
}
