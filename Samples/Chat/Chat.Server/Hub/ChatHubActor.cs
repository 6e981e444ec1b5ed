using System.Runtime.CompilerServices;
using Akka.Actor;
using Chat.Contracts;
using Microsoft.Extensions.Logging;
using Wormhole.Reactive;
using Wormhole.Streams;

namespace Chat.Server.Hub;

/// <summary>
/// The chat: who is online under which alias, the recent history, and the only writer of both. The server
/// publishes it as <see cref="ChatProtocol.HubName"/>; all a client can send it is <see cref="Connect"/>.
/// </summary>
/// <remarks>
/// <para>
/// Each member gets its own session: a child actor that accepts <see cref="ChatRoom"/> messages and hands them to
/// the hub tagged with that member's id (a <see cref="ActorRefCombinators.Map{TIn, T}"/> of the hub). The session is
/// the <see cref="Welcome.Room"/> the member gets back, so what it sends is always on its own behalf, and no
/// message the hub sends carries a reference to another member: clients reach each other only through the hub.
/// </para>
/// <para>
/// The server gives each portal its own door to the hub (<see cref="OpenDoor"/>, from the portal's opened callback): the
/// door tags every message with the portal's id, so the hub knows which connection a <see cref="Connect"/> came through
/// and takes at most <see cref="MaxMembersPerConnection"/> members from one connection, however many client references
/// it makes up. The hub published directly (in-process tests, tools) takes untagged messages, uncounted.
/// </para>
/// <para>
/// The hub watches each member's client reference (a proxy on the member's portal). The proxy stops when the
/// portal closes, however it closes, and the <see cref="Terminated"/> that follows is how the hub learns the
/// member left: there is no leave message to forget or to forge.
/// </para>
/// <para>
/// The history (up to <see cref="ChatProtocol.MaxHistory"/> posts) goes out as a stream (<see cref="HistoryLines.Lines"/>)
/// whose producer asks the hub for a page of <see cref="HistoryPageSize"/> posts at a time, only when the portal pulls for
/// more: a slow reader costs the hub nothing, and the hub's state stays the hub's alone (the producer runs elsewhere).
/// </para>
/// </remarks>
public sealed partial class ChatHubActor : ReceiveActor
{
    /// <summary>How many members the hub takes at most; a <see cref="Connect"/> past it fails.</summary>
    public const int MaxMembers = 1_000;

    /// <summary>How many members one connection may bring through its door; a <see cref="Connect"/> past it fails.</summary>
    public const int MaxMembersPerConnection = 3;

    /// <summary>How many posts a history stream's producer asks the hub for at a time.</summary>
    public const int HistoryPageSize = 100;

    /// <summary>How long a history stream's producer waits for the hub to answer for a page.</summary>
    private static readonly TimeSpan PageTimeout = TimeSpan.FromSeconds(10);

    private readonly ILogger _log;
    private readonly Dictionary<IActorRef, Member> _byClient = [];
    private readonly Dictionary<int, Member> _byId = [];
    private readonly List<MessagePosted> _history = [];
    private int _lastMemberId;
    private int _lastGuest;
    private long _lastSequence;

    /// <summary>Akka creates it; use <see cref="Spawn"/>.</summary>
    public ChatHubActor(ILogger log, bool clustered = false)
    {
        _log = log;
        if (clustered)
        {
            ReceiveClusterMessages();
        }

        Receive<Connect>(connect => OnConnect(connect, connection: null));
        Receive<ThroughDoor>(OnThroughDoor);
        Receive<FromSession>(OnFromSession);
        Receive<ReadPage>(OnReadPage);
        Receive<Terminated>(OnTerminated);
    }

    /// <summary>Starts a hub as a child of <paramref name="factory"/>.</summary>
    /// <param name="factory">An actor system or an actor's context.</param>
    /// <param name="log">Where the hub says who joined, left, renamed and what it refused.</param>
    /// <param name="name">The actor's name.</param>
    /// <param name="clustered">Whether the hub shares posts and presence with the hubs of the other cluster nodes (see the partial class's cluster part).</param>
    public static ActorRef<ChatHub> Spawn(IActorRefFactory factory, ILogger log, string name = "chat-hub", bool clustered = false)
    {
        ArgumentNullException.ThrowIfNull(factory);
        ArgumentNullException.ThrowIfNull(log);
        return ActorRef<ChatHub>.From(factory.ActorOf(Props.Create(() => new ChatHubActor(log, clustered)), name));
    }

    /// <summary>
    /// Publishes on <paramref name="portal"/>, as <see cref="ChatProtocol.HubName"/>, its own door to <paramref name="hub"/>:
    /// an actor that tags each message with the portal's id. The door stops when the portal closes.
    /// </summary>
    /// <param name="portal">A portal that has just opened (call this from its opened callback, so the client's first lookup finds the door).</param>
    /// <param name="hub">The hub.</param>
    /// <param name="factory">Where the door actor lives.</param>
    public static void OpenDoor(Portal portal, ActorRef<ChatHub> hub, IActorRefFactory factory)
    {
        ArgumentNullException.ThrowIfNull(portal);
        var door = ActorRef<ThroughDoor>.From(hub.Untyped).Map((ChatHub message) => new ThroughDoor(portal.Id, message), factory, $"door-{portal.Id}");
        portal.Publish(ChatProtocol.HubName, door);
        portal.Completion.ContinueWith(_ => door.Untyped.Tell(PoisonPill.Instance), TaskScheduler.Default);
    }

