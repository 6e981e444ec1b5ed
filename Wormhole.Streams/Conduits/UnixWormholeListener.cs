using System.Net;
using System.Net.Sockets;

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
    private readonly SocketAcceptLoop _loop;

    internal UnixWormholeListener(Nexus nexus, string path, Socket socket, Func<EndPoint, ValueTask<PortalAdmission>>? admit)
    {
        Path = path;
        _loop = new SocketAcceptLoop(nexus, socket, $"Unix domain socket listener at {path}", tls: null, admit is null ? null : (peer, _) => admit(peer));
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
        await _loop.DisposeAsync().ConfigureAwait(false);
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
    }
}
