using System.Diagnostics;
using Akka.Actor;
using Wormhole.Streams.Streaming;

namespace Wormhole.Streams.Portals;

/// <summary>What reaches a portal's stage from outside it, through its <see cref="PortalCommandQueue"/>.</summary>
internal abstract record PortalCommand
{
    /// <summary>The command posted after this one, while both wait in a <see cref="CommandChain"/>.</summary>
    internal PortalCommand? Next;

    /// <summary>A command is an event: equal only to itself (and its link must not take part in equality).</summary>
    public virtual bool Equals(PortalCommand? other) => ReferenceEquals(this, other);

    public override int GetHashCode() => System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(this);

    /// <summary>Publish an actor under a name on this portal only.</summary>
    public sealed record Publish(string Name, IActorRef Actor, Type MessageType) : PortalCommand;

    /// <summary>Ask the peer for a named actor; completes with a proxy that accepts <paramref name="MessageType"/>.</summary>
    public sealed record Lookup(string Name, Type MessageType, TaskCompletionSource<IActorRef> Result) : PortalCommand;

    /// <summary>Close the portal in order.</summary>
    public sealed record Close(string Why, bool Final = false) : PortalCommand;

    /// <summary>A message told to a proxy, to deliver to the peer's actor, with the span whose trace context goes along (null: none).</summary>
    public sealed record Forward(ProxyRef Proxy, object Message, IActorRef Sender, Activity? Trace = null) : PortalCommand;

    /// <summary>A proxy was stopped by its user: release it.</summary>
    public sealed record ProxyStopped(ProxyRef Proxy) : PortalCommand;

    /// <summary>A stream this side offers has elements (or ended) after the stage found its pump empty.</summary>
    public sealed record StreamWake(ProducedStream Stream) : PortalCommand;

    /// <summary>A stream from the peer was claimed by its consumer, or half a window was taken: grant credit.</summary>
    public sealed record StreamConsumed(ConsumedStream Stream) : PortalCommand;

    /// <summary>A stream from the peer was given up by its consumer: cancel it.</summary>
    public sealed record StreamCancelled(ConsumedStream Stream) : PortalCommand;

    /// <summary>Fails what waits on a command that will never be handled: the portal closed first.</summary>
    public static void Fail(PortalCommand command, PortalCloseReason reason)
    {
        switch (command)
        {
            case Lookup lookup:
                lookup.Result.TrySetException(new PortalClosedException(reason));
                break;
            case Forward { Sender: var sender } when !sender.IsNobody():
                sender.Tell(new Status.Failure(new PortalClosedException(reason)), ActorRefs.NoSender);
                break;
        }
    }
}
