using System.Net;
using System.Net.Sockets;

namespace Wormhole.Streams;

/// <summary>A connected stream socket (TCP or Unix domain) as the pair of streams <see cref="ByteStreamFlow"/> reads and writes.</summary>
internal static class SocketStreams
{
    /// <summary>Connects <paramref name="socket"/> to <paramref name="endpoint"/>; the streams own it, and a failed connect disposes it.</summary>
    /// <param name="socket">A new stream socket.</param>
    /// <param name="endpoint">Where to connect.</param>
    /// <param name="what">What the error message calls the other end, e.g. "127.0.0.1:5000 over TCP".</param>
    /// <param name="cancellationToken">Gives up connecting.</param>
    /// <exception cref="IOException">The connection was refused, or the other end could not be reached; the message names it.</exception>
    public static async Task<DuplexStreams> ConnectAsync(Socket socket, EndPoint endpoint, string what, CancellationToken cancellationToken)
    {
        try
        {
            await socket.ConnectAsync(endpoint, cancellationToken).ConfigureAwait(false);
            return Of(socket);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new IOException($"could not connect to {what}: {e.Message} ({e.SocketErrorCode})", e);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>A connected socket's streams, which own it.</summary>
    public static DuplexStreams Of(Socket socket)
    {
        var stream = new NetworkStream(socket, ownsSocket: true);
        return new DuplexStreams(stream, stream);
    }
}
