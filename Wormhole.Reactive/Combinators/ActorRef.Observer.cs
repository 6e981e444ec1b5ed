namespace Wormhole.Reactive;

public sealed partial class ActorRef<T>
{
    /// <summary>
    /// This actor as an observer: each <c>OnNext</c> value is told to the actor. <c>OnCompleted</c> sends
    /// nothing (an actor outlives any one source), and <c>OnError</c> rethrows the error, as Rx's
    /// <c>Observer.Create(onNext)</c> does; use the other overload to turn them into messages.
    /// </summary>
    /// <returns>An observer that tells the actor; safe to call from one thread at a time, as Rx requires.</returns>
    public IObserver<T> AsObserver() => new ActorObserver<T>(this, null, null);

    /// <summary>This actor as an observer that also turns an error and completion into messages.</summary>
    /// <param name="onError">Makes the message told on <c>OnError</c>; null rethrows the error.</param>
    /// <param name="onCompleted">Makes the message told on <c>OnCompleted</c>; null sends nothing.</param>
    /// <returns>An observer that tells the actor.</returns>
    public IObserver<T> AsObserver(Func<Exception, T>? onError, Func<T>? onCompleted = null) =>
        new ActorObserver<T>(this, onError, onCompleted);
}
