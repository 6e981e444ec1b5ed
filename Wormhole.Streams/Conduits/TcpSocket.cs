using System.Net;
using System.Net.Sockets;

namespace Wormhole.Streams;

/// <summary>Connecting to and listening on TCP, with Nagle's algorithm off (a frame goes out when it is written).</summary>
internal static class TcpSocket
{
    private const int Backlog = 512;

    /// <summary>Connects to <paramref name="host"/>:<paramref name="port"/>; the stream owns the socket.</summary>
    /// <exception cref="IOException">The connection was refused, or the host could not be resolved or reached.</exception>
    public static async Task<DuplexStreams> ConnectAsync(string host, int port, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(host, port, cancellationToken).ConfigureAwait(false);
            var stream = new NetworkStream(socket, ownsSocket: true);
            return new DuplexStreams(stream, stream);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new IOException($"could not connect to {host}:{port} over TCP: {e.Message} ({e.SocketErrorCode})", e);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>A socket bound to <paramref name="endpoint"/> and listening.</summary>
    public static Socket Listen(IPEndPoint endpoint)
    {
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(endpoint);
            socket.Listen(Backlog);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
