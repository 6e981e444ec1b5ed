using Akka;
using Akka.IO;
using Akka.Streams.Dsl;

namespace Wormhole.Streams;

/// <summary>A TCP client conduit: <see cref="Framing"/> atop an outgoing Akka.Streams TCP connection.</summary>
internal sealed class TcpConduit(string host, int port) : Conduit
{
    /// <summary>Frames that wait for the socket are sent together, up to this many bytes per write.</summary>
    internal const int MaxWriteBytes = 64 * 1024;

    /// <summary>
    /// Length-field framing: each frame is preceded by its length as a 4-byte big-endian integer; longer frames fail the conduit.
    /// Frames that queue up while the socket is busy are coalesced into one write of up to <see cref="MaxWriteBytes"/>
    /// (a lone frame is written at once), so many small frames cost one socket write, not one each.
    /// </summary>
    public static BidiFlow<ByteString, ByteString, ByteString, ByteString, NotUsed> Framing(int maxFrameBytes) =>
        Akka.Streams.Dsl.Framing.SimpleFramingProtocol(maxFrameBytes)
            .Atop(BidiFlow.FromFlows(CoalescedWrites(), Flow.Create<ByteString>()));

    internal override Flow<ByteString, ByteString, Task> Open(Nexus nexus) =>
        Framing(nexus.Options.MaxFrameBytes)
            .JoinMat(nexus.System.TcpStream().OutgoingConnection(host, port), Keep.Right)
            .MapMaterializedValue(connection => (Task)connection);

    /// <summary>Emits when the socket pulls: everything that arrived meanwhile, as one contiguous buffer. Backpressures when <see cref="MaxWriteBytes"/> are waiting.</summary>
    private static Flow<ByteString, ByteString, NotUsed> CoalescedWrites() =>
        Flow.Create<ByteString>()
            .BatchWeighted(MaxWriteBytes, bytes => bytes.Count, bytes => new List<ByteString> { bytes }, (batch, bytes) =>
            {
                batch.Add(bytes);
                return batch;
            })
            .Select(Join);

    private static ByteString Join(List<ByteString> batch)
    {
        if (batch.Count == 1)
        {
            return batch[0];
        }

        var joined = new byte[batch.Sum(bytes => bytes.Count)];
        var at = 0;
        foreach (var bytes in batch)
        {
            bytes.CopyTo(joined, at, bytes.Count);
            at += bytes.Count;
        }

        return ByteString.FromBytes(joined);
    }
}
