using Akka.Actor;
using Akka.TestKit;
using System.Reactive.Linq;
using Wormhole.Reactive;
using Wormhole.Tests.Support;

namespace Wormhole.Tests.Reactive.FnActors;

public sealed class FnActorTests : Akka.TestKit.Xunit2.TestKit
{
    [Fact]
    public void Messages_ArriveInOrder()
    {
        var probe = CreateTestProbe();
        var actor = FnActor.Spawn<int>(Sys, async ctx =>
        {
            await foreach (var message in ctx.Messages)
            {
                probe.Tell(message);
            }
        });

        for (var i = 0; i < 100; i++)
        {
            actor.Tell(i);
        }

        for (var i = 0; i < 100; i++)
        {
            probe.ExpectMsg(i, Bounds.Long);
        }
    }

    [Fact]
    public void TellFromTheFunction_BeforeAndAfterAnAwait_CarriesTheFunctionActorAsItsSender()
    {
        var probe = CreateTestProbe();
        var actor = FnActor.Spawn<int>(Sys, async ctx =>
        {
            await foreach (var message in ctx.Messages)
            {
                ActorRef<int>.From(probe.Ref).Tell(message);
                await Task.Yield(); // resumes on some pool thread, outside any receive
                ActorRef<int>.From(probe.Ref).Tell(-message);
            }
        });

        for (var i = 1; i <= 200; i++)
        {
            actor.Tell(i);
        }

        for (var i = 1; i <= 200; i++)
        {
            probe.ExpectMsg(i, Bounds.Long);
            Assert.Equal(actor.Untyped, probe.LastSender);
            probe.ExpectMsg(-i, Bounds.Long);
            Assert.Equal(actor.Untyped, probe.LastSender);
        }
    }

    [Fact]
    public void FunctionReturns_ActorStops()
    {
        var actor = FnActor.Spawn<int>(Sys, async ctx =>
        {
            await foreach (var message in ctx.Messages)
            {
                if (message == 3)
                {
                    return;
                }
            }
        });
        Watch(actor.Untyped);

        actor.Tell(1);
        ExpectNoMsg(Bounds.Short);
        actor.Tell(3);

        ExpectTerminated(actor.Untyped, Bounds.Long);
    }

    [Fact]
    public void FunctionReturns_UnreadMessagesGoToDeadLetters()
    {
        var gate = new TaskCompletionSource();
        var actor = FnActor.Spawn<int>(Sys, async _ => await gate.Task);
        Watch(actor.Untyped);
        Sys.EventStream.Subscribe(TestActor, typeof(Akka.Event.DeadLetter));

        actor.Tell(42);
        gate.SetResult();

        FishForMessage(m => m is Akka.Event.DeadLetter { Message: 42 }, Bounds.Long);
        ExpectTerminated(actor.Untyped, Bounds.Long);
    }

    [Fact]
    public void FunctionThrows_SupervisorSeesTheException()
    {
        var failures = CreateTestProbe();
        var parent = Sys.ActorOf(Props.Create(() => new RecordingSupervisor(failures.Ref)));
        parent.Tell(new SpawnChild(async ctx =>
        {
            await foreach (var message in ctx.Messages)
            {
                throw new InvalidOperationException($"bad message {message}");
            }
        }));
        var child = ExpectMsg<ActorRef<int>>(Bounds.Long);

        child.Tell(5);

        var error = failures.ExpectMsg<InvalidOperationException>(Bounds.Long);
        Assert.Equal("bad message 5", error.Message);
    }

    [Fact]
    public void AsChild_IsNamedAndSupervisedByItsParent()
    {
        var parent = Sys.ActorOf(Props.Create(() => new RecordingSupervisor(TestActor)), "parent");
        parent.Tell(new SpawnChild(async ctx => await ctx.Stopped.WhenCancelled(), "worker"));
        var child = ExpectMsg<ActorRef<int>>(Bounds.Long);

        Assert.Equal("akka://test/user/parent/worker", child.Path.ToString());
        Watch(child.Untyped);
        Sys.Stop(parent);
        ExpectTerminated(child.Untyped, Bounds.Long);
    }

