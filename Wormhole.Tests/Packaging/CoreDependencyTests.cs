using System.Reflection;
using Wormhole.Reactive;
using Wormhole.Streams;

namespace Wormhole.Tests.Packaging;

/// <summary>The core libraries a console, MAUI or desktop client references stay free of ASP.NET Core; only Wormhole.AspNetCore uses it.</summary>
public sealed class CoreDependencyTests
{
    public static TheoryData<string> CoreAssemblies() =>
    [
        typeof(Nexus).Assembly.GetName().Name!,
        typeof(ActorRef<>).Assembly.GetName().Name!,
        typeof(Wormhole.Testing.ActorMarbles).Assembly.GetName().Name!,
    ];

    [Theory]
    [MemberData(nameof(CoreAssemblies))]
    public void CoreAssembly_ReferencesNoAspNetCoreAssembly(string name)
    {
        var references = Assembly.Load(name).GetReferencedAssemblies().Select(r => r.Name!).ToList();

        Assert.True(
            !references.Any(r => r.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal)),
            $"{name} references {string.Join(", ", references.Where(r => r.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal)))}: a client would need the ASP.NET Core shared framework");
    }

    [Fact]
    public void MapWormhole_LivesInWormholeAspNetCore_InTheWormholeStreamsNamespace()
    {
        var type = typeof(WormholeEndpointRouteBuilderExtensions);

        Assert.Equal(("Wormhole.AspNetCore", "Wormhole.Streams"), (type.Assembly.GetName().Name, type.Namespace));
    }
}
