using System.Reflection;
using Akka.TestKit;
using Chat.Contracts;
using Chat.Server.Hub;
using Wormhole.Reactive;
using Wormhole.Streams;
using Wormhole.Tests.Streams;
using Wormhole.Tests.Support;

namespace Wormhole.Tests.Samples;

/// <summary>
/// The chat's protocol in process, fast: the server's hub on the TestKit's system, each client an actor system of its
/// own connected over the in-memory conduit, its inbox a probe. Everything crosses a real portal.
/// </summary>
public sealed class ChatHubTests : Akka.TestKit.Xunit2.TestKit, IAsyncLifetime
{
    private readonly List<ChatUser> _users = [];
    private readonly RecordingLogger _hubLog = new();
    private Nexus _server = null!;
    private ActorRef<ChatHub> _hub = null!;

    public Task InitializeAsync()
    {
        _server = Nexus.Create(Sys);
        _hub = ChatHubActor.Spawn(Sys, _hubLog);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        foreach (var user in _users)
        {
            await user.Side.DisposeAsync();
        }

        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Connect_WelcomesWithAliasAndWhoIsOnline_OthersSeeUserJoined()
    {
        var alice = await JoinAsync("alice");
        var guest = await JoinAsync(alias: null);

        Assert.Equal("alice", alice.Welcome.Alias);
        Assert.Equal(["alice"], alice.Welcome.Online);
        Assert.Empty(alice.Welcome.History);
        Assert.Matches("^guest-[0-9]+$", guest.Welcome.Alias);
        Assert.Equal(["alice", guest.Welcome.Alias], guest.Welcome.Online);
        Assert.Equal(new UserJoined { Alias = guest.Welcome.Alias }, await alice.NextAsync());
        Assert.Equal(["alice", guest.Welcome.Alias], (await guest.WhoAsync()).Aliases);
    }

    [Fact]
    public async Task Post_ReachesEveryoneInOrder_PosterIncluded_AndIsAcked()
    {
        var alice = await JoinAsync("alice");
        var bob = await JoinAsync("bob");
        await alice.NextAsync(); // bob joined

        for (var i = 1; i <= 3; i++)
        {
            Assert.Equal(Ack.Ok, await alice.PostAsync($"hello {i}"));
        }

        foreach (var user in new[] { alice, bob })
        {
            var posts = new List<MessagePosted>();
            for (var i = 1; i <= 3; i++)
            {
                posts.Add(Assert.IsType<MessagePosted>(await user.NextAsync()));
            }

            Assert.Equal(["hello 1", "hello 2", "hello 3"], posts.Select(p => p.Text));
            Assert.All(posts, p => Assert.Equal("alice", p.From));
            Assert.Equal(posts.Select(p => p.Sequence).Order(), posts.Select(p => p.Sequence));
        }
    }

    [Theory]
    [InlineData("", "empty message")]
    [InlineData("   ", "empty message")]
    [InlineData("\u001b[2Jgotcha", "control characters")]
    [InlineData("two\nlines", "control characters")]
    public async Task Post_BlankOrWithControlCharacters_IsRefusedWithTheReason_AndReachesNobody(string text, string reason)
    {
        var alice = await JoinAsync("alice");
        var bob = await JoinAsync("bob");
        await alice.NextAsync(); // bob joined

        var ack = await alice.PostAsync(text);

        Assert.False(ack.Accepted);
        Assert.Contains(reason, ack.Refusal);
        await alice.PostAsync("next"); // the next thing anyone sees is the next post
        Assert.Equal("next", Assert.IsType<MessagePosted>(await bob.NextAsync()).Text);
        Assert.Equal("next", Assert.IsType<MessagePosted>(await alice.NextAsync()).Text);
    }

    [Fact]
    public async Task Post_OverTheLengthLimit_IsRefusedNamingBothLengths_AtTheLimitIsAccepted()
    {
        var alice = await JoinAsync("alice");

        var tooLong = await alice.PostAsync(new string('x', ChatProtocol.MaxPostLength + 1));
        var atLimit = await alice.PostAsync(new string('y', ChatProtocol.MaxPostLength));

        Assert.False(tooLong.Accepted);
        Assert.Equal($"message of {ChatProtocol.MaxPostLength + 1:N0} characters exceeds the {ChatProtocol.MaxPostLength:N0}-character limit", tooLong.Refusal);
        Assert.True(atLimit.Accepted);
        Assert.Equal(ChatProtocol.MaxPostLength, Assert.IsType<MessagePosted>(await alice.NextAsync()).Text.Length);
    }

    [Fact]
    public async Task Rename_AnnouncedToEveryone_LaterPostsAndWhoUseTheNewAlias()
    {
        var alice = await JoinAsync("alice");
        var bob = await JoinAsync("bob");
        await alice.NextAsync(); // bob joined

        Assert.Equal(Ack.Ok, await bob.RenameAsync("robert"));
        await bob.PostAsync("call me robert");

        foreach (var user in new[] { alice, bob })
        {
            Assert.Equal(new UserRenamed { From = "bob", To = "robert" }, await user.NextAsync());
            Assert.Equal("robert", Assert.IsType<MessagePosted>(await user.NextAsync()).From);
        }

        Assert.Equal(["alice", "robert"], (await alice.WhoAsync()).Aliases);
    }

    [Theory]
    [InlineData("ALICE", "alias \"ALICE\" is taken")]
    [InlineData("", "empty alias")]
    [InlineData("bob smith", "may hold only letters, digits")]
    [InlineData("abcdefghijklmnopqrstuvwxyz", "exceeds the 24-character limit")]
    public async Task Rename_TakenOrMalformed_IsRefused_AliasUnchanged(string alias, string reason)
    {
        var alice = await JoinAsync("alice");
        var bob = await JoinAsync("bob");
        await alice.NextAsync(); // bob joined

        var ack = await bob.RenameAsync(alias);

        Assert.False(ack.Accepted);
        Assert.Contains(reason, ack.Refusal);
        Assert.Equal(["alice", "bob"], (await bob.WhoAsync()).Aliases);
        await bob.PostAsync("still bob");
        Assert.Equal("bob", Assert.IsType<MessagePosted>(await alice.NextAsync()).From);
    }

    [Fact]
    public async Task History_ANewcomerGetsTheMostRecentPostsOldestFirst_UpToTheLimit()
    {
        var alice = await JoinAsync("alice");
        const int posts = ChatProtocol.HistoryLength + 5;
        for (var i = 1; i <= posts; i++)
        {
            Assert.True((await alice.PostAsync($"post {i}")).Accepted);
        }

        var carol = await JoinAsync("carol");

        Assert.Equal(
            Enumerable.Range(posts - ChatProtocol.HistoryLength + 1, ChatProtocol.HistoryLength).Select(i => $"post {i}"),
            carol.Welcome.History.Select(p => p.Text));
        Assert.All(carol.Welcome.History, p => Assert.Equal("alice", p.From));
    }

    [Fact]
    public async Task ReadHistory_FiveThousandPosts_StreamBackInOrder_TheHubReadsPagesOnlyAWindowAheadOfTheReader()
    {
        const int posts = 5_000;
        var alice = await JoinAsync("alice");
        for (var batch = 0; batch < posts; batch += 500)
        {
            var acks = await Task.WhenAll(Enumerable.Range(batch + 1, 500).Select(i => alice.PostAsync($"line {i}"))); // sent in order, 500 in flight
            Assert.All(acks, ack => Assert.True(ack.Accepted));
        }

        var pages = CreateTestProbe();
        _hubLog.Listener = message =>
        {
            if (IsHistoryPage(message))
            {
                pages.Ref.Tell(message, Akka.Actor.ActorRefs.NoSender);
            }
        };
        var bob = await JoinAsync("bob");
        var history = await bob.ReadHistoryAsync();
        var lines = new List<MessagePosted>();
        await using var reader = history.Lines!.GetAsyncEnumerator();
        Assert.True(await reader.MoveNextAsync().AsTask().WaitAsync(Bounds.Long));
        lines.Add(reader.Current);

        // One post taken: bob's portal granted a window of credit; the producer reads that much, a page at a time, and waits.
        var pagesForAWindow = (bob.Side.Nexus.Options.StreamWindowElements + ChatHubActor.HistoryPageSize - 1) / ChatHubActor.HistoryPageSize;
        for (var page = 1; page <= pagesForAWindow; page++)
        {
            await pages.ExpectMsgAsync<string>(Bounds.Long);
        }

        await pages.ExpectNoMsgAsync(Bounds.Short);

        while (await reader.MoveNextAsync().AsTask().WaitAsync(Bounds.Long))
        {
            lines.Add(reader.Current);
        }

        Assert.Equal(posts, history.Count);
        Assert.Equal(Enumerable.Range(1, posts).Select(i => $"line {i}"), lines.Select(p => p.Text));
        Assert.All(lines, p => Assert.Equal("alice", p.From));
        Assert.Equal(posts / ChatHubActor.HistoryPageSize, HistoryPagesRead());
        await AwaitConditionAsync(() => Task.FromResult(bob.Portal.Counters.Streams == 0), Bounds.Long);
    }

    [Fact]
    public async Task ReadHistory_ReaderStopsAfterOnePost_TheStreamEndsOnBothSides_AtMostAWindowOfPagesWasRead()
    {
        var alice = await JoinAsync("alice");
        await Task.WhenAll(Enumerable.Range(1, 1_000).Select(i => alice.PostAsync($"line {i}")));
        var history = await alice.ReadHistoryAsync();

        await using (var reader = history.Lines!.GetAsyncEnumerator())
        {
            Assert.True(await reader.MoveNextAsync().AsTask().WaitAsync(Bounds.Long));
            Assert.Equal("line 1", reader.Current.Text);
        }

        // The cancel reached the hub's side: its producer is gone from the portal's streams, not parked for the timeout.
        await AwaitConditionAsync(() => Task.FromResult(alice.Portal.Counters.Streams == 0 && _server.Portals.All(p => p.Counters.Streams == 0)), Bounds.Long);
        Assert.InRange(HistoryPagesRead(), 1, (alice.Side.Nexus.Options.StreamWindowElements / ChatHubActor.HistoryPageSize) + 1);
    }

    [Fact]
    public async Task ReadHistory_NoPostsYet_AnEmptyStream()
    {
        var alice = await JoinAsync("alice");

        var history = await alice.ReadHistoryAsync();

        Assert.Equal(0, history.Count);
        Assert.Empty(await history.Lines!.ToListAsync().AsTask().WaitAsync(Bounds.Long));
    }

    [Fact]
    public async Task Connect_TwiceWithTheSameClient_SameSessionAndAlias_NoSecondJoin()
    {
        var alice = await JoinAsync("alice");
        var bob = await JoinAsync("bob");
        await alice.NextAsync(); // bob joined

        var again = await bob.Hub.Ask<Welcome>(port => new Connect { Client = bob.Client, Reply = port, Alias = "someone-else" }, Bounds.Long);

        Assert.Equal("bob", again.Alias);
        Assert.Equal(bob.Room, again.Room); // the same session actor, so the same proxy
        Assert.Equal(["alice", "bob"], again.Online);
        await bob.PostAsync("once");
        Assert.Equal("once", Assert.IsType<MessagePosted>(await alice.NextAsync()).Text); // no second UserJoined before it
    }

    [Fact]
    public async Task Connect_TwiceOverTwoConnections_TwoMembers_TheTakenAliasGetsANumber()
    {
        var first = await JoinAsync("alice");
        var second = await JoinAsync("alice");

        Assert.Equal("alice", first.Welcome.Alias);
        Assert.Equal("alice-2", second.Welcome.Alias);
        Assert.Equal(new UserJoined { Alias = "alice-2" }, await first.NextAsync());
    }

    [Fact]
    public async Task ClientDisconnects_OthersSeeUserLeft_ItsSessionStops_TheAliasIsFree()
    {
        var alice = await JoinAsync("alice");
        var bob = await JoinAsync("bob");
        await alice.NextAsync(); // bob joined
        Watch(bob.Room.Untyped);

        await bob.Portal.CloseAsync().WaitAsync(Bounds.Long);

        Assert.Equal(new UserLeft { Alias = "bob" }, await alice.NextAsync());
        await ExpectTerminatedAsync(bob.Room.Untyped, Bounds.Long);
        Assert.Equal(["alice"], (await alice.WhoAsync()).Aliases);
        Assert.Equal("bob", (await JoinAsync("bob")).Welcome.Alias);
    }

    [Fact]
    public async Task Connect_ThroughOneConnection_AtMostMaxMembersPerConnection_OtherConnectionsStillJoin()
    {
        var alice = await JoinAsync("alice");
        var sameConnection = new List<Welcome> { alice.Welcome };
        for (var i = 1; i < ChatHubActor.MaxMembersPerConnection; i++)
        {
            sameConnection.Add(await alice.Hub.Ask<Welcome>(port => new Connect { Client = ActorRef<ChatClient>.From(CreateTestProbe(alice.Side.System).Ref), Reply = port, Alias = $"puppet{i}" }, Bounds.Long));
        }

        var refused = await Assert.ThrowsAsync<RemoteFailureException>(() => alice.Hub.Ask<Welcome>(port => new Connect { Client = ActorRef<ChatClient>.From(CreateTestProbe(alice.Side.System).Ref), Reply = port, Alias = "one-too-many" }, Bounds.Long));
        var bob = await JoinAsync("bob");

        Assert.Equal(ChatHubActor.MaxMembersPerConnection, sameConnection.Select(w => w.Alias).Distinct().Count());
        Assert.Contains($"this connection has {ChatHubActor.MaxMembersPerConnection} members already", refused.Message);
        Assert.DoesNotContain("one-too-many", bob.Welcome.Online);
        Assert.Equal(ChatHubActor.MaxMembersPerConnection + 1, bob.Welcome.Online.Count);
        Assert.Contains(_hubLog.Messages, logged => logged == $"bob joined through portal {bob.ServerPortal.Id}; {ChatHubActor.MaxMembersPerConnection + 1} online");
    }

    [Fact]
    public void Pushes_CarryNoReferences_ClientsReachEachOtherOnlyThroughTheHub()
    {
        var pushes = typeof(ChatClient).GetCustomAttributes<ProtoBuf.ProtoIncludeAttribute>().Select(i => i.KnownType).Append(typeof(ChatClient));

        foreach (var type in pushes)
        {
            Assert.All(type.GetProperties(), p => Assert.False(
                p.PropertyType.IsGenericType && p.PropertyType.GetGenericTypeDefinition() is var g && (g == typeof(ActorRef<>) || g == typeof(ReplyPort<>)),
                $"{type.Name}.{p.Name} would hand one client a reference another client made"));
        }
    }

    private static bool IsHistoryPage(string logged) => logged.StartsWith("history page of ", StringComparison.Ordinal);

    private int HistoryPagesRead() => _hubLog.Messages.Count(IsHistoryPage);

    /// <summary>A client in an actor system of its own, connected, joined under <paramref name="alias"/> through its portal's door to the hub, as the server does it.</summary>
    private async Task<ChatUser> JoinAsync(string? alias)
    {
        var side = RemoteSide.Create($"chat-client-{_users.Count + 1}");
        var (portal, serverPortal) = await InMemory.ConnectAsync(side.Nexus, _server);
        ChatHubActor.OpenDoor(serverPortal, _hub, Sys);
        var hub = await portal.LookupAsync<ChatHub>(ChatProtocol.HubName).WaitAsync(Bounds.Long);
        var inbox = CreateTestProbe(side.System);
        var client = ActorRef<ChatClient>.From(inbox.Ref);
        var welcome = await hub.Ask<Welcome>(port => new Connect { Client = client, Reply = port, Alias = alias }, Bounds.Long);
        var user = new ChatUser(side, portal, serverPortal, hub, client, inbox, welcome);
        _users.Add(user);
        return user;
    }

    private sealed record ChatUser(RemoteSide Side, Portal Portal, Portal ServerPortal, ActorRef<ChatHub> Hub, ActorRef<ChatClient> Client, TestProbe Inbox, Welcome Welcome)
    {
        public ActorRef<ChatRoom> Room => Welcome.Room!;

        public async Task<ChatClient> NextAsync() => await Inbox.ExpectMsgAsync<ChatClient>(Bounds.Long);

        public Task<Ack> PostAsync(string text) => Room.Ask<Ack>(port => new Post { Text = text, Reply = port }, Bounds.Long);

        public Task<Ack> RenameAsync(string alias) => Room.Ask<Ack>(port => new Rename { Alias = alias, Reply = port }, Bounds.Long);

        public Task<Online> WhoAsync() => Room.Ask<Online>(port => new Who { Reply = port }, Bounds.Long);

        public Task<HistoryLines> ReadHistoryAsync() => Room.Ask<HistoryLines>(port => new ReadHistory { Reply = port }, Bounds.Long);
    }
}
