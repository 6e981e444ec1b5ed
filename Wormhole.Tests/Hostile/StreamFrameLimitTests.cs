using System.Net;
using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using Wormhole.Reactive;
using Wormhole.Streams;
using Wormhole.Tests.Support;
using Xunit.Abstractions;

namespace Wormhole.Tests.Hostile;

/// <summary>
/// A peer that states a frame limit larger than this side's own: the elements this side sends must still fit this side's
/// frame limit, which its own framing enforces on the way out. Its own server: a 64 KiB frame limit with the default
/// element limit (1 MiB - 64), a combination the hostile server's tight limits do not have.
/// </summary>
public sealed class StreamFrameLimitTests(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output)
{
    private static readonly NexusOptions Options = new() { MaxFrameBytes = 64 * 1024 };

    [Fact]
    public async Task PeerStatesAFrameLimitOverOurs_AnElementOverOurs_EndsTheStreamWithMaxStreamElementBytes_ThePortalStaysOpen()
    {
        await using var nexus = Nexus.Create(Sys, Options);
        var probe = new ProducerProbe();
        nexus.Publish("streams", FnActor.Spawn<StreamAsk>(Sys, async ctx =>
        {
            await foreach (var ask in ctx.Messages)
            {
                ask.Reply?.Reply(new StreamOffer { Tag = ask.Tag, Events = probe.Pieces(ask.Count, ask.PadBytes) });
            }
        }));
        var opened = nexus.Events.OfType<PortalEvent.Opened>().Select(e => e.Portal).FirstAsync().ToTask();
        await using var listener = await nexus.ListenTcpAsync(new IPEndPoint(IPAddress.Loopback, 0));
        await using var peer = await RawTcpPeer.ConnectAsync(listener.LocalEndPoint);
        await peer.HelloAsync(); // it states a frame limit of 1 MiB
        var portal = await opened.WaitAsync(Bounds.Long);
        var streams = await peer.LookupAsync("streams");
        var stream = (await peer.AskStreamsAsync(streams, count: 3, tag: 1, padBytes: 100_000))[0];

        await peer.DemandAsync(stream, credit: 10, creditBytes: 10 * RawStreamExtensions.Megabyte);

        var read = await peer.ReadStreamAsync(stream);
        Output!.WriteLine($"{read.End?.Code}: {read.End?.Reason}; portal {(portal.IsOpen ? "open" : $"closed: {await portal.Completion}")}");
        Assert.Empty(read.Pieces);
        Assert.Equal(("MaxStreamElementBytes", 0UL), (read.End!.Code, read.End.Count));
        Assert.Contains("exceeds the 65,472-byte limit", read.End.Reason, StringComparison.Ordinal);
        Assert.True(portal.IsOpen);
        Assert.Equal(0, portal.Counters.Streams);
        Assert.Equal(streams, await peer.LookupAsync("streams", requestId: 2));
    }

    /// <summary>
    /// Two pieces of 32,761 and 32,763 bytes fill a 64 KiB batch by the table's count (5 bytes per element for its
    /// framing), but with the frame's own header (the stream id) the frame would be 65,556 bytes: over this side's 65,536.
    /// </summary>
    [Fact]
    public async Task PeerStatesAFrameLimitOverOurs_BatchesOfLargeElementsStillFitOurFrameLimit_EveryElementArrives()
    {
        await using var nexus = Nexus.Create(Sys, Options);
        var probe = new ProducerProbe();
        nexus.Publish("streams", FnActor.Spawn<StreamAsk>(Sys, async ctx =>
        {
            await foreach (var ask in ctx.Messages)
            {
                ask.Reply?.Reply(new StreamOffer { Tag = ask.Tag, Events = probe.Pieces(ask.Count, ask.PadBytes) });
            }
        }));
        var opened = nexus.Events.OfType<PortalEvent.Opened>().Select(e => e.Portal).FirstAsync().ToTask();
        await using var listener = await nexus.ListenTcpAsync(new IPEndPoint(IPAddress.Loopback, 0));
        await using var peer = await RawTcpPeer.ConnectAsync(listener.LocalEndPoint);
        await peer.HelloAsync();
        var portal = await opened.WaitAsync(Bounds.Long);
        var streams = await peer.LookupAsync("streams");
        var stream = (await peer.AskStreamsAsync(streams, count: 10, tag: 1, padBytes: 32_757))[0];

        await peer.DemandAsync(stream, credit: 11, creditBytes: 10 * RawStreamExtensions.Megabyte); // one more than the count: see HostileStreamScenarios' StreamOfExactlyTheCredit test

        var read = await peer.ReadStreamAsync(stream);
        Output!.WriteLine($"{read.Pieces.Count} pieces in {read.Frames} frames, then {read.End?.Code}: {read.End?.Reason}");
        Assert.Equal(Enumerable.Range(0, 10), read.Pieces);
        Assert.Equal((10UL, ""), (read.End!.Count, read.End.Code));
        Assert.True(portal.IsOpen);
    }
}
