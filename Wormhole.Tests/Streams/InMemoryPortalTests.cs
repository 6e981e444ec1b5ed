using Wormhole.Streams;

namespace Wormhole.Tests.Streams;

/// <summary>The portal scenarios over the in-memory conduit.</summary>
public sealed class InMemoryPortalTests : PortalScenarios
{
    protected override Task<(Portal Client, Portal Server)> ConnectAsync(Nexus client, Nexus server) => InMemory.ConnectAsync(client, server);
}
