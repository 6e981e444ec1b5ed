using Wormhole.Streams;
using Wormhole.Streams.Protocol;
using Wormhole.Tests.Support;
using Xunit.Abstractions;
namespace Wormhole.Tests.Hostile;

/// <summary>The hostile-peer scenarios against <c>MapWormhole</c> in a real Kestrel (length-prefixed frames in binary WebSocket messages).</summary>
public sealed class WebSocketHostilePeerTests(WebSocketHostileServer server, ITestOutputHelper output) : HostilePeerScenarios(server, output), IClassFixture<WebSocketHostileServer>
{
    /// <summary>One binary message holding a frame of twice the frame limit: refused by its size as a message.</summary>
    private protected override Task SendOversizedFrameAsync(IRawPeer peer) => peer.SendBodyAsync(new byte[2 * HostileServer.Options.MaxFrameBytes]);

    private protected override void AssertOversizedFrameSeen(IRawPeer peer) => Assert.Contains("MessageTooBig (1009)", peer.CloseDescription);

    /// <summary>A close handshake whose status says what kind of fault and whose reason names the code.</summary>
    private protected override void AssertClosedInOrder(IRawPeer peer, string code)
    {
        var status = code == PortalErrorCodes.MaxFrameBytes ? "MessageTooBig (1009)" : "PolicyViolation (1008)";
        Assert.StartsWith($"the server closed the WebSocket with {status}: {code}", peer.CloseDescription);
    }

    [Fact]
    public async Task SeveralFramesInOneMessage_AndAFrameSplitAcrossMessages_AreAllRead()
    {
        using var watch = Server.Watch(Output!.WriteLine);
        var peer = await Server.ConnectRawAsync();
        var hello = RawTcpPeer.Prefixed(FrameCodec.Encode(RawPeerExtensions.NewHello()).ToArray());
        var lookup = RawTcpPeer.Prefixed(FrameCodec.Encode(new Lookup { RequestId = 7, Name = "echo" }).ToArray());
        var unknown = RawTcpPeer.Prefixed(FrameCodec.Encode(new Lookup { RequestId = 8, Name = "nobody" }).ToArray());

        await peer.SendRawAsync((byte[])[.. hello, .. lookup, .. unknown[..5]]); // two whole frames and the start of a third
        await peer.SendRawAsync(unknown[5..]);

        Assert.IsType<Hello>(await peer.ReceiveAsync(Bounds.Long));
        var found = Assert.IsType<LookupReply>(await peer.NextSkippingKeepAlivesAsync());
        Assert.Equal(7UL, found.RequestId);
        Assert.False(found.ActorId.IsEmpty);
        var missing = Assert.IsType<LookupReply>(await peer.NextSkippingKeepAlivesAsync());
        Assert.Equal(8UL, missing.RequestId);
        Assert.True(missing.ActorId.IsEmpty);
        Assert.False(peer.Closed);
        await watch.FinishAsync(this, peer);
    }
}
