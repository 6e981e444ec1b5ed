using System.Runtime.ExceptionServices;
using System.Threading.Channels;
using Akka.Actor;
using Akka.Event;

namespace Wormhole.Reactive;

/// <summary>The actor behind <see cref="FnActor"/>: queues messages for the function and ends with it.</summary>
internal sealed class FnActorHost<T> : UntypedActor
{
    private readonly Func<FnActorContext<T>, Task> _body;
    private readonly Channel<FnActorContext<T>.Envelope> _inbox =
        Channel.CreateUnbounded<FnActorContext<T>.Envelope>(new UnboundedChannelOptions { SingleWriter = true, SingleReader = true });
    private readonly CancellationTokenSource _stopped = new();
    private Task? _running;

    public FnActorHost(Func<FnActorContext<T>, Task> body) => _body = body;

    protected override void PreStart()
    {
        var self = Self;
        var context = new FnActorContext<T>(ActorRef<T>.From(self), Context.Parent, Context.System, Context.GetLogger(), _inbox.Reader, _stopped.Token);
        var running = Task.Run(() => _body(context));
        _running = running;
        running.ContinueWith(ended => self.Tell(new BodyEnded(ended), ActorRefs.NoSender), TaskScheduler.Default);
    }

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case BodyEnded ended when ended.Body == _running:
                OnBodyEnded(ended.Body);
                break;
            case BodyEnded:
                break; // from an earlier incarnation
            case T typed:
                _inbox.Writer.TryWrite(new(typed, Sender));
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    protected override void PostStop()
    {
        _inbox.Writer.TryComplete();
        _stopped.Cancel();
        while (_inbox.Reader.TryRead(out var unread))
        {
            Context.System.DeadLetters.Tell(new DeadLetter(unread.Message!, unread.Sender, Self));
        }
    }

    private void OnBodyEnded(Task body)
    {
        if (body.Exception is { } failure)
        {
            ExceptionDispatchInfo.Capture(failure.InnerExceptions.Count == 1 ? failure.InnerException! : failure).Throw();
        }

        Context.Stop(Self);
    }

    private sealed record BodyEnded(Task Body);
}
