using Chat.Contracts;
using ProtoBuf;

namespace Chat.Server.Hub;

/// <summary>What one node's hub shares with every node's hub (over DistributedPubSub): an event for all members.</summary>
[ProtoContract]
public sealed record ChatShared
{
    /// <summary>The Akka address of the node whose member caused it.</summary>
    [ProtoMember(1)] public string Origin { get; init; } = "";

    /// <summary>The post, join, leave or rename.</summary>
    [ProtoMember(2)] public ChatClient? Message { get; init; }
}

/// <summary>Who is online through one node: its answer to <see cref="ChatPresenceRequest"/>.</summary>
[ProtoContract]
public sealed record ChatPresence
{
    /// <summary>The node's Akka address.</summary>
    [ProtoMember(1)] public string Origin { get; init; } = "";

    /// <summary>Its members' aliases.</summary>
    [ProtoMember(2)] public List<string> Aliases { get; init; } = [];
}

/// <summary>A hub that has just subscribed (or seen a node come back) asks every hub who is online through it.</summary>
[ProtoContract]
public sealed record ChatPresenceRequest
{
    /// <summary>The asking node's Akka address.</summary>
    [ProtoMember(1)] public string Origin { get; init; } = "";
}
