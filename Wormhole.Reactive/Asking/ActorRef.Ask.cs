using Akka.Actor;

namespace Wormhole.Reactive;

public sealed partial class ActorRef<T>
{
    /// <summary>
    /// Sends a request that carries a fresh <see cref="ReplyPort{TReply}"/> and returns the reply.
    /// </summary>
    /// <typeparam name="TReply">The type of the reply.</typeparam>
    /// <param name="build">Builds the request around the reply port.</param>
    /// <param name="timeout">How long to wait; also the reply port's deadline. Must be positive.</param>
    /// <param name="cancellationToken">Stops waiting; the temporary reply actor is released.</param>
    /// <returns>The reply itself.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="build"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is not positive.</exception>
    /// <exception cref="AskTimeoutException">No reply arrived before the deadline; the message names the target and the deadline.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <remarks>A failure the replier sends with <see cref="ReplyPort{T}.Fail"/> is rethrown as is.</remarks>
    public async Task<TReply> Ask<TReply>(
        Func<ReplyPort<TReply>, T> build,
        TimeSpan timeout,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(build);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        ReplyPort<TReply>? port = null;
        try
        {
            return await Untyped.Ask<TReply>(
                temporary =>
                {
                    port = new ReplyPort<TReply>(temporary, timeout);
                    return build(port)!;
                },
                timeout,
                cancellationToken).ConfigureAwait(false);
        }
        catch (AskTimeoutException)
        {
            throw TimedOut<TReply>(timeout, port?.Deadline ?? DateTimeOffset.UtcNow);
        }
        finally
        {
            port?.Abandon();
        }
    }

    /// <summary>
    /// Sends <paramref name="message"/> with a temporary actor as its sender and returns the first
    /// reply sent to that sender (the Akka idiom <c>Sender.Tell(reply)</c>).
    /// </summary>
    /// <typeparam name="TReply">The type of the reply.</typeparam>
    /// <param name="message">The request.</param>
    /// <param name="timeout">How long to wait. Must be positive.</param>
    /// <param name="cancellationToken">Stops waiting; the temporary reply actor is released.</param>
    /// <returns>The reply itself.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="message"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is not positive.</exception>
    /// <exception cref="AskTimeoutException">No reply arrived in time; the message names the target and the deadline.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <remarks>A <see cref="Status.Failure"/> reply is rethrown as its cause.</remarks>
    public async Task<TReply> Ask<TReply>(T message, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        var deadline = DateTimeOffset.UtcNow + timeout;
        try
        {
            return await Untyped.Ask<TReply>(message, timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (AskTimeoutException)
        {
            throw TimedOut<TReply>(timeout, deadline);
        }
    }

    private AskTimeoutException TimedOut<TReply>(TimeSpan timeout, DateTimeOffset deadline) =>
        new($"No reply of type {typeof(TReply).Name} from {Untyped.Path} within {timeout.TotalMilliseconds:N0} ms (deadline {deadline:O}).");
}
