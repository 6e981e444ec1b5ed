using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.SignalR;
using Wormhole.Benchmarks.Contracts;
using Wormhole.Benchmarks.Harness;

namespace Wormhole.Benchmarks.Servers;

/// <summary>The server side of SignalR streaming: a hub method returning <see cref="IAsyncEnumerable{T}"/>.</summary>
internal sealed class StreamHub : Hub
{
    /// <summary><paramref name="count"/> <see cref="Small"/> messages (0: until the client cancels), each counted in <see cref="ServerConsole.Produced"/>.</summary>
    public async IAsyncEnumerable<Small> Stream(long count, [EnumeratorCancellation] CancellationToken cancel)
    {
        for (var i = 0L; (count == 0 || i < count) && !cancel.IsCancellationRequested; i++)
        {
            Interlocked.Increment(ref ServerConsole.Produced);
            yield return Small.Make(i);
        }

        await Task.CompletedTask;
    }
}
