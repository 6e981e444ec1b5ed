using Akka;
using Akka.IO;
using Akka.Streams.Dsl;

namespace Wormhole.Streams;

/// <summary>The framing of every conduit over bytes (TCP, Unix domain socket, stdio, WebSocket): a length prefix before each frame.</summary>
/// <remarks>
/// Layout: each frame is preceded by its length in bytes as a 4-byte big-endian unsigned integer, then the frame's bytes
/// (one protobuf-encoded wormhole frame); nothing else travels. The frames that wait for a busy transport are joined into
/// one write of up to <see cref="MaxWriteBytes"/> (over WebSocket, one binary message). A frame longer than the nexus's
/// <see cref="NexusOptions.MaxFrameBytes"/>, sent or received, fails the conduit with a
/// <see cref="Framing.FramingException"/> (the portal closes with <see cref="PortalCloseKind.LimitExceeded"/>); a stream
/// that ends in the middle of a frame fails with an <see cref="IOException"/>: that is a peer that went away, not a
/// frame over the limit. See <see cref="LengthPrefixFramingStage"/>.
/// </remarks>
internal static class LengthPrefixFraming
{
    /// <summary>The length prefix before each frame.</summary>
    internal const int PrefixBytes = 4;

    /// <summary>The most bytes joined into one write (one frame longer than this goes alone).</summary>
    internal const int MaxWriteBytes = 64 * 1024;

    /// <summary>
    /// How long the transport may take to accept the last writes once the portal is done (its <c>Error</c> or <c>Goodbye</c>
    /// included); past it the writes fail and the transport drops the connection: a peer that does not read cannot hold it open.
    /// </summary>
    internal static readonly TimeSpan ClosingGrace = TimeSpan.FromSeconds(1);

    /// <summary>Top: frames in, length-prefixed writes out (to the transport). Bottom: bytes in (any chunking), frames out.</summary>
    /// <remarks>
    /// The stage is wrapped in a graph of its own so that <c>Reversed()</c> (the framing seen from the transport's side, as its tests use it) works: Akka.Streams
    /// 1.5.74 reverses a bare stage's shape by swapping its ports' places, and the stage's handlers then serve the wrong ports.
    /// </remarks>
    public static BidiFlow<ByteString, ByteString, ByteString, ByteString, NotUsed> Create(int maxFrameBytes, LastWords? lastWords = null) =>
        BidiFlow.FromGraph(GraphDsl.Create(builder => builder.Add(new LengthPrefixFramingStage(maxFrameBytes, lastWords))));

    /// <summary>A byte transport as a conduit flow: one element per frame, the transport's materialized value kept.</summary>
    /// <param name="transport">The bytes to and from the peer.</param>
    /// <param name="maxFrameBytes">The longest frame sent or accepted.</param>
    /// <param name="lastWords">The portal's last words, when the portal stage shares them (its <c>Error</c> goes ahead of waiting frames).</param>
    public static Flow<ByteString, ByteString, TMat> Around<TMat>(Flow<ByteString, ByteString, TMat> transport, int maxFrameBytes, LastWords? lastWords = null) =>
        Create(maxFrameBytes, lastWords).JoinMat(transport, Keep.Right);
}
