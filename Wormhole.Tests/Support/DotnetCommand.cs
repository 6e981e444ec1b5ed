using System.Diagnostics;
using System.Text;
using Xunit;
using Xunit.Abstractions;

namespace Wormhole.Tests.Support;

/// <summary>
/// Runs <c>dotnet ARGUMENTS</c> as a child process for a test that builds, packs or documents something: the test host's
/// MSBuild and test-platform settings removed (they belong to this repository's build), no build servers left running,
/// the output logged, and the test failed with that output when the command outlasts the test's deadline.
/// </summary>
/// <param name="log">Where the command and its output go.</param>
/// <param name="deadline">When the test's time runs out.</param>
/// <param name="testBound">The test's whole time, for the failure message.</param>
public sealed class DotnetCommand(ITestOutputHelper log, DateTime deadline, TimeSpan testBound)
{
    /// <summary>Also removes <c>NUGET_PACKAGES</c>: the command restores into a folder of its own.</summary>
    public bool OwnPackagesFolder { get; init; }

    /// <summary>The exit code and output of <c>dotnet ARGUMENTS</c> in <paramref name="directory"/>.</summary>
    public async Task<(int ExitCode, string Output)> RunAsync(string directory, params string[] arguments)
    {
        var info = new ProcessStartInfo(SamplePrograms.DotnetHost())
        {
            WorkingDirectory = directory,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase) || k.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase) || (OwnPackagesFolder && k == "NUGET_PACKAGES")).ToList())
        {
            info.Environment.Remove(key);
        }

        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        info.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        info.Environment["MSBUILDDISABLENODEREUSE"] = "1";  // no build nodes left running after the test
        info.Environment["UseSharedCompilation"] = "false"; // nor a compiler server

        var command = $"dotnet {string.Join(' ', arguments)} (in {directory})";
        log.WriteLine($"> {command}");
        var output = new StringBuilder();
        using var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, line) => Append(line.Data);
        process.ErrorDataReceived += (_, line) => Append(line.Data);
        var watch = Stopwatch.StartNew();
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var bound = new CancellationTokenSource(TimeSpan.FromTicks(Math.Max(0, (deadline - DateTime.UtcNow).Ticks)));
        try
        {
            await process.WaitForExitAsync(bound.Token);
        }
        catch (OperationCanceledException)
        {
            SamplePrograms.Kill(process);
            Assert.Fail($"{command} had not finished when the test's {testBound.TotalMinutes} minutes ran out:\n{Text()}");
        }

        process.WaitForExit(); // the end of its redirected output
        var text = Text();
        log.WriteLine(text);
        log.WriteLine($"({watch.Elapsed.TotalSeconds:F1} s)");
        return (process.ExitCode, text);

        void Append(string? line)
        {
            if (line is not null)
            {
                lock (output)
                {
                    output.AppendLine(line);
                }
            }
        }

        string Text()
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }

    /// <summary>As <see cref="RunAsync"/>, failing the test with the output when the command fails.</summary>
    public async Task<string> SucceedAsync(string directory, params string[] arguments)
    {
        var (exitCode, output) = await RunAsync(directory, arguments);
        Assert.True(exitCode == 0, $"dotnet {string.Join(' ', arguments)} (in {directory}) exited with {exitCode}:\n{output}");
        return output;
    }
}
