using Akka.Actor;
using Wormhole.Streams.Protocol;

namespace Wormhole.Streams.Portals;

/// <summary>What reaches a portal's stage from outside it, through its <see cref="PortalCommandQueue"/>.</summary>
internal abstract record PortalCommand
{
    /// <summary>Publish an actor under a name on this portal only.</summary>
    public sealed record Publish(string Name, IActorRef Actor, Type MessageType) : PortalCommand;

    /// <summary>Ask the peer for a named actor; completes with a proxy.</summary>
    public sealed record Lookup(string Name, TaskCompletionSource<IActorRef> Result) : PortalCommand;

    /// <summary>Close the portal in order.</summary>
    public sealed record Close(string Why) : PortalCommand;

    /// <summary>A message told to a proxy, to deliver to the peer's actor.</summary>
    public sealed record Forward(WireId Target, object Message, IActorRef Sender) : PortalCommand;

    /// <summary>A proxy stopped (one-shot used or expired, or stopped by its user).</summary>
    public sealed record ProxyStopped(WireId Target, IActorRef Proxy) : PortalCommand;
}