    private void OnThroughDoor(ThroughDoor through)
    {
        if (through.Message is Connect connect)
        {
            OnConnect(connect, through.Connection);
        }
    }

    private void OnConnect(Connect connect, string? connection)
    {
        if (connect.Reply is not { } reply)
        {
            _log.LogWarning("ignored a Connect without a reply port");
            return;
        }

        if (connect.Client is not { } client)
        {
            TryFail(reply, "Connect needs a client reference for the server's pushes");
            return;
        }

        if (_byClient.TryGetValue(client.Untyped, out var existing))
        {
            _log.LogInformation("{Alias} connected again with the same client; same session", existing.Alias);
            TryReply(reply, WelcomeFor(existing));
            return;
        }

        if (_byClient.Count >= MaxMembers)
        {
            TryFail(reply, $"the chat is full ({MaxMembers:N0} members)");
            return;
        }

        if (connection is not null && _byId.Values.Count(m => m.Connection == connection) >= MaxMembersPerConnection)
        {
            TryFail(reply, $"this connection has {MaxMembersPerConnection} members already, the most one connection may have");
            return;
        }

        var id = ++_lastMemberId;
        var session = ActorRef<FromSession>.From(Self).Map((ChatRoom message) => new FromSession(id, message), Context, $"session-{id}");
        var member = new Member(id, client, session, connection) { Alias = PickAlias(connect.Alias) };
        Share(new UserJoined { Alias = member.Alias });
        _byClient.Add(client.Untyped, member);
        _byId.Add(id, member);
        Context.Watch(client.Untyped);
        TryReply(reply, WelcomeFor(member));
        _log.LogInformation("{Alias} joined through portal {Portal}; {Count} online", member.Alias, connection ?? "(none)", _byId.Count);
    }

    private void OnFromSession(FromSession envelope)
    {
        if (!_byId.TryGetValue(envelope.MemberId, out var member))
        {
            return; // the member left; its session is stopping
        }

        switch (envelope.Message)
        {
            case Post post:
                OnPost(member, post);
                break;
            case Rename rename:
                OnRename(member, rename);
                break;
            case Who who:
                TryReply(who.Reply, new Online { Aliases = OnlineAliases() });
                break;
            case ReadHistory read:
                OnReadHistory(member, read);
                break;
        }
    }

    private void OnPost(Member member, Post post)
    {
        if (ChatRules.CheckPost(post.Text) is { } refusal)
        {
            _log.LogInformation("refused a post from {Alias}: {Refusal}", member.Alias, refusal);
            TryReply(post.Reply, Ack.Refused(refusal));
            return;
        }

        Share(new MessagePosted { From = member.Alias, Text = post.Text, PostedAtUnixMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() });
        TryReply(post.Reply, Ack.Ok);
    }

    private void OnRename(Member member, Rename rename)
    {
        var refusal = ChatRules.CheckAlias(rename.Alias);
        if (refusal is null && rename.Alias == member.Alias)
        {
            TryReply(rename.Reply, Ack.Ok); // already so
            return;
        }

        if (refusal is null && IsTaken(rename.Alias, member))
        {
            refusal = $"alias \"{rename.Alias}\" is taken";
        }

        if (refusal is not null)
        {
            _log.LogInformation("refused a rename of {Alias}: {Refusal}", member.Alias, refusal);
            TryReply(rename.Reply, Ack.Refused(refusal));
            return;
        }

        var renamed = new UserRenamed { From = member.Alias, To = rename.Alias };
        member.Alias = rename.Alias;
        Share(renamed);
        TryReply(rename.Reply, Ack.Ok);
        _log.LogInformation("{From} is now {To}", renamed.From, renamed.To);
    }

    private void OnReadHistory(Member member, ReadHistory read)
    {
        if (_history.Count == 0)
        {
            TryReply(read.Reply, new HistoryLines { Lines = AsyncEnumerable.Empty<MessagePosted>() });
            return;
        }

        // The posts kept now, by sequence number; the stream reads them later, a page at a time, through the hub.
        var (first, last) = (_history[0].Sequence, _history[^1].Sequence);
        _log.LogInformation("{Alias} reads the history: {Count:N0} posts", member.Alias, _history.Count);
        TryReply(read.Reply, new HistoryLines { Count = _history.Count, Lines = ReadPages(Self, member.Alias, first, last) });
    }

    /// <summary>The history stream's producer: runs on the portal's schedule, pulled only as the reader takes posts.</summary>
    private static async IAsyncEnumerable<MessagePosted> ReadPages(IActorRef hub, string reader, long first, long last, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        for (var after = first - 1; after < last;)
        {
            var page = await hub.Ask<MessagePosted[]>(new ReadPage(reader, after, last), PageTimeout, cancellationToken);
            if (page.Length == 0)
            {
                yield break; // dropped meanwhile: the history moved past what is left
            }

            foreach (var posted in page)
            {
                yield return posted;
            }

            after = page[^1].Sequence;
        }
    }

