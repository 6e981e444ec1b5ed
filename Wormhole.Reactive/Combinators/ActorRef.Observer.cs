namespace Wormhole.Reactive;

public sealed partial class ActorRef<T>
{
    /// <summary>
    /// This actor as an observer: each <c>OnNext</c> value is told to the actor. <c>OnCompleted</c> sends
    /// nothing (an actor outlives any one source), and <c>OnError</c> rethrows the error, as Rx's
    /// <c>Observer.Create(onNext)</c> does; use the other overload to turn them into messages.
    /// </summary>
    /// <returns>An observer that tells the actor; safe to call from one thread at a time, as Rx requires.</returns>
    /// <remarks>
    /// On the reference of a combinator (<see cref="ActorRefCombinators.Through"/> and the others), the observer is
    /// the input of the combinator's pipeline: <c>OnCompleted</c> completes it, as a completing Rx source completes
    /// the operators after it. Time-based operators flush (a <c>Buffer</c> emits its last batch), <c>Count</c> and
    /// its kind emit, the pipeline completes and the intermediate actor stops; messages that reach it afterwards go
    /// to dead letters. To feed one combinator from several sources that end at different times, merge them first.
    /// </remarks>
    public IObserver<T> AsObserver() => new ActorObserver<T>(this, null, null);

    /// <summary>This actor as an observer that also turns an error and completion into messages.</summary>
    /// <param name="onError">Makes the message told on <c>OnError</c>; null rethrows the error.</param>
    /// <param name="onCompleted">Makes the message told on <c>OnCompleted</c>; null sends nothing.</param>
    /// <returns>An observer that tells the actor.</returns>
    /// <remarks>
    /// On the reference of a combinator, the source's end (its completion, or its error when
    /// <paramref name="onError"/> turns it into a message) completes the pipeline's input after the terminal
    /// message, as <see cref="AsObserver()"/> describes; an error that is rethrown leaves the pipeline as it is.
    /// </remarks>
    public IObserver<T> AsObserver(Func<Exception, T>? onError, Func<T>? onCompleted = null) =>
        new ActorObserver<T>(this, onError, onCompleted);
}
