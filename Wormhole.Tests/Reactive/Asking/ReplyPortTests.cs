using Akka.Actor;
using Wormhole.Reactive;
using Wormhole.Tests.Support;

namespace Wormhole.Tests.Reactive.Asking;

public sealed class ReplyPortTests : Akka.TestKit.Xunit2.TestKit
{
    private sealed record Query(ReplyPort<string> Reply);

    private (Task<string> Asking, ReplyPort<string> Port) AskProbe(TimeSpan timeout)
    {
        var probe = CreateTestProbe();
        var asking = ActorRef<Query>.From(probe.Ref).Ask<string>(port => new Query(port), timeout);
        return (asking, probe.ExpectMsg<Query>(Bounds.Long).Reply);
    }

    [Fact]
    public async Task Reply_Once_ReachesTheAsker()
    {
        var (asking, port) = AskProbe(Bounds.Long);
        Assert.False(port.IsClosed);

        port.Reply("done");

        Assert.Equal("done", await asking);
        Assert.True(port.IsClosed);
    }

    [Fact]
    public async Task Reply_Twice_ThrowsAlreadyReplied()
    {
        var (asking, port) = AskProbe(Bounds.Long);
        port.Reply("first");

        var error = Assert.Throws<ReplyPortException>(() => port.Reply("second"));

        Assert.Equal(ReplyPortFault.AlreadyReplied, error.Fault);
        Assert.Contains("already answered", error.Message);
        Assert.Equal("first", await asking);
    }

    [Fact]
    public void Fail_AfterReply_ThrowsAlreadyReplied()
    {
        var (_, port) = AskProbe(Bounds.Long);
        port.Reply("first");

        Assert.Equal(ReplyPortFault.AlreadyReplied, Assert.Throws<ReplyPortException>(() => port.Fail(new Exception("late"))).Fault);
    }

    [Fact]
    public async Task Reply_AfterTheAskTimedOut_ThrowsAbandoned()
    {
        var (asking, port) = AskProbe(TimeSpan.FromMilliseconds(100));
        await Assert.ThrowsAsync<AskTimeoutException>(() => asking);

        var error = Assert.Throws<ReplyPortException>(() => port.Reply("late"));

        Assert.Equal(ReplyPortFault.Abandoned, error.Fault);
        Assert.True(port.IsClosed);
    }

    [Fact]
    public void Reply_PastDeadlineWhileTheAskerStillWaits_ThrowsExpiredNamingTheDeadline()
    {
        // A port whose own deadline is shorter than the asker's wait: only the deadline can refuse it.
        var probe = CreateTestProbe();
        var port = new ReplyPort<string>(probe.Ref, TimeSpan.FromMilliseconds(50));
        AwaitCondition(() => port.Remaining == TimeSpan.Zero, Bounds.Long);

        var error = Assert.Throws<ReplyPortException>(() => port.Reply("late"));

        Assert.Equal(ReplyPortFault.Expired, error.Fault);
        Assert.Contains(port.Deadline.ToString("O"), error.Message);
        probe.ExpectNoMsg(Bounds.Short);
    }

    [Fact]
    public void Deadline_IsTheAskTimeoutFromNow()
    {
        var before = DateTimeOffset.UtcNow;
        var (_, port) = AskProbe(TimeSpan.FromSeconds(30));

        Assert.InRange(port.Deadline, before + TimeSpan.FromSeconds(30), DateTimeOffset.UtcNow + TimeSpan.FromSeconds(30));
        Assert.InRange(port.Remaining, TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(30));
    }

    [Fact]
    public void Reply_Null_Throws()
    {
        var (_, port) = AskProbe(Bounds.Long);

        Assert.Throws<ArgumentNullException>(() => port.Reply(null!));
        Assert.Throws<ArgumentNullException>(() => port.Fail(null!));
        Assert.False(port.IsClosed);
    }

    [Fact]
    public async Task ReplyPort_CanBeTheWholeMessage()
    {
        // Ractor wishlist: "RpcReplyPort as Message".
        var answerer = FnActor.Spawn<ReplyPort<int>>(Sys, async ctx =>
        {
            await foreach (var port in ctx.Messages)
            {
                port.Reply(7);
            }
        });

        Assert.Equal(7, await answerer.Ask<int>(port => port, Bounds.Long));
    }
}
