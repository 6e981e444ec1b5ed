using System.IO.Compression;
using System.Reflection;
using System.Xml.Linq;
using Wormhole.Tests.Support;
using Xunit.Abstractions;

namespace Wormhole.Tests.Packaging;

/// <summary>Runs alone: a dozen dotnet builds on two cores would slow every timing-bound test next to it, and be slowed by them.</summary>
[CollectionDefinition(nameof(PackageRestoreRunTests), DisableParallelization = true)]
public sealed class PackageRestoreRunCollection
{
}

/// <summary>
/// The packages as a user gets them: the four libraries packed into a folder feed, restored into a fresh
/// <c>dotnet new console</c> app and a fresh <c>dotnet new web</c> app, both run. The apps' code is in ConsumerApps/.
/// </summary>
[Collection(nameof(PackageRestoreRunTests))]
public sealed class PackageRestoreRunTests(ITestOutputHelper log)
{
    /// <summary>
    /// All its dotnet commands (packs, restores, builds, runs), about a minute alone on 2 cores; under test.sh's
    /// 5-minute hang timeout, so that a stuck command fails here with its output rather than as a hang dump.
    /// </summary>
    private static readonly TimeSpan TestBound = TimeSpan.FromMinutes(4.5);

    private static readonly string[] Packages = ["Wormhole.Reactive", "Wormhole.Streams", "Wormhole.AspNetCore", "Wormhole.Testing"];

    private readonly DateTime _deadline = DateTime.UtcNow + TestBound;

