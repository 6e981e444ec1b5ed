using System.Reactive.Linq;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Akka.Actor;
using Akka.Event;

namespace Wormhole.Reactive;

/// <summary>What the function of a <see cref="FnActor"/> sees: its messages, itself, and the parts of the Akka context that are safe to use from any thread.</summary>
/// <typeparam name="T">The type of message the actor accepts.</typeparam>
public sealed class FnActorContext<T>
{
    private readonly ChannelReader<Envelope> _inbox;

    internal FnActorContext(ActorRef<T> self, IActorRef parent, ActorSystem system, ILoggingAdapter log, ChannelReader<Envelope> inbox, CancellationToken stopped)
    {
        Self = self;
        Parent = parent;
        System = system;
        Log = log;
        _inbox = inbox;
        Stopped = stopped;
    }

    /// <summary>This actor.</summary>
    public ActorRef<T> Self { get; }

    /// <summary>This actor's parent (its supervisor).</summary>
    public IActorRef Parent { get; }

    /// <summary>The actor system this actor lives in.</summary>
    public ActorSystem System { get; }

    /// <summary>A logger through Akka's logging, sourced from this actor.</summary>
    public ILoggingAdapter Log { get; }

    /// <summary>The sender of the message most recently yielded by <see cref="Messages"/>.</summary>
    public IActorRef Sender { get; private set; } = ActorRefs.Nobody;

    /// <summary>Cancelled when the actor stops, whoever stopped it.</summary>
    public CancellationToken Stopped { get; }

    /// <summary>
    /// The actor's messages in arrival order; the sequence ends when the actor stops.
    /// Read them once: either enumerate this or subscribe to <see cref="AsObservable"/>.
    /// </summary>
    public IAsyncEnumerable<T> Messages => ReadMessages(Stopped);

    /// <summary>The actor's messages as an observable; it completes when the actor stops.</summary>
    /// <returns>A cold observable that reads the mailbox when subscribed (at most one subscription).</returns>
    public IObservable<T> AsObservable() =>
        Observable.Create<T>(async (observer, cancellation) =>
        {
            await foreach (var message in ReadMessages(cancellation).ConfigureAwait(false))
            {
                observer.OnNext(message);
            }

            observer.OnCompleted();
        });

    private async IAsyncEnumerable<T> ReadMessages([EnumeratorCancellation] CancellationToken cancellation)
    {
        while (await WaitToReadAsync(cancellation).ConfigureAwait(false))
        {
            while (_inbox.TryRead(out var envelope))
            {
                Sender = envelope.Sender;
                yield return envelope.Message;
            }
        }
    }

    private async ValueTask<bool> WaitToReadAsync(CancellationToken cancellation)
    {
        try
        {
            return await _inbox.WaitToReadAsync(cancellation).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    internal readonly record struct Envelope(T Message, IActorRef Sender);
}
