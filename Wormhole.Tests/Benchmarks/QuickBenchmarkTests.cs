using System.Diagnostics;
using System.Reflection;
using System.Text;
using System.Text.Json;
using Wormhole.Tests.Support;
using Xunit.Abstractions;

namespace Wormhole.Tests.Benchmarks;

/// <summary>Runs alone: a dozen processes busy on two cores would slow every timing-bound test next to it, and be slowed by them.</summary>
[CollectionDefinition(nameof(QuickBenchmarkTests), DisableParallelization = true)]
public sealed class QuickBenchmarkCollection
{
}

/// <summary>
/// Keeps the benchmark harness from rotting: every workload runs in <c>--quick</c> mode, as a child process of the built
/// Wormhole.Benchmarks (which starts its own server processes), and prints one JSON line per system. Figures are not
/// asserted here: the benchmark's own output checks the targets.
/// </summary>
[Collection(nameof(QuickBenchmarkTests))]
public sealed class QuickBenchmarkTests
{
    /// <summary>All ten workloads, about thirty-five process starts (three of them a chat cluster forming), on a loaded 2-core machine.</summary>
    private static readonly TimeSpan RunBound = TimeSpan.FromMinutes(5);

    private static readonly Dictionary<string, string[]> ExpectedSystems = new()
    {
        ["tell"] = ["wormhole-tcp", "wormhole-tls", "wormhole-ws", "akka-remote", "akka-remote-protobuf", "signalr-ws", "raw-socket"],
        ["ping-pong"] = ["wormhole-tcp", "wormhole-ws", "akka-remote", "akka-remote-protobuf", "signalr-ws", "raw-socket"],
        ["ask"] = ["wormhole-tcp reply-port", "wormhole-tcp sender", "wormhole-tls reply-port", "wormhole-tls sender", "wormhole-ws reply-port", "wormhole-ws sender", "akka-remote", "akka-remote-protobuf", "signalr-ws", "raw-socket"],
        ["refs"] = ["wormhole-tcp"],
        ["connections"] = ["wormhole-ws", "signalr-ws", "signalr-ws-skip-negotiate"],
        ["flood"] = ["wormhole-tcp"],
        ["stream"] = ["wormhole-tcp", "wormhole-ws", "raw-socket", "akka-streamrefs", "signalr-ws"],
        ["slow-consumer"] = ["wormhole-tcp", "akka-streamrefs", "signalr-ws"],
        ["upload"] = ["wormhole-tcp", "raw-socket"],
        ["cluster-fanout"] = ["clients on 3 nodes", "clients on 1 node"],
    };

    private readonly ITestOutputHelper _output;

    public QuickBenchmarkTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public async Task EveryWorkload_Quick_ExitsZeroAndPrintsOneJsonLinePerSystem()
    {
        var info = new ProcessStartInfo(DotnetHost())
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.ArgumentList.Add(BenchmarkDll());
        info.ArgumentList.Add("all");
        info.ArgumentList.Add("--quick");
        using var process = new Process { StartInfo = info };
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => Collect(output, e.Data);
        process.ErrorDataReceived += (_, e) => Collect(output, e.Data);
        var clock = Stopwatch.StartNew();
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await process.WaitForExitAsync().WaitAsync(RunBound);
            process.WaitForExit(); // the output handlers have drained
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        string text;
        lock (output)
        {
            text = output.ToString();
        }

        _output.WriteLine($"the quick run took {clock.Elapsed.TotalSeconds:0.0} s");
        Assert.True(process.ExitCode == 0, $"the benchmark exited with code {process.ExitCode}:\n{text}");
        var lines = text.Split('\n')
            .Where(line => line.StartsWith("{\"workload\":", StringComparison.Ordinal))
            .Select(line => JsonDocument.Parse(line).RootElement)
            .Select(json => (Workload: json.GetProperty("workload").GetString()!, System: json.GetProperty("system").GetString()!))
            .ToList();
        foreach (var (workload, systems) in ExpectedSystems)
        {
            var printed = lines.Where(line => line.Workload == workload).Select(line => line.System).OrderBy(s => s).ToArray();
            Assert.True(
                systems.Order().SequenceEqual(printed),
                $"{workload}: expected one JSON line for each of [{string.Join(", ", systems)}], got [{string.Join(", ", printed)}]:\n{text}");
        }

        Assert.Contains("| workload | system | result |", text);
    }

    private void Collect(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.Append(line).Append('\n');
        }

        try
        {
            _output.WriteLine(line);
        }
        catch (InvalidOperationException)
        {
            // the test has finished
        }
    }

    /// <summary>Wormhole.Benchmarks/bin/&lt;this test's Configuration&gt;/&lt;TFM&gt;/Wormhole.Benchmarks.dll, built through the test project's reference.</summary>
    private static string BenchmarkDll()
    {
        var here = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = typeof(QuickBenchmarkTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var dll = Path.Combine(RepositoryRoot.Find(), "Wormhole.Benchmarks", "bin", configuration, here.Name, "Wormhole.Benchmarks.dll");
        Assert.True(File.Exists(dll), $"the benchmark is not built at {dll}");
        return dll;
    }

    private static string DotnetHost()
    {
        if (Environment.ProcessPath is { } current && Path.GetFileNameWithoutExtension(current) == "dotnet")
        {
            return current;
        }

        return Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";
    }
}
