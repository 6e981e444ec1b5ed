using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Wormhole.Tests.Docs;

/// <summary>
/// Keeps the README's package lists honest: a block marked &lt;!-- packages: NAME --&gt; names the versions this
/// repository builds with (Directory.Packages.props), and the marble-testing one lists every Rx package Wormhole.Testing needs.
/// </summary>
public sealed partial class ReadmePackagesTests
{
    private static readonly string Root = Support.RepositoryRoot.Find();

    [Fact]
    public void ReadmePackageReferences_HaveTheVersionsThisRepositoryBuildsWith()
    {
        var versions = PackageVersions();

        foreach (var (package, version) in ReadmePackages("marble-testing"))
        {
            Assert.True(versions.ContainsKey(package), $"the README references {package}, which Directory.Packages.props does not list");
            Assert.Equal((package, versions[package]), (package, version));
        }
    }

    [Fact]
    public void ReadmeMarbleTestingPackages_IncludeEveryRxPackageOfWormholeTesting()
    {
        var readme = ReadmePackages("marble-testing").Select(p => p.Package).ToHashSet();
        var testing = XDocument.Load(Path.Combine(Root, "Wormhole.Testing", "Wormhole.Testing.csproj"))
            .Descendants("PackageReference")
            .Select(p => (string)p.Attribute("Include")!)
            .Where(p => p.Contains("Reactive", StringComparison.Ordinal));

        Assert.All(testing, package => Assert.Contains(package, readme));
    }

    private static Dictionary<string, string> PackageVersions() =>
        XDocument.Load(Path.Combine(Root, "Directory.Packages.props"))
            .Descendants("PackageVersion")
            .ToDictionary(p => (string)p.Attribute("Include")!, p => (string)p.Attribute("Version")!);

    private static List<(string Package, string Version)> ReadmePackages(string name)
    {
        var readme = File.ReadAllText(Path.Combine(Root, "README.md")).ReplaceLineEndings("\n");
        var block = PackagesBlock().Matches(readme).Single(m => m.Groups["name"].Value == name);
        var references = XElement.Parse(block.Groups["xml"].Value).Descendants("PackageReference")
            .Select(p => ((string)p.Attribute("Include")!, (string)p.Attribute("Version")!))
            .ToList();
        Assert.NotEmpty(references);
        return references;
    }

    [GeneratedRegex("<!-- packages: (?<name>[a-z0-9-]+) -->\n```xml\n(?<xml>.*?)```", RegexOptions.Singleline)]
    private static partial Regex PackagesBlock();
}
