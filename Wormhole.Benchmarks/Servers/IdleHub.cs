using Microsoft.AspNetCore.SignalR;
using Wormhole.Benchmarks.Contracts;

namespace Wormhole.Benchmarks.Servers;

/// <summary>
/// The server side of the SignalR rows of <c>connections</c>, at <see cref="SignalRServer.IdlePath"/>: no methods, only a
/// count of connected clients; the server console's <c>fanout</c> sends one <see cref="Small"/> to all of them.
/// </summary>
internal sealed class IdleHub : Hub
{
    /// <summary>The client method receiving the fan-out message.</summary>
    public const string FanOutMethod = "FanOut";

    private static long _connected;

    /// <summary>Clients connected now, readable from any thread.</summary>
    public static long Connected => Interlocked.Read(ref _connected);

    /// <inheritdoc/>
    public override Task OnConnectedAsync()
    {
        Interlocked.Increment(ref _connected);
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public override Task OnDisconnectedAsync(Exception? exception)
    {
        Interlocked.Decrement(ref _connected);
        return Task.CompletedTask;
    }
}
