using Akka.IO;
using Akka.Streams.Dsl;
using Wormhole.Streams.Portals;

namespace Wormhole.Streams;

/// <summary>The server side of every listener: one way to run an admitted connection as a portal, and the conduits disposal waits for.</summary>
public sealed partial class Nexus
{
    /// <summary>The reason of the <c>Goodbye</c> each peer gets when the nexus is disposed.</summary>
    internal const string DisposedReason = "the nexus was disposed";

    /// <summary>How long <see cref="DisposeAsync"/> waits for the conduits to write their last frame and close.</summary>
    /// <remarks>
    /// Past the portal's 1 s for its last frame and the framing's <see cref="LengthPrefixFraming.ClosingGrace"/>, a WebSocket
    /// may wait up to <see cref="WebSocketFlow.CloseTimeout"/> for the peer's close: 7 s in the worst case.
    /// </remarks>
    internal static readonly TimeSpan DisposeConduitsBound = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Runs an accepted connection as a portal with <paramref name="admission"/>'s limits and actors: the length-prefix
    /// framing atop <paramref name="transport"/>, the portal atop the framing, both sharing the portal's <see cref="LastWords"/>.
    /// TCP, Unix sockets and WebSocket all serve through here, after <see cref="AdmitAsync"/> accepted the connection.
    /// </summary>
    /// <typeparam name="TMat">The transport's materialized value.</typeparam>
    /// <param name="admission">The accepted admission.</param>
    /// <param name="transport">The connection's bytes, given the portal's frame limit and last words.</param>
    /// <param name="transportStopped">When the transport has closed, from its materialized value.</param>
    /// <param name="origin">Who the peer is: its address, TLS certificate, authenticated user.</param>
    /// <returns>The portal, and a task that completes when its framing and transport have stopped (the conduit is closed).</returns>
    internal ServedPortal ServePortal<TMat>(PortalAdmission admission, Func<int, LastWords, Flow<ByteString, ByteString, TMat>> transport, Func<TMat, Task> transportStopped, PortalOrigin origin)
    {
        var maxFrameBytes = (admission.Options ?? Options).MaxFrameBytes;
        var lastWords = new LastWords();
        var (connection, portal) = LengthPrefixFraming.Around(transport(maxFrameBytes, lastWords), maxFrameBytes, lastWords)
            .JoinMaterialized(PortalFlowCore(admission, lastWords, origin), Keep.Both)
            .WithAttributes(OnPortalDispatcher)
            .Run(Materializer);
        var stopped = Task.WhenAll(lastWords.FramingStopped, transportStopped(connection));
        TrackConduit(stopped, portal);
        return new ServedPortal(portal, stopped);
    }

    /// <summary>The portals of the conduits this nexus runs, open or still in their handshake (for tests).</summary>
    internal IReadOnlyCollection<Portal> Conduits => _conduits.Values.ToList();

    /// <summary>Keeps <paramref name="stopped"/> until it completes, so that <see cref="DisposeAsync"/> closes <paramref name="portal"/> (open or not) and waits for that conduit.</summary>
    private void TrackConduit(Task stopped, Portal portal)
    {
        _conduits[stopped] = portal;
        stopped.ContinueWith(done => _conduits.TryRemove(done, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }
}
