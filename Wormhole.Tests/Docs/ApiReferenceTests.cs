using System.Text.RegularExpressions;
using Wormhole.Tests.Support;
using Xunit.Abstractions;

namespace Wormhole.Tests.Docs;

/// <summary>Runs alone: DocFX compiles the four libraries itself, which would slow every timing-bound test next to it.</summary>
[CollectionDefinition(nameof(ApiReferenceTests), DisableParallelization = true)]
public sealed class ApiReferenceCollection
{
}

/// <summary>
/// The API reference (docfx.json at the root: the four packages' XML docs, the README and docs/*.md) builds as the
/// README says, with the local tool of .config/dotnet-tools.json, and with no warning: a cref DocFX cannot resolve, a
/// link to a file or a heading that is not there fails here.
/// </summary>
[Collection(nameof(ApiReferenceTests))]
public sealed partial class ApiReferenceTests(ITestOutputHelper log)
{
    /// <summary>
    /// <c>dotnet tool restore</c> and DocFX's metadata and build take 20 to 50 s on 2 cores; under test.sh's 5-minute
    /// hang timeout, so that a stuck DocFX fails here with its output rather than as a hang dump.
    /// </summary>
    private static readonly TimeSpan TestBound = TimeSpan.FromMinutes(4.5);

    private readonly DateTime _deadline = DateTime.UtcNow + TestBound;

    [Fact]
    public async Task ApiReference_BuildsFromTheXmlDocsAndArticles_WithNoWarning()
    {
        var root = RepositoryRoot.Find();
        var site = Directory.CreateTempSubdirectory("wormhole-api-").FullName;
        try
        {
            var (restored, restoreOutput) = await DotnetAsync(root, "tool", "restore");
            Assert.True(restored == 0, $"dotnet tool restore exited with {restored}:\n{restoreOutput}");
            var (exit, output) = await DotnetAsync(root, "docfx", "docfx.json", "--warningsAsErrors", "--output", site);

            var problems = Problem().Matches(output).Select(m => m.Value).ToList();
            Assert.True(
                exit == 0 && problems.Count == 0,
                $"DocFX exited with {exit} and reported {problems.Count} warning(s) or error(s):\n{string.Join('\n', problems)}\n\n" +
                "(InvalidCref, UidNotFound: a cref or xref to nothing; InvalidBookmark: a link to a heading that is not there; " +
                "InvalidFileLink: a link to a file outside the site: a Markdown file belongs in docfx.json's build.content, " +
                "any other file in its build.resource)\n\nits whole output:\n" + output);
            Assert.True(output.Contains("0 warning(s)", StringComparison.Ordinal), $"DocFX's output has no \"0 warning(s)\" line:\n{output}");

            // The pages a reader starts from: the landing page, the README, an article, a type of each package.
            string[] pages =
            [
                "index.html", "README.html", "docs/protocol.html",
                "reference/Wormhole.Streams.Nexus.html", "reference/Wormhole.Reactive.ActorRef-1.html",
                "reference/Wormhole.Streams.WormholeEndpointRouteBuilderExtensions.html", "reference/Wormhole.Testing.ActorMarbles.html",
            ];
            foreach (var page in pages)
            {
                Assert.True(File.Exists(Path.Combine(site, page)), $"DocFX built no {page} in {site}:\n{output}");
            }
        }
        finally
        {
            try
            {
                Directory.Delete(site, recursive: true);
            }
            catch (IOException e)
            {
                log.WriteLine($"could not delete {site}: {e.Message}");
            }
        }
    }

    /// <summary>Runs <c>dotnet ARGUMENTS</c> in <paramref name="directory"/>: its exit code and output; fails the test when it outlasts <see cref="TestBound"/>.</summary>
    private Task<(int ExitCode, string Output)> DotnetAsync(string directory, params string[] arguments) =>
        new DotnetCommand(log, _deadline, TestBound).RunAsync(directory, arguments);

    /// <summary>A line of DocFX's log that reports a warning or an error (not its closing count, "0 warning(s)").</summary>
    [GeneratedRegex(@"^.*\b(warning|error)\b(?! ?\(s\)).*$", RegexOptions.Multiline | RegexOptions.IgnoreCase)]
    private static partial Regex Problem();
}
