using System.Reactive.Subjects;
using Akka.Actor;
using Akka.Event;

namespace Wormhole.Reactive;

/// <summary>Publishes each received <typeparamref name="T"/> to a subject that outlives restarts.</summary>
internal sealed class ObservableMailboxActor<T>(Subject<T> messages) : UntypedActor
{
    protected override void OnReceive(object message)
    {
        if (message is not T typed)
        {
            Unhandled(message);
        }
        else if (messages.HasObservers)
        {
            messages.OnNext(typed);
        }
        else
        {
            Context.System.DeadLetters.Tell(new DeadLetter(typed, Sender, Self));
        }
    }

    protected override void PreRestart(Exception reason, object message)
    {
        // The subject carries on into the next incarnation: no completion on restart.
    }

    protected override void PostStop() => messages.OnCompleted();
}
