using System.Net;
using System.Net.Sockets;

namespace Wormhole.Streams;

/// <summary>Connecting to and listening on TCP, with Nagle's algorithm off (a frame goes out when it is written).</summary>
internal static class TcpSocket
{
    private const int Backlog = 512;

    /// <summary>Connects to <paramref name="host"/>:<paramref name="port"/>; the stream owns the socket.</summary>
    /// <exception cref="IOException">The connection was refused, or the host could not be resolved or reached.</exception>
    public static Task<DuplexStreams> ConnectAsync(string host, int port, CancellationToken cancellationToken) =>
        SocketStreams.ConnectAsync(new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true }, new DnsEndPoint(host, port), $"{host}:{port} over TCP", cancellationToken);

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
