using Wormhole.Streams;

namespace Wormhole.Tests.Streams.Streaming;

/// <summary>The stream scenarios over the in-memory conduit.</summary>
public sealed class InMemoryStreamTests : StreamScenarios
{
    protected override Task<(Portal Client, Portal Server)> ConnectAsync(Nexus client, Nexus server) => InMemory.ConnectAsync(client, server);
}