    [Fact]
    public void TopLevel_Named_HasTheName()
    {
        var actor = FnActor.Spawn<int>(Sys, async ctx => await ctx.Stopped.WhenCancelled(), "top");

        Assert.Equal("akka://test/user/top", actor.Path.ToString());
    }

    [Fact]
    public async Task Context_ExposesSelfParentSystemAndSender()
    {
        var seen = new TaskCompletionSource<(ActorRef<string> Self, IActorRef Parent, ActorSystem System, IActorRef Sender)>();
        var actor = FnActor.Spawn<string>(Sys, async ctx =>
        {
            await foreach (var _ in ctx.Messages)
            {
                seen.SetResult((ctx.Self, ctx.Parent, ctx.System, ctx.Sender));
                return;
            }
        });

        actor.Tell("hi", TestActor);

        var (self, parent, system, sender) = await seen.Task.WaitAsync(Bounds.Long);
        Assert.Equal(actor, self);
        Assert.Equal("akka://test/user", parent.Path.ToString());
        Assert.Same(Sys, system);
        Assert.Equal(TestActor, sender);
    }

    [Fact]
    public async Task StoppedFromOutside_MessagesEndAndStoppedIsCancelled()
    {
        var ended = new TaskCompletionSource<bool>();
        var actor = FnActor.Spawn<int>(Sys, async ctx =>
        {
            await foreach (var _ in ctx.Messages)
            {
            }

            ended.SetResult(ctx.Stopped.IsCancellationRequested);
        });

        Sys.Stop(actor.Untyped);

        Assert.True(await ended.Task.WaitAsync(Bounds.Long));
    }

    [Fact]
    public void AsObservable_SeesTheMessagesAndCompletesOnStop()
    {
        var probe = CreateTestProbe();
        var actor = FnActor.Spawn<int>(Sys, async ctx =>
        {
            var sum = await ctx.AsObservable().Take(3).Sum();
            probe.Tell(sum);
        });
        Watch(actor.Untyped);

        actor.Tell(1);
        actor.Tell(2);
        actor.Tell(3);

        probe.ExpectMsg(6, Bounds.Long);
        ExpectTerminated(actor.Untyped, Bounds.Long);
    }

    [Fact]
    public void OtherMessageTypes_AreUnhandled()
    {
        Sys.EventStream.Subscribe(TestActor, typeof(Akka.Event.UnhandledMessage));
        var actor = FnActor.Spawn<int>(Sys, async ctx => await ctx.Stopped.WhenCancelled());

        actor.Untyped.Tell("not an int");

        ExpectMsg<Akka.Event.UnhandledMessage>(m => Equals(m.Message, "not an int"), Bounds.Long);
    }

    [Fact]
    public void Spawn_NullArguments_Throw()
    {
        Assert.Throws<ArgumentNullException>(() => FnActor.Spawn<int>(null!, _ => Task.CompletedTask));
        Assert.Throws<ArgumentNullException>(() => FnActor.Spawn<int>(Sys, null!));
    }

    private sealed record SpawnChild(Func<FnActorContext<int>, Task> Body, string? Name = null);

    /// <summary>Spawns FnActor children and reports each failure it supervises, then stops the child.</summary>
    private sealed class RecordingSupervisor : ReceiveActor
    {
        private readonly IActorRef _failures;

        public RecordingSupervisor(IActorRef failures)
        {
            _failures = failures;
            Receive<SpawnChild>(spawn => Sender.Tell(FnActor.Spawn(Context, spawn.Body, spawn.Name)));
        }

        protected override SupervisorStrategy SupervisorStrategy() =>
            new OneForOneStrategy(error =>
            {
                _failures.Tell(error);
                return Directive.Stop;
            });
    }
}

internal static class CancellationTokenExtensions
{
    public static Task WhenCancelled(this CancellationToken token)
    {
        var cancelled = new TaskCompletionSource();
        token.Register(() => cancelled.TrySetResult());
        return cancelled.Task;
    }
}
