using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Threading.Channels;

namespace Wormhole.Benchmarks.Harness;

/// <summary>
/// This program started again as the server side (<c>dotnet &lt;own dll&gt; serve &lt;system&gt; …</c>), in its own OS process.
/// Waits for its <c>listening on HOST:PORT</c> line; talks to it over stdin/stdout (<see cref="ServerConsole"/>); kills it by id.
/// </summary>
internal sealed partial class ChildServer : IAsyncDisposable
{
    private static readonly TimeSpan StartBound = TimeSpan.FromSeconds(60);
    private readonly Process _process;
    private readonly Channel<string> _replies = Channel.CreateUnbounded<string>();
    private readonly TaskCompletionSource<string> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim _command = new(1, 1);
    private readonly List<string> _lines = [];

    private ChildServer(Process process) => _process = process;

    public string Endpoint { get; private set; } = "";

    public int ProcessId => _process.Id;

    public int Port => int.Parse(Endpoint[(Endpoint.LastIndexOf(':') + 1)..]);

    /// <summary>Extra <c>key value</c> lines the server printed before listening (e.g. <c>websocket ws://…</c>).</summary>
    public Dictionary<string, string> Announced { get; } = new();

    public static async Task<ChildServer> StartAsync(params string[] arguments)
    {
        var info = new ProcessStartInfo(DotnetHost())
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.ArgumentList.Add(typeof(ChildServer).Assembly.Location);
        info.ArgumentList.Add("serve");
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        var child = new ChildServer(new Process { StartInfo = info });
        child._process.OutputDataReceived += (_, e) => child.OnLine(e.Data);
        child._process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { Length: > 0 } line)
            {
                lock (child._lines)
                {
                    child._lines.Add("stderr: " + line);
                }
            }
        };
        child._process.Start();
        child._process.BeginOutputReadLine();
        child._process.BeginErrorReadLine();
        try
        {
            child.Endpoint = await child._listening.Task.WaitAsync(StartBound).ConfigureAwait(false);
        }
        catch
        {
            await child.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return child;
    }

    /// <summary>Sends one control command and returns the server's one-line JSON reply.</summary>
    public async Task<JsonElement> CommandAsync(string command, TimeSpan? within = null)
    {
        await _command.WaitAsync().ConfigureAwait(false);
        try
        {
            await _process.StandardInput.WriteLineAsync(command).ConfigureAwait(false);
            await _process.StandardInput.FlushAsync().ConfigureAwait(false);
            var line = await _replies.Reader.ReadAsync().AsTask().WaitAsync(within ?? TimeSpan.FromSeconds(60)).ConfigureAwait(false);
            var reply = JsonDocument.Parse(line).RootElement;
            if (reply.TryGetProperty("error", out var error))
            {
                throw new InvalidOperationException($"the server failed '{command}': {error}");
            }

            return reply;
        }
        finally
        {
            _command.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.StandardInput.Close(); // a clean stop first
                if (!_process.WaitForExit(TimeSpan.FromSeconds(5)))
                {
                    _process.Kill(entireProcessTree: true);
                    await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
                }
            }
        }
        catch (InvalidOperationException)
        {
            // it exited meanwhile
        }
        catch (TimeoutException)
        {
            // reported by the caller's results, not fatal
        }

        _process.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            string output;
            lock (_lines)
            {
                output = string.Join('\n', _lines);
            }

            _listening.TrySetException(new InvalidOperationException($"the server closed its output before listening:\n{output}"));
            _replies.Writer.TryComplete(new InvalidOperationException($"the server exited:\n{output}"));
            return;
        }

        if (line.StartsWith("reply ", StringComparison.Ordinal))
        {
            _replies.Writer.TryWrite(line["reply ".Length..]);
        }
        else if (ListeningLine().Match(line) is { Success: true } match)
        {
            _listening.TrySetResult(match.Groups[1].Value);
        }
        else if (AnnounceLine().Match(line) is { Success: true } announce)
        {
            Announced[announce.Groups[1].Value] = announce.Groups[2].Value;
        }
        else
        {
            lock (_lines)
            {
                _lines.Add(line);
            }
        }
    }

    internal static string DotnetHost()
    {
        if (Environment.ProcessPath is { } current && Path.GetFileNameWithoutExtension(current) == "dotnet")
        {
            return current;
        }

        return Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";
    }

    [GeneratedRegex(@"^listening on (\S+:\d+)$")]
    private static partial Regex ListeningLine();

    [GeneratedRegex(@"^announce (\S+) (\S+)$")]
    private static partial Regex AnnounceLine();
}
