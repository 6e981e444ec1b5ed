using System.Diagnostics;
using System.Net.Sockets;
using System.Net.WebSockets;
using Wormhole.Streams;
using Wormhole.Streams.Protocol;
using Wormhole.Tests.Support;
using Xunit.Abstractions;

namespace Wormhole.Tests.Hostile;

/// <summary>
/// A hostile client speaking raw bytes to a real server, one misbehaviour per test. Each: the attacker's portal closes
/// (or its request is refused) with the named reason, nothing escapes Wormhole, the server stays up, and the server's
/// <see cref="HostileServer.GoodClientCount"/> well-behaved clients keep exchanging messages throughout. Each subclass
/// runs them over one transport.
/// </summary>
public abstract class HostilePeerScenarios(HostileServer server, ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output)
{
    protected HostileServer Server { get; } = server;

    /// <summary>Sends, after the handshake, a frame (or the start of one) that claims to be far over the 64 KiB frame limit.</summary>
    private protected abstract Task SendOversizedFrameAsync(IRawPeer peer);

    /// <summary>What the raw peer sees of the server's reaction to <see cref="SendOversizedFrameAsync"/>, beyond the close.</summary>
    private protected virtual void AssertOversizedFrameSeen(IRawPeer peer)
    {
    }

    /// <summary>Asserts the server ended the connection in order after an <c>Error</c> with <paramref name="code"/> (TCP: a FIN, not a reset; WebSocket: a close handshake naming the code).</summary>
    private protected abstract void AssertClosedInOrder(IRawPeer peer, string code);

    [Fact]
    public async Task LengthPrefixOverTheLimit_AndNothingElse_PeerReadsErrorMaxFrameBytes_ThenAnOrderlyClose()
    {
        using var watch = Server.Watch(Output!.WriteLine);
        var peer = await Server.ConnectRawAsync();
        await peer.HelloAsync();

        await peer.SendRawAsync(RawTcpPeer.Prefix(HostileServer.Options.MaxFrameBytes + 1)); // 4 bytes, one over the limit

        await peer.ExpectErrorThenCloseAsync(PortalErrorCodes.MaxFrameBytes);
        Output!.WriteLine($"the raw peer saw: {peer.CloseDescription}");
        AssertClosedInOrder(peer, PortalErrorCodes.MaxFrameBytes);
        await watch.ExpectClosedAsync(PortalCloseKind.LimitExceeded, "65,537", "65,536");
        Assert.Equal(2, (await watch.Closed).Portal.Counters.FramesOut); // its Hello, and the Error that went around the codec
        await watch.FinishAsync(this, peer);
    }

    [Fact]
    public async Task RandomBytesWhosePrefixBreaksTheLimit_PeerReadsErrorMaxFrameBytes_ThenAnOrderlyClose()
    {
        using var watch = Server.Watch(Output!.WriteLine);
        var peer = await Server.ConnectRawAsync();
        await peer.HelloAsync();
        var noise = new byte[1_000];
        new Random(20261203).NextBytes(noise);
        noise[0] |= 0x01; // a prefix of at least 16 MiB

        await peer.SendRawAsync(noise);

        await peer.ExpectErrorThenCloseAsync(PortalErrorCodes.MaxFrameBytes);
        Output!.WriteLine($"the raw peer saw: {peer.CloseDescription}");
        AssertClosedInOrder(peer, PortalErrorCodes.MaxFrameBytes);
        await watch.ExpectClosedAsync(PortalCloseKind.LimitExceeded, "65,536");
        await watch.FinishAsync(this, peer);
    }

