using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Threading.Channels;
using Akka.Actor;
using Akka.Event;

namespace Wormhole.Reactive;

/// <summary>The actor behind <see cref="FnActor"/>: queues messages for the function and ends with it.</summary>
/// <remarks>
/// By default the function runs on the thread pool, its tells carrying this actor as their implicit sender
/// (<see cref="ImplicitSender"/>). With <see cref="RunInReceivePath"/> on, it starts inside
/// <see cref="PreStart"/> and each of its awaits on the inbox resumes inside the receive that wrote the message (the
/// inbox runs its continuations synchronously): under a calling-thread dispatcher, a tell then returns after the
/// function has handled the message. Neither the function's start nor a write may then carry a synchronization
/// context (a test framework's) into the function, or its next await would post the rest of it elsewhere.
/// </remarks>
internal sealed class FnActorHost<T> : UntypedActor
{
    /// <summary>The configuration switch that runs function actors inside their receive (Wormhole.Testing sets it).</summary>
    public const string RunInReceivePath = "wormhole.fn-actor.run-in-receive";

    private static readonly ConditionalWeakTable<ActorSystem, StrongBox<bool>> RunInReceiveBySystem = new();

    private readonly Func<FnActorContext<T>, Task> _body;
    private readonly bool _runInReceive;
    private readonly Channel<FnActorContext<T>.Envelope> _inbox;
    private readonly CancellationTokenSource _stopped = new();
    private Task? _running;

    public FnActorHost(Func<FnActorContext<T>, Task> body)
    {
        _body = body;
        _runInReceive = RunInReceiveBySystem.GetValue(
            Context.System,
            system => new StrongBox<bool>(system.Settings.Config.GetBoolean(RunInReceivePath, false))).Value;
        _inbox = Channel.CreateUnbounded<FnActorContext<T>.Envelope>(new UnboundedChannelOptions
        {
            SingleWriter = true,
            SingleReader = true,
            AllowSynchronousContinuations = _runInReceive,
        });
    }

    protected override void PreStart()
    {
        var self = Self;
        var context = new FnActorContext<T>(ActorRef<T>.From(self), Context.Parent, Context.System, Context.GetLogger(), _inbox.Reader, _stopped.Token);
        var running = _runInReceive ? StartHere(() => _body(context)) : Task.Run(() =>
        {
            ImplicitSender.EnterFunctionOf(self);
            return _body(context);
        });
        _running = running;
        running.ContinueWith(
            ended => self.Tell(new BodyEnded(ended), ActorRefs.NoSender),
            CancellationToken.None,
            _runInReceive ? TaskContinuationOptions.ExecuteSynchronously : TaskContinuationOptions.None,
            TaskScheduler.Default);
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
                using (new WithoutSynchronizationContext(_runInReceive))
                {
                    _inbox.Writer.TryWrite(new(typed, Sender));
                }

                break;
            default:
                Unhandled(message);
                break;
        }
    }

    protected override void PostStop()
    {
        using (new WithoutSynchronizationContext(_runInReceive))
        {
            _inbox.Writer.TryComplete();
            _stopped.Cancel();
        }

        while (_inbox.Reader.TryRead(out var unread))
        {
            Context.System.DeadLetters.Tell(new DeadLetter(unread.Message!, unread.Sender, Self));
        }
    }

    /// <summary>Runs <paramref name="start"/> on this thread up to its first pending await, with no synchronization context and the default task scheduler.</summary>
    private static Task StartHere(Func<Task> start)
    {
        using (new WithoutSynchronizationContext(true))
        {
            var starting = new Task<Task>(start);
            starting.RunSynchronously(TaskScheduler.Default);
            return starting.Unwrap();
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

    /// <summary>Clears the thread's synchronization context, when asked to, until disposed.</summary>
    private readonly ref struct WithoutSynchronizationContext
    {
        private readonly SynchronizationContext? _previous;
        private readonly bool _cleared;

        public WithoutSynchronizationContext(bool clear)
        {
            _cleared = clear;
            if (clear)
            {
                _previous = SynchronizationContext.Current;
                SynchronizationContext.SetSynchronizationContext(null);
            }
        }

        public void Dispose()
        {
            if (_cleared)
            {
                SynchronizationContext.SetSynchronizationContext(_previous);
            }
        }
    }
}
