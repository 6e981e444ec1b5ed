using System.Runtime.ExceptionServices;
using Akka.Actor;

namespace Wormhole.Reactive;

/// <summary>
/// An <see cref="IObserver{T}"/> that tells each value to an actor, with no sender; silent after a terminal event, as Rx's
/// observers are. When the source ends (it completes, or its error becomes a message), a combinator's pipeline input
/// ends too, after the terminal message if any.
/// </summary>
internal sealed class ActorObserver<T>(ActorRef<T> target, Func<Exception, T>? onError, Func<T>? onCompleted) : IObserver<T>
{
    private int _stopped;

    public void OnNext(T value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (Volatile.Read(ref _stopped) == 0)
        {
            target.Untyped.Tell(value, ActorRefs.NoSender);
        }
    }

    public void OnError(Exception error)
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }

        if (onError is null)
        {
            ExceptionDispatchInfo.Capture(error).Throw();
        }

        target.Untyped.Tell(onError(error)!, ActorRefs.NoSender);
        PipelineInputCompleted.TellIfCombinator(target.Untyped);
    }

    public void OnCompleted()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }

        if (onCompleted is not null)
        {
            target.Untyped.Tell(onCompleted()!, ActorRefs.NoSender);
        }

        PipelineInputCompleted.TellIfCombinator(target.Untyped);
    }
}
