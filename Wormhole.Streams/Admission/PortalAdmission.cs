using Wormhole.Reactive;
using Wormhole.Streams.Transmaterialization;

namespace Wormhole.Streams;

/// <summary>
/// A server's decision about one incoming connection, made before its portal opens: reject it, or accept it with
/// options and actors for that portal only (e.g. an "admin" actor for admins).
/// </summary>
/// <remarks>
/// Returned by the admission callback of <c>MapWormhole(endpoints, pattern, nexus, admit)</c> (Wormhole.AspNetCore)
/// and <see cref="Nexus.ListenTcpAsync(System.Net.IPEndPoint, Func{System.Net.EndPoint, ValueTask{PortalAdmission}}, CancellationToken)"/>.
/// Actors published here are visible on that portal from its first frame, before the peer can look anything up.
/// </remarks>
public sealed class PortalAdmission
{
    private readonly List<(string Name, Akka.Actor.IActorRef Actor, Type MessageType)> _publications = [];

    private PortalAdmission(string? rejection, NexusOptions? options)
    {
        Rejection = rejection;
        Options = options;
    }

    /// <summary>Why the connection is refused; null when it is accepted.</summary>
    public string? Rejection { get; }

    /// <summary>The portal's limits; null for the nexus's.</summary>
    public NexusOptions? Options { get; }

    /// <summary>Whether the connection is accepted.</summary>
    public bool IsAccepted => Rejection is null;

    internal IReadOnlyList<(string Name, Akka.Actor.IActorRef Actor, Type MessageType)> Publications => _publications;

    /// <summary>Accepts the connection.</summary>
    /// <param name="options">Limits for this portal; null for the nexus's.</param>
    /// <returns>The decision; add portal-only actors with <see cref="Publish{T}"/>.</returns>
    public static PortalAdmission Accept(NexusOptions? options = null) => new(null, options?.Validated());

    /// <summary>Refuses the connection: no portal opens (a WebSocket request gets 403 Forbidden; a TCP connection is closed).</summary>
    /// <param name="reason">Why, for the log (a WebSocket client sees it in the response body).</param>
    /// <returns>The decision.</returns>
    /// <exception cref="ArgumentException"><paramref name="reason"/> is null or empty.</exception>
    public static PortalAdmission Reject(string reason)
    {
        ArgumentException.ThrowIfNullOrEmpty(reason);
        return new PortalAdmission(reason, null);
    }

    /// <summary>Publishes <paramref name="actor"/> under <paramref name="name"/> on this connection's portal only.</summary>
    /// <typeparam name="T">The message type the peer's messages are decoded as.</typeparam>
    /// <param name="name">The name the peer looks up.</param>
    /// <param name="actor">The actor.</param>
    /// <returns>This decision, for chaining.</returns>
    /// <exception cref="InvalidOperationException">The connection is rejected.</exception>
    /// <exception cref="UnsupportedMessageTypeException"><typeparamref name="T"/> holds a member that cannot cross a portal (an untyped <c>IActorRef</c>, a stream, a delegate, …); the message names it.</exception>
    public PortalAdmission Publish<T>(string name, ActorRef<T> actor)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(actor);
        MessageTypeCheck.Demand(typeof(T));
        if (!IsAccepted)
        {
            throw new InvalidOperationException("A rejected connection gets no portal to publish on.");
        }

        _publications.Add((name, actor.Untyped, typeof(T)));
        return this;
    }
}
