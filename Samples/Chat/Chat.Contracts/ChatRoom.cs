using ProtoBuf;
using Wormhole.Reactive;

namespace Chat.Contracts;

/// <summary>What a client's session (<see cref="Welcome.Room"/>) accepts.</summary>
[ProtoContract]
[ProtoInclude(10, typeof(Post))]
[ProtoInclude(11, typeof(Rename))]
[ProtoInclude(12, typeof(Who))]
[ProtoInclude(13, typeof(ReadHistory))]
public abstract record ChatRoom;

/// <summary>Say something to everyone; the <see cref="Ack"/> says whether it was accepted and, if not, why.</summary>
[ProtoContract]
public sealed record Post : ChatRoom
{
    /// <summary>The text: not blank, no control characters, at most <see cref="ChatProtocol.MaxPostLength"/> characters.</summary>
    [ProtoMember(1)]
    public string Text { get; init; } = "";

    /// <summary>Where the <see cref="Ack"/> goes.</summary>
    [ProtoMember(2)]
    public ReplyPort<Ack>? Reply { get; init; }
}

/// <summary>The <c>/nick</c> command: take another alias; everyone sees a <see cref="UserRenamed"/>.</summary>
[ProtoContract]
public sealed record Rename : ChatRoom
{
    /// <summary>The new alias: letters, digits, <c>-</c>, <c>_</c> or <c>.</c>, at most <see cref="ChatProtocol.MaxAliasLength"/>, not taken.</summary>
    [ProtoMember(1)]
    public string Alias { get; init; } = "";

    /// <summary>Where the <see cref="Ack"/> goes.</summary>
    [ProtoMember(2)]
    public ReplyPort<Ack>? Reply { get; init; }
}

/// <summary>The <c>/who</c> command: who is online now.</summary>
[ProtoContract]
public sealed record Who : ChatRoom
{
    /// <summary>Where the <see cref="Online"/> list goes.</summary>
    [ProtoMember(1)]
    public ReplyPort<Online>? Reply { get; init; }
}

/// <summary>The <c>/history</c> command: every post the server keeps (up to <see cref="ChatProtocol.MaxHistory"/>), oldest first, as a stream.</summary>
[ProtoContract]
public sealed record ReadHistory : ChatRoom
{
    /// <summary>Where the <see cref="HistoryLines"/> go.</summary>
    [ProtoMember(1)]
    public ReplyPort<HistoryLines>? Reply { get; init; }
}

/// <summary>The answer to <see cref="ReadHistory"/>: how many posts, and the posts themselves as a stream.</summary>
[ProtoContract]
public sealed record HistoryLines
{
    /// <summary>How many posts the server kept when the request arrived; fewer arrive if the oldest are dropped meanwhile.</summary>
    [ProtoMember(1)]
    public long Count { get; init; }

    /// <summary>
    /// The posts, oldest first, read once. Read them as slowly as you like: the server reads its history a page at a time,
    /// only as the stream is pulled, and the client's portal pulls at most a window (256 posts by default) ahead of the reader.
    /// </summary>
    [ProtoMember(2)]
    public IAsyncEnumerable<MessagePosted>? Lines { get; init; }
}

/// <summary>The answer to <see cref="Post"/> and <see cref="Rename"/>: accepted, or refused with a reason meant for a person.</summary>
[ProtoContract]
public sealed record Ack
{
    /// <summary>True when the request was carried out.</summary>
    [ProtoMember(1)]
    public bool Accepted { get; init; }

    /// <summary>Why it was refused; empty when accepted.</summary>
    [ProtoMember(2)]
    public string Refusal { get; init; } = "";

    /// <summary>The request was carried out.</summary>
    public static Ack Ok { get; } = new() { Accepted = true };

    /// <summary>The request was refused because of <paramref name="reason"/>.</summary>
    public static Ack Refused(string reason) => new() { Refusal = reason };
}

/// <summary>The answer to <see cref="Who"/>.</summary>
[ProtoContract]
public sealed record Online
{
    /// <summary>The aliases of everyone online, in alphabetical order.</summary>
    [ProtoMember(1)]
    public List<string> Aliases { get; init; } = [];
}
