using System.Runtime.ExceptionServices;
using Akka.Actor;

namespace Wormhole.Reactive;

/// <summary>An <see cref="IObserver{T}"/> that tells each value to an actor.</summary>
internal sealed class ActorObserver<T>(ActorRef<T> target, Func<Exception, T>? onError, Func<T>? onCompleted) : IObserver<T>
{
    public void OnNext(T value) => target.Tell(value, ActorRefs.NoSender);

    public void OnError(Exception error)
    {
        if (onError is null)
        {
            ExceptionDispatchInfo.Capture(error).Throw();
        }

        target.Tell(onError(error), ActorRefs.NoSender);
    }

    public void OnCompleted()
    {
        if (onCompleted is not null)
        {
            target.Tell(onCompleted(), ActorRefs.NoSender);
        }
    }
}
