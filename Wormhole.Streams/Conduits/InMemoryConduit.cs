using System.Threading.Channels;
using Akka;
using Akka.IO;
using Akka.Streams.Dsl;

namespace Wormhole.Streams;

/// <summary>Two flows joined by a bounded channel in each direction: backpressure, completion and failure pass through.</summary>
internal static class InMemoryConduit
{
    public static (Flow<ByteString, ByteString, Task> Left, Flow<ByteString, ByteString, Task> Right) CreatePair(int capacity)
    {
        var leftToRight = Channel.CreateBounded<ByteString>(capacity);
        var rightToLeft = Channel.CreateBounded<ByteString>(capacity);
        return (End(leftToRight.Writer, rightToLeft), End(rightToLeft.Writer, leftToRight));
    }

    /// <remarks>
    /// When this end stops reading, its inbound channel is completed, so the other end's writes fail as they would on a
    /// closed socket instead of waiting forever for room.
    /// </remarks>
    private static Flow<ByteString, ByteString, Task> End(ChannelWriter<ByteString> outbound, Channel<ByteString> inbound) =>
        Flow.FromSinkAndSource(
                ChannelSink.FromWriter(outbound, isOwner: true),
                ChannelSource.FromReader(inbound.Reader)
                    .SelectError(e => e is AggregateException a ? a.GetBaseException() : e)
                    .WatchTermination((_, stopped) =>
                    {
                        stopped.ContinueWith(_ => inbound.Writer.TryComplete(), TaskScheduler.Default);
                        return NotUsed.Instance;
                    }))
            .MapMaterializedValue(_ => Task.CompletedTask);
}
