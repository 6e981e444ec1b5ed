using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Wormhole.Tests.Support;

/// <summary>
/// A built sample run as a child process (<c>dotnet Samples/…/bin/&lt;Configuration&gt;/&lt;TFM&gt;/Name.dll …</c>), its stdout and
/// stderr collected line by line, with waits for a line that matches. Dispose kills it by its own id.
/// </summary>
public sealed partial class SampleProcess : IDisposable
{
    private readonly Lock _lock = new();
    private readonly List<string> _lines = [];
    private readonly List<(Regex Pattern, TaskCompletionSource<Match> Found)> _waiters = [];
    private readonly ITestOutputHelper _log;
    private readonly string _label;
    private int _streamsOpen = 2;

    private SampleProcess(ITestOutputHelper log, string label, Process process)
    {
        _log = log;
        _label = label;
        Process = process;
    }

    public Process Process { get; }

    /// <summary>Everything printed so far, stdout and stderr, one line each.</summary>
    public string Output
    {
        get
        {
            lock (_lock)
            {
                return string.Concat(_lines.Select(line => line + "\n"));
            }
        }
    }

    /// <summary>Starts <c>dotnet &lt;sample&gt;.dll arguments…</c>, with its stdin redirected (write to it, or close it).</summary>
    /// <param name="log">Where each line goes, prefixed with the label.</param>
    /// <param name="label">A name for this process in logs and messages.</param>
    /// <param name="projectFolder">The sample's folder from the repository root, e.g. <c>Samples/Chat/Chat.Server</c>; the dll is named after it.</param>
    /// <param name="arguments">The program's arguments.</param>
    public static SampleProcess Start(ITestOutputHelper log, string label, string projectFolder, params string[] arguments)
    {
        var info = SamplePrograms.StartInfo(projectFolder.StartsWith("Samples/", StringComparison.Ordinal) ? projectFolder["Samples/".Length..] : projectFolder, arguments);
        info.RedirectStandardInput = true;
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        var child = new SampleProcess(log, label, new Process { StartInfo = info });
        child.Process.OutputDataReceived += (_, line) => child.OnLine(line.Data);
        child.Process.ErrorDataReceived += (_, line) => child.OnLine(line.Data);
        child.Process.Start();
        child.Process.BeginOutputReadLine();
        child.Process.BeginErrorReadLine();
        return child;
    }

    /// <summary>The first line, printed so far or later, that matches <paramref name="pattern"/>.</summary>
    /// <exception cref="TimeoutException">None within <paramref name="bound"/>, or the process closed its output first; the message holds the output.</exception>
    public async Task<Match> WaitForLineAsync(string pattern, TimeSpan bound)
    {
        var regex = new Regex(pattern);
        var found = new TaskCompletionSource<Match>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            if (_lines.Select(line => regex.Match(line)).FirstOrDefault(m => m.Success) is { } match)
            {
                return match;
            }

            if (_streamsOpen == 0)
            {
                throw new TimeoutException($"the {_label} closed its output without a line matching /{pattern}/:\n{Output}");
            }

            _waiters.Add((regex, found));
        }

        try
        {
            return await found.Task.WaitAsync(bound);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"no line matching /{pattern}/ from the {_label} within {bound.TotalSeconds:0} s:\n{Output}");
        }
    }

    /// <summary>Writes <paramref name="line"/> to the process's stdin.</summary>
    public async Task WriteLineAsync(string line)
    {
        await Process.StandardInput.WriteLineAsync(line);
        await Process.StandardInput.FlushAsync();
    }

    /// <summary>Asks the process to stop as a service manager would: SIGTERM on Unix (a kill elsewhere).</summary>
    public void Terminate()
    {
        if (OperatingSystem.IsWindows() || SendSignal(Process.Id, 15) != 0)
        {
            Kill();
        }
    }

    /// <summary>Kills the process (and any process it started) by its own id, if it still runs.</summary>
    public void Kill() => SamplePrograms.Kill(Process);

    public void Dispose()
    {
        Kill();
        Process.Dispose();
    }

    // DllImport, not LibraryImport: the generated stub would need unsafe code in the test project, for two ints.
    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);

    private void OnLine(string? line)
    {
        List<TaskCompletionSource<Match>> closed = [];
        List<(TaskCompletionSource<Match> Found, Match Match)> matched = [];
        lock (_lock)
        {
            if (line is null)
            {
                if (--_streamsOpen == 0)
                {
                    closed.AddRange(_waiters.Select(w => w.Found));
                    _waiters.Clear();
                }
            }
            else
            {
                _lines.Add(line);
                foreach (var waiter in _waiters.ToList())
                {
                    if (waiter.Pattern.Match(line) is { Success: true } match)
                    {
                        matched.Add((waiter.Found, match));
                        _waiters.Remove(waiter);
                    }
                }
            }
        }

        foreach (var (found, match) in matched)
        {
            found.TrySetResult(match);
        }

        foreach (var found in closed)
        {
            found.TrySetException(new TimeoutException($"the {_label} closed its output before the line awaited:\n{Output}"));
        }

        if (line is not null)
        {
            try
            {
                _log.WriteLine($"[{_label}] {line}");
            }
            catch (InvalidOperationException)
            {
                // the test has finished; xunit no longer takes output
            }
        }
    }
}