    /// <summary>Up to <see cref="HistoryPageSize"/> kept posts after <see cref="ReadPage.After"/>, none past <see cref="ReadPage.Last"/>.</summary>
    private void OnReadPage(ReadPage read)
    {
        var start = _history.Count == 0 ? 0 : (int)Math.Clamp(read.After + 1 - _history[0].Sequence, 0, _history.Count);
        var page = _history.Skip(start).Take(HistoryPageSize).TakeWhile(p => p.Sequence <= read.Last).ToArray();
        _log.LogDebug("history page of {Count} posts after #{After} for {Alias}", page.Length, read.After, read.Reader);
        Sender.Tell(page);
    }

    private void OnTerminated(Terminated terminated)
    {
        if (!_byClient.Remove(terminated.ActorRef, out var member))
        {
            return;
        }

        _byId.Remove(member.Id);
        Context.Stop(member.Session.Untyped);
        Share(new UserLeft { Alias = member.Alias });
        _log.LogInformation("{Alias} left; {Count} online", member.Alias, _byId.Count);
    }

    private Welcome WelcomeFor(Member member) => new()
    {
        Alias = member.Alias,
        History = [.. _history.TakeLast(ChatProtocol.HistoryLength)],
        Online = OnlineAliases(),
        Room = member.Session,
    };

    private List<string> OnlineAliases() => [.. _byId.Values.Select(m => m.Alias).Concat(RemoteAliases).Order(StringComparer.OrdinalIgnoreCase)];

    /// <summary>
    /// What every member should see: a post (kept in the history, numbered here), a join, a leave, a rename. On one node
    /// it is applied at once; in a cluster it goes to every node's hub first, this one included (<see cref="Share"/>).
    /// </summary>
    private void Apply(ChatClient message)
    {
        if (message is MessagePosted posted)
        {
            message = posted = posted with { Sequence = ++_lastSequence };
            _history.Add(posted);
            if (_history.Count > ChatProtocol.MaxHistory)
            {
                _history.RemoveAt(0);
            }
        }

        Broadcast(message);
    }

    /// <summary>The requested alias when it is valid and free, the requested alias with a number when it is taken, else <c>guest-N</c>.</summary>
    private string PickAlias(string? requested)
    {
        if (ChatRules.CheckAlias(requested) is null)
        {
            if (!IsTaken(requested!, except: null))
            {
                return requested!;
            }

            for (var n = 2; ; n++)
            {
                var suffix = $"-{n}";
                var candidate = requested![..Math.Min(requested!.Length, ChatProtocol.MaxAliasLength - suffix.Length)] + suffix;
                if (!IsTaken(candidate, except: null))
                {
                    return candidate;
                }
            }
        }

        string guest;
        do
        {
            guest = $"guest-{++_lastGuest}";
        }
        while (IsTaken(guest, except: null));
        return guest;
    }

    private bool IsTaken(string alias, Member? except) =>
        _byId.Values.Any(m => m != except && string.Equals(m.Alias, alias, StringComparison.OrdinalIgnoreCase));

    private void Broadcast(ChatClient message)
    {
        foreach (var member in _byId.Values)
        {
            if (message is UserJoined joined && joined.Alias == member.Alias)
            {
                continue; // the newcomer has its welcome (in a cluster its own join comes back to this hub after it)
            }

            member.Client.Tell(message);
        }
    }

    private void TryReply<T>(ReplyPort<T>? port, T value)
    {
        try
        {
            port?.Reply(value);
        }
        catch (ReplyPortException e)
        {
            _log.LogDebug("a reply was not sent: {Reason}", e.Message); // the asker gave up or went away
        }
    }

    private void TryFail<T>(ReplyPort<T> port, string reason)
    {
        _log.LogWarning("refused a Connect: {Reason}", reason);
        try
        {
            port.Fail(new InvalidOperationException(reason));
        }
        catch (ReplyPortException)
        {
            // the asker gave up or went away
        }
    }

    /// <summary>A history stream's producer asks for the next page: posts after sequence number <paramref name="After"/>, up to <paramref name="Last"/>.</summary>
    private sealed record ReadPage(string Reader, long After, long Last);

    /// <summary>A client's message to the hub, tagged by the door of the portal it came through with that portal's id.</summary>
    private sealed record ThroughDoor(string Connection, ChatHub Message);

    /// <summary>A member's message, tagged by its session with the member's id.</summary>
    private sealed record FromSession(int MemberId, ChatRoom Message);

    private sealed class Member(int id, ActorRef<ChatClient> client, ActorRef<ChatRoom> session, string? connection)
    {
        public int Id { get; } = id;

        /// <summary>The id of the portal the member joined through; null: joined through the hub published directly.</summary>
        public string? Connection { get; } = connection;

        public ActorRef<ChatClient> Client { get; } = client;

        public ActorRef<ChatRoom> Session { get; } = session;

        public required string Alias { get; set; }
    }
}
