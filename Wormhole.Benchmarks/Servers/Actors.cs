using System.Diagnostics;
using Akka.Actor;
using Wormhole.Benchmarks.Contracts;
using Wormhole.Benchmarks.Harness;

namespace Wormhole.Benchmarks.Servers;

/// <summary>
/// Counts what it receives (<see cref="Small"/>, or <see cref="Carrier"/> for refs) and reports <see cref="Progress"/>:
/// 0 on <see cref="Begin"/>, then every <c>AckEvery</c> messages and when the expected count is reached.
/// Reports go to <c>Begin.ReplyTo</c> (Wormhole) or to the sender of <c>Begin</c> (Akka.Remote).
/// </summary>
internal sealed class SinkActor : UntypedActor
{
    private readonly TimeSpan _workPerMessage;
    private IActorRef _replyTo = ActorRefs.Nobody;
    private long _expected, _received;
    private int _ackEvery = int.MaxValue;

    public SinkActor(TimeSpan workPerMessage) => _workPerMessage = workPerMessage;

    public static Props Props(TimeSpan workPerMessage = default) => Akka.Actor.Props.Create(() => new SinkActor(workPerMessage));

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case Begin begin:
                _replyTo = begin.ReplyTo?.Untyped ?? Sender;
                _expected = begin.Expected;
                _ackEvery = Math.Max(1, begin.AckEvery);
                _received = 0;
                _replyTo.Tell(new Progress { Received = 0 });
                break;
            case Small or Carrier:
                Interlocked.Increment(ref ServerConsole.Received);
                if (_workPerMessage > TimeSpan.Zero)
                {
                    Work(_workPerMessage);
                }

                _received++;
                if (_received % _ackEvery == 0 || _received == _expected)
                {
                    _replyTo.Tell(new Progress { Received = _received });
                }

                break;
        }
    }

    /// <summary>A handler's cost, as CPU time on the actor's thread.</summary>
    private static void Work(TimeSpan cost)
    {
        var until = Stopwatch.GetTimestamp() + (long)(cost.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < until)
        {
            Thread.SpinWait(10);
        }
    }
}

/// <summary>
/// Echoes: a Wormhole <see cref="Ping"/> goes back through its <c>ReplyTo</c>; a bare <see cref="Small"/> goes back to
/// the sender (Akka.Remote's idiom, and an Akka <c>Ask</c> through a Wormhole proxy); a <see cref="Query"/> is answered through its reply port.
/// </summary>
internal sealed class EchoActor : UntypedActor
{
    public static Props Props() => Akka.Actor.Props.Create<EchoActor>();

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case Ping ping:
                ping.ReplyTo!.Tell(ping.Body!);
                break;
            case Query query:
                query.Reply!.Reply(query.Body!);
                break;
            case Small small:
                Sender.Tell(small);
                break;
        }
    }
}
