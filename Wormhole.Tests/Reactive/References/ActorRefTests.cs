using Akka.Actor;
using Wormhole.Reactive;
using Wormhole.Tests.Support;

namespace Wormhole.Tests.Reactive.References;

public sealed class ActorRefTests : Akka.TestKit.Xunit2.TestKit
{
    [Fact]
    public void From_WrapsTheUntypedReference()
    {
        var typed = ActorRef<int>.From(TestActor);

        Assert.Same(TestActor, typed.Untyped);
        Assert.Equal(TestActor.Path, typed.Path);
    }

    [Fact]
    public void From_Null_Throws() =>
        Assert.Throws<ArgumentNullException>(() => ActorRef<int>.From(null!));

    [Fact]
    public void Tell_DeliversTheMessageWithTheGivenSender()
    {
        var sender = CreateTestProbe();
        ActorRef<string>.From(TestActor).Tell("hello", sender.Ref);

        ExpectMsg("hello", Bounds.Long);
        Assert.Equal(sender.Ref, LastSender);
    }

    [Fact]
    public async Task Tell_FromOutsideAnActor_HasNoSender()
    {
        // TestKit gives the test's async flow an implicit sender; a fresh thread that does not inherit it has none.
        var told = new TaskCompletionSource();
        var target = ActorRef<string>.From(TestActor);
        Thread thread;
        using (ExecutionContext.SuppressFlow())
        {
            thread = new Thread(() =>
            {
                target.Tell("hello");
                told.SetResult();
            });
        }

        thread.Start();
        await told.Task.WaitAsync(Bounds.Long);

        ExpectMsg("hello", Bounds.Long);
        Assert.Equal(Sys.DeadLetters, LastSender);
    }

    [Fact]
    public void Tell_Null_Throws() =>
        Assert.Throws<ArgumentNullException>(() => ActorRef<string>.From(TestActor).Tell(null!));

    [Fact]
    public void Equality_FollowsTheUntypedReference()
    {
        var a = ActorRef<int>.From(TestActor);
        var b = ActorRef<int>.From(TestActor);
        var other = ActorRef<int>.From(CreateTestProbe().Ref);

        Assert.Equal(a, b);
        Assert.True(a == b);
        Assert.False(a != b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, other);
        Assert.True(a != other);
        Assert.False(a == null);
        Assert.Contains(a, new HashSet<ActorRef<int>> { b });
    }

    [Fact]
    public void Equality_IgnoresTheMessageType_WhenBothPointAtTheSameActor()
    {
        object ints = ActorRef<int>.From(TestActor);
        object strings = ActorRef<string>.From(TestActor);
        object elsewhere = ActorRef<string>.From(CreateTestProbe().Ref);

        Assert.True(ints.Equals(strings));
        Assert.True(strings.Equals(ints));
        Assert.Equal(ints.GetHashCode(), strings.GetHashCode());
        Assert.False(ints.Equals(elsewhere));
        Assert.False(ints.Equals(TestActor)); // the untyped reference itself is not an ActorRef<T>
        Assert.Single(new HashSet<object> { ints, strings });
    }

    [Fact]
    public void ToString_NamesTheTypeAndPath() =>
        Assert.Equal($"ActorRef<Int32>({TestActor.Path})", ActorRef<int>.From(TestActor).ToString());
}
