using System.Reactive.Linq;
using Akka.Actor;
using Akka.Configuration;
using Akka.TestKit.Xunit2;
using Wormhole.Reactive;
using Wormhole.Testing;
using Wormhole.Tests.Support;

namespace Wormhole.Tests.Testing;

/// <summary>
/// The premise of the marble tests: under <see cref="DeterministicActorSystem.Config"/>, a tell is handled on the calling
/// thread before it returns, for top-level user actors, for system actors (where combinators live) and for the function
/// of a <see cref="FnActor"/>. The first two need the internal dispatcher on the calling thread too: the guardians run
/// there, and a top-level actor starts (and drains what was sent to it meanwhile) only when its guardian handles
/// <c>Supervise</c>.
/// </summary>
public sealed class DeterministicActorSystemTests() : TestKit(DeterministicActorSystem.Config)
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

    /// <summary>Each step of the function, between two reads of its messages, runs inside the receive of the message it read.</summary>
    [Fact]
    public void Tell_FnActor_HandledOnCallingThreadBeforeReturning()
    {
        var seen = new List<(string Message, int Thread)>();
        var actor = FnActor.Spawn<string>(Sys, async ctx =>
        {
            await foreach (var message in ctx.Messages)
            {
                seen.Add((message, Environment.CurrentManagedThreadId));
            }
        });

        actor.Tell("a");
        var afterFirst = seen.Count;
        actor.Tell("b");

        Assert.Equal(1, afterFirst);
        Assert.Equal([("a", Environment.CurrentManagedThreadId), ("b", Environment.CurrentManagedThreadId)], seen);
    }

    [Fact]
    public void Tell_FnActorObservable_HandledOnCallingThreadBeforeReturning()
    {
        var seen = new List<(string Message, int Thread)>();
        var actor = FnActor.Spawn<string>(Sys, async ctx =>
        {
            await ctx.AsObservable().ForEachAsync(message => seen.Add((message, Environment.CurrentManagedThreadId)));
        });

        actor.Tell("a");
        var afterFirst = seen.Count;
        actor.Tell("b");

        Assert.Equal(1, afterFirst);
        Assert.Equal([("a", Environment.CurrentManagedThreadId), ("b", Environment.CurrentManagedThreadId)], seen);
    }

    [Fact]
    public void FnActor_FunctionReturns_ActorStopsBeforeTellReturns()
    {
        var actor = FnActor.Spawn<string>(Sys, async ctx =>
        {
            await foreach (var message in ctx.Messages)
            {
                if (message == "stop")
                {
                    return;
                }
            }
        });
        Watch(actor.Untyped);

        actor.Tell("stop");

        ExpectTerminated(actor.Untyped, TimeSpan.Zero); // already in the test actor's mailbox
    }

    [Fact]
    public void FnActor_FunctionThrows_SupervisorRestartsItBeforeTellReturns()
    {
        var starts = 0;
        var actor = FnActor.Spawn<string>(Sys, async ctx =>
        {
            starts++;
            await foreach (var message in ctx.Messages)
            {
                if (message == "throw")
                {
                    throw new InvalidOperationException("asked to throw");
                }
            }
        });

        EventFilter.Exception<InvalidOperationException>("asked to throw").ExpectOne(() => actor.Tell("throw"));

        Assert.Equal(2, starts);
    }

    [Fact]
    public void Create_WithoutTestKit_HandlesTellsOnCallingThread()
    {
        using var system = DeterministicActorSystem.Create();
        var seen = new List<(string Message, int Thread)>();
        var actor = system.ActorOf(Props.Create(() => new Recorder(seen)));

        actor.Tell("a");

        Assert.Equal([("a", Environment.CurrentManagedThreadId)], seen);
    }

    [Fact]
    public void Create_WithConfig_ItsSettingsTakePrecedence()
    {
        using var system = DeterministicActorSystem.Create("named", ConfigurationFactory.ParseString("akka.loglevel = ERROR"));

        Assert.Equal("named", system.Name);
        Assert.Equal("ERROR", system.Settings.LogLevel);
        Assert.True(system.Settings.Config.GetBoolean(FnActorHost<int>.RunInReceivePath));
    }

    [Fact]
    public void Create_NullName_Throws()
    {
        var thrown = Assert.Throws<ArgumentNullException>(() => DeterministicActorSystem.Create(null!));

        Assert.Equal("name", thrown.ParamName);
    }

    private sealed class Recorder(List<(string Message, int Thread)> seen) : UntypedActor
    {
        protected override void OnReceive(object message) => seen.Add(((string)message, Environment.CurrentManagedThreadId));
    }
}