    [Fact]
    public async Task PeerStopsReadingWhileTheServerFloodsIt_ReadsErrorMaxOutboundWhenItResumes_AheadOfWhatWasNotWritten_ThenAClose()
    {
        const int first = 3_000, second = 5_000, bytes = 4 * 1024; // 12 MB, under the 16 MiB MaxOutboundBytes; then 20 MB more
        using var watch = Server.Watch(Output!.WriteLine);
        var peer = await Server.ConnectRawAsync();
        await peer.HelloAsync();
        var portal = await watch.OpenedPortalAsync();
        var flood = await peer.LookupAsync("flood");
        var mine = new RawRef { High = 7, Low = 11 }; // an actor of the raw peer
        peer.PauseReading();

        // First fill the socket buffers and the framing, so that the transport stops taking frames; only then overflow.
        await peer.DeliverAsync(flood, new RawFlood { To = mine, Count = first, Bytes = bytes });
        var taken = -1L;
        await AwaitAssertAsync(
            () =>
            {
                var now = portal.Counters.FramesOut;
                var still = now == taken;
                taken = now;
                Assert.True(still, $"the transport still takes frames: {now:N0} so far");
            },
            Bounds.Long,
            TimeSpan.FromMilliseconds(250));
        Assert.InRange(taken, 1, first); // the transport (which also took the Hello and a LookupReply) stopped before the flood's end: the peer does not read
        await peer.DeliverAsync(flood, new RawFlood { To = mine, Count = second, Bytes = bytes });

        var reason = await watch.ExpectClosedAsync(PortalCloseKind.LimitExceeded, "MaxOutbound");
        peer.ResumeReading();
        var frames = await peer.ReadUntilClosedAsync();
        var delivered = frames.OfType<Deliver>().ToList();
        Output!.WriteLine($"the transport had taken {taken:N0} frames; the raw peer read {delivered.Count:N0} of the {first + second:N0} messages, then {frames.LastOrDefault()?.GetType().Name}; {peer.CloseDescription}");
        var error = Assert.IsType<ErrorFrame>(frames.LastOrDefault(f => f is not KeepAlive));
        Assert.Equal(reason.Code, error.Code);
        Assert.InRange(delivered.Count, 1, first + second - 1); // what was written before the close; the rest was dropped, not sent before the Error
        await AwaitAssertAsync(() => Assert.Equal(first + second, delivered.Count + portal.Counters.Dropped), Bounds.Long); // each one read or counted
        AssertClosedInOrder(peer, reason.Code!);
        await watch.FinishAsync(this, peer);
    }

    [Fact]
    public async Task UnknownFrameKind_ClosesWithMalformedFrame()
    {
        using var watch = Server.Watch(Output!.WriteLine);
        var peer = await Server.ConnectRawAsync();
        await peer.HelloAsync();

        await peer.SendBodyAsync(new byte[] { (14 << 3) | 2, 0 }); // field 14 of the Frame oneof: no such kind (1..13)

        await peer.ExpectErrorThenCloseAsync("malformed-frame");
        await watch.ExpectClosedAsync(PortalCloseKind.ProtocolViolation, "frame");
        await watch.FinishAsync(this, peer);
    }

    [Fact]
    public async Task DeliverBeforeHello_ClosesWithHelloExpected()
    {
        using var watch = Server.Watch(Output!.WriteLine);
        var peer = await Server.ConnectRawAsync();

        await peer.SendFrameAsync(new Deliver { Target = WireId.NewRandom(), Payload = [0x08, 0x01] });

        var frames = await peer.ReadUntilClosedAsync();
        Assert.IsType<Hello>(frames[0]); // the server's own Hello goes first
        Assert.Equal("hello-expected", Assert.IsType<ErrorFrame>(frames[^1]).Code);
        await watch.ExpectClosedAsync(PortalCloseKind.ProtocolViolation, "Deliver", "before the peer's Hello");
        Assert.False(watch.Opened.IsCompleted, "the portal opened");
        await watch.FinishAsync(this, peer);
    }

    [Fact]
    public async Task SecondHello_ClosesWithDuplicateHello()
    {
        using var watch = Server.Watch(Output!.WriteLine);
        var peer = await Server.ConnectRawAsync();
        await peer.HelloAsync();

        await peer.SendFrameAsync(RawPeerExtensions.NewHello());

        await peer.ExpectErrorThenCloseAsync("duplicate-hello");
        await watch.ExpectClosedAsync(PortalCloseKind.ProtocolViolation, "second Hello");
        await watch.FinishAsync(this, peer);
    }

