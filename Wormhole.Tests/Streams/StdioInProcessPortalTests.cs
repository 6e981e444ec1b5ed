using System.IO.Pipes;
using Wormhole.Reactive;
using Wormhole.Streams;
using Wormhole.Tests.Support;

namespace Wormhole.Tests.Streams;

/// <summary>
/// The portal scenarios over what stdio conduits are made of (a length-framed <c>ByteStreamFlow</c> over a reading and a
/// writing stream), here two OS anonymous pipes in one process; plus end-of-stream and limits.
/// </summary>
public sealed class StdioInProcessPortalTests : PortalScenarios
{
    private readonly List<Stream> _streams = [];

    protected override async Task<(Portal Client, Portal Server)> ConnectAsync(Nexus client, Nexus server)
    {
        var ((clientConduit, _), (serverConduit, _)) = PipedPair();
        var clientPortal = client.ConnectAsync(clientConduit);
        var serverPortal = server.ConnectAsync(serverConduit);
        return (await clientPortal.WaitAsync(Bounds.Long), await serverPortal.WaitAsync(Bounds.Long));
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        foreach (var stream in _streams)
        {
            await stream.DisposeAsync();
        }
    }

    [Fact]
    public async Task PeerProcessVanishes_ItsPipesClose_PortalClosesWithConduitCompleted_ProxiesTerminate()
    {
        var server = RemoteSide.Create("pipe-server");
        var client = Nexus.Create(Sys);
        try
        {
            server.Nexus.Publish("probe", ActorRef<Pong>.From(CreateTestProbe(server.System).Ref));
            var ((clientConduit, _), (serverConduit, serverPipes)) = PipedPair();
            var serverPortal = server.Nexus.ConnectAsync(serverConduit);
            var portal = await client.ConnectAsync(clientConduit).WaitAsync(Bounds.Long);
            await serverPortal.WaitAsync(Bounds.Long);
            var probe = await portal.LookupAsync<Pong>("probe").WaitAsync(Bounds.Long);
            Watch(probe.Untyped);

            // What the OS does when the peer process dies: its ends of both pipes close.
            serverPipes.Input.Dispose();
            serverPipes.Output.Dispose();

            await ExpectTerminatedAsync(probe.Untyped, Bounds.Long);
            var reason = await portal.Completion.WaitAsync(Bounds.Long);
            Assert.Equal(PortalCloseKind.ConduitCompleted, reason.Kind);
        }
        finally
        {
            await client.DisposeAsync();
            await server.DisposeAsync();
        }
    }

    [Fact]
    public async Task PeerClosesItsOutputBeforeHello_ConnectFailsWithPortalClosedException()
    {
        var (toUs, fromPeer) = OsPipe();
        var (toPeer, fromUs) = OsPipe();
        _streams.Add(fromUs);
        var nexus = Nexus.Create(Sys);
        try
        {
            var connecting = nexus.ConnectAsync(StreamConduit.Over(toUs, toPeer));
            await fromPeer.DisposeAsync(); // the peer ends its output without a word

            var error = await Assert.ThrowsAsync<PortalClosedException>(() => connecting.WaitAsync(Bounds.Long));
            Assert.Equal(PortalCloseKind.ConduitCompleted, error.Reason.Kind);
        }
        finally
        {
            await nexus.DisposeAsync();
        }
    }

    [Fact]
    public async Task PeerSendsALengthPrefixOverTheFrameLimit_PortalClosesWithLimitExceeded()
    {
        var (toUs, fromPeer) = OsPipe();
        var (toPeer, fromUs) = OsPipe();
        _streams.Add(fromPeer);
        _streams.Add(fromUs);
        var nexus = Nexus.Create(Sys, new NexusOptions { MaxFrameBytes = 1024 });
        try
        {
            var connecting = nexus.ConnectAsync(StreamConduit.Over(toUs, toPeer));
            try
            {
                await fromPeer.WriteAsync(new byte[] { 0x00, 0x01, 0x00, 0x00 }); // 65,536 bytes follow, says the peer
                await fromPeer.FlushAsync();
            }
            catch (IOException)
            {
                // Broken pipe: the portal read the prefix and closed its end before the flush returned, as this test expects.
            }

            var error = await Assert.ThrowsAsync<PortalClosedException>(() => connecting.WaitAsync(Bounds.Long));
            Assert.Equal(PortalCloseKind.LimitExceeded, error.Reason.Kind);
        }
        finally
        {
            await nexus.DisposeAsync();
        }
    }

    /// <summary>One OS pipe: what is written to <c>Writer</c> is read from <c>Reader</c>.</summary>
    private static (Stream Reader, Stream Writer) OsPipe()
    {
        var writer = new AnonymousPipeServerStream(PipeDirection.Out);
        var reader = new AnonymousPipeClientStream(PipeDirection.In, writer.ClientSafePipeHandle);
        return (reader, writer);
    }

    /// <summary>Two conduits joined by two pipes, and the streams each one owns.</summary>
    private static ((Conduit Conduit, DuplexStreams Streams) Left, (Conduit Conduit, DuplexStreams Streams) Right) PipedPair()
    {
        var (leftIn, rightOut) = OsPipe();
        var (rightIn, leftOut) = OsPipe();
        var left = new DuplexStreams(leftIn, leftOut);
        var right = new DuplexStreams(rightIn, rightOut);
        return ((StreamConduit.Over(left.Input, left.Output), left), (StreamConduit.Over(right.Input, right.Output), right));
    }
}
