using System.Net.Sockets;

namespace Wormhole.Streams;

/// <summary>Connecting to and listening on Unix domain sockets (stream sockets bound to a file system path).</summary>
internal static class UnixSocket
{
    private const int Backlog = 128;

    /// <summary>Connects to the listener at <paramref name="path"/>; the stream owns the socket.</summary>
    public static Task<DuplexStreams> ConnectAsync(string path, CancellationToken cancellationToken) =>
        SocketStreams.ConnectAsync(NewSocket(), new UnixDomainSocketEndPoint(path), $"the Unix domain socket '{path}'", cancellationToken);

    /// <summary>
    /// Binds a listening socket at <paramref name="path"/>. A file already there that no one listens on (a socket left
    /// behind by a process that died) is deleted and the bind retried; a live listener, or a non-empty file, is refused.
    /// </summary>
    public static async Task<Socket> ListenAsync(string path, CancellationToken cancellationToken)
    {
        var endpoint = new UnixDomainSocketEndPoint(path);
        var socket = NewSocket();
        try
        {
            try
            {
                socket.Bind(endpoint);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
            {
                await EnsureStaleAsync(path, endpoint, e, cancellationToken).ConfigureAwait(false);
                File.Delete(path);
                socket.Bind(endpoint);
            }

            socket.Listen(Backlog);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static Socket NewSocket()
    {
        if (!Socket.OSSupportsUnixDomainSockets)
        {
            throw new PlatformNotSupportedException("this operating system does not support Unix domain sockets");
        }

        return new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
    }

    /// <summary>Throws unless the file at <paramref name="path"/> is a socket no one listens on (connecting is refused).</summary>
    private static async Task EnsureStaleAsync(string path, UnixDomainSocketEndPoint endpoint, SocketException inUse, CancellationToken cancellationToken)
    {
        using var probe = NewSocket();
        try
        {
            await probe.ConnectAsync(endpoint, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
        {
            // Sockets have no content; a non-empty file is someone's data, not a leftover socket.
            if (new FileInfo(path) is { Exists: true, Length: > 0 })
            {
                throw new IOException($"cannot listen on '{path}': a non-empty file that is not a socket is there", inUse);
            }

            return;
        }
        catch (SocketException e)
        {
            throw new IOException($"cannot listen on '{path}': it is in use, and probing it failed: {e.Message} ({e.SocketErrorCode})", inUse);
        }

        throw new IOException($"cannot listen on '{path}': another listener accepts connections there", inUse);
    }
}
