using Akka.Actor;
using Akka.IO;
using Akka.Streams.Dsl;
using Wormhole.Streams;

namespace Wormhole.Benchmarks.Harness;

/// <summary>
/// An experiment, not a system under test: the library's TCP client conduit (4-byte big-endian length framing over an
/// Akka.Streams TCP connection) with one change — frames waiting for the socket are coalesced into one write
/// (<c>Batch</c>), the fix proposed for <c>TcpConduit</c>. Built only from public API (<see cref="Conduit.FromFlow{TMat}"/>),
/// so it shows the gain without touching Wormhole.Streams.
/// </summary>
internal static class BatchedTcpConduit
{
    public const int MaxFramesPerWrite = 512;

    public static Conduit Create(ActorSystem system, string host, int port, int maxFrameBytes = 1024 * 1024) =>
        Conduit.FromFlow(
            Framing.SimpleFramingProtocol(maxFrameBytes).JoinMat(
                Flow.Create<ByteString>()
                    .Batch(MaxFramesPerWrite, first => new List<ByteString> { first }, (batch, next) =>
                    {
                        batch.Add(next);
                        return batch;
                    })
                    .Select(Join)
                    .ViaMaterialized(system.TcpStream().OutgoingConnection(host, port), Keep.Right),
                Keep.Right));

    /// <summary>One contiguous buffer for the whole batch: one socket write.</summary>
    private static ByteString Join(List<ByteString> frames)
    {
        if (frames.Count == 1)
        {
            return frames[0];
        }

        var bytes = new byte[frames.Sum(f => f.Count)];
        var at = 0;
        foreach (var frame in frames)
        {
            frame.CopyTo(bytes, at, frame.Count);
            at += frame.Count;
        }

        return ByteString.FromBytes(bytes);
    }
}
