namespace Wormhole.Streams.Streaming;

/// <summary>
/// An observable with its own stream buffer settings (<see cref="ObservableStreamExtensions.WithStreamBuffer{T}"/>), as
/// <see cref="ObservableBuffer.For{T}"/> recognises it: this non-generic base lets it do so whatever type argument the
/// field's <see cref="IObservable{T}"/> has (the interface is covariant, so a wrapper of strings may arrive as
/// <c>IObservable&lt;object&gt;</c>).
/// </summary>
internal abstract class BufferedObservable(int capacity, ObservableOverflowPolicy policy)
{
    /// <summary>Elements buffered ahead of demand; at least 1.</summary>
    public int Capacity { get; } = capacity;

    /// <summary>What happens on overflow.</summary>
    public ObservableOverflowPolicy Policy { get; } = policy;
}

/// <summary>Subscribes straight to <see cref="Source"/> and carries the settings of <see cref="BufferedObservable"/>.</summary>
/// <typeparam name="T">The element type.</typeparam>
internal sealed class BufferedObservable<T>(IObservable<T> source, int capacity, ObservableOverflowPolicy policy)
    : BufferedObservable(capacity, policy), IObservable<T>
{
    /// <summary>The wrapped observable.</summary>
    public IObservable<T> Source { get; } = source;

    /// <inheritdoc />
    public IDisposable Subscribe(IObserver<T> observer) => Source.Subscribe(observer);
}
