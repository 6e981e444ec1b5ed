using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Akka;
using Akka.Event;
using Akka.IO;
using Akka.Streams;
using Akka.Streams.Dsl;
using Wormhole.Streams.Logging;
using Wormhole.Streams.Portals;
using Wormhole.Streams.Protocol;

namespace Wormhole.Streams;

/// <summary>
/// The server side of a listening stream socket (TCP or Unix domain): accepts connections, authenticates each with TLS
/// when it has TLS options, asks the admission callback about each, and serves each admitted one as a portal over
/// <see cref="ByteStreamFlow"/> behind a kill switch, until it is disposed.
/// </summary>
/// <remarks>
/// The TLS handshake comes before admission, so the callback sees the client's certificate. It is bounded by the nexus's
/// <see cref="NexusOptions.HandshakeTimeout"/> and cut short by disposal. A failed one is logged, and reported on
/// <see cref="Nexus.Events"/> as a portal closed (<see cref="PortalCloseKind.ConduitFailed"/>) that never opened, as a
/// peer that fails the Wormhole handshake is.
/// </remarks>
internal sealed class SocketAcceptLoop : IAsyncDisposable
{
    private readonly Nexus _nexus;
    private readonly Socket _socket;
    private readonly string _name;
    private readonly SslServerAuthenticationOptions? _tls;
    private readonly Func<EndPoint, X509Certificate2?, ValueTask<PortalAdmission>>? _admit;
    private readonly SharedKillSwitch _connections;
    private readonly ConcurrentDictionary<Task, byte> _running = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _accepting;
    private int _disposed;

    /// <param name="nexus">The nexus whose portals the connections become.</param>
    /// <param name="socket">The bound, listening socket; the loop owns it.</param>
    /// <param name="name">What the logs call the listener, e.g. "TCP listener at 127.0.0.1:5000".</param>
    /// <param name="tls">The server's TLS options; null serves plain connections.</param>
    /// <param name="admit">The decision per connection, given the peer's address and TLS client certificate; null accepts all with the nexus's options.</param>
    public SocketAcceptLoop(Nexus nexus, Socket socket, string name, SslServerAuthenticationOptions? tls, Func<EndPoint, X509Certificate2?, ValueTask<PortalAdmission>>? admit)
    {
        _nexus = nexus;
        _socket = socket;
        _name = name;
        _tls = tls;
        _admit = admit;
        _connections = KillSwitches.Shared(name);
        _accepting = Task.Run(AcceptLoopAsync);
    }

    /// <summary>Stops accepting and closes the connections accepted (their portals close with <see cref="PortalCloseKind.ConduitCompleted"/>).</summary>
    /// <returns>A task that completes when the listening socket and every accepted connection are closed.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        _socket.Dispose();
        await _accepting.ConfigureAwait(false);
        _connections.Shutdown();
        await Task.WhenAll(_running.Keys).ConfigureAwait(false);
        _stopping.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket accepted;
            try
            {
                accepted = await _socket.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception) when (_stopping.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionAborted or SocketError.ConnectionReset or SocketError.Interrupted)
            {
                continue; // that client gave up before we accepted it
            }
            catch (Exception e)
            {
                ListenerLog.AcceptStopped(_nexus.Logs.Listener, _name, e);
                return;
            }

            if (accepted.ProtocolType == ProtocolType.Tcp)
            {
                accepted.NoDelay = true;
            }

