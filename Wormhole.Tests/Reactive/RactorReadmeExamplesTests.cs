using Akka.Actor;
using Wormhole.Reactive;
using Wormhole.Tests.Support;

namespace Wormhole.Tests.Reactive;

/// <summary>Each example of the Rust original's README (shared/reference), in C#.</summary>
public sealed class RactorReadmeExamplesTests : Akka.TestKit.Xunit2.TestKit
{
    [Fact]
    public void Filter_ForwardsEvenNumbersAndDropsOdd()
    {
        ActorRef<uint> actorRef = ActorRef<uint>.From(TestActor);

        ActorRef<uint> filteredActorRef = actorRef.Filter(msg => msg % 2 == 0);

        foreach (var n in new uint[] { 1, 2, 3, 4 })
        {
            filteredActorRef.Tell(n);
        }

        ExpectMsg(2u, Bounds.Long);
        ExpectMsg(4u, Bounds.Long);
        ExpectNoMsg(Bounds.Short);
    }

    [Fact]
    public void Map_DoublesEachMessage()
    {
        ActorRef<uint> actorRef = ActorRef<uint>.From(TestActor);

        ActorRef<uint> mappedActorRef = actorRef.Map((uint msg) => msg * 2);

        mappedActorRef.Tell(21);
        ExpectMsg(42u, Bounds.Long);
    }

    private abstract record ClientToServerMessage;

    private sealed record Say(string Text) : ClientToServerMessage;

    private abstract record ServerToClientMessage;

    private sealed record Said(string Text) : ServerToClientMessage;

    [Fact]
    public void Map_BetweenMessageTypes()
    {
        // "A more useful use case is mapping between different Msg types."
        ActorRef<ServerToClientMessage> client = ActorRef<ServerToClientMessage>.From(TestActor);

        ActorRef<ClientToServerMessage> echo = client.Map((ClientToServerMessage m) => m switch
        {
            Say say => new Said(say.Text),
            _ => throw new ArgumentOutOfRangeException(nameof(m)),
        });

        echo.Tell(new Say("hello"));
        ExpectMsg<ServerToClientMessage>(new Said("hello"), Bounds.Long);
    }

    [Fact]
    public void FunctionActor_SimplestExample()
    {
        var received = CreateTestProbe();

        // spawn actor
        ActorRef<uint> actorRef = FnActor.Spawn<uint>(Sys, async ctx =>
        {
            await foreach (var msg in ctx.Messages)
            {
                received.Tell($"Received message: {msg}");
            }
        });

        // Send a message to the actor
        actorRef.Tell(42);

        received.ExpectMsg("Received message: 42", Bounds.Long);
    }

    private sealed record MyArgs(string Prefix);

    private sealed record MyMessage(string Text);

    private sealed class MyState
    {
        public int Count { get; set; }
    }

    /// <summary>"the normal ractor pattern": pre_start builds the state, handle updates it.</summary>
    private sealed class MyActor : UntypedActor
    {
        private readonly MyArgs _args;
        private readonly IActorRef _output;
        private MyState _state = new();

        public MyActor(MyArgs args, IActorRef output)
        {
            _args = args;
            _output = output;
        }

        protected override void PreStart() => _state = new MyState();

        protected override void OnReceive(object message)
        {
            if (message is MyMessage my)
            {
                _state.Count++;
                _output.Tell($"{_args.Prefix} {_state.Count}: {my.Text}");
            }
        }
    }

    /// <summary>"is equivalent to": the same actor as one function.</summary>
    private static ActorRef<MyMessage> StartActor(ActorSystem system, MyArgs args, IActorRef output) =>
        FnActor.Spawn<MyMessage>(system, async ctx =>
        {
            // [pre_start]
            var state = new MyState();

            await foreach (var msg in ctx.Messages)
            {
                // [handle]
                state.Count++;
                output.Tell($"{args.Prefix} {state.Count}: {msg.Text}");
            }
        });

    [Fact]
    public void FunctionActor_IsEquivalentToTheActorClass()
    {
        var fromClass = CreateTestProbe();
        var fromFunction = CreateTestProbe();
        var classic = ActorRef<MyMessage>.From(Sys.ActorOf(Props.Create(() => new MyActor(new MyArgs("#"), fromClass.Ref))));
        var function = StartActor(Sys, new MyArgs("#"), fromFunction.Ref);

        foreach (var text in new[] { "a", "b", "c" })
        {
            classic.Tell(new MyMessage(text));
            function.Tell(new MyMessage(text));
        }

        foreach (var expected in new[] { "# 1: a", "# 2: b", "# 3: c" })
        {
            fromClass.ExpectMsg(expected, Bounds.Long);
            fromFunction.ExpectMsg(expected, Bounds.Long);
        }
    }

    private sealed record Add(int A, int B, ReplyPort<int> Reply);

    [Fact]
    public async Task Wishlist_CallReturnsTheReplyItself()
    {
        // "Change signature from Result<CallResult<TReply>, …> to Result<TReply, _>".
        var adder = FnActor.Spawn<Add>(Sys, async ctx =>
        {
            await foreach (var add in ctx.Messages)
            {
                add.Reply.Reply(add.A + add.B);
            }
        });

        int sum = await adder.Ask<int>(port => new Add(2, 3, port), Bounds.Long);

        Assert.Equal(5, sum);
    }

    private sealed record SomeMessage<T>(T Payload);

    [Fact]
    public void Wishlist_GenericMessages()
    {
        ActorRef<SomeMessage<int>> generic = ActorRef<SomeMessage<int>>.From(TestActor);
        ActorRef<int> wrapping = generic.Map((int n) => new SomeMessage<int>(n));

        wrapping.Tell(9);

        ExpectMsg(new SomeMessage<int>(9), Bounds.Long);
    }
}
