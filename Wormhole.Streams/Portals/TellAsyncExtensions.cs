using Akka.Actor;
using Wormhole.Reactive;
using Wormhole.Streams.Portals;

namespace Wormhole.Streams;

/// <summary>A tell that waits while the portal it goes through is busy, so a sender can send at volume without a stream.</summary>
public static class TellAsyncExtensions
{
    /// <summary>
    /// Sends <paramref name="message"/> to the actor; when the actor is the peer's (a proxy), first waits while the portal's
    /// outbound queue is three quarters full (<see cref="NexusOptions.MaxOutboundFrames"/>, <see cref="NexusOptions.MaxOutboundBytes"/>,
    /// counting messages told and not yet queued) until the conduit has drained it to half. Completes when the message is
    /// handed to the portal, in order after the sender's earlier tells. To a local actor it is a plain <c>Tell</c>.
    /// </summary>
    /// <remarks>
    /// A plain <c>Tell</c> never waits: past the outbound bound <see cref="NexusOptions.OutboundOverflow"/> applies (by default
    /// the portal fails). A loop of <c>await TellAsync</c> never trips it. The sender is the implicit one, as for <c>Tell</c>.
    /// </remarks>
    /// <param name="target">The actor.</param>
    /// <param name="message">The message.</param>
    /// <param name="cancellationToken">Stops the wait; the message is then not sent.</param>
    /// <exception cref="PortalClosedException">The portal closed before the message could be handed to it.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired while waiting.</exception>
    public static Task TellAsync<T>(this ActorRef<T> target, T message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(message);
        var sender = ImplicitSender.Current;
        if (target.Untyped is ProxyRef proxy)
        {
            return proxy.TellAsync(message, sender, cancellationToken);
        }

        target.Tell(message, sender);
        return Task.CompletedTask;
    }
}
