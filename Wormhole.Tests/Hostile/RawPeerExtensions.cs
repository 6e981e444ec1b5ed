using System.Diagnostics;
using ProtoBuf.Meta;
using Wormhole.Streams.Protocol;
using Wormhole.Tests.Support;

namespace Wormhole.Tests.Hostile;

/// <summary>The well-formed steps a raw peer takes before it misbehaves, and what it expects to read back.</summary>
internal static class RawPeerExtensions
{
    /// <summary>Sends a valid <c>Hello</c> and reads the server's.</summary>
    public static async Task HelloAsync(this IRawPeer peer)
    {
        await peer.SendFrameAsync(NewHello());
        Assert.IsType<Hello>(await peer.ReceiveAsync(Bounds.Long));
    }

    public static Hello NewHello() => new() { ProtocolVersion = Hello.CurrentVersion, SideId = WireId.NewRandom(), ConduitHalf = WireId.NewRandom(), MaxFrameBytes = 1024 * 1024 };

    /// <summary>Looks up a name and returns the id the server gave this portal for it.</summary>
    public static async Task<WireId> LookupAsync(this IRawPeer peer, string name, ulong requestId = 1)
    {
        await peer.SendFrameAsync(new Lookup { RequestId = requestId, Name = name });
        var reply = Assert.IsType<LookupReply>(await peer.NextSkippingKeepAlivesAsync());
        Assert.Equal(requestId, reply.RequestId);
        Assert.False(reply.ActorId.IsEmpty, $"'{name}' is not published");
        return reply.ActorId;
    }

    /// <summary>Sends <paramref name="message"/> (encoded with protobuf-net's default model) to <paramref name="target"/>.</summary>
    public static Task DeliverAsync<T>(this IRawPeer peer, WireId target, T message) =>
        peer.SendFrameAsync(new Deliver { Target = target, Payload = Payload(message) });

    public static byte[] Payload<T>(T message)
    {
        using var stream = new MemoryStream();
        RuntimeTypeModel.Default.Serialize(stream, message);
        return stream.ToArray();
    }

    /// <summary>The next frame that is not a keep-alive; null once the server closed.</summary>
    public static async Task<Frame?> NextSkippingKeepAlivesAsync(this IRawPeer peer)
    {
        while (true)
        {
            var frame = await peer.ReceiveAsync(Bounds.Long);
            if (frame is not KeepAlive)
            {
                return frame;
            }
        }
    }

    /// <summary>Everything the server sends until it closes the connection.</summary>
    /// <exception cref="TimeoutException">The server did not close within <see cref="Bounds.Long"/>.</exception>
    public static async Task<IReadOnlyList<Frame>> ReadUntilClosedAsync(this IRawPeer peer)
    {
        var frames = new List<Frame>();
        var clock = Stopwatch.StartNew();
        while (await peer.ReceiveAsync(TimeSpan.FromTicks(Math.Max(1, (Bounds.Long - clock.Elapsed).Ticks))) is { } frame)
        {
            frames.Add(frame);
        }

        return frames;
    }

    /// <summary>Reads until the server closes; asserts the last frame it sent was an <c>Error</c> with <paramref name="code"/>, and returns it.</summary>
    public static async Task<ErrorFrame> ExpectErrorThenCloseAsync(this IRawPeer peer, string code)
    {
        var frames = await peer.ReadUntilClosedAsync();
        var error = Assert.IsType<ErrorFrame>(frames.LastOrDefault(f => f is not KeepAlive));
        Assert.Equal(code, error.Code);
        AssertNoInternals(error.Message);
        Assert.True(peer.Closed);
        return error;
    }

    /// <summary>What a peer is told is Wormhole's own short reason: no exception text, no .NET type or namespace names, no links.</summary>
    public static void AssertNoInternals(string toldThePeer)
    {
        foreach (var internals in new[] { "Exception", "Wormhole.", "System.", "ProtoBuf", "Akka.", "Chat.", "http", " at " })
        {
            Assert.DoesNotContain(internals, toldThePeer, StringComparison.Ordinal);
        }

        Assert.True(toldThePeer.Length <= 512, $"{toldThePeer.Length} characters told to the peer");
    }
}
