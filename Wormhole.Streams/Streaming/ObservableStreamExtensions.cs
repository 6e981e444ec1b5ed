using Wormhole.Streams.Streaming;

namespace Wormhole.Streams;

/// <summary>Per-stream settings for an <see cref="IObservable{T}"/> sent across the wormhole as a message field.</summary>
public static class ObservableStreamExtensions
{
    /// <summary>
    /// Sets the buffer of this observable when it is sent as a stream, instead of the portal's
    /// <see cref="NexusOptions.ObservableBufferSize"/> and <see cref="NexusOptions.ObservableOverflow"/>.
    /// </summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="source">The observable to send.</param>
    /// <param name="capacity">Elements it may push ahead of the peer's demand; at least 1.</param>
    /// <param name="policy">What happens to an element pushed while <paramref name="capacity"/> elements are buffered.</param>
    /// <returns>
    /// An observable that subscribes to <paramref name="source"/> and carries the settings; applied to the result of an
    /// earlier call, the new settings replace the earlier ones.
    /// </returns>
    /// <remarks>
    /// The stream emits when the peer has credit and an element is buffered, completes or fails after the buffered elements
    /// when <paramref name="source"/> does, fails with <see cref="LimitExceededException"/> (limit <c>ObservableBufferSize</c>)
    /// after the buffered elements on overflow under <see cref="ObservableOverflowPolicy.FailStream"/>, and disposes its
    /// subscription to <paramref name="source"/> when the peer cancels, the portal closes, or it completes, fails or
    /// overflows.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="capacity"/> is less than 1, or <paramref name="policy"/> is not a defined policy.
    /// </exception>
    public static IObservable<T> WithStreamBuffer<T>(this IObservable<T> source, int capacity, ObservableOverflowPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        if (!Enum.IsDefined(policy))
        {
            throw new ArgumentOutOfRangeException(nameof(policy), policy, "not a defined policy");
        }

        var inner = source is BufferedObservable<T> buffered ? buffered.Source : source;
        return new BufferedObservable<T>(inner, capacity, policy);
    }
}
