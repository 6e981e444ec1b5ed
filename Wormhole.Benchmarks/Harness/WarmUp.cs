using System.Diagnostics;
using System.Runtime;

namespace Wormhole.Benchmarks.Harness;

/// <summary>
/// Brings a system to its steady state before it is measured. .NET first runs a method unoptimized and recompiles it
/// once it is hot (with tiered PGO, twice), and it holds those recompilations back while new methods keep being compiled;
/// a warm-up of a fixed small size therefore measures partly unoptimized code (tell over TCP: 174k msgs/s after a
/// 50,000-message warm-up, 505k once recompiled). Every system, peers included, repeats its warm-up round until the JIT
/// of both processes has settled: a whole round in which neither compiled more than a handful of methods.
/// </summary>
internal static class WarmUp
{
    /// <summary>Methods a process may still compile in a round that counts as settled (timers, logging, the control channel).</summary>
    private const long SettledMethods = 5;

    /// <summary>
    /// Repeats <paramref name="round"/> for at least 3 s, then until the JIT of this process and of <paramref name="server"/>
    /// has settled, for at most 20 s (<c>--quick</c>: 0.3 s, without waiting for the JIT).
    /// </summary>
    /// <remarks>Prints one <c># warm-up</c> line: the system, how long it took, whether the JIT settled.</remarks>
    public static async Task RunAsync(bool quick, ChildServer server, string system, Func<Task> round)
    {
        var least = quick ? TimeSpan.FromSeconds(0.3) : TimeSpan.FromSeconds(3);
        var most = quick ? least : TimeSpan.FromSeconds(20);
        var clock = Stopwatch.StartNew();
        var compiled = await CompiledMethodsAsync(server);
        while (true)
        {
            await round();
            var now = await CompiledMethodsAsync(server);
            var settled = now.Client - compiled.Client <= SettledMethods && now.Server - compiled.Server <= SettledMethods;
            compiled = now;
            if (clock.Elapsed >= most || (clock.Elapsed >= least && settled))
            {
                var jit = quick ? "not waited for (--quick)" : settled ? "settled" : $"still compiling after {most.TotalSeconds:0} s";
                Console.WriteLine($"# warm-up {system}: {clock.Elapsed.TotalSeconds:0.0} s, JIT {jit}");
                return;
            }
        }
    }

    private static async Task<(long Client, long Server)> CompiledMethodsAsync(ChildServer server) =>
        (JitInfo.GetCompiledMethodCount(), (await server.CommandAsync("stats")).GetProperty("jitMethods").GetInt64());
}
