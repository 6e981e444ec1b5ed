namespace Wormhole.Streams.Protocol;

/// <summary>
/// One growable <see cref="MemoryStream"/> per thread for the codecs: a message or frame is written into it, then copied
/// once into a buffer of its exact size, so an encode costs that buffer rather than a stream and its growth; a frame to
/// decode is copied into it, rather than into a new array wrapped in a new stream.
/// </summary>
/// <remarks>
/// Rent and return on the same thread, around synchronous work only. A rented stream is empty and at position 0. A nested rent (an encoder that encodes again) gets a
/// fresh stream. A stream grown past <see cref="MaxRetainedBytes"/> is dropped on return, so a thread keeps at most that.
/// </remarks>
internal static class ScratchStream
{
    /// <summary>
    /// The largest buffer a thread keeps between encodes: a stream's 64 KiB batch or a 64 KiB element grows its stream to
    /// 128 KiB, which must stay, or every such encode grows a new one through nine copies into the large object heap.
    /// </summary>
    internal const int MaxRetainedBytes = 256 * 1024;

    [ThreadStatic]
    private static MemoryStream? t_cached;

    public static MemoryStream Rent()
    {
        var stream = t_cached ?? new MemoryStream(256);
        t_cached = null;
        stream.SetLength(0);
        stream.Position = 0;
        return stream;
    }

    public static void Return(MemoryStream stream)
    {
        if (stream.Capacity <= MaxRetainedBytes)
        {
            t_cached = stream;
        }
    }
}
