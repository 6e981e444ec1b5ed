namespace Wormhole.Streams;

/// <summary>
/// What the producing side does when an <see cref="IObservable{T}"/> sent as a stream pushes an element while its buffer
/// (<see cref="NexusOptions.ObservableBufferSize"/>, or <see cref="ObservableStreamExtensions.WithStreamBuffer{T}"/>) is
/// full. An observable has no backpressure: it pushes whether or not the peer has granted credit, so the elements ahead of
/// the peer's demand wait in a bounded buffer.
/// </summary>
public enum ObservableOverflowPolicy
{
    /// <summary>
    /// Fail the stream: the subscription to the observable is disposed at once, the elements already buffered are still
    /// sent, then the stream fails with a <see cref="LimitExceededException"/> (limit <c>ObservableBufferSize</c>).
    /// The default: nothing is lost silently.
    /// </summary>
    FailStream,

    /// <summary>Drop the oldest buffered element to make room for the new one; each drop is counted and logged.</summary>
    DropOldest,

    /// <summary>Drop the new element and keep the buffered ones; each drop is counted and logged.</summary>
    DropNewest,
}
