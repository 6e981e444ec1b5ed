using Akka.Actor;
using Akka.Configuration;
using Wormhole.Streams;

namespace Wormhole.Tests.Streams;

/// <summary>A second actor system with its own nexus, for a test whose TestKit system is the other side.</summary>
public sealed class RemoteSide : IAsyncDisposable
{
    private RemoteSide(ActorSystem system, Nexus nexus)
    {
        System = system;
        Nexus = nexus;
    }

    public ActorSystem System { get; }

    public Nexus Nexus { get; }

    public static RemoteSide Create(string name, NexusOptions? options = null)
    {
        var system = ActorSystem.Create(name, ConfigurationFactory.ParseString("akka.loglevel = WARNING"));
        return new RemoteSide(system, Nexus.Create(system, options));
    }

    public async ValueTask DisposeAsync()
    {
        await Nexus.DisposeAsync();
        await System.Terminate();
    }
}

/// <summary>Connects two nexuses over an in-memory conduit and returns both portals.</summary>
public static class InMemory
{
    public static async Task<(Portal Left, Portal Right)> ConnectAsync(Nexus left, Nexus right)
    {
        var (a, b) = Conduit.InMemoryPair();
        var leftPortal = left.ConnectAsync(a);
        var rightPortal = right.ConnectAsync(b);
        return (await leftPortal.WaitAsync(Support.Bounds.Long), await rightPortal.WaitAsync(Support.Bounds.Long));
    }
}
