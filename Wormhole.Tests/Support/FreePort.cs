using System.Net;
using System.Net.Sockets;

namespace Wormhole.Tests.Support;

/// <summary>Ports on 127.0.0.1 where nothing listens (one just freed): for a server a test starts later, or a connect that must fail.</summary>
public static class FreePort
{
    /// <summary>A free TCP port.</summary>
    public static int Tcp()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
