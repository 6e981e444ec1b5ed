using Akka.Actor;
using Wormhole.Reactive;
using Wormhole.Tests.Support;

namespace Wormhole.Tests.Reactive.Asking;

public sealed class AskTests : Akka.TestKit.Xunit2.TestKit
{
    private sealed record Query(int Value, ReplyPort<int> Reply);

    private ActorRef<Query> Doubler() => FnActor.Spawn<Query>(Sys, async ctx =>
    {
        await foreach (var query in ctx.Messages)
        {
            query.Reply.Reply(query.Value * 2);
        }
    });

    [Fact]
    public async Task Ask_WithReplyPort_ReturnsTheReplyItself()
    {
        int reply = await Doubler().Ask<int>(port => new Query(21, port), Bounds.Long);

        Assert.Equal(42, reply);
    }

    [Fact]
    public async Task Ask_ReplierFails_RethrowsTheFailure()
    {
        var failing = FnActor.Spawn<Query>(Sys, async ctx =>
        {
            await foreach (var query in ctx.Messages)
            {
                query.Reply.Fail(new InvalidDataException($"cannot double {query.Value}"));
            }
        });

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => failing.Ask<int>(port => new Query(1, port), Bounds.Long));
        Assert.Equal("cannot double 1", error.Message);
    }

    [Fact]
    public async Task Ask_NoReply_TimesOutNamingTargetAndDeadline()
    {
        var silent = CreateTestProbe();
        var target = ActorRef<Query>.From(silent.Ref);

        var error = await Assert.ThrowsAsync<AskTimeoutException>(() => target.Ask<int>(port => new Query(1, port), TimeSpan.FromMilliseconds(200)));

        Assert.Contains(silent.Ref.Path.ToString(), error.Message);
        Assert.Contains("200 ms", error.Message);
        Assert.Contains("deadline", error.Message);
        var port = silent.ExpectMsg<Query>(Bounds.Long).Reply;
        Assert.Equal(ReplyPortFault.Abandoned, Assert.Throws<ReplyPortException>(() => port.Reply(2)).Fault);
    }

    [Fact]
    public async Task Ask_Cancelled_ThrowsAndReleasesTheTemporaryActor()
    {
        var silent = CreateTestProbe();
        using var cancellation = new CancellationTokenSource();
        var asking = ActorRef<Query>.From(silent.Ref).Ask<int>(port => new Query(1, port), Bounds.Long, cancellation.Token);
        var port = silent.ExpectMsg<Query>(Bounds.Long).Reply;
        var provider = ((ExtendedActorSystem)Sys).Provider;
        Assert.Same(port.Target, provider.ResolveActorRef(port.Target.Path));

        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => asking);
        Assert.Equal(ReplyPortFault.Abandoned, Assert.Throws<ReplyPortException>(() => port.Reply(2)).Fault);
        AwaitAssert(() => Assert.NotSame(port.Target, provider.ResolveActorRef(port.Target.Path)), Bounds.Long);
    }

    [Fact]
    public async Task Ask_SenderForm_ReturnsWhatTheCalleeToldItsSender()
    {
        var echo = FnActor.Spawn<string>(Sys, async ctx =>
        {
            await foreach (var text in ctx.Messages)
            {
                ctx.Sender.Tell(text.Length);
            }
        });

        int length = await echo.Ask<int>("hello", Bounds.Long);

        Assert.Equal(5, length);
    }

    [Fact]
    public async Task Ask_SenderForm_NoReply_TimesOutNamingTarget()
    {
        var silent = CreateTestProbe();

        var error = await Assert.ThrowsAsync<AskTimeoutException>(() => ActorRef<string>.From(silent.Ref).Ask<int>("hello", TimeSpan.FromMilliseconds(150)));

        Assert.Contains(silent.Ref.Path.ToString(), error.Message);
        Assert.Contains("150 ms", error.Message);
    }

    [Fact]
    public async Task Ask_SenderForm_StatusFailure_RethrowsTheCause()
    {
        var probe = CreateTestProbe();
        var asking = ActorRef<string>.From(probe.Ref).Ask<int>("hello", Bounds.Long);
        probe.ExpectMsg("hello", Bounds.Long);

        probe.LastSender.Tell(new Status.Failure(new FormatException("not a number")));

        Assert.Equal("not a number", (await Assert.ThrowsAsync<FormatException>(() => asking)).Message);
    }

    [Fact]
    public async Task Ask_InvalidArguments_Throw()
    {
        var target = ActorRef<Query>.From(TestActor);

        await Assert.ThrowsAsync<ArgumentNullException>(() => target.Ask<int>((Func<ReplyPort<int>, Query>)null!, Bounds.Long));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => target.Ask<int>(port => new Query(1, port), TimeSpan.Zero));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => ActorRef<string>.From(TestActor).Ask<int>("x", TimeSpan.FromSeconds(-1)));
    }
}
