using System.Diagnostics;
using System.Text.Json;

namespace Wormhole.Benchmarks.Harness;

/// <summary>
/// The server side's control channel: the coordinating process writes one command per line on stdin, the server answers
/// each with exactly one <c>reply {json}</c> line on stdout. End of stdin stops the server.
/// </summary>
/// <remarks>
/// Commands: <c>stats</c> (memory and counters), <c>gc</c> (full collection first, then the same), and whatever the
/// server adds (<c>fanout</c>, …). Control never travels over the system being measured.
/// </remarks>
internal static class ServerConsole
{
    /// <summary>Messages counted by the server's sink actors (the flood sink, the refs sink), readable from any thread.</summary>
    public static long Received;

    /// <summary>Elements the server's stream producers have made (the stream workloads), readable from any thread.</summary>
    public static long Produced;

    public static void Listening(string endpoint)
    {
        Console.WriteLine($"listening on {endpoint}");
        Console.Out.Flush();
    }

    public static async Task RunAsync(Func<string, Dictionary<string, object?>?>? extra = null)
    {
        using var stdin = new StreamReader(Console.OpenStandardInput());
        while (await stdin.ReadLineAsync().ConfigureAwait(false) is { } line)
        {
            var command = line.Trim();
            Dictionary<string, object?> reply;
            try
            {
                reply = command switch
                {
                    "stats" => Stats(collect: false),
                    "gc" => Stats(collect: true),
                    _ => extra?.Invoke(command) ?? new Dictionary<string, object?> { ["error"] = $"unknown command '{command}'" },
                };
            }
            catch (Exception e)
            {
                reply = new Dictionary<string, object?> { ["error"] = e.ToString() };
            }

            Console.WriteLine("reply " + JsonSerializer.Serialize(reply));
            Console.Out.Flush();
        }
    }

    public static Dictionary<string, object?> Stats(bool collect)
    {
        if (collect)
        {
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        }

        using var process = Process.GetCurrentProcess();
        process.Refresh();
        return new Dictionary<string, object?>
        {
            ["workingSet"] = process.WorkingSet64,
            ["managed"] = GC.GetTotalMemory(false),
            ["received"] = Interlocked.Read(ref Received),
            ["produced"] = Interlocked.Read(ref Produced),
            ["allocated"] = GC.GetTotalAllocatedBytes(precise: false),
            ["cpuMs"] = process.TotalProcessorTime.TotalMilliseconds,
            ["jitMethods"] = System.Runtime.JitInfo.GetCompiledMethodCount(),
        };
    }
}
