using System.Net;

namespace Wormhole.Streams;

/// <summary>A listening socket that opens a portal per connection; dispose it to stop accepting.</summary>
public sealed class WormholeListener : IAsyncDisposable
{
    private readonly Func<Task> _unbind;

    internal WormholeListener(IPEndPoint localEndPoint, Func<Task> unbind)
    {
        LocalEndPoint = localEndPoint;
        _unbind = unbind;
    }

    /// <summary>Where the listener accepts connections (with the actual port when 0 was asked for).</summary>
    public IPEndPoint LocalEndPoint { get; }

    /// <summary>Stops accepting connections. The TCP connections it accepted close with it (Akka.IO's listener owns them), so their portals close.</summary>
    /// <returns>A task that completes when the socket is unbound.</returns>
    public async ValueTask DisposeAsync() => await _unbind().ConfigureAwait(false);
}
