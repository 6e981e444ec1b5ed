using Xunit.Abstractions;
using Wormhole.Streams;

namespace Wormhole.Tests.Hostile;

/// <summary>The hostile-peer scenarios against a TCP listener (4-byte big-endian length prefix per frame), plus what only TCP has.</summary>
public sealed class TcpHostilePeerTests(TcpHostileServer server, ITestOutputHelper output) : HostilePeerScenarios(server, output), IClassFixture<TcpHostileServer>
{
    /// <summary>A length prefix claiming 2 GiB (int.MaxValue bytes), then a few bytes: refused from the prefix alone.</summary>
    private protected override Task SendOversizedFrameAsync(IRawPeer peer) => peer.SendRawAsync(Bytes(RawTcpPeer.Prefix(int.MaxValue), new byte[16]));

    /// <summary>A FIN after the last frame: the raw peer read the end of the stream, not a reset.</summary>
    private protected override void AssertClosedInOrder(IRawPeer peer, string code) => Assert.Equal("the server closed the connection", peer.CloseDescription);

    [Fact]
    public async Task LengthPrefixNegative_ClosesWithTheFrameSizeLimit()
    {
        using var watch = Server.Watch(Output!.WriteLine);
        var peer = await Server.ConnectRawAsync();
        await peer.HelloAsync();

        await peer.SendRawAsync(Bytes([0x80, 0, 0, 0], new byte[16])); // 2 GiB as an unsigned length: negative as Int32

        await peer.ReadUntilClosedAsync();
        await watch.ExpectClosedAsync(PortalCloseKind.LimitExceeded, "65,536", "2,147,483,648 bytes"); // read unsigned, as the protocol says
        await watch.FinishAsync(this, peer);
    }

    [Fact]
    public async Task ConnectionEndsInTheMiddleOfAFrame_ClosesAsConduitFailed_NotAsALimit()
    {
        using var watch = Server.Watch(Output!.WriteLine);
        var peer = (RawTcpPeer)await Server.ConnectRawAsync();
        await peer.HelloAsync();

        await peer.SendRawAsync(Bytes(RawTcpPeer.Prefix(100), new byte[10]));
        peer.ShutdownSend();

        await peer.ReadUntilClosedAsync();
        await watch.ExpectClosedAsync(PortalCloseKind.ConduitFailed, "middle of a frame");
        await watch.FinishAsync(this, peer);
    }

    private static byte[] Bytes(params byte[][] parts) => [.. parts.SelectMany(p => p)];
}
