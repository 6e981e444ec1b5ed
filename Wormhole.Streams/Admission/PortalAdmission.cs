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
    private readonly Dictionary<string, object?> _properties = [];
    private readonly List<Action<Portal>> _opened = [];

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

    /// <summary>What <see cref="WithProperty"/> attached; the portal gets them as <see cref="Portal.Properties"/>.</summary>
    public IReadOnlyDictionary<string, object?> Properties => _properties;

    internal IReadOnlyList<(string Name, Akka.Actor.IActorRef Actor, Type MessageType)> Publications => _publications;

    internal IReadOnlyList<Action<Portal>> Opened => _opened;

    /// <summary>Accepts the connection.</summary>
    /// <param name="options">Limits for this portal; null for the nexus's.</param>
    /// <returns>The decision; add portal-only actors with <see cref="Publish{T}"/>.</returns>
    public static PortalAdmission Accept(NexusOptions? options = null) => new(null, options?.Validated());

    /// <summary>
    /// Refuses the connection: no portal opens. A WebSocket request gets 403 Forbidden; a TCP or Unix socket connection
    /// without TLS gets one frame, a <c>Goodbye</c> for good saying why (<see cref="PortalCloseReason.Final"/>), then is
    /// closed; a TLS connection is closed.
    /// </summary>
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
        DemandAccepted();

        _publications.Add((name, actor.Untyped, typeof(T)));
        return this;
    }

    /// <summary>Attaches <paramref name="value"/> under <paramref name="key"/> to the portal, for the server to read back as <see cref="Portal.Properties"/>.</summary>
    /// <param name="key">The key; replaces an earlier value of the same key.</param>
    /// <param name="value">The value, e.g. a user id, a tenant, a session.</param>
    /// <returns>This decision, for chaining.</returns>
    /// <exception cref="ArgumentException"><paramref name="key"/> is null or empty.</exception>
    /// <exception cref="InvalidOperationException">The connection is rejected.</exception>
    public PortalAdmission WithProperty(string key, object? value)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        DemandAccepted();
        _properties[key] = value;
        return this;
    }

    /// <summary>
    /// Calls <paramref name="opened"/> with the portal once its handshake completes, before the portal reads the peer's next
    /// frame: what it publishes with <see cref="Portal.Publish{T}"/> before returning is visible to the peer's first lookup.
    /// The place to give a portal its own actors (they can know <see cref="Portal.Id"/>, <see cref="Portal.RemoteEndPoint"/>,
    /// <see cref="Portal.User"/>, <see cref="Portal.Properties"/>) and to watch <see cref="Portal.Completion"/>.
    /// </summary>
    /// <param name="opened">Runs on the portal's thread: keep it short and do not block. If it throws, the error is logged and the portal is closed with a <c>Goodbye</c>.</param>
    /// <returns>This decision, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="opened"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The connection is rejected.</exception>
    /// <remarks>Several callbacks run in the order they were added. A portal that closes before its handshake completes never calls them.</remarks>
    public PortalAdmission OnOpened(Action<Portal> opened)
    {
        ArgumentNullException.ThrowIfNull(opened);
        DemandAccepted();
        _opened.Add(opened);
        return this;
    }

    private void DemandAccepted()
    {
        if (!IsAccepted)
        {
            throw new InvalidOperationException("A rejected connection gets no portal.");
        }
    }
}
