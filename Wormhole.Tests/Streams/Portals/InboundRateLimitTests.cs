using System.Diagnostics;
using Wormhole.Streams;
using Wormhole.Streams.Portals;

namespace Wormhole.Tests.Streams.Portals;

/// <summary>
/// The portal's inbound token buckets, on a clock the test moves: one second's worth at once, then the rate, never more.
/// That the portal holds a refused frame and pulls nothing more is in <see cref="PortalStageTests"/>.
/// </summary>
public sealed class InboundRateLimitTests
{
    private const int Small = 10;

    [Fact]
    public void RateLimit_FrameBucket_AdmitsOneSecondsWorthAtOnce_ThenOneFramePerRefill()
    {
        var limit = new InboundRateLimit(new NexusOptions { MaxInboundFramesPerSecond = 5 }, At(0));

        Assert.Equal(5, Enumerable.Range(0, 5).Count(_ => limit.TryTake(Small, At(0))));
        Assert.False(limit.TryTake(Small, At(0)));
        Assert.Equal(200, limit.WaitFor(Small).TotalMilliseconds, precision: 0);
        Assert.False(limit.TryTake(Small, At(150)));
        Assert.True(limit.TryTake(Small, At(200)));
        Assert.False(limit.TryTake(Small, At(200)));
    }

    [Fact]
    public void RateLimit_ByteBucket_LimitsBytesPerSecond()
    {
        const int rate = 64 * 1024;
        var limit = new InboundRateLimit(new NexusOptions { MaxFrameBytes = rate, MaxInboundBytesPerSecond = rate }, At(0));

        var passed = 0;
        for (var ms = 0; ms <= 1_000; ms += 10)
        {
            while (limit.TryTake(rate / 4, At(ms)))
            {
                passed++;
            }
        }

        Assert.Equal(8, passed); // a full bucket (four frames), then a second's refill (four more)
    }

    [Fact]
    public void RateLimit_FrameLargerThanTheByteBucket_GoesOnceTheBucketIsFull_ItsDebtDelaysTheNext()
    {
        const int rate = 1_000;
        var limit = new InboundRateLimit(new NexusOptions { MaxInboundBytesPerSecond = rate }, At(0));

        Assert.True(limit.TryTake(3 * rate, At(0))); // the bucket was full: the frame goes, the bucket owes two seconds
        Assert.False(limit.TryTake(Small, At(2_000)));
        Assert.Equal(10, limit.WaitFor(Small).TotalMilliseconds, precision: 0);
        Assert.True(limit.TryTake(Small, At(2_010)));
    }

    [Fact]
    public void RateLimit_ClockThatStepsBack_RefillsNothing()
    {
        var limit = new InboundRateLimit(new NexusOptions { MaxInboundFramesPerSecond = 1 }, At(1_000));

        Assert.True(limit.TryTake(Small, At(1_000)));
        Assert.False(limit.TryTake(Small, At(0)));
        Assert.True(limit.TryTake(Small, At(1_000)));
    }

    private static long At(int milliseconds) => milliseconds * Stopwatch.Frequency / 1_000;
}