    [Fact]
    public async Task SlowHandshake_BytesTricklingPastTheTimeout_ClosesWithHandshakeTimeout()
    {
        using var watch = Server.Watch(Output!.WriteLine);
        var peer = await Server.ConnectRawAsync();
        var clock = Stopwatch.StartNew();
        var hello = RawTcpPeer.Prefixed(FrameCodec.Encode(RawPeerExtensions.NewHello()).ToArray());
        var frames = new List<Frame>();

        // One byte of a valid Hello at a time, each followed by up to 250 ms of listening: the whole Hello would take
        // ~12 s; the server gives up after its 2 s handshake timeout.
        for (var i = 0; i < hello.Length && !peer.Closed; i++)
        {
            if (!await TrySendAsync(() => peer.SendRawAsync(hello.AsMemory(i, 1))))
            {
                break;
            }

            try
            {
                if (await peer.ReceiveAsync(TimeSpan.FromMilliseconds(250)) is { } frame)
                {
                    frames.Add(frame);
                }
            }
            catch (TimeoutException)
            {
            }
        }

        frames.AddRange(await peer.ReadUntilClosedAsync());
        var closedAfter = clock.Elapsed;
        Assert.Equal("handshake-timeout", Assert.IsType<ErrorFrame>(frames[^1]).Code);
        await watch.ExpectClosedAsync(PortalCloseKind.HandshakeFailed, "no Hello", "2 s handshake timeout");
        Assert.InRange(closedAfter, HostileServer.Options.HandshakeTimeout - TimeSpan.FromMilliseconds(300), HostileServer.Options.HandshakeTimeout + Bounds.Long);
        Assert.False(watch.Opened.IsCompleted, "the portal opened");
        await watch.FinishAsync(this, peer);
    }

    [Fact]
    public async Task GuessedTargetId_IsDroppedAndCounted_PastMaxUnknownRequestsTheNextCloses()
    {
        using var watch = Server.Watch(Output!.WriteLine);
        var peer = await Server.ConnectRawAsync();
        await peer.HelloAsync();
        var portal = await watch.OpenedPortalAsync();

        await peer.DeliverAsync(WireId.NewRandom(), new Node { Value = 1001 });

        await AwaitAssertAsync(() => Assert.Equal(1, portal.Counters.Dropped), Bounds.Long);
        Assert.True(portal.IsOpen); // one guess is dropped (and logged), not fatal
        Output!.WriteLine($"one guess: {portal.Counters}");
        var silent = await peer.LookupAsync("silent");
        for (var i = 0; i < HostileServer.Options.MaxUnknownRequests && !peer.Closed; i++)
        {
            await TrySendAsync(() => peer.DeliverAsync(WireId.NewRandom(), new Node { Value = 1002 }));
        }

        await peer.ExpectErrorThenCloseAsync("MaxUnknownRequests");
        await watch.ExpectClosedAsync(PortalCloseKind.LimitExceeded, "MaxUnknownRequests", "21 times (limit 20)", "which is not published here");
        Assert.Equal(21, portal.Counters.Dropped);
        Assert.DoesNotContain(Server.SilentReceived, v => v is 1001 or 1002);
        Assert.NotEqual(default, silent);
        await watch.FinishAsync(this, peer);
    }

    [Fact]
    public async Task PayloadThatDoesNotDecodeAsTheTargetsType_ClosesWithBadPayload()
    {
        using var watch = Server.Watch(Output!.WriteLine);
        var peer = await Server.ConnectRawAsync();
        await peer.HelloAsync();
        var echo = await peer.LookupAsync("echo");

        // Ping's field 1 is an int; here it comes as a length-delimited string.
        await peer.SendFrameAsync(new Deliver { Target = echo, Payload = [(1 << 3) | 2, 5, .."hello"u8] });

        await peer.ExpectErrorThenCloseAsync("bad-payload");
        await watch.ExpectClosedAsync(PortalCloseKind.ProtocolViolation, "does not decode as Ping");
        await watch.FinishAsync(this, peer);
    }

    [Fact]
    public async Task PayloadNestedPastTheDepthLimit_Closes_WithoutOverflowingTheStack()
    {
        using var watch = Server.Watch(Output!.WriteLine);
        var peer = await Server.ConnectRawAsync();
        await peer.HelloAsync();
        var silent = await peer.LookupAsync("silent");
        var payload = new List<byte> { (1 << 3) | 0, 7 }; // Node { Value = 7 }
        for (var depth = 0; depth < 5_000; depth++)
        {
            payload.InsertRange(0, [(2 << 3) | 2, .. Varint((ulong)payload.Count)]); // Node { Child = <payload> }
        }

        await peer.SendFrameAsync(new Deliver { Target = silent, Payload = [.. payload] });

        await peer.ExpectErrorThenCloseAsync("MaxMessageDepth");
        await watch.ExpectClosedAsync(PortalCloseKind.LimitExceeded, "MaxMessageDepth", "deeper than 16");
        Assert.DoesNotContain(7, Server.SilentReceived);
        await watch.FinishAsync(this, peer);
    }

