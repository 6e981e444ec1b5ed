using Akka;
using Akka.IO;
using Akka.Streams.Dsl;

namespace Wormhole.Streams;

/// <summary>A TCP client conduit: <see cref="Framing"/> atop an outgoing Akka.Streams TCP connection.</summary>
internal sealed class TcpConduit(string host, int port) : Conduit
{
    /// <summary>Length-field framing: each frame is preceded by its length as a 4-byte big-endian integer; longer frames fail the conduit.</summary>
    public static BidiFlow<ByteString, ByteString, ByteString, ByteString, NotUsed> Framing(int maxFrameBytes) =>
        Akka.Streams.Dsl.Framing.SimpleFramingProtocol(maxFrameBytes);

    internal override Flow<ByteString, ByteString, Task> Open(Nexus nexus, NexusOptions options) =>
        Framing(options.MaxFrameBytes)
            .JoinMat(nexus.System.TcpStream().OutgoingConnection(host, port), Keep.Right)
            .MapMaterializedValue(connection => (Task)connection);
}
