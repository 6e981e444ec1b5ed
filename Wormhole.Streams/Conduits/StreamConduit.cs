using Akka.IO;
using Akka.Streams.Dsl;

namespace Wormhole.Streams;

/// <summary>
/// A conduit over a pair of byte streams (<see cref="ByteStreamFlow"/>) with <see cref="LengthPrefixFraming"/>: the TCP and
/// Unix domain socket clients, stdio, a child process's pipes. <paramref name="open"/> runs once per run of the flow; the
/// token is cancelled when the flow stops.
/// </summary>
internal sealed class StreamConduit(Func<CancellationToken, Task<DuplexStreams>> open) : Conduit
{
    /// <summary>A conduit over streams that are open already; it may be connected once.</summary>
    public static StreamConduit Over(Stream input, Stream output) => new(_ => Task.FromResult(new DuplexStreams(input, output)));

    internal override Flow<ByteString, ByteString, Task> Open(Nexus nexus, NexusOptions options, LastWords lastWords) =>
        LengthPrefixFraming.Around(ByteStreamFlow.Create(open), options.MaxFrameBytes, lastWords)
            .MapMaterializedValue(session => session.Connected);
}