    [Fact]
    public async Task CollectionClaimingABillionElements_Closes_WithoutAllocatingForThem()
    {
        using var watch = Server.Watch(Output!.WriteLine);
        var peer = await Server.ConnectRawAsync();
        await peer.HelloAsync();
        var silent = await peer.LookupAsync("silent");
        var allocated = GC.GetTotalAllocatedBytes();

        // Node { Value = 8, Items = packed fixed64 of 8,000,000,000 bytes (a billion longs) } — followed by 16 bytes.
        await peer.SendFrameAsync(new Deliver { Target = silent, Payload = [(1 << 3) | 0, 8, (3 << 3) | 2, .. Varint(8_000_000_000), .. new byte[16]] });

        await peer.ExpectErrorThenCloseAsync("bad-payload");
        await watch.ExpectClosedAsync(PortalCloseKind.ProtocolViolation, "does not decode as Node");
        Assert.True(GC.GetTotalAllocatedBytes() - allocated < 256L * 1024 * 1024, $"{GC.GetTotalAllocatedBytes() - allocated:N0} bytes allocated meanwhile");
        Assert.DoesNotContain(8, Server.SilentReceived);
        await watch.FinishAsync(this, peer);
    }

    [Fact]
    public async Task ReplyPortAnsweredTwice_TheSecondAnswerIsDroppedAndCounted_PortalStaysOpen()
    {
        using var watch = Server.Watch(Output!.WriteLine);
        var peer = await Server.ConnectRawAsync();
        await peer.HelloAsync();
        var portal = await watch.OpenedPortalAsync();
        var asker = await peer.LookupAsync("asker");
        var mine = WireId.NewRandom(); // an actor of the raw peer, handed to the server inside the message
        var answersBefore = Server.AskerAnswers.Count;

        await peer.DeliverAsync(asker, new RawAskSquare { Whom = new RawRef { High = mine.High, Low = mine.Low }, Value = 7 });
        var ask = Assert.IsType<Deliver>(await peer.NextSkippingKeepAlivesAsync());
        Assert.Equal(mine, ask.Target);
        var square = ProtoBuf.Meta.RuntimeTypeModel.Default.Deserialize<RawSquare>(ask.Payload.AsSpan());
        Assert.Equal(7, square.Value);
        var port = new WireId { High = square.Reply!.High, Low = square.Reply.Low };
        Assert.True(square.Reply.WithinMs > 0);

        await peer.DeliverAsync(port, 49);
        await AwaitAssertAsync(() => Assert.Equal([49], Server.AskerAnswers.Skip(answersBefore)), Bounds.Long);
        await peer.DeliverAsync(port, 50);

        await AwaitAssertAsync(() => Assert.Equal(1, portal.Counters.Dropped), Bounds.Long);
        Output!.WriteLine($"second answer dropped: {portal.Counters}");
        Assert.True(portal.IsOpen);
        Assert.Equal([49], Server.AskerAnswers.Skip(answersBefore));
        await peer.SendFrameAsync(new Goodbye { Reason = "done" });
        await watch.ExpectClosedAsync(PortalCloseKind.ClosedByPeer, "done");
        await watch.FinishAsync(this, peer);
    }

    [Fact]
    public async Task LookupFloodOfUnknownNames_ClosesWithMaxUnknownRequests()
    {
        using var watch = Server.Watch(Output!.WriteLine);
        var peer = await Server.ConnectRawAsync();
        await peer.HelloAsync();

        for (var i = 1; i <= 25 && !peer.Closed; i++)
        {
            await TrySendAsync(() => peer.SendFrameAsync(new Lookup { RequestId = (ulong)i, Name = $"nobody-{i}" }));
        }

        var frames = await peer.ReadUntilClosedAsync();
        Assert.Equal("MaxUnknownRequests", Assert.IsType<ErrorFrame>(frames[^1]).Code);
        var replies = frames.OfType<LookupReply>().ToList();
        Assert.All(replies, r => Assert.True(r.ActorId.IsEmpty));
        Assert.InRange(replies.Count, 0, HostileServer.Options.MaxUnknownRequests + 1);
        await watch.ExpectClosedAsync(PortalCloseKind.LimitExceeded, "MaxUnknownRequests", "'nobody-21'");
        await watch.FinishAsync(this, peer);
    }

