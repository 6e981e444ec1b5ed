using System.Reactive.Subjects;
using System.Runtime.ExceptionServices;
using Akka.Actor;

namespace Wormhole.Reactive;

/// <summary>
/// The intermediate actor of a combinator: its mailbox is the source of an Rx pipeline whose output is
/// told to the target. It stops when the target terminates or the pipeline completes, and fails (for its
/// supervisor to decide) when the pipeline errs, e.g. because a user predicate threw.
/// </summary>
internal sealed class CombinatorActor<TIn, TOut> : UntypedActor
{
    private readonly Subject<TIn> _inputs = new();
    private readonly IActorRef _target;
    private readonly Func<IObservable<TIn>, IObservable<TOut>> _pipeline;
    private IActorRef _self = ActorRefs.Nobody;
    private IDisposable? _subscription;
    private bool _receiving;
    private PipelineEnded? _endedDuringReceive;

    public CombinatorActor(IActorRef target, Func<IObservable<TIn>, IObservable<TOut>> pipeline)
    {
        _target = target;
        _pipeline = pipeline;
    }

    protected override void PreStart()
    {
        _self = Self;
        Context.Watch(_target);
        _subscription = _pipeline(_inputs).Subscribe(new Forwarder(this));
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
            case TIn input:
                Push(input);
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    protected override void PostStop() => _subscription?.Dispose();

    private void Push(TIn input)
    {
        _receiving = true;
        try
        {
            _inputs.OnNext(input);
        }
        finally
        {
            _receiving = false;
        }

        if (_endedDuringReceive is { } ended)
        {
            _endedDuringReceive = null;
            OnPipelineEnded(ended);
        }
    }

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
        if (_receiving)
        {
            _endedDuringReceive = ended;
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
        public void OnNext(TOut value) => actor._target.Tell(value, actor._receiving ? actor.Sender : actor._self);

        public void OnError(Exception error) => actor.End(new PipelineEnded(error));

        public void OnCompleted() => actor.End(new PipelineEnded(null));
    }
}