    [Fact]
    public async Task PackedPackages_RestoreIntoFreshConsoleAndWebApps_AndRun()
    {
        var root = RepositoryRoot.Find();
        var version = PackageVersion(root);
        var configuration = typeof(PackageRestoreRunTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var work = Directory.CreateTempSubdirectory("wormhole-packages-").FullName;
        try
        {
            var feed = Path.Combine(work, "feed");
            foreach (var package in Packages)
            {
                // --no-build: the test project references all four, so they are built in this configuration.
                await DotnetAsync(root, "pack", Path.Combine(root, package, package + ".csproj"), "-c", configuration, "--no-build", "-o", feed);
                AssertPackage(feed, package, version);
            }

            WriteFeedConfiguration(work, feed);

            var console = await NewAppAsync(work, "console", "ConsoleApp", "ConsoleProgram.cs", version, "Wormhole.Streams", "Wormhole.Reactive", "Wormhole.Testing");
            var web = await NewAppAsync(work, "web", "WebApp", "WebProgram.cs", version, "Wormhole.AspNetCore");

            // The restored Wormhole packages are the ones just packed, not a copy cached by an earlier run.
            foreach (var package in Packages)
            {
                Assert.True(
                    Directory.Exists(Path.Combine(work, "packages", package.ToLowerInvariant(), version)),
                    $"{package} {version} was not restored from the feed into {Path.Combine(work, "packages")}");
            }

            // A console client does not need ASP.NET Core: not in its restore graph, not in what it runs on.
            var assets = await File.ReadAllTextAsync(Path.Combine(console, "obj", "project.assets.json"));
            Assert.False(assets.Contains("Microsoft.AspNetCore.App", StringComparison.Ordinal), "the console app's obj/project.assets.json has a framework reference to Microsoft.AspNetCore.App");
            var runtimeConfig = await File.ReadAllTextAsync(Path.Combine(console, "bin", "Release", "net10.0", "ConsoleApp.runtimeconfig.json"));
            Assert.False(runtimeConfig.Contains("Microsoft.AspNetCore.App", StringComparison.Ordinal), $"the console app runs on ASP.NET Core:\n{runtimeConfig}");

            var consoleOutput = await DotnetAsync(console, Path.Combine("bin", "Release", "net10.0", "ConsoleApp.dll"));
            Assert.True(consoleOutput.Contains("console over tcp: 2 + 3 = 5", StringComparison.Ordinal), $"the console app did not print its ask's answer:\n{consoleOutput}");
            Assert.True(consoleOutput.Contains("testing config: Akka.TestKit.CallingThreadDispatcherConfigurator", StringComparison.Ordinal), $"the console app did not read Wormhole.Testing's configuration:\n{consoleOutput}");
            Assert.True(consoleOutput.Contains("console done", StringComparison.Ordinal), $"the console app did not finish:\n{consoleOutput}");

            var webOutput = await DotnetAsync(web, Path.Combine("bin", "Release", "net10.0", "WebApp.dll"));
            Assert.True(webOutput.Contains("options from appsettings.json: MaxFrameBytes = 65536, IdleTimeout = 00:00:30", StringComparison.Ordinal), $"the web app's nexus did not get its options from appsettings.json:\n{webOutput}");
            Assert.True(webOutput.Contains("web over websocket: 20 + 22 = 42", StringComparison.Ordinal), $"the web app did not print its ask's answer:\n{webOutput}");
            Assert.True(webOutput.Contains("the client's portal closed: ClosedByPeer", StringComparison.Ordinal), $"the web app's host did not say goodbye to its client as it stopped:\n{webOutput}");
            Assert.True(webOutput.Contains("web done", StringComparison.Ordinal), $"the web app did not finish:\n{webOutput}");
        }
        finally
        {
            try
            {
                Directory.Delete(work, recursive: true);
            }
            catch (IOException e)
            {
                log.WriteLine($"could not delete {work}: {e.Message}");
            }
        }
    }

    /// <summary>The version every package has, from Directory.Build.props, the one place it is set.</summary>
    private static string PackageVersion(string root)
    {
        var prefix = XDocument.Load(Path.Combine(root, "Directory.Build.props")).Descendants("VersionPrefix").SingleOrDefault()?.Value;
        Assert.True(prefix is { Length: > 0 }, "Directory.Build.props sets no VersionPrefix for the packages");
        return prefix;
    }

    /// <summary>The package and its symbol package exist, with a licence expression, a readme, a repository, this version.</summary>
    private static void AssertPackage(string feed, string package, string version)
    {
        var nupkg = Path.Combine(feed, $"{package}.{version}.nupkg");
        Assert.True(File.Exists(nupkg), $"no {Path.GetFileName(nupkg)} in the feed; it has: {string.Join(", ", Directory.GetFiles(feed).Select(Path.GetFileName))}");
        Assert.True(File.Exists(Path.ChangeExtension(nupkg, ".snupkg")), $"no symbol package {package}.{version}.snupkg");

        using var zip = ZipFile.OpenRead(nupkg);
        Assert.NotNull(zip.GetEntry("README.md"));
        Assert.NotNull(zip.GetEntry($"lib/net10.0/{package}.xml"));
        using var nuspecStream = zip.GetEntry($"{package}.nuspec")!.Open();
        var metadata = XDocument.Load(nuspecStream).Root!.Elements().Single(e => e.Name.LocalName == "metadata");
        string? Element(string name) => metadata.Elements().SingleOrDefault(e => e.Name.LocalName == name)?.Value;
        var license = metadata.Elements().SingleOrDefault(e => e.Name.LocalName == "license");

        Assert.Equal((package, "expression", "MIT"), (package, (string?)license?.Attribute("type"), license?.Value));
        Assert.Equal((package, "README.md"), (package, Element("readme")));
        Assert.False(string.IsNullOrEmpty(Element("description")), $"{package} has no description");
        var repository = metadata.Elements().SingleOrDefault(e => e.Name.LocalName == "repository");
        Assert.True(((string?)repository?.Attribute("url"))?.StartsWith("https://", StringComparison.Ordinal) == true, $"{package} names no repository URL");

        // The packages reach each other's internals: each depends on the others at exactly its own version.
        foreach (var dependency in metadata.Descendants().Where(e => e.Name.LocalName == "dependency" && ((string?)e.Attribute("id"))?.StartsWith("Wormhole.", StringComparison.Ordinal) == true))
        {
            Assert.Equal((package, (string?)dependency.Attribute("id"), $"[{version}]"), (package, (string?)dependency.Attribute("id"), (string?)dependency.Attribute("version")));
        }

        var aspNetCore = metadata.Descendants().Any(e => e.Name.LocalName == "frameworkReference" && (string?)e.Attribute("name") == "Microsoft.AspNetCore.App");
        Assert.Equal((package, package == "Wormhole.AspNetCore"), (package, aspNetCore));
    }

    /// <summary>
    /// A nuget.config beside the apps: the feed as one more source (this machine's own sources still apply) and a packages
    /// folder of its own, falling back to the user's, so the Wormhole packages restored are these and nothing else is
    /// downloaded twice. Empty Directory.*.props stop MSBuild from picking up anything above the temporary folder.
    /// </summary>
    private static void WriteFeedConfiguration(string work, string feed)
    {
        var userPackages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } packages
            ? packages
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var config = new XDocument(new XElement(
            "configuration",
            new XElement("config", new XElement("add", new XAttribute("key", "globalPackagesFolder"), new XAttribute("value", Path.Combine(work, "packages")))),
            new XElement("packageSources", new XElement("add", new XAttribute("key", "wormhole-local"), new XAttribute("value", feed))),
            new XElement("fallbackPackageFolders", new XElement("add", new XAttribute("key", "user"), new XAttribute("value", userPackages)))));
        config.Save(Path.Combine(work, "nuget.config"));
        foreach (var file in new[] { "Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props" })
        {
            File.WriteAllText(Path.Combine(work, file), "<Project />\n");
        }
    }

    /// <summary><c>dotnet new TEMPLATE</c>, the packages added at <paramref name="version"/>, Program.cs replaced, built in Release.</summary>
    private async Task<string> NewAppAsync(string work, string template, string name, string program, string version, params string[] packages)
    {
        var app = Path.Combine(work, name);
        await DotnetAsync(work, "new", template, "-n", name, "-o", app, "--no-restore");
        foreach (var package in packages)
        {
            await DotnetAsync(app, "add", "package", package, "--version", version);
        }

        var sources = Path.Combine(RepositoryRoot.Find(), "Wormhole.Tests", "Packaging", "ConsumerApps");
        File.Copy(Path.Combine(sources, program), Path.Combine(app, "Program.cs"), overwrite: true);
        var settings = Path.Combine(sources, Path.ChangeExtension(program, "appsettings.json"));
        if (File.Exists(settings))
        {
            File.Copy(settings, Path.Combine(app, "appsettings.json"), overwrite: true);
        }

        await DotnetAsync(app, "build", "-c", "Release", "--disable-build-servers");
        return app;
    }

    /// <summary>Runs <c>dotnet ARGUMENTS</c> in <paramref name="directory"/>; fails the test with its output when it fails or outlasts the test's <see cref="TestBound"/>.</summary>
    private Task<string> DotnetAsync(string directory, params string[] arguments) =>
        new DotnetCommand(log, _deadline, TestBound) { OwnPackagesFolder = true }.SucceedAsync(directory, arguments);
}
