namespace Wormhole.Streams;

/// <summary>
/// The two halves of a byte-stream transport: <paramref name="Input"/> is read for what the peer sends,
/// <paramref name="Output"/> is written for the peer. They may be one stream (a socket's <c>NetworkStream</c>) or two
/// (a pipe pair, stdin and stdout). The <see cref="ByteStreamFlow"/> that receives them owns them and disposes both.
/// </summary>
internal sealed record DuplexStreams(Stream Input, Stream Output)
{
    /// <summary>Disposes both streams (once when they are the same), ignoring errors: the transport is going away.</summary>
    public void Dispose()
    {
        DisposeQuietly(Output);
        if (!ReferenceEquals(Input, Output))
        {
            DisposeQuietly(Input);
        }
    }

    private static void DisposeQuietly(Stream stream)
    {
        try
        {
            stream.Dispose();
        }
        catch (IOException)
        {
            // Flushing a pipe whose reader is gone: nothing left to tell it.
        }
        catch (ObjectDisposedException)
        {
        }
    }
}
