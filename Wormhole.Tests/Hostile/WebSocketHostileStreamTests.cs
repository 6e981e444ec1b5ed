using Xunit.Abstractions;

namespace Wormhole.Tests.Hostile;

/// <summary>The hostile stream scenarios against <c>MapWormhole</c> in a real Kestrel.</summary>
public sealed class WebSocketHostileStreamTests(WebSocketHostileServer server, ITestOutputHelper output) : HostileStreamScenarios(server, output), IClassFixture<WebSocketHostileServer>;
