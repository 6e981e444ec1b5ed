using Akka.Actor;
using Wormhole.Reactive;
using Wormhole.Streams;
using Wormhole.Tests.Streams;
using Wormhole.Tests.Support;

namespace Wormhole.Tests.Hostile;

/// <summary>
/// A well-behaved client on the hostile server: its own portal, and a background loop that, every 100 ms, does one round
/// trip — a <see cref="Ping"/> to "echo" answered by a <see cref="Pong"/> to its own actor, or an ask of "square" through
/// a reply port, in turns — and counts the round trips.
/// </summary>
public sealed class GoodClient : IAsyncDisposable
{
    private static readonly TimeSpan Period = TimeSpan.FromMilliseconds(100);

    private readonly CancellationTokenSource _stop = new();
    private TaskCompletionSource<int>? _pong;
    private long _roundTrips;
    private Task _loop = Task.CompletedTask;

    private GoodClient(int index, Portal portal)
    {
        Index = index;
        Portal = portal;
    }

    public int Index { get; }

    public Portal Portal { get; }

    public long RoundTrips => Interlocked.Read(ref _roundTrips);

    /// <summary>The first round trip that failed or took longer than <see cref="Bounds.Long"/>; null while all went well.</summary>
    public Exception? Failure { get; private set; }

    public static async Task<GoodClient> StartAsync(int index, ActorSystem system, Nexus nexus, Conduit conduit)
    {
        var portal = await nexus.ConnectAsync(conduit).WaitAsync(Bounds.Long);
        var client = new GoodClient(index, portal);
        var echo = await portal.LookupAsync<Ping>("echo").WaitAsync(Bounds.Long);
        var square = await portal.LookupAsync<Square>("square").WaitAsync(Bounds.Long);
        var inbox = FnActor.Spawn<Pong>(system, async ctx =>
        {
            await foreach (var pong in ctx.Messages)
            {
                Volatile.Read(ref client._pong)?.TrySetResult(pong.N);
            }
        });
        client._loop = Task.Run(() => client.LoopAsync(echo, square, inbox));
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        await Portal.CloseAsync().WaitAsync(Bounds.Long);
    }

    public override string ToString() => $"good client {Index} ({RoundTrips} round trips, portal {(Portal.IsOpen ? "open" : "closed")}{(Failure is null ? "" : $", failed: {Failure.Message}")})";

    private async Task LoopAsync(ActorRef<Ping> echo, ActorRef<Square> square, ActorRef<Pong> inbox)
    {
        using var timer = new PeriodicTimer(Period);
        for (var n = 1; await Tick(timer); n++)
        {
            try
            {
                if (n % 2 == 0)
                {
                    var pong = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
                    Volatile.Write(ref _pong, pong);
                    echo.Tell(new Ping { N = n, ReplyTo = inbox });
                    Assert.Equal(n, await pong.Task.WaitAsync(Bounds.Long, _stop.Token));
                }
                else
                {
                    Assert.Equal((n % 1000) * (n % 1000), await square.Ask<int>(port => new Square { Value = n % 1000, Reply = port }, Bounds.Long, _stop.Token));
                }

                Interlocked.Increment(ref _roundTrips);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                Failure ??= e;
            }
        }
    }

    private async ValueTask<bool> Tick(PeriodicTimer timer)
    {
        try
        {
            return await timer.WaitForNextTickAsync(_stop.Token);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
