using System.Threading.Channels;
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
        return (End(leftToRight.Writer, rightToLeft.Reader), End(rightToLeft.Writer, leftToRight.Reader));
    }

    private static Flow<ByteString, ByteString, Task> End(ChannelWriter<ByteString> outbound, ChannelReader<ByteString> inbound) =>
        Flow.FromSinkAndSource(
                ChannelSink.FromWriter(outbound, isOwner: true),
                ChannelSource.FromReader(inbound).SelectError(e => e is AggregateException a ? a.GetBaseException() : e))
            .MapMaterializedValue(_ => Task.CompletedTask);
}