            var serving = ServeAsync(accepted);
            _running[serving] = 0;
            _ = serving.ContinueWith(done => _running.TryRemove(done, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    /// <summary>
    /// Authenticates an accepted connection (with TLS), asks the admission callback about it, then runs its portal behind the
    /// kill switch until its conduit closes.
    /// </summary>
    private async Task ServeAsync(Socket accepted)
    {
        var peer = accepted.RemoteEndPoint ?? _socket.LocalEndPoint!;
        DuplexStreams? streams = null;
        X509Certificate2? certificate = null;
        if (_tls is not null)
        {
            try
            {
                (streams, certificate) = await TlsHandshake.AcceptAsync(accepted, peer, _tls, _nexus.Options.HandshakeTimeout, _stopping.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return; // the listener is being disposed; the handshake closed the socket
            }
            catch (IOException e)
            {
                ListenerLog.ConnectionRefused(_nexus.Logs.Listener, _name, $"{peer}", e.Message);
                ReportFailed(e);
                return;
            }
        }

        var admission = await _nexus.AdmitAsync(peer, _admit is null ? null : () => _admit(peer, certificate)).ConfigureAwait(false);
        if (!admission.IsAccepted || _stopping.IsCancellationRequested)
        {
            if (streams is null)
            {
                await RefuseAsync(accepted, admission.Rejection ?? "the listener is closing").ConfigureAwait(false);
            }
            else
            {
                streams.Dispose(); // a TLS stream: nothing to drain that the client could read in order
            }

            return;
        }

        streams ??= SocketStreams.Of(accepted);
        ServedPortal served;
        try
        {
            served = _nexus.ServePortal(admission, (_, _) => ByteStreamFlow.Create(streams).Via(_connections.Flow<ByteString>()), session => session.Stopped, new PortalOrigin(peer, certificate));
        }
        catch (Exception e)
        {
            // The materializer is shut down (the nexus was disposed first): nothing can serve this connection.
            streams.Dispose();
            ListenerLog.ServeFailed(_nexus.Logs.Listener, _name, e.Message);
            return;
        }

        await served.Stopped.ConfigureAwait(false);
    }

    /// <summary>
    /// Reports a connection whose TLS handshake failed as a portal that closed before it opened
    /// (<see cref="PortalCloseKind.ConduitFailed"/>, the reason naming TLS and the cause): a portal over a conduit that has
    /// failed already, so it goes through the nexus's one way of closing and announcing a portal.
    /// </summary>
    private void ReportFailed(IOException error)
    {
        try
        {
            var failed = Flow.FromSinkAndSource(Sink.Ignore<ByteString>().MapMaterializedValue(_ => NotUsed.Instance), Source.Failed<ByteString>(error));
            _nexus.ServePortal(PortalAdmission.Accept(), (_, _) => failed, _ => Task.CompletedTask, PortalOrigin.Unknown);
        }
        catch (Exception e)
        {
            _nexus.System.Log.Warning("{0} could not report a failed connection: {1}", _name, e.Message); // the nexus was disposed
        }
    }

    /// <summary>
    /// Ends a refused connection in order: the client reads one frame, a <c>Goodbye</c> for good with the refusal's reason
    /// (its portal closes with <see cref="PortalCloseKind.ClosedByPeer"/> and <see cref="PortalCloseReason.Final"/>), then
    /// the end of the stream. What it sent meanwhile is read and dropped until it closes too (for at most a second), since
    /// closing a socket with unread data makes the client's next read fail instead.
    /// </summary>
    private static async Task RefuseAsync(Socket accepted, string why)
    {
        try
        {
            // One frame, a Goodbye for good: the client learns why, and a reconnecting client does not try again.
            var goodbye = FrameCodec.Encode(new Goodbye { Reason = $"the connection was refused: {why}", Final = true }).ToArray();
            var framed = new byte[4 + goodbye.Length];
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(framed, goodbye.Length);
            goodbye.CopyTo(framed, 4);
            using (var sending = new CancellationTokenSource(TimeSpan.FromSeconds(1)))
            {
                await accepted.SendAsync(framed, SocketFlags.None, sending.Token).ConfigureAwait(false);
            }

            accepted.Shutdown(SocketShutdown.Send);
            using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            var scratch = new byte[4096];
            while (await accepted.ReceiveAsync(scratch, SocketFlags.None, bound.Token).ConfigureAwait(false) > 0)
            {
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The client went first, or did not close in time.
        }
        finally
        {
            accepted.Dispose();
        }
    }
}
