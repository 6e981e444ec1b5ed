using Akka.Actor;
using Wormhole.Reactive;
using Wormhole.Streams.Portals;
using Wormhole.Streams.Transmaterialization;

namespace Wormhole.Streams;

/// <summary>
/// One end of one conduit: what this side published to that peer, and the proxies for what the peer
/// published to us. Obtained from <see cref="Nexus.ConnectAsync(Conduit, CancellationToken)"/>, a listener's <see cref="Nexus.Events"/>,
/// or as the materialized value of <see cref="Nexus.PortalFlow"/>.
/// </summary>
public sealed class Portal
{
    private readonly PayloadModel _payloads;
    private readonly TaskCompletionSource<PortalCommandQueue> _stage = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<Portal> _opened = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<PortalCloseReason> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal Portal(string id, PortalCounters counters, PayloadModel payloads)
    {
        _payloads = payloads;
        Id = id;
        Counters = counters;
    }

    /// <summary>A short id of this portal for logs (this side's half of the conduit id).</summary>
    public string Id { get; }

    /// <summary>
    /// The peer's address and port, on a portal a listener or <c>MapWormhole</c> accepted; null on a portal this side
    /// connected, and over a conduit without addresses (in memory, a Unix socket).
    /// </summary>
    public System.Net.EndPoint? RemoteEndPoint { get; internal init; }

    /// <summary>
    /// The user ASP.NET Core authenticated for the WebSocket request this portal was accepted from (<c>HttpContext.User</c>,
    /// an anonymous principal when no authentication ran); null on every portal not accepted by <c>MapWormhole</c>.
    /// </summary>
    public System.Security.Claims.ClaimsPrincipal? User { get; internal init; }

    /// <summary>
    /// The certificate the peer authenticated with in a TLS handshake this side checked: on a portal a TLS listener
    /// (<see cref="Nexus.ListenTcpAsync(System.Net.IPEndPoint, System.Net.Security.SslServerAuthenticationOptions, Func{TlsPeer, ValueTask{PortalAdmission}}?, CancellationToken)"/>)
    /// accepted, or <c>MapWormhole</c> accepted over HTTPS with a client certificate, the client's certificate (its
    /// <c>Subject</c> and <c>Thumbprint</c> say who the peer is); null when the client gave none, and on every other portal.
    /// </summary>
    public System.Security.Cryptography.X509Certificates.X509Certificate2? RemoteCertificate { get; internal init; }

    /// <summary>
    /// What the server's admission attached to this portal (<see cref="PortalAdmission.WithProperty"/>): who the user is
    /// in the application's terms, a tenant, a session id. Empty when the admission set none, and on a portal this side connected.
    /// </summary>
    public IReadOnlyDictionary<string, object?> Properties { get; internal init; } = NoProperties;

    /// <summary>Live counters: frames, bytes, publications, proxies, drops.</summary>
    public PortalCounters Counters { get; }

    /// <summary>Completes, never faults, when the portal has closed, with the reason.</summary>
    public Task<PortalCloseReason> Completion => _completion.Task;

    /// <summary>True once the handshake completed and until the portal closes.</summary>
    public bool IsOpen => _opened.Task.IsCompletedSuccessfully && !_completion.Task.IsCompleted;

    internal Task<Portal> Opened => _opened.Task;

    /// <summary>The reason a close that names none gives the peer.</summary>
    internal const string ClosedByTheApplication = "closed by the application";

    internal static IReadOnlyDictionary<string, object?> NoProperties { get; } = new Dictionary<string, object?>();

    /// <summary>The admission's <see cref="PortalAdmission.OnOpened"/> callbacks, run once by <see cref="RunOpenedCallbacks"/>.</summary>
    internal IReadOnlyList<Action<Portal>> OpenedCallbacks { get; init; } = [];

