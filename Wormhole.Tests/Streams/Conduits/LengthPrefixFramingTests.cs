using Akka.IO;
using Akka.Streams;
using Akka.Streams.Dsl;
using Akka.Streams.TestKit;
using Wormhole.Streams;
using Wormhole.Tests.Support;

namespace Wormhole.Tests.Streams.Conduits;

/// <summary>The byte-stream framing (TCP, Unix socket, stdio): 4-byte big-endian length prefixes, and frames that wait for the socket coalesced into one write.</summary>
public sealed class LengthPrefixFramingTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly ByteString[] Frames = Enumerable.Range(1, 200)
        .Select(i => ByteString.FromBytes(Enumerable.Range(0, i % 37 + 1).Select(b => (byte)(b + i)).ToArray()))
        .ToArray();

    [Fact]
    public async Task Framing_EncoderAtopDecoder_IsTheIdentity()
    {
        var looped = LengthPrefixFraming.Create(1024).Join(Flow.Create<ByteString>());

        var decoded = await Source.From(Frames).Via(looped).RunWith(Sink.Seq<ByteString>(), Sys.Materializer()).WaitAsync(Bounds.Long);

        Assert.Equal(Frames.Select(f => f.ToArray()), decoded.Select(f => f.ToArray()));
    }

    [Fact]
    public async Task Framing_SocketBusy_CoalescesWaitingFramesIntoOneWrite_ThatDecodesToTheSameFrames()
    {
        var (writes, done) = Source.From(Frames)
            .ViaMaterialized(LengthPrefixFraming.Create(1024).JoinMat(Flow.FromSinkAndSource(this.SinkProbe<ByteString>(), Source.Never<ByteString>(), Keep.Left), Keep.Right), Keep.Right)
            .ToMaterialized(Sink.Ignore<ByteString>(), Keep.Both)
            .Run(Sys.Materializer());

        writes.Request(1);
        var first = writes.ExpectNext(Bounds.Long); // the socket was free: the first frame goes at once
        writes.Request(Frames.Length);
        var rest = new List<ByteString>();
        while (rest.Sum(w => w.Count) + first.Count < Frames.Sum(f => f.Count + 4))
        {
            rest.Add(writes.ExpectNext(Bounds.Long));
        }

        writes.ExpectComplete();
        Assert.True(rest.Count < Frames.Length / 10, $"{Frames.Length} frames went out in {rest.Count + 1} writes");
        var wire = new[] { first }.Concat(rest).SelectMany(w => w.ToArray()).ToArray();
        var decoded = await Source.Single(ByteString.FromBytes(wire))
            .Via(Akka.Streams.Dsl.Framing.SimpleFramingProtocolDecoder(1024))
            .RunWith(Sink.Seq<ByteString>(), Sys.Materializer())
            .WaitAsync(Bounds.Long);
        Assert.Equal(Frames.Select(f => f.ToArray()), decoded.Select(f => f.ToArray()));
        _ = done;
    }

    [Fact]
    public async Task Framing_FrameOverTheLimit_FailsWithFramingExceptionNamingBothSizes()
    {
        var looped = LengthPrefixFraming.Create(16).Join(Flow.Create<ByteString>());

        var error = await Assert.ThrowsAsync<Akka.Streams.Dsl.Framing.FramingException>(() =>
            Source.Single(ByteString.FromBytes(new byte[17])).Via(looped).RunWith(Sink.Seq<ByteString>(), Sys.Materializer()).WaitAsync(Bounds.Long));

        Assert.Contains("16", error.Message);
        Assert.Contains("17", error.Message);
    }
}