    [Fact]
    public async Task FloodPastTheRate_IsReadAtTheRate_PortalStaysOpen()
    {
        const int flood = 8_000, target = 5_000, slack = 100;
        var rate = HostileServer.Options.MaxInboundFramesPerSecond;
        using var watch = Server.Watch(Output!.WriteLine);
        var peer = await Server.ConnectRawAsync();
        await peer.HelloAsync();
        var portal = await watch.OpenedPortalAsync();
        var silent = await peer.LookupAsync("silent");
        var before = portal.Counters.FramesIn;
        var deliver = new Deliver { Target = silent, Payload = RawPeerExtensions.Payload(new Node { Value = -1 }) };

        var clock = Stopwatch.StartNew();
        var sending = Task.Run(async () =>
        {
            for (var i = 0; i < flood && await TrySendAsync(() => peer.SendFrameAsync(deliver)); i++)
            {
            }
        });
        var violations = new List<string>();
        await AwaitAssertAsync(
            () =>
            {
                var elapsed = clock.Elapsed;
                var read = portal.Counters.FramesIn - before;
                var allowed = rate + (rate * elapsed.TotalSeconds) + slack; // a full bucket (one second's worth) plus the rate
                if (read > allowed)
                {
                    violations.Add($"{read:N0} frames read after {elapsed.TotalSeconds:0.00} s (at most {allowed:N0} allowed)");
                }

                Assert.True(read >= target, $"{read:N0} frames read after {elapsed.TotalSeconds:0.00} s");
            },
            Bounds.Long,
            TimeSpan.FromMilliseconds(50));

        Assert.Empty(violations);
        Assert.True(portal.IsOpen, "the rate limit pushes back; it does not close");
        Assert.Equal(0, portal.Counters.Dropped);
        peer.Abort();
        await sending.WaitAsync(Bounds.Long);
        Output!.WriteLine($"read {portal.Counters.FramesIn - before:N0} frames in {clock.Elapsed.TotalSeconds:0.00} s at {rate:N0}/s; portal open");
        var reason = await watch.Closed.WaitAsync(Bounds.Long);
        // The peer vanished: TCP sees a reset; Kestrel aborts the request, which closes the portal from this side.
        Assert.True(reason.Reason.Kind is PortalCloseKind.ConduitFailed or PortalCloseKind.ConduitCompleted or PortalCloseKind.ClosedLocally, reason.Reason.ToString());
        await watch.FinishAsync(this, peer);
    }

    [Fact]
    public async Task IdsAreScopedToTheirPortal_AnIdFromPortal1OnPortal2_IsDroppedThere_NeverDelivered()
    {
        using var watch = Server.Watch(Output!.WriteLine);
        var first = await Server.ConnectRawAsync();
        await first.HelloAsync();
        var firstPortal = await watch.OpenedPortalAsync(0);
        var second = await Server.ConnectRawAsync();
        await second.HelloAsync();
        var secondPortal = await watch.OpenedPortalAsync(1);
        var silentOnFirst = await first.LookupAsync("silent");
        var silentOnSecond = await second.LookupAsync("silent");
        Assert.NotEqual(silentOnFirst, silentOnSecond);

        await second.DeliverAsync(silentOnFirst, new Node { Value = 777 });
        await first.DeliverAsync(silentOnFirst, new Node { Value = 778 });

        await AwaitAssertAsync(() => Assert.Contains(778, Server.SilentReceived), Bounds.Long);
        await AwaitAssertAsync(() => Assert.Equal(1, secondPortal.Counters.Dropped), Bounds.Long);
        Assert.DoesNotContain(777, Server.SilentReceived);
        Assert.Equal(0, firstPortal.Counters.Dropped);
        Assert.True(firstPortal.IsOpen && secondPortal.IsOpen);
        Output!.WriteLine($"portal 2: {secondPortal.Counters}");
        await watch.FinishAsync(this, first, second);
        Assert.DoesNotContain(777, Server.SilentReceived);
    }

    /// <summary>Sends, unless the server has already closed the connection (then the write fails); false once it has.</summary>
    protected static async Task<bool> TrySendAsync(Func<Task> send)
    {
        try
        {
            await send();
            return true;
        }
        catch (Exception e) when (e is IOException or SocketException or WebSocketException or ObjectDisposedException or InvalidOperationException)
        {
            return false;
        }
    }

    private static IEnumerable<byte> Varint(ulong value)
    {
        do
        {
            var low = (byte)(value & 0x7F);
            value >>= 7;
            yield return value == 0 ? low : (byte)(low | 0x80);
        }
        while (value != 0);
    }
}
