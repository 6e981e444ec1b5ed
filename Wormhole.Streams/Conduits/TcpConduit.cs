using Akka;
using Akka.IO;
using Akka.Streams.Dsl;

namespace Wormhole.Streams;

/// <summary>A TCP client conduit: <see cref="Framing"/> atop an outgoing Akka.Streams TCP connection.</summary>
internal sealed class TcpConduit(string host, int port) : Conduit
{
    private const string Truncated = "truncated final frame";

    /// <summary>
    /// Length-field framing: each frame is preceded by its length as a 4-byte big-endian integer; longer frames fail the
    /// conduit with a <see cref="Akka.Streams.Dsl.Framing.FramingException"/> (the portal reports it as the frame size limit).
    /// A connection that ends in the middle of a frame fails it with an <see cref="IOException"/> instead: that is a peer
    /// that went away, not a frame over the limit.
    /// </summary>
    public static BidiFlow<ByteString, ByteString, ByteString, ByteString, NotUsed> Framing(int maxFrameBytes) =>
        BidiFlow.FromFlows(
            Akka.Streams.Dsl.Framing.SimpleFramingProtocolEncoder(maxFrameBytes),
            Akka.Streams.Dsl.Framing.SimpleFramingProtocolDecoder(maxFrameBytes).SelectError(error =>
                error is Akka.Streams.Dsl.Framing.FramingException && error.Message.Contains(Truncated, StringComparison.Ordinal)
                    ? new IOException($"the connection ended in the middle of a frame ({error.Message})", error)
                    : error));

    internal override Flow<ByteString, ByteString, Task> Open(Nexus nexus, NexusOptions options) =>
        Framing(options.MaxFrameBytes)
            .JoinMat(nexus.System.TcpStream().OutgoingConnection(host, port), Keep.Right)
            .MapMaterializedValue(connection => (Task)connection);
}
