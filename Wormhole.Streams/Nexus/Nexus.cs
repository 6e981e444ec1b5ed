using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using System.Reactive.Linq;
using System.Reactive.Subjects;
using Akka;
using Akka.Actor;
using Akka.Event;
using Akka.IO;
using Akka.Streams;
using Akka.Streams.Dsl;
using Microsoft.Extensions.Logging;
using Wormhole.Reactive;
using Wormhole.Streams.Logging;
using Wormhole.Streams.Metering;
using Wormhole.Streams.Portals;
using Wormhole.Streams.Protocol;
using Wormhole.Streams.Transmaterialization;

namespace Wormhole.Streams;

/// <summary>
/// One per actor system: holds the portals, the publications visible to all of them, and the listeners.
/// </summary>
public sealed partial class Nexus : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, (IActorRef Actor, Type Type)> _published = new();
    private readonly ConcurrentDictionary<Portal, byte> _portals = new();
    private readonly ConcurrentDictionary<Task, Portal> _conduits = new(); // each conduit's stop, with its portal (open or not)
    private readonly ISubject<PortalEvent> _events = Subject.Synchronize(new Subject<PortalEvent>());

    private Nexus(ActorSystem system, NexusOptions options, ILoggerFactory? loggerFactory, IMeterFactory? meterFactory)
    {
        System = system;
        Options = options;
        LoggerFactory = loggerFactory;
        MeterFactory = meterFactory;
        Logs = new NexusLoggers(system, loggerFactory);
        Materializer = system.Materializer(namePrefix: "wormhole");
        PortalDispatcher.Register(system);
        Payloads = new PayloadModel(options.MaxMessageDepth);
        Proxies = new ProxyBudget(options.MaxProxiesPerNexus);
        Metrics = new NexusMetrics(meterFactory, _portals, Proxies);
        system.WhenTerminated.ContinueWith(_ => Metrics.Dispose(), TaskScheduler.Default);

        // Akka 1.5.74's scheduler starts on first use, and every caller blocks until it has started. On a new actor system,
        // twenty portals starting at once (each schedules its timers) left every pool thread blocked in
        // HashedWheelTimerScheduler.Start (a stack dump showed ten) until their handshakes timed out. Start it here, once.
        system.Scheduler.Advanced.ScheduleOnce(TimeSpan.Zero, static () => { });
    }

    /// <summary>The actor system this nexus serves.</summary>
    public ActorSystem System { get; }

    /// <summary>The limits and timeouts every portal of this nexus uses.</summary>
    public NexusOptions Options { get; }

    /// <summary>
    /// Portals opened and closed (with the reason), as they happen. Hot; events may arrive on any thread. A connection that
    /// closes before its handshake completes (a peer that never sends a valid <c>Hello</c>, a failed connect) is reported as
    /// <see cref="PortalEvent.Closed"/> without an <see cref="PortalEvent.Opened"/> before it, so hostile peers are visible.
    /// </summary>
    public IObservable<PortalEvent> Events => _events.AsObservable();

    /// <summary>The portals open right now.</summary>
    public IReadOnlyCollection<Portal> Portals => _portals.Keys.Where(p => p.IsOpen).ToList();

    internal ActorMaterializer Materializer { get; }

    /// <summary>Where Wormhole's logs go; null: through the actor system's logging.</summary>
    internal ILoggerFactory? LoggerFactory { get; }

    /// <summary>Wormhole's loggers for this nexus, one per category (<see cref="LogCategories"/>).</summary>
    internal NexusLoggers Logs { get; }

    /// <summary>This nexus's part of Wormhole's meter (<see cref="WormholeMetrics"/>).</summary>
    internal NexusMetrics Metrics { get; }

    /// <summary>Where Wormhole's meter comes from; null: one shared meter.</summary>
    internal IMeterFactory? MeterFactory { get; }

    /// <summary>Runs a portal's graph on the <see cref="PortalDispatcher"/>: a socket's read reaches the target actor in one dispatch.</summary>
    internal static Attributes OnPortalDispatcher { get; } = ActorAttributes.CreateDispatcher(PortalDispatcher.DispatcherId);

    internal PayloadModel Payloads { get; }

    internal WireId SideId { get; } = WireId.NewRandom();

    /// <summary>The proxies all portals may hold (<see cref="NexusOptions.MaxProxiesPerNexus"/>).</summary>
    internal ProxyBudget Proxies { get; }

    /// <summary>The rate limit on warnings peers cause.</summary>
    internal WarningGate Warnings { get; } = new();

    /// <summary>Creates the nexus of an actor system.</summary>
    /// <param name="system">The actor system.</param>
    /// <param name="options">Limits and timeouts; null for the defaults.</param>
    /// <param name="loggerFactory">Where Wormhole's logs go (categories <c>Wormhole.*</c>); null: through the actor system's logging.</param>
    /// <param name="meterFactory">Creates Wormhole's meter (as ASP.NET Core's DI provides one); null: one meter shared by every nexus.</param>
    /// <returns>The nexus.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="system"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is outside its valid range.</exception>
    public static Nexus Create(ActorSystem system, NexusOptions? options = null, ILoggerFactory? loggerFactory = null, IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(system);
        return new Nexus(system, (options ?? new NexusOptions()).Validated(), loggerFactory, meterFactory);
    }

    /// <summary>Publishes <paramref name="actor"/> under <paramref name="name"/> to every portal, current and future.</summary>
    /// <typeparam name="T">The message type the actor accepts; peers' messages are decoded as this type only.</typeparam>
    /// <param name="name">The name peers look up; replaces an earlier publication of that name.</param>
    /// <param name="actor">The actor.</param>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="actor"/> is null.</exception>
    /// <exception cref="UnsupportedMessageTypeException"><typeparamref name="T"/> holds a member that cannot cross a portal (an untyped <c>IActorRef</c>, a stream, a delegate, …); the message names it.</exception>
    public void Publish<T>(string name, ActorRef<T> actor)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(actor);
        Payloads.Prepare(typeof(T));
        _published[name] = (actor.Untyped, typeof(T));
    }

    /// <summary>Stops offering a nexus-wide name to lookups. Peers that already hold a proxy keep it.</summary>
    /// <param name="name">The name.</param>
    /// <returns>True when the name was published.</returns>
    public bool Unpublish(string name) => _published.TryRemove(name, out _);

    /// <summary>
    /// The portal as a flow of message-framed bytes (one frame per element): plug it into any graph —
    /// add compression, metrics, a kill switch — and run it against a conduit.
    /// </summary>
    /// <returns>A flow whose materialized value completes with the portal once the handshake is done, or faults with <see cref="PortalClosedException"/>.</returns>
    /// <remarks>
    /// Emits when: the portal has a frame for the peer and downstream pulls. Backpressures when: the
    /// portal's local actors are being delivered to. Completes when: the portal closes.
    /// Cancels when: the portal closes. Never fails for a peer's fault.
    /// </remarks>
    public Flow<ByteString, ByteString, Task<Portal>> PortalFlow() => PortalFlowCore().MapMaterializedValue(portal => portal.Opened);

    /// <summary>Opens a portal over <paramref name="conduit"/> and waits for the handshake.</summary>
    /// <param name="conduit">The transport: <see cref="Conduit.Tcp(string, int)"/>, <see cref="Conduit.InMemoryPair"/>, …</param>
    /// <param name="cancellationToken">Gives up; the half-open portal is closed.</param>
    /// <returns>The open portal.</returns>
    /// <exception cref="PortalClosedException">The connection or handshake failed; the reason says why.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public Task<Portal> ConnectAsync(Conduit conduit, CancellationToken cancellationToken = default) =>
        ConnectAsync(conduit, Options, cancellationToken);

    /// <summary>Opens a portal with its own limits over <paramref name="conduit"/> and waits for the handshake.</summary>
    /// <param name="conduit">The transport: <see cref="Conduit.Tcp(string, int)"/>, <see cref="Conduit.InMemoryPair"/>, …</param>
    /// <param name="options">This portal's limits and timeouts, instead of the nexus's.</param>
    /// <param name="cancellationToken">Gives up; the half-open portal is closed.</param>
    /// <returns>The open portal.</returns>
    /// <exception cref="PortalClosedException">The connection or handshake failed; the reason says why.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is outside its valid range.</exception>
    public async Task<Portal> ConnectAsync(Conduit conduit, NexusOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(conduit);
        ArgumentNullException.ThrowIfNull(options);
        options = options.Validated();
        var lastWords = new LastWords();
        var (connected, portal) = conduit.Open(this, options, lastWords).JoinMaterialized(PortalFlowCore(PortalAdmission.Accept(options), lastWords), Keep.Both).WithAttributes(OnPortalDispatcher).Run(Materializer);
        TrackConduit(lastWords.FramingStopped, portal);
        try
        {
            await connected.WaitAsync(cancellationToken).ConfigureAwait(false);
            return await portal.Opened.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            _ = portal.CloseAsync(CancellationToken.None);
            throw;
        }
        catch (Exception e) when (e is not PortalClosedException)
        {
            throw new PortalClosedException(new PortalCloseReason(PortalCloseKind.ConduitFailed, $"could not connect: {e.Message}", e)
            {
                Code = e is ConnectionRefusedException ? PortalErrorCodes.Refused : null,
            });
        }
    }

    /// <summary>
    /// Connects through the first of <paramref name="policy"/>'s endpoints that opens a portal, and from then on opens a new
    /// portal each time one closes for a reason worth reconnecting after (<see cref="ReconnectPolicy.When"/>), backing off
    /// between attempts and going round the endpoints: an opt-in, as SignalR's <c>WithAutomaticReconnect</c> is.
    /// </summary>
    /// <param name="policy">The endpoints, the backoff and when to give up.</param>
    /// <param name="cancellationToken">Gives up waiting for the first portal; the connection is closed.</param>
    /// <returns>The connection, once its first portal is open; <see cref="ReconnectingPortal.States"/> tells what goes on after.</returns>
    /// <exception cref="PortalClosedException">The first portal never opened: a refusal, a reason not worth retrying, or the attempts ran out; the reason is the last attempt's.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A policy setting is outside its valid range.</exception>
    public async Task<ReconnectingPortal> ConnectAsync(ReconnectPolicy policy, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var connection = new ReconnectingPortal(this, policy.Validated());
        try
        {
            await connection.FirstOpened.WaitAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch (OperationCanceledException)
        {
            await connection.CloseAsync("the connect was cancelled", CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Accepts portals over TCP on <paramref name="endpoint"/> (length-prefixed frames).</summary>
    /// <param name="endpoint">Where to listen; port 0 picks a free port (see <see cref="WormholeListener.LocalEndPoint"/>).</param>
    /// <param name="cancellationToken">Gives up binding.</param>
    /// <returns>The listener; dispose it to stop accepting (the portals it accepted close with it).</returns>
    public Task<WormholeListener> ListenTcpAsync(IPEndPoint endpoint, CancellationToken cancellationToken = default) =>
        ListenTcpAsync(endpoint, admit: null, cancellationToken);

    /// <summary>
    /// Accepts portals over TCP on <paramref name="endpoint"/> (length-prefixed frames), each connection first admitted by
    /// <paramref name="admit"/>, which sees the peer's address and decides: reject, or accept with this portal's limits and actors.
    /// </summary>
    /// <param name="endpoint">Where to listen; port 0 picks a free port (see <see cref="WormholeListener.LocalEndPoint"/>).</param>
    /// <param name="admit">The decision per connection; null accepts all with the nexus's options. If it throws, the connection is refused and the error logged.</param>
    /// <param name="cancellationToken">Gives up binding.</param>
    /// <returns>The listener; dispose it to stop accepting (the portals it accepted close with it).</returns>
    public Task<WormholeListener> ListenTcpAsync(IPEndPoint endpoint, Func<EndPoint, ValueTask<PortalAdmission>>? admit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(new WormholeListener(this, TcpSocket.Listen(endpoint), tls: null, admit is null ? null : (peer, _) => admit(peer)));
    }

    /// <summary>
    /// Accepts portals over TCP with TLS on <paramref name="endpoint"/>: each connection first completes a TLS handshake
    /// (<see cref="System.Net.Security.SslStream"/>) with <paramref name="tls"/>, then is admitted by <paramref name="admit"/>,
    /// which sees the client's address and certificate. Clients connect with
    /// <see cref="Conduit.Tcp(string, int, System.Net.Security.SslClientAuthenticationOptions)"/>.
    /// </summary>
    /// <param name="endpoint">Where to listen; port 0 picks a free port (see <see cref="WormholeListener.LocalEndPoint"/>).</param>
    /// <param name="tls">
    /// The server's TLS options, used for every connection: <see cref="System.Net.Security.SslServerAuthenticationOptions.ServerCertificate"/>
    /// (with its private key) or another certificate source; <see cref="System.Net.Security.SslServerAuthenticationOptions.ClientCertificateRequired"/>
    /// to ask each client for a certificate, and <see cref="System.Net.Security.SslServerAuthenticationOptions.RemoteCertificateValidationCallback"/>
    /// to decide which to trust (null: the system's trust; a client without a certificate is refused only when one is required).
    /// </param>
    /// <param name="admit">
    /// The decision per connection, after its TLS handshake, given the client's address and certificate
    /// (<see cref="TlsPeer"/>); null accepts all with the nexus's options. If it throws, the connection is refused and the error logged.
    /// </param>
    /// <param name="cancellationToken">Gives up binding.</param>
    /// <returns>The listener; dispose it to stop accepting (the portals it accepted close with it).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="endpoint"/> or <paramref name="tls"/> is null.</exception>
    /// <remarks>
    /// The TLS handshake is bounded by the nexus's <see cref="NexusOptions.HandshakeTimeout"/> and cut short when the listener
    /// is disposed. A connection that fails it (a client that does not speak TLS, an untrusted or missing client certificate,
    /// a timeout) is closed, logged as a warning, and reported on <see cref="Events"/> as <see cref="PortalEvent.Closed"/>
    /// (<see cref="PortalCloseKind.ConduitFailed"/>, the reason naming TLS and the cause) without an <see cref="PortalEvent.Opened"/>.
    /// An accepted client's certificate stays on its portal as <see cref="Portal.RemoteCertificate"/>.
    /// </remarks>
    public Task<WormholeListener> ListenTcpAsync(IPEndPoint endpoint, System.Net.Security.SslServerAuthenticationOptions tls, Func<TlsPeer, ValueTask<PortalAdmission>>? admit = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(tls);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(new WormholeListener(this, TcpSocket.Listen(endpoint), tls, admit is null ? null : (peer, certificate) => admit(new TlsPeer(peer, certificate))));
    }

    /// <summary>
    /// Closes every portal — a <c>Goodbye</c> to each peer, with the reason "the nexus was disposed" — waits until the
    /// conduits have written it and closed (a TCP or Unix socket after its last write, a WebSocket after its close
    /// handshake), for at most 10 s, then stops the nexus's streams.
    /// </summary>
    /// <returns>A task that completes when every portal has closed and its conduit stopped, or the bound has passed.</returns>
    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(_portals.Keys.Union(_conduits.Values).Select(p => p.CloseAsync(DisposedReason))).ConfigureAwait(false); // half-open ones too
        await Task.WhenAny(Task.WhenAll(_conduits.Keys), Task.Delay(DisposeConduitsBound)).ConfigureAwait(false);
        Materializer.Shutdown();
        Metrics.Dispose();
        _events.OnCompleted();
    }

    /// <summary>A portal's flow of whole frames, with the limits and portal-only actors of <paramref name="admission"/> (null: the nexus's).</summary>
    /// <param name="admission">The portal's limits and actors; null: the nexus's.</param>
    /// <param name="lastWords">Shared with the conduit's stages (see <see cref="LastWords"/>); null for a flow of the user's.</param>
    /// <param name="origin">Who the peer is (<see cref="Portal.RemoteEndPoint"/>, <see cref="Portal.User"/>, <see cref="Portal.RemoteCertificate"/>); null: unknown.</param>
    internal Flow<ByteString, ByteString, Portal> PortalFlowCore(PortalAdmission? admission = null, LastWords? lastWords = null, PortalOrigin? origin = null)
    {
        var options = admission?.Options ?? Options;
        foreach (var (_, _, messageType) in admission?.Publications ?? [])
        {
            Payloads.Prepare(messageType);
        }

        if (admission is not null)
        {
            origin = (origin ?? PortalOrigin.Unknown) with { Properties = admission.Properties, Opened = admission.Opened };
        }

        return Flow.FromGraph(new PortalStage(this, options, admission?.Publications ?? [], new PortalCounters { Metrics = Metrics }, lastWords, origin));
    }

    /// <summary>Runs an admission callback; a callback that throws refuses the connection (logged), it never escapes.</summary>
    internal async ValueTask<PortalAdmission> AdmitAsync(object peer, Func<ValueTask<PortalAdmission>>? decide)
    {
        if (decide is null)
        {
            return PortalAdmission.Accept();
        }

        PortalAdmission admission;
        try
        {
            admission = await decide().ConfigureAwait(false) ?? throw new InvalidOperationException("the admission callback returned null");
        }
        catch (Exception e)
        {
            NexusLog.AdmissionFailed(Logs.Nexus, $"{peer}", e.Message, e);
            return PortalAdmission.Reject($"admission failed: {e.Message}");
        }

        if (!admission.IsAccepted)
        {
            NexusLog.AdmissionRefused(Logs.Nexus, $"{peer}", admission.Rejection ?? "rejected");
        }

        return admission;
    }

    internal (IActorRef Actor, Type Type)? Find(string name) => _published.TryGetValue(name, out var found) ? found : null;

    /// <summary>Called once per portal, on its stage's thread, when its handshake completes and before it reads the peer's next frame.</summary>
    internal void OnPortalOpened(Portal portal)
    {
        Metrics.Opened(portal);
        PortalLog.Opened(Logs.Portal, portal.Id, PortalLog.Peer(portal));
        if (portal.RunOpenedCallbacks() is { } failure)
        {
            NexusLog.OpenedCallbackFailed(Logs.Nexus, portal.Id, PortalLog.Peer(portal), failure.Message, failure);
            _ = portal.CloseAsync($"the server could not set up the portal: its opened callback failed ({failure.GetType().Name})");
        }

        _events.OnNext(new PortalEvent.Opened(portal));
    }

    /// <summary>Called once per portal, when its stage stops, whether or not its handshake completed.</summary>
    internal void OnPortalClosed(Portal portal, PortalCloseReason reason)
    {
        Metrics.Closed(portal, reason);
        _events.OnNext(new PortalEvent.Closed(portal, reason));
    }
}
