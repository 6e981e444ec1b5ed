using System.Diagnostics;
using Akka.Actor;
using Wormhole.Reactive;
using Wormhole.Streams;

namespace PingPongSample;

/// <summary>
/// <c>client --port N [--rounds R]</c>: connects to the server, plays R rounds of ping-pong (printing each
/// Pong), then measures a short burst with a window of pings in flight, and closes the portal.
/// </summary>
internal static class Client
{
    private const int BurstRoundTrips = 20_000;
    private const int BurstWindow = 64;
    private static readonly TimeSpan BurstTime = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    public static async Task<int> RunAsync(int port, int rounds)
    {
        using var system = ActorSystem.Create("client", "akka.loglevel = WARNING\nakka.stdout-loglevel = WARNING");
        var nexus = Nexus.Create(system, LocalPeerOptions.Value);
        try
        {
            Portal portal;
            try
            {
                using var connecting = new CancellationTokenSource(Patience);
                portal = await nexus.ConnectAsync(Conduit.Tcp("127.0.0.1", port), connecting.Token);
            }
            catch (Exception e) when (e is PortalClosedException or OperationCanceledException)
            {
                Console.Error.WriteLine($"client: cannot connect to a wormhole at 127.0.0.1:{port}: {e.Message}");
                return 2;
            }

            Console.WriteLine($"client: connected, portal {portal.Id}");
            var server = await portal.LookupAsync<PingPong>(Server.PublishedName).WaitAsync(Patience);
            await PlayAsync(system, server, rounds).WaitAsync(Patience);
            await BurstAsync(system, server).WaitAsync(Patience);
            var closed = await portal.CloseAsync().WaitAsync(Patience);
            Console.WriteLine($"client: portal closed ({closed})");
            return 0;
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"client: failed: {e.GetType().Name}: {e.Message}");
            return 1;
        }
        finally
        {
            await nexus.DisposeAsync();
            await system.Terminate();
        }
    }

    /// <summary>The game itself: serve round 1, then answer each Pong with the next Ping through the reference inside it.</summary>
    private static async Task PlayAsync(ActorSystem system, ActorRef<PingPong> server, int rounds)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var me = FnActor.Spawn<PingPong>(system, async ctx =>
        {
            var expected = 1;
            await foreach (var message in ctx.Messages)
            {
                Console.WriteLine($"client <- {message.GetType().Name} round {message.Round}");
                if (message is not Pong pong || pong.Round != expected)
                {
                    done.TrySetException(new InvalidOperationException($"expected Pong round {expected}, got {message.GetType().Name} round {message.Round}"));
                    return;
                }

                if (expected++ == rounds)
                {
                    done.TrySetResult();
                    return;
                }

                pong.From.Tell(new Ping { From = ctx.Self, Round = expected });
            }
        });
        server.Tell(new Ping { From = me, Round = 1 });
        await done.Task;
        Console.WriteLine($"client: played {rounds} rounds");
    }

    /// <summary>As many round trips as fit in <see cref="BurstTime"/> (at most <see cref="BurstRoundTrips"/>), <see cref="BurstWindow"/> in flight.</summary>
    private static async Task BurstAsync(ActorSystem system, ActorRef<PingPong> server)
    {
        var done = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var clock = new Stopwatch();
        var me = FnActor.Spawn<PingPong>(system, async ctx =>
        {
            var sent = BurstWindow;
            var received = 0;
            await foreach (var message in ctx.Messages)
            {
                received++;
                if (sent < BurstRoundTrips && clock.Elapsed < BurstTime)
                {
                    message.From.Tell(new Ping { From = ctx.Self, Round = ++sent, Burst = true });
                }
                else if (received == sent)
                {
                    done.TrySetResult(received);
                    return;
                }
            }
        });
        clock.Start();
        for (var round = 1; round <= BurstWindow; round++)
        {
            server.Tell(new Ping { From = me, Round = round, Burst = true });
        }

        var roundTrips = await done.Task;
        var seconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine(
            $"client: burst of {roundTrips:N0} round trips, {BurstWindow} in flight, in {seconds:0.00} s: " +
            $"{roundTrips / seconds:N0} round trips/s = {2 * roundTrips / seconds:N0} messages/s");
    }
}
