using System.Diagnostics;

namespace Wormhole.Benchmarks.Harness;

/// <summary>
/// Brings a system to its steady state before it is measured. .NET first runs a method unoptimized and recompiles it
/// once it is hot, and it holds those recompilations back while new methods keep being compiled; a warm-up of a fixed
/// small size therefore measures partly unoptimized code (tell over TCP: 174k msgs/s after a 50,000-message warm-up,
/// 505k once recompiled). Every system, peers included, repeats its warm-up round until the same time has passed.
/// </summary>
internal static class WarmUp
{
    /// <summary>Repeats <paramref name="round"/> until at least 3 s (0.3 s with <c>--quick</c>) have passed.</summary>
    public static async Task RunAsync(bool quick, Func<Task> round)
    {
        var least = quick ? TimeSpan.FromSeconds(0.3) : TimeSpan.FromSeconds(3);
        var clock = Stopwatch.StartNew();
        do
        {
            await round();
        }
        while (clock.Elapsed < least);
    }
}
