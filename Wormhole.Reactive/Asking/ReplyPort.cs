using System.Diagnostics;
using Akka.Actor;

namespace Wormhole.Reactive;

/// <summary>
/// A typed, one-shot capability to answer a request with a <typeparamref name="T"/>, carried inside
/// the request message. Created by <see cref="ActorRef{T}.Ask{TReply}(Func{ReplyPort{TReply}, T}, TimeSpan, CancellationToken)"/>.
/// </summary>
/// <typeparam name="T">The type of the reply.</typeparam>
/// <remarks>
/// A port accepts exactly one <see cref="Reply"/> or <see cref="Fail"/>, before its <see cref="Deadline"/>
/// and while the asker still waits; anything else throws a <see cref="ReplyPortException"/>.
/// The port is safe to use from any thread.
/// </remarks>
public sealed class ReplyPort<T>
{
    private readonly long _deadlineTimestamp;
    private int _state; // 0 open, 1 replied, 2 abandoned

    internal ReplyPort(IActorRef target, TimeSpan timeout)
    {
        Target = target;
        _deadlineTimestamp = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        Deadline = DateTimeOffset.UtcNow + timeout;
    }

    /// <summary>The moment after which a reply is refused (UTC, informational; expiry uses a monotonic clock).</summary>
    public DateTimeOffset Deadline { get; }

    /// <summary>The time left before the deadline; zero once it has passed.</summary>
    public TimeSpan Remaining
    {
        get
        {
            var left = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), _deadlineTimestamp);
            return left > TimeSpan.Zero ? left : TimeSpan.Zero;
        }
    }

    /// <summary>True once the port was answered, abandoned or its deadline passed, or the asker is gone (e.g. its connection closed).</summary>
    public bool IsClosed => Volatile.Read(ref _state) != 0 || Remaining == TimeSpan.Zero || AskerGone;

    /// <summary>The reply target has terminated: a local asker that stopped, or a remote one whose portal closed.</summary>
#pragma warning disable CS0618 // IsTerminated is obsolete for actors' own use (watch instead); a one-shot port has nobody to watch with
    private bool AskerGone => Target is IInternalActorRef { IsTerminated: true };
#pragma warning restore CS0618

    /// <summary>The actor the reply is delivered to (the asker's temporary actor, or a proxy for it).</summary>
    internal IActorRef Target { get; }

    /// <summary>Answers the request.</summary>
    /// <param name="value">The reply.</param>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is null.</exception>
    /// <exception cref="ReplyPortException">The port was already answered, expired or abandoned.</exception>
    public void Reply(T value)
    {
        ArgumentNullException.ThrowIfNull(value);
        Close();
        Target.Tell(value, ActorRefs.NoSender);
    }

    /// <summary>Answers the request with a failure: the asker's task faults with <paramref name="error"/>.</summary>
    /// <param name="error">The failure the asker sees.</param>
    /// <exception cref="ArgumentNullException"><paramref name="error"/> is null.</exception>
    /// <exception cref="ReplyPortException">The port was already answered, expired or abandoned.</exception>
    public void Fail(Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        Close();
        Target.Tell(new Status.Failure(error), ActorRefs.NoSender);
    }

    /// <summary>Marks the port as no longer awaited, so a late reply is refused rather than lost.</summary>
    internal void Abandon() => Interlocked.CompareExchange(ref _state, 2, 0);

    private void Close()
    {
        var state = Volatile.Read(ref _state);
        if (state == 0 && Stopwatch.GetTimestamp() > _deadlineTimestamp)
        {
            throw new ReplyPortException(
                ReplyPortFault.Expired,
                $"Reply port {Target.Path} expired at {Deadline:O}; the reply was not sent.");
        }

        if (state == 0 && AskerGone)
        {
            state = Interlocked.CompareExchange(ref _state, 2, 0) == 0 ? 2 : Volatile.Read(ref _state);
        }

        if (state == 0)
        {
            state = Interlocked.CompareExchange(ref _state, 1, 0);
        }

        if (state == 1)
        {
            throw new ReplyPortException(
                ReplyPortFault.AlreadyReplied,
                $"Reply port {Target.Path} was already answered; a reply port takes exactly one reply.");
        }

        if (state == 2)
        {
            throw new ReplyPortException(
                ReplyPortFault.Abandoned,
                $"Reply port {Target.Path} is no longer awaited (the ask was cancelled or timed out, or the asker's connection closed); the reply was not sent.");
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"ReplyPort<{typeof(T).Name}>({Target.Path}, deadline {Deadline:O})";
}
