using System.Net;
using System.Net.Sockets;

namespace Wormhole.Benchmarks.Harness;

/// <summary>The raw-socket servers' shape: listen on 127.0.0.1, serve each connection on a thread of its own, stop at the end of stdin.</summary>
internal static class ThreadPerConnectionServer
{
    /// <summary>Listens, prints the endpoint, serves connections with <paramref name="serve"/> until <see cref="ServerConsole"/> ends.</summary>
    public static async Task<int> RunAsync(Action<Socket> serve)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        _ = Task.Run(() =>
        {
            while (true)
            {
                Socket socket;
                try
                {
                    socket = listener.AcceptSocket();
                }
                catch (Exception)
                {
                    return;
                }

                new Thread(() => serve(socket)) { IsBackground = true }.Start();
            }
        });
        ServerConsole.Listening(listener.LocalEndpoint.ToString()!);
        await ServerConsole.RunAsync();
        listener.Stop();
        return 0;
    }
}
