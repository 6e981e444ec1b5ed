using Wormhole.Streams;
using Wormhole.Streams.Portals;

namespace Wormhole.Tests.Streams.Portals;

/// <summary>The portal's intrusive command queue: many posters, one taker; each command taken once, each poster's in order.</summary>
public sealed class CommandChainTests
{
    [Fact]
    public void Chain_PostAndTakeOneAtATime_EmptiesAndRefills()
    {
        var chain = new CommandChain();
        Assert.True(chain.IsEmpty);
        Assert.False(chain.TryTake(out _));

        for (var round = 0; round < 3; round++)
        {
            var command = new PortalCommand.Close($"round {round}");
            chain.Post(command);
            Assert.False(chain.IsEmpty);
            Assert.True(chain.TryTake(out var taken));
            Assert.Same(command, taken);
            Assert.True(chain.IsEmpty);
            Assert.False(chain.TryTake(out _));
        }
    }

    [Fact]
    public async Task Chain_FourPostersOneTaker_TakesEveryCommandOnce_InEachPostersOrder()
    {
        const int posters = 4;
        const int perPoster = 200_000;
        var chain = new CommandChain();
        var next = new int[posters];
        var taken = 0;
        var posting = Enumerable.Range(0, posters).Select(poster => Task.Run(() =>
        {
            for (var i = 0; i < perPoster; i++)
            {
                chain.Post(new PortalCommand.Close($"{poster}:{i}"));
            }
        })).ToArray();

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (taken < posters * perPoster && DateTime.UtcNow < deadline)
        {
            if (!chain.TryTake(out var command))
            {
                Thread.SpinWait(10);
                continue;
            }

            var parts = ((PortalCommand.Close)command).Why.Split(':');
            var poster = int.Parse(parts[0]);
            Assert.Equal(next[poster]++, int.Parse(parts[1]));
            taken++;
        }

        await Task.WhenAll(posting);
        Assert.Equal(posters * perPoster, taken);
        Assert.True(chain.IsEmpty);
        Assert.False(chain.TryTake(out _));
    }

    [Fact]
    public async Task Queue_PostersAndAStageThatDrainsWhenWoken_HandlesEveryCommand()
    {
        const int posters = 4;
        const int perPoster = 100_000;
        var handled = 0;
        var wakes = System.Threading.Channels.Channel.CreateUnbounded<PortalCommandQueue>();
        var queue = new PortalCommandQueue(woken => wakes.Writer.TryWrite(woken), new PortalCounters());
        var stage = Task.Run(async () =>
        {
            await foreach (var woken in wakes.Reader.ReadAllAsync())
            {
                woken.Drain(256, _ => handled++); // one drain at a time, as the stage's async callback runs
                if (Volatile.Read(ref handled) == posters * perPoster)
                {
                    return;
                }
            }
        });

        await Task.WhenAll(Enumerable.Range(0, posters).Select(poster => Task.Run(() =>
        {
            for (var i = 0; i < perPoster; i++)
            {
                queue.Post(new PortalCommand.Close("x"));
            }
        })));

        await stage.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(posters * perPoster, handled);
    }
}
