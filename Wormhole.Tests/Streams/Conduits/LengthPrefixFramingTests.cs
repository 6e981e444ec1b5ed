using Akka.IO;
using Akka.Streams;
using Akka.Streams.Dsl;
using Akka.Streams.TestKit;
using Wormhole.Streams;
using Wormhole.Tests.Hostile;
using Wormhole.Tests.Support;

namespace Wormhole.Tests.Streams.Conduits;

/// <summary>The framing of every byte conduit (TCP, Unix socket, stdio, WebSocket): 4-byte big-endian length prefixes, and frames that wait for the socket coalesced into one write.</summary>
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

        var error = await Assert.ThrowsAsync<FrameTooLargeException>(() =>
            Source.Single(ByteString.FromBytes(new byte[17])).Via(looped).RunWith(Sink.Seq<ByteString>(), Sys.Materializer()).WaitAsync(Bounds.Long));

        Assert.Contains("16", error.Message);
        Assert.Contains("17", error.Message);
    }

    [Fact]
    public async Task Framing_Reversed_BytesChunkedAnywhere_AllFramesThenCompletion()
    {
        var wire = Frames.SelectMany(f => RawTcpPeer.Prefixed(f.ToArray())).ToArray();
        var random = new Random(7);
        var chunks = new List<ByteString>();
        for (var at = 0; at < wire.Length;)
        {
            var size = Math.Min(random.Next(2) == 0 ? random.Next(1, 8) : random.Next(8, 300), wire.Length - at); // inside a prefix, a frame, or across several
            chunks.Add(ByteString.CopyFrom(wire, at, size));
            at += size;
        }

        var (frames, done) = Decode(chunks);

        await done.WaitAsync(Bounds.Long);
        Assert.Equal(Frames.Select(f => f.ToArray()), frames.Select(f => f.ToArray()));
    }

    [Fact]
    public async Task Framing_Reversed_BytesEndInTheMiddleOfAFrame_FailsWithIOException_AfterTheWholeFrames()
    {
        byte[] wire = [.. RawTcpPeer.Prefixed([1, 2, 3]), .. RawTcpPeer.Prefixed([4, 5, 6, 7])[..6]];

        var (frames, done) = Decode([ByteString.FromBytes(wire)]);

        var error = await Assert.ThrowsAsync<IOException>(() => done.WaitAsync(Bounds.Long));
        Assert.Contains("middle of a frame", error.Message);
        Assert.Equal(new byte[] { 1, 2, 3 }, Assert.Single(frames).ToArray());
    }

    /// <summary>
    /// A peer that sends a frame one byte per read: the bytes are gathered in one buffer, in time linear in the frame's
    /// size. (Joined as a rope of chunks, as Akka's decoder does, 40,000 single bytes took 4 s and 256 KiB would take minutes.)
    /// </summary>
    [Fact]
    public async Task Framing_Reversed_AFrameOneByteAtATime_IsGatheredWithinTheBound()
    {
        var body = Enumerable.Range(0, 256 * 1024).Select(i => (byte)(i * 7)).ToArray();
        var wire = RawTcpPeer.Prefixed(body);
        byte[] next = [.. RawTcpPeer.Prefixed([42]), .. RawTcpPeer.Prefixed([43])];

        var (frames, done) = Decode([.. wire.Select(b => ByteString.FromBytes([b])), ByteString.FromBytes(next)], maxFrameBytes: 1024 * 1024);

        await done.WaitAsync(Bounds.Long);
        Assert.Equal(3, frames.Count);
        Assert.Equal(body, frames[0].ToArray());
        Assert.Equal(new byte[] { 42 }, frames[1].ToArray());
        Assert.Equal(new byte[] { 43 }, frames[2].ToArray());
    }

    [Fact]
    public async Task Framing_Reversed_PrefixOverTheLimit_FailsAtOnce_WithoutWaitingForTheBody()
    {
        var bytes = Source.Single(ByteString.FromBytes(RawTcpPeer.Prefix(2000))).Concat(Source.Never<ByteString>());

        var error = await Assert.ThrowsAsync<FrameTooLargeException>(() =>
            bytes.Via(LengthPrefixFraming.Create(1024).Reversed().Join(Flow.Create<ByteString>())).RunWith(Sink.Ignore<ByteString>(), Sys.Materializer()).WaitAsync(Bounds.Long));

        Assert.Contains("2,000", error.Message);
        Assert.Contains("1,024", error.Message);
    }

    /// <summary>The decoding half alone, as the TCP listener uses it (reversed): the frames it emits, and its end.</summary>
    private (List<ByteString> Frames, Task Done) Decode(IEnumerable<ByteString> chunks, int maxFrameBytes = 1024)
    {
        var frames = new List<ByteString>();
        var done = Source.From(chunks)
            .ViaMaterialized(
                LengthPrefixFraming.Create(maxFrameBytes).Reversed().JoinMat(Flow.FromSinkAndSource(Sink.ForEach<ByteString>(frames.Add), Source.Empty<ByteString>(), Keep.Left), Keep.Right),
                Keep.Right)
            .To(Sink.Ignore<ByteString>())
            .Run(Sys.Materializer());
        return (frames, done);
    }
}
