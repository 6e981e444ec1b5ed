namespace Wormhole.Streams.Streaming;

/// <summary>Builds the <see cref="ObservableBuffer{T}"/> of an observable sent as a stream.</summary>
internal static class ObservableBuffer
{
    /// <summary>
    /// The buffer of <paramref name="source"/>: with the settings of <see cref="ObservableStreamExtensions.WithStreamBuffer{T}"/>
    /// when <paramref name="source"/> carries them, else <see cref="NexusOptions.ObservableBufferSize"/> and
    /// <see cref="NexusOptions.ObservableOverflow"/> of <paramref name="options"/>.
    /// </summary>
    /// <param name="source">The observable from the message field.</param>
    /// <param name="options">The portal's validated options.</param>
    /// <param name="onDropped">Called with 1 for each element dropped by a drop policy, on the observable's thread.</param>
    public static ObservableBuffer<T> For<T>(IObservable<T> source, NexusOptions options, Action<int> onDropped) =>
        source switch
        {
            BufferedObservable<T> buffered => new ObservableBuffer<T>(buffered.Source, buffered.Capacity, buffered.Policy, onDropped),
            BufferedObservable covariant => new ObservableBuffer<T>(source, covariant.Capacity, covariant.Policy, onDropped),
            _ => new ObservableBuffer<T>(source, options.ObservableBufferSize, options.ObservableOverflow, onDropped),
        };
}

/// <summary>
/// An <see cref="IObservable{T}"/> read as an <see cref="IAsyncEnumerable{T}"/> through a bounded buffer: what the
/// producing side of a stream pulls from, under the peer's credit.
/// </summary>
/// <typeparam name="T">The element type.</typeparam>
/// <remarks>
/// <para>
/// An observable has no backpressure, so the elements it pushes ahead of <see cref="IAsyncEnumerator{T}.MoveNextAsync"/>
/// wait in a buffer of at most <c>capacity</c> elements. The contract:
/// </para>
/// <list type="bullet">
/// <item><description><b>Subscribes</b> to the source in <see cref="GetAsyncEnumerator"/>, which may be called once; a
/// second call throws <see cref="InvalidOperationException"/>. A <c>Subscribe</c> that throws fails the stream with its
/// exception.</description></item>
/// <item><description><b>Emits</b> (<c>MoveNextAsync</c> returns true) the buffered elements in the order pushed; it
/// completes synchronously when an element is buffered, and otherwise waits for the next push. A waiting
/// <c>MoveNextAsync</c> resumes on the thread pool, never inline on the observable's thread, so the consumer's code
/// never runs inside the observable's <c>OnNext</c> (which may hold a lock of its own).</description></item>
/// <item><description><b>Overflows</b> when the source pushes while <c>capacity</c> elements are buffered:
/// <see cref="ObservableOverflowPolicy.DropOldest"/> drops the oldest buffered element and buffers the new one;
/// <see cref="ObservableOverflowPolicy.DropNewest"/> drops the new one; each drop calls <c>onDropped(1)</c> on the
/// observable's thread. <see cref="ObservableOverflowPolicy.FailStream"/> disposes the subscription at once; the
/// buffered elements are still emitted, then <c>MoveNextAsync</c> throws a <see cref="LimitExceededException"/> (limit
/// <c>ObservableBufferSize</c>).</description></item>
/// <item><description><b>Completes</b> (<c>MoveNextAsync</c> returns false) after the buffered elements when the source
/// completes; <b>fails</b> with the source's exception after the buffered elements when it fails. Either way the
/// subscription is disposed at once, as Rx operators do; later signals of the source are ignored.</description></item>
/// <item><description><b>Cancels</b> when the token given to <see cref="GetAsyncEnumerator"/> is cancelled: the
/// subscription is disposed at once, the buffer is cleared, and every <c>MoveNextAsync</c>, a waiting one included,
/// throws <see cref="OperationCanceledException"/>.</description></item>
/// <item><description><b>Disposing</b> the enumerator disposes the subscription at once and clears the buffer; later
/// <c>MoveNextAsync</c> calls return false, as a compiler-generated iterator's do, and so does one still waiting (a
/// closing portal may dispose while its pump waits).</description></item>
/// </list>
/// <para>
/// Thread safety: the source may push from any thread while <c>MoveNextAsync</c> runs on another (one lock guards the
/// buffer and the state; nothing user-supplied runs under it). The source must keep Rx's grammar (no overlapping
/// <c>OnNext</c> calls); the consumer, the <see cref="IAsyncEnumerator{T}"/> one (no overlapping
/// <c>MoveNextAsync</c>).
/// </para>
/// </remarks>
internal sealed partial class ObservableBuffer<T> : IAsyncEnumerable<T>
{
    private readonly IObservable<T> _source;
    private readonly int _capacity;
    private readonly ObservableOverflowPolicy _policy;
    private readonly Action<int> _onDropped;
    private int _enumerated;

    /// <summary>Creates the buffer; nothing subscribes until <see cref="GetAsyncEnumerator"/>.</summary>
    /// <param name="source">The observable to read.</param>
    /// <param name="capacity">Elements buffered ahead of <c>MoveNextAsync</c>; at least 1.</param>
    /// <param name="policy">What happens to a push while <paramref name="capacity"/> elements are buffered.</param>
    /// <param name="onDropped">Called with 1 for each element a drop policy drops, on the observable's thread.</param>
    public ObservableBuffer(IObservable<T> source, int capacity, ObservableOverflowPolicy policy, Action<int> onDropped)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentNullException.ThrowIfNull(onDropped);
        _source = source;
        _capacity = capacity;
        _policy = policy;
        _onDropped = onDropped;
    }

    /// <summary>Elements buffered ahead of <c>MoveNextAsync</c> at most.</summary>
    public int Capacity => _capacity;

    /// <summary>What happens on overflow.</summary>
    public ObservableOverflowPolicy Policy => _policy;

    /// <summary>Subscribes to the source and returns the one enumerator of this buffer.</summary>
    /// <param name="cancellationToken">Cancelling it disposes the subscription; see the remarks of the type.</param>
    /// <returns>The enumerator, already subscribed.</returns>
    /// <exception cref="InvalidOperationException">The buffer was already enumerated: an observable stream is read once.</exception>
    public IAsyncEnumerator<T> GetAsyncEnumerator(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _enumerated, 1) != 0)
        {
            throw new InvalidOperationException(
                "This observable stream is already being read: GetAsyncEnumerator may be called once, since each call would subscribe to the observable again");
        }

        var enumerator = new Enumerator(this, cancellationToken);
        enumerator.Start(_source);
        return enumerator;
    }
}
