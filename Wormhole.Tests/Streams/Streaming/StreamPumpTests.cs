using Wormhole.Streams.Streaming;
using Wormhole.Tests.Support;

namespace Wormhole.Tests.Streams.Streaming;

/// <summary>The pump that pulls a local source for a stream the peer reads: a cancel always ends it, whenever it lands.</summary>
public sealed class StreamPumpTests
{
    [Fact]
    public async Task Cancel_AfterTheLoopsCheckButBeforeTheRoomIsMade_StillEndsThePump_AndDisposesTheSource()
    {
        var disposed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        async IAsyncEnumerable<int> Endless()
        {
            try
            {
                for (var i = 0; ; i++)
                {
                    yield return i;
                    await Task.Yield();
                }
            }
            finally
            {
                disposed.TrySetResult();
            }
        }

        StreamPump<int>? pump = null;
        var checks = 0;
        pump = new StreamPump<int>(Endless, wake: () => { })
        {
            // The second check comes after the one element the allowance lets through: the cancel lands right there,
            // after the loop saw no cancel and before the pump makes its room to wait in (the stage's StreamCancel).
            BeforeRoomCheck = () =>
            {
                if (++checks == 2)
                {
                    pump!.Cancel();
                }
            },
        };

        pump.Start(allowed: 1);

        await disposed.Task.WaitAsync(Bounds.Long); // before the fix: a TimeoutException, the pump waiting for room forever
        Assert.Equal(2, checks);
    }
}
