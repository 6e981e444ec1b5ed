using ProtoBuf;

namespace Chat.Contracts;

/// <summary>What the server pushes to every client (the <see cref="Connect.Client"/> reference).</summary>
/// <remarks>Pushes carry aliases, never references: what one client learns about another is its name and its words.</remarks>
[ProtoContract]
[ProtoInclude(10, typeof(UserJoined))]
[ProtoInclude(11, typeof(UserLeft))]
[ProtoInclude(12, typeof(UserRenamed))]
[ProtoInclude(13, typeof(MessagePosted))]
public abstract record ChatClient;

/// <summary>Someone joined (sent to everyone already there).</summary>
[ProtoContract]
public sealed record UserJoined : ChatClient
{
    /// <summary>The newcomer's alias.</summary>
    [ProtoMember(1)]
    public string Alias { get; init; } = "";
}

/// <summary>Someone left: their connection closed.</summary>
[ProtoContract]
public sealed record UserLeft : ChatClient
{
    /// <summary>The alias they had.</summary>
    [ProtoMember(1)]
    public string Alias { get; init; } = "";
}

/// <summary>Someone took another alias with <c>/nick</c> (sent to everyone, the renamed client included).</summary>
[ProtoContract]
public sealed record UserRenamed : ChatClient
{
    /// <summary>The alias they had.</summary>
    [ProtoMember(1)]
    public string From { get; init; } = "";

    /// <summary>The alias they have now.</summary>
    [ProtoMember(2)]
    public string To { get; init; } = "";
}

/// <summary>A post (sent to everyone, the poster included; also the items of <see cref="Welcome.History"/>).</summary>
[ProtoContract]
public sealed record MessagePosted : ChatClient
{
    /// <summary>The poster's alias at the time of the post.</summary>
    [ProtoMember(1)]
    public string From { get; init; } = "";

    /// <summary>What they said.</summary>
    [ProtoMember(2)]
    public string Text { get; init; } = "";

    /// <summary>The post's number, counting from 1 since the server started.</summary>
    [ProtoMember(3)]
    public long Sequence { get; init; }

    /// <summary>When the server accepted it, in milliseconds since the Unix epoch (UTC).</summary>
    [ProtoMember(4)]
    public long PostedAtUnixMs { get; init; }
}
