using Xunit.Abstractions;
namespace Wormhole.Tests.Hostile;

/// <summary>The hostile-peer scenarios against <c>MapWormhole</c> in a real Kestrel (one binary WebSocket message per frame).</summary>
public sealed class WebSocketHostilePeerTests(WebSocketHostileServer server, ITestOutputHelper output) : HostilePeerScenarios(server, output), IClassFixture<WebSocketHostileServer>
{
    /// <summary>One binary message of twice the frame limit.</summary>
    private protected override Task SendOversizedFrameAsync(IRawPeer peer) => peer.SendBodyAsync(new byte[2 * HostileServer.Options.MaxFrameBytes]);

    private protected override void AssertOversizedFrameSeen(IRawPeer peer) => Assert.Contains("MessageTooBig (1009)", peer.CloseDescription);

    protected override byte[] OnTheWire(byte[] body) => body;
}
