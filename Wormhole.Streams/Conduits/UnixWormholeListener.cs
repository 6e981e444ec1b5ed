using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Akka.Event;
using Akka.Streams;
using Akka.Streams.Dsl;

namespace Wormhole.Streams;

/// <summary>
/// A Unix domain socket that opens a portal per connection (<see cref="Nexus.ListenUnixAsync(string, CancellationToken)"/>); dispose it to stop
/// accepting, close the connections it accepted and remove the socket file.
/// </summary>
/// <remarks>
/// Who may connect is decided by the file system: the socket file gets the process's umask, and a peer needs write
/// permission on it (and search permission on the folders above). Put it in a folder only the intended peers can reach.
/// </remarks>
public sealed class UnixWormholeListener : IAsyncDisposable
{
    private readonly Nexus _nexus;
    private readonly Socket _socket;
    private readonly SharedKillSwitch _connections = KillSwitches.Shared("unix-listener");
    private readonly ConcurrentDictionary<Task, byte> _running = new();
    private readonly Func<EndPoint, ValueTask<PortalAdmission>>? _admit;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _accepting;
    private int _disposed;

    internal UnixWormholeListener(Nexus nexus, string path, Socket socket, Func<EndPoint, ValueTask<PortalAdmission>>? admit)
    {
        _nexus = nexus;
        _admit = admit;
        _socket = socket;
        Path = path;
        _accepting = Task.Run(AcceptLoopAsync);
    }

    /// <summary>The full path of the socket file clients connect to with <see cref="Conduit.UnixSocket(string)"/>.</summary>
    public string Path { get; }

    /// <summary>
    /// Stops accepting connections, closes the connections it accepted (their portals close with
    /// <see cref="PortalCloseKind.ConduitCompleted"/>, as when the TCP listener is disposed) and deletes the socket file.
    /// </summary>
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
        try
        {
            File.Delete(Path);
        }
        catch (IOException)
        {
            // Someone removed or replaced it already.
        }
        catch (UnauthorizedAccessException)
        {
        }

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
                _nexus.System.Log.Error(e, "Unix domain socket listener at {0} stopped accepting connections", Path);
                return;
            }

            var serving = ServeAsync(accepted);
            _running[serving] = 0;
            _ = serving.ContinueWith(done => _running.TryRemove(done, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    /// <summary>Asks the admission callback about an accepted connection, then runs its portal behind the listener's kill switch until its conduit closes.</summary>
    private async Task ServeAsync(Socket accepted)
    {
        var peer = accepted.RemoteEndPoint ?? new UnixDomainSocketEndPoint(Path);
        var admission = await _nexus.AdmitAsync(peer, _admit is null ? null : () => _admit(peer)).ConfigureAwait(false);
        if (!admission.IsAccepted || _stopping.IsCancellationRequested)
        {
            await RefuseAsync(accepted).ConfigureAwait(false);
            return;
        }

        ServedPortal served;
        try
        {
            served = _nexus.ServePortal(admission, (_, _) => ByteStreamFlow.Create(UnixSocket.Streams(accepted)).Via(_connections.Flow<Akka.IO.ByteString>()), session => session.Stopped);
        }
        catch (Exception e)
        {
            // The materializer is shut down (the nexus was disposed first): nothing can serve this connection.
            accepted.Dispose();
            _nexus.System.Log.Warning("Unix domain socket listener at {0} could not serve a connection: {1}", Path, e.Message);
            return;
        }

        await served.Stopped.ConfigureAwait(false);
    }

    /// <summary>
    /// Ends a refused connection in order: the client reads the end of the stream (its portal closes with
    /// <see cref="PortalCloseKind.ConduitCompleted"/>). What it sent meanwhile is read and dropped until it closes too (for
    /// at most a second), since closing a Unix socket with unread data makes the client's next read fail instead.
    /// </summary>
    private static async Task RefuseAsync(Socket accepted)
    {
        try
        {
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
