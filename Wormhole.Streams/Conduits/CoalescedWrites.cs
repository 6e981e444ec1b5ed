using Akka;
using Akka.IO;
using Akka.Streams.Dsl;

namespace Wormhole.Streams;

/// <summary>Joins byte strings that wait for a busy transport into one write, so many small frames cost one socket write.</summary>
/// <remarks>
/// Emits when: the transport pulls; everything that arrived meanwhile goes as one contiguous buffer (a lone element as it
/// is). Backpressures when: <see cref="MaxWriteBytes"/> are waiting. Completes and fails with its upstream.
/// </remarks>
internal static class CoalescedWrites
{
    /// <summary>The most bytes joined into one write.</summary>
    internal const int MaxWriteBytes = 64 * 1024;

    public static Flow<ByteString, ByteString, NotUsed> Create() =>
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
