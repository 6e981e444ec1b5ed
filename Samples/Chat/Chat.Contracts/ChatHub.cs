using ProtoBuf;
using Wormhole.Reactive;

namespace Chat.Contracts;

/// <summary>
/// What the server's hub accepts: the one actor it publishes (as <see cref="ChatProtocol.HubName"/>). A client
/// joins with <see cref="Connect"/>; everything after that goes through the <see cref="ChatRoom"/> it gets back.
/// </summary>
[ProtoContract]
[ProtoInclude(10, typeof(Connect))]
public abstract record ChatHub;

/// <summary>
/// Join the chat: pushes go to <see cref="Client"/>, the answer to <see cref="Reply"/>. Sending it again with the
/// same client reference returns the same session rather than joining twice.
/// </summary>
[ProtoContract]
public sealed record Connect : ChatHub
{
    /// <summary>Where the server pushes <see cref="UserJoined"/>, <see cref="UserLeft"/>, <see cref="MessagePosted"/>, ….</summary>
    [ProtoMember(1)]
    public ActorRef<ChatClient>? Client { get; init; }

    /// <summary>Where the <see cref="Welcome"/> goes.</summary>
    [ProtoMember(2)]
    public ReplyPort<Welcome>? Reply { get; init; }

    /// <summary>The alias wanted, if any; the server picks another one when it is invalid or taken (the welcome says which).</summary>
    [ProtoMember(3)]
    public string? Alias { get; init; }
}

/// <summary>The answer to <see cref="Connect"/>.</summary>
[ProtoContract]
public sealed record Welcome
{
    /// <summary>The alias the others see for this client.</summary>
    [ProtoMember(1)]
    public string Alias { get; init; } = "";

    /// <summary>The most recent posts, oldest first (at most <see cref="ChatProtocol.HistoryLength"/>).</summary>
    [ProtoMember(2)]
    public List<MessagePosted> History { get; init; } = [];

    /// <summary>Who is online now, this client included, in alphabetical order.</summary>
    [ProtoMember(3)]
    public List<string> Online { get; init; } = [];

    /// <summary>This client's own session: post, rename and ask who is online here. It speaks as <see cref="Alias"/> and no one else.</summary>
    [ProtoMember(4)]
    public ActorRef<ChatRoom>? Room { get; init; }
}
