using System.Text.RegularExpressions;

namespace Wormhole.Tests.Docs;

/// <summary>Keeps the README (and docs/transports.md, docs/streams.md) honest: every C# block in it is code that compiles and runs in <see cref="ReadmeExamples"/> or a sample.</summary>
public sealed partial class ReadmeSnippetsTests
{
    private static readonly string Root = Support.RepositoryRoot.Find();

    public static TheoryData<string> SnippetNames()
    {
        var data = new TheoryData<string>();
        foreach (Match block in ReadmeBlock().Matches(ReadReadme()))
        {
            data.Add(block.Groups["name"].Value);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(SnippetNames))]
    public void ReadmeSnippet_MatchesTheCompiledCode(string name)
    {
        var readme = ReadmeBlock().Matches(ReadReadme()).Single(m => m.Groups["name"].Value == name);
        var source = CompiledSnippets().Single(s => s.Name == name);

        Assert.Equal(Normalize(source.Code), Normalize(readme.Groups["code"].Value));
    }

    [Fact]
    public void EveryCSharpBlockInTheReadme_IsASnippet()
    {
        var readme = ReadReadme();
        var allBlocks = Regex.Matches(readme, "```csharp\n").Count;

        Assert.True(allBlocks > 0);
        Assert.Equal(allBlocks, ReadmeBlock().Matches(readme).Count);
    }

    /// <summary>The README and the docs that follow its snippet convention, as one text.</summary>
    private static string ReadReadme() =>
        string.Join("\n", new[] { "README.md", Path.Combine("docs", "transports.md"), Path.Combine("docs", "streams.md") }.Select(doc => File.ReadAllText(Path.Combine(Root, doc)).ReplaceLineEndings("\n")));

    private static IEnumerable<(string Name, string Code)> CompiledSnippets()
    {
        var files = Directory.EnumerateFiles(Path.Combine(Root, "Wormhole.Tests"), "*.cs", SearchOption.AllDirectories)
            .Concat(Directory.EnumerateFiles(Path.Combine(Root, "Samples"), "*.cs", SearchOption.AllDirectories))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"));
        foreach (var file in files)
        {
            foreach (Match region in SourceRegion().Matches(File.ReadAllText(file).ReplaceLineEndings("\n")))
            {
                yield return (region.Groups["name"].Value, region.Groups["code"].Value);
            }
        }
    }

    /// <summary>Removes the common indentation and surrounding blank lines.</summary>
    private static string Normalize(string code)
    {
        var lines = code.Trim('\n').Split('\n').Select(l => l.TrimEnd()).ToArray();
        var indent = lines.Where(l => l.Length > 0).Min(l => l.Length - l.TrimStart().Length);
        return string.Join('\n', lines.Select(l => l.Length >= indent ? l[indent..] : l));
    }

    [GeneratedRegex("<!-- snippet: (?<name>[a-z0-9-]+) -->\n```csharp\n(?<code>.*?)```", RegexOptions.Singleline)]
    private static partial Regex ReadmeBlock();

    [GeneratedRegex(@"^[ \t]*// snippet: (?<name>[a-z0-9-]+)\n(?<code>.*?)^[ \t]*// end snippet", RegexOptions.Singleline | RegexOptions.Multiline)]
    private static partial Regex SourceRegion();
}
