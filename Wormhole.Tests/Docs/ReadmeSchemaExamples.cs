using System.Text.RegularExpressions;
using Wormhole.Streams;
using Wormhole.Tests.Support;

namespace Wormhole.Tests.Docs;

/// <summary>The README's "Schema of your contracts": the call compiles and runs, and the schema it shows is part of what it returns.</summary>
public sealed partial class ReadmeSchemaExamples
{
    [Fact]
    public void SchemaOfYourContracts_ReadmeShowsWhatGetProtoWrites()
    {
        // snippet: contract-schema
        string proto = WormholeSchema.GetProto(typeof(Greet), typeof(Add));   // what "greeter" and "adder" accept
        // end snippet

        var readme = File.ReadAllText(Path.Combine(RepositoryRoot.Find(), "README.md")).ReplaceLineEndings("\n");
        var shown = ShownSchema().Match(readme);
        Assert.True(shown.Success, "README.md has no ```proto block after the contract-schema snippet");
        Assert.Contains(shown.Groups["proto"].Value, proto);
    }

    [GeneratedRegex("<!-- snippet: contract-schema -->\n```csharp\n.*?```\n\n[^`]*```proto\n(?<proto>.*?)```", RegexOptions.Singleline)]
    private static partial Regex ShownSchema();
}
