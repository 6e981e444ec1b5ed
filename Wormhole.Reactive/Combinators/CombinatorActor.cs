using System.Reactive.Subjects;
using System.Runtime.ExceptionServices;
using Akka.Actor;
using Akka.Event;

namespace Wormhole.Reactive;

/// <summary>
/// The intermediate actor of a combinator: its mailbox is the source of an Rx pipeline whose output is
/// told to the target. It stops when the target terminates or the pipeline completes, and fails (for its
/// supervisor to decide) when the pipeline errs, e.g. because a user predicate threw. A pipeline that
/// ends while it is being built fails the actor's start, which Akka's default supervision stops, not restarts.
/// <see cref="PipelineInputCompleted"/> completes the pipeline's source. The pipeline's completion is not passed on
/// to the target, even when it is a combinator too: other references may feed it (a fan-in).
/// </summary>
internal sealed class CombinatorActor<TIn, TOut> : UntypedActor
{
    private const int NoThread = -1;
    private readonly Subject<TIn> _inputs = new();
    private readonly IActorRef _target;
    private readonly Func<IObservable<TIn>, IObservable<TOut>> _pipeline;
    private IActorRef _self = ActorRefs.Nobody;
    private IActorRef _sender = ActorRefs.Nobody;
    private IDisposable? _subscription;
    private int _actorThread = NoThread; // the thread running PreStart or a receive; operators may emit on others
    private PipelineEnded? _endedOnActorThread;
    private bool _inputCompleted;

    public CombinatorActor(IActorRef target, Func<IObservable<TIn>, IObservable<TOut>> pipeline)
    {
        _target = target;
        _pipeline = pipeline;
    }

    protected override void PreStart()
    {
        _self = Self;
        Context.Watch(_target);
        OnActorThread(() => _subscription = _pipeline(_inputs).Subscribe(new Forwarder(this)));
    }

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case Terminated terminated when terminated.ActorRef.Equals(_target):
                Context.Stop(Self);
                break;
            case PipelineEnded ended:
                OnPipelineEnded(ended);
                break;
            case PipelineInputCompleted:
                _inputCompleted = true;
                OnActorThread(_inputs.OnCompleted);
                break;
            case TIn input when _inputCompleted: // the pipeline may still be draining (a Delay): nothing more goes in
                Context.System.DeadLetters.Tell(new DeadLetter(input, Sender, Self));
                break;
            case TIn input:
                _sender = Sender;
                OnActorThread(() => _inputs.OnNext(input));
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    protected override void PostStop() => _subscription?.Dispose();

    private void OnActorThread(Action action)
    {
        Volatile.Write(ref _actorThread, Environment.CurrentManagedThreadId);
        try
        {
            action();
        }
        finally
        {
            Volatile.Write(ref _actorThread, NoThread);
        }

        if (_endedOnActorThread is { } ended)
        {
            _endedOnActorThread = null;
            OnPipelineEnded(ended);
        }
    }

    private bool IsOnActorThread => Volatile.Read(ref _actorThread) == Environment.CurrentManagedThreadId;

    private void OnPipelineEnded(PipelineEnded ended)
    {
        if (ended.Error is { } error)
        {
            ExceptionDispatchInfo.Capture(error).Throw();
        }

        Context.Stop(Self);
    }

    private void End(PipelineEnded ended)
    {
        if (IsOnActorThread)
        {
            _endedOnActorThread = ended;
        }
        else
        {
            _self.Tell(ended, ActorRefs.NoSender); // ended on another thread (a time-based operator)
        }
    }

    private sealed record PipelineEnded(Exception? Error);

    private sealed class Forwarder(CombinatorActor<TIn, TOut> actor) : IObserver<TOut>
    {
        // Within a receive, the original sender travels on, so an ask through a combinator is answered.
        public void OnNext(TOut value) => actor._target.Tell(value, actor.IsOnActorThread ? actor._sender : actor._self);

        public void OnError(Exception error) => actor.End(new PipelineEnded(error));

        public void OnCompleted() => actor.End(new PipelineEnded(null));
    }
}
