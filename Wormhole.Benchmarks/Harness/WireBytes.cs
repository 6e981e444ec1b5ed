using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Wormhole.Benchmarks.Harness;

/// <summary>
/// The TCP payload bytes a process has sent and received on its open connections, from the kernel's per-socket counters
/// (<c>ss -tinp</c>: <c>bytes_acked</c>, <c>bytes_received</c>), the same for every system whatever its transport code.
/// A connection's counters go with it, so take both readings while the measured connection is open.
/// </summary>
internal static partial class WireBytes
{
    /// <summary>The sums over <paramref name="processId"/>'s established TCP sockets, or null where <c>ss</c> is missing or fails.</summary>
    public static async Task<(long Sent, long Received)?> OfAsync(int processId)
    {
        string output;
        try
        {
            var info = new ProcessStartInfo("ss", "-tinpH state established") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            using var ss = Process.Start(info)!;
            output = await ss.StandardOutput.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(20));
            await ss.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
            if (ss.ExitCode != 0)
            {
                return null;
            }
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or TimeoutException or InvalidOperationException)
        {
            return null;
        }

        // Each socket is two lines: addresses and users, then (indented) the TCP info.
        long sent = 0, received = 0;
        var owner = $"pid={processId},";
        var lines = output.Split('\n');
        for (var i = 0; i + 1 < lines.Length; i++)
        {
            if (!lines[i].Contains(owner, StringComparison.Ordinal) || !char.IsWhiteSpace(lines[i + 1].FirstOrDefault('x')))
            {
                continue;
            }

            sent += Counter(AckedBytes(), lines[i + 1]);
            received += Counter(ReceivedBytes(), lines[i + 1]);
        }

        return (sent, received);
    }

    private static long Counter(Regex counter, string line) => counter.Match(line) is { Success: true } match ? long.Parse(match.Groups[1].Value) : 0;

    [GeneratedRegex(@"\bbytes_acked:(\d+)")]
    private static partial Regex AckedBytes();

    [GeneratedRegex(@"\bbytes_received:(\d+)")]
    private static partial Regex ReceivedBytes();
}
