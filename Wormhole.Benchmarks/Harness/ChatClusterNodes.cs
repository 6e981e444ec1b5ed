using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Wormhole.Benchmarks.Harness;

/// <summary>
/// Three chat server nodes (Samples/Chat/Chat.Server in cluster mode) as OS processes on 127.0.0.1, started and waited
/// for until each says the cluster has 3 members up; killed by id when disposed.
/// </summary>
internal sealed class ChatClusterNodes : IAsyncDisposable
{
    private static readonly TimeSpan StartBound = TimeSpan.FromSeconds(90);
    private readonly List<Process> _nodes = [];

    private ChatClusterNodes(IReadOnlyList<Uri> urls) => Urls = urls;

    /// <summary>Each node's chat endpoint, <c>ws://127.0.0.1:PORT/chat</c>.</summary>
    public IReadOnlyList<Uri> Urls { get; }

    public static async Task<ChatClusterNodes> StartAsync()
    {
        var server = ServerDll();
        var http = Enumerable.Range(0, 3).Select(_ => FreePort()).ToArray();
        var remoting = Enumerable.Range(0, 3).Select(_ => FreePort()).ToArray();
        var nodes = new ChatClusterNodes([.. http.Select(port => new Uri($"ws://127.0.0.1:{port}/chat"))]);
        var formed = new List<Task>();
        for (var i = 0; i < 3; i++)
        {
            var info = new ProcessStartInfo(ChildServer.DotnetHost()) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var argument in new[] { server, "--urls", $"http://127.0.0.1:{http[i]}", $"--Cluster:Port={remoting[i]}", $"--Cluster:Seeds=127.0.0.1:{remoting[0]},127.0.0.1:{remoting[1]}", "--Logging:LogLevel:Default=Warning", "--Logging:LogLevel:Chat.Hub=Information" })
            {
                info.ArgumentList.Add(argument);
            }

            var process = Process.Start(info)!;
            nodes._nodes.Add(process);
            var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            process.OutputDataReceived += (_, line) =>
            {
                if (line.Data?.EndsWith("3 members up", StringComparison.Ordinal) == true)
                {
                    up.TrySetResult();
                }
            };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            formed.Add(up.Task);
        }

        try
        {
            await Task.WhenAll(formed).WaitAsync(StartBound);
        }
        catch
        {
            await nodes.DisposeAsync();
            throw;
        }

        return nodes;
    }

    public ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            try
            {
                node.Kill(entireProcessTree: true);
                node.WaitForExit(TimeSpan.FromSeconds(10));
            }
            catch (InvalidOperationException)
            {
                // it had exited
            }

            node.Dispose();
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>The chat server, built beside this program by the project reference (same configuration).</summary>
    private static string ServerDll()
    {
        var here = Path.GetDirectoryName(typeof(ChatClusterNodes).Assembly.Location)!; // …/Wormhole.Benchmarks/bin/CONFIG/net10.0
        var parts = here.Split(Path.DirectorySeparatorChar);
        var root = string.Join(Path.DirectorySeparatorChar, parts[..^4]);
        var dll = Path.Combine(root, "Samples", "Chat", "Chat.Server", "bin", parts[^2], parts[^1], "Chat.Server.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException($"the chat server is not built: {dll}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
