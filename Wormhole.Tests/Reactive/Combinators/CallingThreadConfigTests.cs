using Akka.Actor;
using Akka.TestKit.Xunit2;
using Wormhole.Tests.Support;

namespace Wormhole.Tests.Reactive.Combinators;

/// <summary>
/// The premise of the marble tests: under <see cref="CallingThreadConfig"/>, a tell is handled on the calling thread before it
/// returns, for top-level user actors and for system actors (where combinators live). Both need the internal dispatcher on the
/// calling thread too: the guardians run there, and a top-level actor starts (and drains what was sent to it meanwhile) only
/// when its guardian handles <c>Supervise</c>.
/// </summary>
public sealed class CallingThreadConfigTests() : TestKit(CallingThreadConfig.Instance)
{
    [Fact]
    public void Tell_UserActor_HandledOnCallingThreadBeforeReturning()
    {
        var seen = new List<(string Message, int Thread)>();
        var actor = Sys.ActorOf(Props.Create(() => new Recorder(seen)));

        actor.Tell("a");
        var afterFirst = seen.Count;
        actor.Tell("b");

        Assert.Equal(1, afterFirst);
        Assert.Equal([("a", Environment.CurrentManagedThreadId), ("b", Environment.CurrentManagedThreadId)], seen);
    }

    [Fact]
    public void Tell_SystemActor_HandledOnCallingThreadBeforeReturning()
    {
        var seen = new List<(string Message, int Thread)>();
        var actor = ((ExtendedActorSystem)Sys).SystemActorOf(Props.Create(() => new Recorder(seen)));

        actor.Tell("a");
        var afterFirst = seen.Count;
        actor.Tell("b");

        Assert.Equal(1, afterFirst);
        Assert.Equal([("a", Environment.CurrentManagedThreadId), ("b", Environment.CurrentManagedThreadId)], seen);
    }

    private sealed class Recorder(List<(string Message, int Thread)> seen) : UntypedActor
    {
        protected override void OnReceive(object message) => seen.Add(((string)message, Environment.CurrentManagedThreadId));
    }
}
