using Wormhole.Benchmarks.Harness;
using Wormhole.Benchmarks.Servers;
using Wormhole.Benchmarks.Workloads;

namespace Wormhole.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release --project Wormhole.Benchmarks -- &lt;workload|all&gt; [--quick]</c>: runs the workload against
/// Wormhole and its peers, each server side in a child process of this program, and prints one JSON line per system
/// and a Markdown table. <c>serve &lt;system&gt;</c> is the child's mode.
/// </summary>
internal static class Program
{
    private static readonly Dictionary<string, Func<Report, bool, Task>> Workloads = new()
    {
        ["tell"] = TellWorkload.RunAsync,
        ["ping-pong"] = PingPongWorkload.RunAsync,
        ["ask"] = AskWorkload.RunAsync,
        ["refs"] = RefsWorkload.RunAsync,
        ["connections"] = ConnectionsWorkload.RunAsync,
        ["flood"] = FloodWorkload.RunAsync,
        ["stream"] = StreamWorkload.RunAsync,
        ["slow-consumer"] = SlowConsumerWorkload.RunAsync,
        ["upload"] = UploadWorkload.RunAsync,
        ["cluster-fanout"] = ClusterFanOutWorkload.RunAsync,
    };

    /// <summary><c>--only-wormhole</c>: tell runs the Wormhole systems alone, without peers or targets (for a profiler).</summary>
    public static bool OnlyWormhole { get; private set; }

    private static string Usage => $"""
        usage: Wormhole.Benchmarks <workload>... [--quick] [--only-wormhole]     workloads: {string.Join(", ", Workloads.Keys)}, or all
               Wormhole.Benchmarks serve <wormhole [--flood]|akka [--protobuf]|raw|raw-stream|akka-streamrefs|signalr>   (the server side, started by the above)
               Wormhole.Benchmarks serve browser --webroot DIR    (the browser benchmark's server: clients/typescript, npm run bench:browser)
               Wormhole.Benchmarks schema browser                 (the proto of its contracts, for the page's TypeScript types)
        """;

    public static async Task<int> Main(string[] args)
    {
        if (args is ["schema", "browser"])
        {
            Console.Write(BrowserServer.Schema());
            return 0;
        }

        if (args is ["serve", var system, .. var rest])
        {
            return system switch
            {
                "wormhole" => await WormholeServer.RunAsync(flood: rest.Contains("--flood")),
                "akka" => await AkkaRemoteServer.RunAsync(protobuf: rest.Contains("--protobuf")),
                "raw" => await RawSocket.ServeAsync(),
                "raw-stream" => await RawStreamServer.RunAsync(),
                "akka-streamrefs" => await StreamRefsServer.RunAsync(),
                "signalr" => await SignalRServer.RunAsync(),
                "browser" => await BrowserServer.RunAsync(rest),
                _ => Fail(),
            };
        }

        var quick = args.Contains("--quick");
        OnlyWormhole = args.Contains("--only-wormhole");
        var names = args.Where(a => a is not "--quick" and not "--only-wormhole").SelectMany(a => a == "all" ? Workloads.Keys.ToArray() : new[] { a }).ToList();
        if (names.Count == 0 || names.Any(n => !Workloads.ContainsKey(n)))
        {
            return Fail();
        }

        var report = new Report();
        foreach (var name in names)
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            Console.WriteLine($"# {name}{(quick ? " (quick)" : "")}");
            await Workloads[name](report, quick);
            Console.WriteLine($"# {name} took {clock.Elapsed.TotalSeconds:0.0} s");
        }

        Console.WriteLine();
        Console.WriteLine(report.Markdown());
        return 0;
    }

    private static int Fail()
    {
        Console.Error.WriteLine(Usage);
        return 64;
    }
}
