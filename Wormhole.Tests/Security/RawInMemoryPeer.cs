using Akka.IO;
using Akka.Streams;
using Akka.Streams.Dsl;
using Akka.Streams.TestKit;
using Akka.TestKit;
using ProtoBuf;
using Wormhole.Streams;
using Wormhole.Streams.Protocol;
using Wormhole.Tests.Support;

namespace Wormhole.Tests.Security;

/// <summary>
/// A peer that speaks frames by hand over an in-memory conduit: it sends exactly what a test says and reads only
/// as many frames as the test requests (so it can stop reading altogether).
/// </summary>
internal sealed class RawInMemoryPeer
{
    private readonly ISourceQueueWithComplete<ByteString> _outbound;

    private RawInMemoryPeer(ISourceQueueWithComplete<ByteString> outbound, TestSubscriber.Probe<ByteString> inbound, Task<Portal> portal)
    {
        _outbound = outbound;
        Inbound = inbound;
        Portal = portal;
    }

    /// <summary>What the nexus sends; nothing is read until the test requests it.</summary>
    public TestSubscriber.Probe<ByteString> Inbound { get; }

    /// <summary>The nexus's portal for this peer; completes once the peer's Hello arrived.</summary>
    public Task<Portal> Portal { get; }

    public static RawInMemoryPeer Connect(TestKitBase kit, Nexus nexus, int conduitCapacity = 4)
    {
        var (left, right) = InMemoryConduit.CreatePair(conduitCapacity);
        var portal = nexus.ConnectAsync(Conduit.FromFlow(left));
        var (outbound, inbound) = Source.Queue<ByteString>(16, OverflowStrategy.Backpressure)
            .Via(right)
            .ToMaterialized(kit.SinkProbe<ByteString>(), Keep.Both)
            .Run(kit.Sys.Materializer());
        return new RawInMemoryPeer(outbound, inbound, portal);
    }

    public async Task SendAsync(Frame frame) => await _outbound.OfferAsync(FrameCodec.Encode(frame));

    public Task HelloAsync() => SendAsync(new Hello { ProtocolVersion = Hello.CurrentVersion, SideId = WireId.NewRandom(), ConduitHalf = WireId.NewRandom(), MaxFrameBytes = 1024 * 1024 });

    /// <summary>Reads the next frame (requesting one).</summary>
    public async Task<Frame> ReadAsync()
    {
        await Inbound.RequestAsync(1);
        return FrameCodec.Decode(await Inbound.ExpectNextAsync(Bounds.Long), int.MaxValue);
    }

    /// <summary>Reads frames until one of type <typeparamref name="T"/> arrives (keep-alives and the like are skipped).</summary>
    public async Task<T> ReadAsync<T>()
        where T : Frame
    {
        while (true)
        {
            if (await ReadAsync() is T frame)
            {
                return frame;
            }
        }
    }

    /// <summary>Looks up <paramref name="name"/> and returns the id the nexus answered with.</summary>
    public async Task<WireId> LookupAsync(string name, ulong requestId = 1)
    {
        await SendAsync(new Lookup { RequestId = requestId, Name = name });
        return (await ReadAsync<LookupReply>()).ActorId;
    }

    /// <summary>A <c>Ping { N, ReplyTo }</c> payload whose reply reference is an id of this raw peer.</summary>
    public static byte[] PingPayload(int n, WireId replyTo)
    {
        using var stream = new MemoryStream();
        Serializer.Serialize(stream, new RawPing { N = n, ReplyTo = new RawRef { High = replyTo.High, Low = replyTo.Low } });
        return stream.ToArray();
    }

    /// <summary>Mirrors <c>Ping</c> on the wire: an int and an embedded reference.</summary>
    [ProtoContract]
    public sealed class RawPing
    {
        [ProtoMember(1)] public int N { get; set; }
        [ProtoMember(2)] public RawRef? ReplyTo { get; set; }
    }

    /// <summary>The wire form of a reference: <c>{ fixed64 High = 1; fixed64 Low = 2; bool Yours = 3; uint32 WithinMs = 4; }</c>.</summary>
    [ProtoContract]
    public sealed class RawRef
    {
        [ProtoMember(1, DataFormat = DataFormat.FixedSize)] public ulong High { get; set; }
        [ProtoMember(2, DataFormat = DataFormat.FixedSize)] public ulong Low { get; set; }
        [ProtoMember(3)] public bool Yours { get; set; }
        [ProtoMember(4)] public uint WithinMs { get; set; }
    }
}