    /// <summary>Publishes <paramref name="actor"/> under <paramref name="name"/> on this portal only (the peer finds it with a lookup).</summary>
    /// <remarks>It takes effect before any lookup of the peer that arrives after this returns, and before any message sent through this portal after it.</remarks>
    /// <typeparam name="T">The message type the actor accepts; the peer's messages are decoded as this type only.</typeparam>
    /// <param name="name">The name; replaces an earlier publication of the same name on this portal.</param>
    /// <param name="actor">The actor.</param>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="actor"/> is null.</exception>
    /// <exception cref="UnsupportedMessageTypeException"><typeparamref name="T"/> holds a member that cannot cross a portal (an untyped <c>IActorRef</c>, a stream, a delegate, …); the message names it.</exception>
    public void Publish<T>(string name, ActorRef<T> actor)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(actor);
        _payloads.Prepare(typeof(T));
        Post(new PortalCommand.Publish(name, actor.Untyped, typeof(T)));
    }

    /// <summary>Looks up the actor the peer published under <paramref name="name"/> (on this portal or nexus-wide) and returns a typed proxy for it.</summary>
    /// <typeparam name="T">The message type the remote actor accepts.</typeparam>
    /// <param name="name">The name.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>A proxy: telling it delivers to the remote actor; watching it reports the remote actor's death or the portal's close.</returns>
    /// <exception cref="PublicationNotFoundException">The peer published nothing under that name.</exception>
    /// <exception cref="PortalClosedException">The portal closed first.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="UnsupportedMessageTypeException"><typeparamref name="T"/> holds a member that cannot cross a portal (an untyped <c>IActorRef</c>, a stream, a delegate, …); the message names it. Nothing is sent to the peer.</exception>
    public async Task<ActorRef<T>> LookupAsync<T>(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        _payloads.Prepare(typeof(T));
        var result = new TaskCompletionSource<IActorRef>(TaskCreationOptions.RunContinuationsAsynchronously);
        Post(new PortalCommand.Lookup(name, typeof(T), result));
        await Task.WhenAny(result.Task, Completion).WaitAsync(cancellationToken).ConfigureAwait(false);
        if (!result.Task.IsCompleted)
        {
            throw new PortalClosedException(Completion.Result);
        }

        return ActorRef<T>.From(await result.Task.ConfigureAwait(false));
    }

    /// <summary>Closes the portal in order (a <c>Goodbye</c> to the peer) and waits until it has closed.</summary>
    /// <param name="cancellationToken">Stops waiting; the portal still closes.</param>
    /// <returns>Why the portal closed (possibly an earlier reason).</returns>
    public Task<PortalCloseReason> CloseAsync(CancellationToken cancellationToken = default) =>
        CloseAsync(ClosedByTheApplication, cancellationToken);

    /// <summary>Closes the portal in order, telling the peer why (its <c>Goodbye</c> carries <paramref name="reason"/>), and waits until it has closed.</summary>
    /// <param name="reason">Why, e.g. "the server is shutting down"; the peer sees it in its close reason.</param>
    /// <param name="cancellationToken">Stops waiting; the portal still closes.</param>
    /// <returns>Why the portal closed (possibly an earlier reason).</returns>
    /// <exception cref="ArgumentException"><paramref name="reason"/> is null or empty.</exception>
    public async Task<PortalCloseReason> CloseAsync(string reason, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(reason);
        Post(new PortalCommand.Close(reason));
        return await Completion.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Closes the portal in order with a <c>Goodbye</c> that asks the peer not to connect again (<see cref="PortalCloseReason.Final"/>):
    /// a client turned away, e.g. banned or signed out. A reconnecting client (<see cref="ReconnectPolicy"/>) stops there.
    /// </summary>
    /// <param name="reason">Why; the peer sees it in its close reason.</param>
    /// <param name="cancellationToken">Stops waiting; the portal still closes.</param>
    /// <returns>Why the portal closed (possibly an earlier reason).</returns>
    /// <exception cref="ArgumentException"><paramref name="reason"/> is null or empty.</exception>
    public async Task<PortalCloseReason> CloseForGoodAsync(string reason, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(reason);
        Post(new PortalCommand.Close(reason, Final: true));
        return await Completion.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override string ToString() => $"Portal {Id}";

    internal void Attach(PortalCommandQueue stage) => _stage.TrySetResult(stage);

    internal void MarkOpened() => _opened.TrySetResult(this);

    /// <summary>
    /// Runs the admission's opened callbacks in order, on the stage's thread before it reads the peer's next frame: what they
    /// publish is queued ahead of that frame, and a lookup applies the queue first. Stops at the first that throws.
    /// </summary>
    /// <returns>The exception of the callback that threw; null when all returned.</returns>
    internal Exception? RunOpenedCallbacks()
    {
        foreach (var opened in OpenedCallbacks)
        {
            try
            {
                opened(this);
            }
            catch (Exception e)
            {
                return e;
            }
        }

        return null;
    }

    internal void MarkClosed(PortalCloseReason reason)
    {
        // Nobody may be waiting for these (a server's portal whose handshake failed): observe the faults, or they surface
        // as UnobservedTaskException on the finalizer thread. Whoever awaits them later still gets the exception.
        if (_opened.TrySetException(new PortalClosedException(reason)))
        {
            _ = _opened.Task.Exception;
        }

        if (_stage.TrySetException(new PortalClosedException(reason)))
        {
            _ = _stage.Task.Exception;
        }

        _completion.TrySetResult(reason);
    }

    private void Post(PortalCommand command)
    {
        if (_completion.Task.IsCompleted)
        {
            PortalCommand.Fail(command, _completion.Task.Result);
            return;
        }

        _stage.Task.ContinueWith(
            stage =>
            {
                if (stage.IsCompletedSuccessfully)
                {
                    stage.Result.Post(command);
                }
                else
                {
                    PortalCommand.Fail(command, _completion.Task.Result);
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }
}
