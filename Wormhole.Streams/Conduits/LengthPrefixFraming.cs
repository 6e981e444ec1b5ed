using Akka;
using Akka.IO;
using Akka.Streams.Dsl;

namespace Wormhole.Streams;

/// <summary>The framing of every byte-stream conduit (TCP, Unix domain socket, stdio): a length prefix before each frame.</summary>
/// <remarks>
/// Layout: each frame is preceded by its length in bytes as a 4-byte big-endian unsigned integer, then the frame's bytes
/// (one protobuf-encoded wormhole frame); nothing else travels. A frame longer than the nexus's
/// <see cref="NexusOptions.MaxFrameBytes"/>, sent or received, fails the conduit with a
/// <see cref="Framing.FramingException"/> (the portal closes with <see cref="PortalCloseKind.LimitExceeded"/>).
/// WebSocket frames messages itself and does not use this.
/// </remarks>
internal static class LengthPrefixFraming
{
    private const string Truncated = "truncated final frame";

    /// <summary>
    /// Top: frames in, length-prefixed bytes out (to the transport; frames that wait for it are joined, see
    /// <see cref="CoalescedWrites"/>, which writes the prefixes). Bottom: bytes in (any chunking), frames out. A stream
    /// that ends in the middle of a frame fails with an <see cref="IOException"/>: that is a peer that went away, not a
    /// frame over the limit.
    /// </summary>
    public static BidiFlow<ByteString, ByteString, ByteString, ByteString, NotUsed> Create(int maxFrameBytes) =>
        BidiFlow.FromFlows(
            CoalescedWrites.Create(maxFrameBytes),
            Framing.SimpleFramingProtocolDecoder(maxFrameBytes).SelectError(error =>
                error is Framing.FramingException && error.Message.Contains(Truncated, StringComparison.Ordinal)
                    ? new IOException($"the connection ended in the middle of a frame ({error.Message})", error)
                    : error));

    /// <summary>A byte-stream transport as a conduit flow: one element per frame, the transport's materialized value kept.</summary>
    public static Flow<ByteString, ByteString, TMat> Around<TMat>(Flow<ByteString, ByteString, TMat> transport, int maxFrameBytes) =>
        Create(maxFrameBytes).JoinMat(transport, Keep.Right);
}
