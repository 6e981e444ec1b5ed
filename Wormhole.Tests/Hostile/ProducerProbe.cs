using System.Runtime.CompilerServices;

namespace Wormhole.Tests.Hostile;

/// <summary>The sources behind the streams of one ask to the hostile server's "streams" actor, counting what happens to them.</summary>
public sealed class ProducerProbe
{
    private int _opened, _finished, _cancelled;
    private long _pulled;

    /// <summary>Sources opened (the first <c>Demand</c> of the peer opens one).</summary>
    public int Opened => Volatile.Read(ref _opened);

    /// <summary>Elements pulled from the sources, in all.</summary>
    public long Pulled => Interlocked.Read(ref _pulled);

    /// <summary>Sources whose <c>finally</c> ran.</summary>
    public int Finished => Volatile.Read(ref _finished);

    /// <summary>Sources whose <c>finally</c> ran with the cancellation token fired.</summary>
    public int Cancelled => Volatile.Read(ref _cancelled);

    public override string ToString() => $"{Opened} opened, {Pulled:N0} pulled, {Finished} finished ({Cancelled} cancelled)";

    /// <summary>A source of <paramref name="count"/> pieces (0: endless), each with <paramref name="padBytes"/> bytes of padding.</summary>
    public async IAsyncEnumerable<Piece> Pieces(int count, int padBytes, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _opened);
        var pad = padBytes > 0 ? new byte[padBytes] : null;
        try
        {
            for (var n = 0; count == 0 || n < count; n++)
            {
                Interlocked.Increment(ref _pulled);
                yield return new Piece { N = n, Pad = pad };
                if (n % 256 == 255)
                {
                    await Task.Yield();
                }
            }
        }
        finally
        {
            if (cancellationToken.IsCancellationRequested)
            {
                Interlocked.Increment(ref _cancelled);
            }

            Interlocked.Increment(ref _finished);
        }
    }
}
