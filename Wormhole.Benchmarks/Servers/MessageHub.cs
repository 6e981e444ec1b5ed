using Microsoft.AspNetCore.SignalR;
using Wormhole.Benchmarks.Contracts;
using Wormhole.Benchmarks.Harness;

namespace Wormhole.Benchmarks.Servers;

/// <summary>
/// The server side of the SignalR rows of tell, ask and ping-pong, at <see cref="SignalRServer.MessagesPath"/>: a counting
/// sink that reports progress as <see cref="SinkActor"/> does, an echo to invoke, and an echo that answers by a client call.
/// </summary>
/// <remarks>
/// Hubs are made per invocation: a connection's count lives in its <see cref="HubCallerContext.Items"/>. SignalR runs one
/// invocation of a connection at a time (its default <c>MaximumParallelInvocationsPerClient</c> of 1), in order.
/// </remarks>
internal sealed class MessageHub : Hub
{
    /// <summary>The client method receiving a sink's count (<see cref="Progress.Received"/>).</summary>
    public const string ProgressMethod = "Progress";

    /// <summary>The client method receiving an echo of <see cref="Ping"/>: the client's number and the message.</summary>
    public const string PongMethod = "Pong";

    /// <summary>Starts a counted run, as <see cref="Begin"/> does at a sink: progress 0 at once, then every <paramref name="ackEvery"/> and at <paramref name="expected"/>.</summary>
    public Task Begin(long expected, int ackEvery)
    {
        Context.Items[nameof(Sink)] = new Sink(expected, Math.Max(1, ackEvery));
        return Clients.Caller.SendAsync(ProgressMethod, 0L);
    }

    /// <summary>Counts <paramref name="message"/>; reports progress as <see cref="Begin"/> asked.</summary>
    public Task Tell(Small message)
    {
        Interlocked.Increment(ref ServerConsole.Received);
        var sink = (Sink)Context.Items[nameof(Sink)]!;
        var received = ++sink.Received;
        return received % sink.AckEvery == 0 || received == sink.Expected
            ? Clients.Caller.SendAsync(ProgressMethod, received)
            : Task.CompletedTask;
    }

    /// <summary>The ask row: the message back as the invocation's result.</summary>
    public Small Echo(Small message) => message;

    /// <summary>The ping-pong row: the message back to the caller's <see cref="PongMethod"/>, with the client's number.</summary>
    public Task Ping(int client, Small message) => Clients.Caller.SendAsync(PongMethod, client, message);

    private sealed class Sink(long expected, int ackEvery)
    {
        public long Expected { get; } = expected;

        public int AckEvery { get; } = ackEvery;

        public long Received { get; set; }
    }
}
