namespace Wormhole.Streams;

/// <summary>Unix domain socket listeners.</summary>
public sealed partial class Nexus
{
    /// <summary>Accepts portals over a Unix domain socket bound at <paramref name="path"/> (length-prefixed frames, as TCP).</summary>
    /// <param name="path">The socket file to create, e.g. <c>/run/myapp/wormhole.sock</c>; relative paths are resolved now.</param>
    /// <param name="cancellationToken">Gives up binding.</param>
    /// <returns>The listener; dispose it to stop accepting (the portals it accepted close with it, and the file is removed).</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null, empty, or too long for a socket address (about 100 bytes).</exception>
    /// <exception cref="IOException">Another listener accepts connections at <paramref name="path"/>, or a non-empty file that is not a socket is there.</exception>
    /// <exception cref="System.Net.Sockets.SocketException">The socket could not be bound (the folder is missing or not writable).</exception>
    /// <exception cref="PlatformNotSupportedException">The operating system has no Unix domain sockets.</exception>
    /// <remarks>
    /// A file left at <paramref name="path"/> by a listener that died (connecting to it is refused) is replaced. Clients
    /// connect with <see cref="Conduit.UnixSocket(string)"/>. Each accepted connection is announced on
    /// <see cref="Events"/> once its handshake is done.
    /// </remarks>
    public Task<UnixWormholeListener> ListenUnixAsync(string path, CancellationToken cancellationToken = default) =>
        ListenUnixAsync(path, admit: null, cancellationToken);

    /// <summary>
    /// Accepts portals over a Unix domain socket bound at <paramref name="path"/>, each connection first admitted by
    /// <paramref name="admit"/>, which decides: reject (the connection is closed, no portal), or accept with this portal's
    /// limits and portal-only actors.
    /// </summary>
    /// <param name="path">The socket file to create; relative paths are resolved now.</param>
    /// <param name="admit">
    /// The decision per connection; it sees the client's socket address (usually unnamed: who may connect at all is decided
    /// by the socket file's permissions). Null accepts all with the nexus's options. If it throws, the connection is refused
    /// and the error logged.
    /// </param>
    /// <param name="cancellationToken">Gives up binding.</param>
    /// <returns>The listener; dispose it to stop accepting (the portals it accepted close with it, and the file is removed).</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null, empty, or too long for a socket address (about 100 bytes).</exception>
    /// <exception cref="IOException">Another listener accepts connections at <paramref name="path"/>, or a non-empty file that is not a socket is there.</exception>
    /// <exception cref="System.Net.Sockets.SocketException">The socket could not be bound (the folder is missing or not writable).</exception>
    /// <exception cref="PlatformNotSupportedException">The operating system has no Unix domain sockets.</exception>
    /// <remarks>As <see cref="ListenUnixAsync(string, CancellationToken)"/> otherwise.</remarks>
    public async Task<UnixWormholeListener> ListenUnixAsync(string path, Func<System.Net.EndPoint, ValueTask<PortalAdmission>>? admit, CancellationToken cancellationToken = default)
    {
        var fullPath = Conduit.ValidUnixSocketPath(path);
        var socket = await UnixSocket.ListenAsync(fullPath, cancellationToken).ConfigureAwait(false);
        return new UnixWormholeListener(this, fullPath, socket, admit);
    }
}
