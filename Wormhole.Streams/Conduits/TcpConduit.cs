using Akka.IO;
using Akka.Streams.Dsl;

namespace Wormhole.Streams;

/// <summary>A TCP client conduit: <see cref="LengthPrefixFraming"/> atop an outgoing Akka.Streams TCP connection.</summary>
internal sealed class TcpConduit(string host, int port) : Conduit
{
    internal override Flow<ByteString, ByteString, Task> Open(Nexus nexus, NexusOptions options, LastWords lastWords) =>
        LengthPrefixFraming.Around(nexus.System.TcpStream().OutgoingConnection(host, port), options.MaxFrameBytes, lastWords)
            .MapMaterializedValue(connection => (Task)connection);
}
