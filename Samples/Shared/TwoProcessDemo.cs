using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Wormhole.Samples;

/// <summary>
/// A sample's demo mode, shared by the samples that run as two processes (linked into each, not a project): runs this
/// program again as <c>server</c> and as <c>client</c> (with the client arguments given), relays their output prefixed
/// <c>[server]</c> / <c>[client]</c>, stops the server and returns the client's exit code.
/// </summary>
/// <remarks>The server must print <c>listening on 127.0.0.1:PORT</c>; the client gets <c>--port PORT</c>.</remarks>
internal static partial class TwoProcessDemo
{
    private static readonly TimeSpan StartBound = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StopBound = TimeSpan.FromSeconds(15);

    /// <param name="clientArguments">Passed on to the client after <c>--port PORT</c>.</param>
    /// <param name="clientBound">How long the client may run before it is killed (the demo then fails).</param>
    public static async Task<int> RunAsync(string[] clientArguments, TimeSpan clientBound)
    {
        using var server = Start("server", "server");
        try
        {
            Console.WriteLine($"[demo] started the server, process {server.Process.Id}");
            var port = await server.Port.WaitAsync(StartBound);
            using var client = Start("client", ["client", "--port", port.ToString(), .. clientArguments]);
            Console.WriteLine($"[demo] started the client, process {client.Process.Id}, for port {port}");
            try
            {
                await client.Process.WaitForExitAsync().WaitAsync(clientBound);
            }
            catch (TimeoutException)
            {
                Console.Error.WriteLine($"[demo] the client did not finish within {clientBound.TotalSeconds:0} s; killing process {client.Process.Id}");
                client.Process.Kill();
                return 1;
            }

            Console.WriteLine($"[demo] the client exited with code {client.Process.ExitCode}");
            return client.Process.ExitCode;
        }
        catch (TimeoutException)
        {
            Console.Error.WriteLine($"[demo] the server printed no port within {StartBound.TotalSeconds:0} s");
            return 1;
        }
        finally
        {
            await StopAsync(server.Process);
        }
    }

    /// <summary>Closes the server's stdin (its signal to stop) and kills it by its id if it is still alive after <see cref="StopBound"/>.</summary>
    private static async Task StopAsync(Process server)
    {
        if (server.HasExited)
        {
            return;
        }

        server.StandardInput.Close();
        try
        {
            await server.WaitForExitAsync().WaitAsync(StopBound);
            Console.WriteLine($"[demo] the server exited with code {server.ExitCode}");
        }
        catch (TimeoutException)
        {
            Console.Error.WriteLine($"[demo] the server did not stop within {StopBound.TotalSeconds:0} s; killing process {server.Id}");
            server.Kill();
        }
    }

    /// <summary>Starts this program again with <paramref name="arguments"/> and relays its output under <paramref name="label"/>.</summary>
    private static Child Start(string label, params string[] arguments)
    {
        var info = new ProcessStartInfo(Environment.ProcessPath!)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (Path.GetFileNameWithoutExtension(info.FileName).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            info.ArgumentList.Add(System.Reflection.Assembly.GetEntryAssembly()!.Location); // `dotnet Sample.dll`: the host needs the app
        }

        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        var port = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, line) =>
        {
            if (line.Data is null)
            {
                port.TrySetException(new InvalidOperationException($"the {label} closed its output before printing a port"));
                return;
            }

            if (ListeningLine().Match(line.Data) is { Success: true } match)
            {
                port.TrySetResult(int.Parse(match.Groups[1].Value));
            }

            Console.WriteLine($"[{label}] {line.Data}");
        };
        process.ErrorDataReceived += (_, line) =>
        {
            if (line.Data is not null)
            {
                Console.Error.WriteLine($"[{label}] {line.Data}");
            }
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new Child(process, port.Task);
    }

    [GeneratedRegex(@"^listening on 127\.0\.0\.1:(\d+)$")]
    private static partial Regex ListeningLine();

    private sealed record Child(Process Process, Task<int> Port) : IDisposable
    {
        public void Dispose() => Process.Dispose();
    }
}
