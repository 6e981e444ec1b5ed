using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Wormhole.Tests.Support;
using Xunit.Abstractions;

namespace Wormhole.Tests.Samples;

/// <summary>
/// Samples/Streaming as a user runs it: the server and the client as OS processes on 127.0.0.1, the live feed read
/// slowly (its producer held back by credit, then cancelled) and a file uploaded in chunks, checked by SHA-256.
/// </summary>
public sealed class StreamingSampleTests
{
    private const string Sample = "Streaming";

    /// <summary>The demo: three process starts on a loaded 2-core machine, a 3-second feed, a small upload, a clean stop.</summary>
    private static readonly TimeSpan DemoBound = TimeSpan.FromSeconds(150);

    /// <summary>Starting a .NET process with an actor system on a loaded 2-core machine.</summary>
    private static readonly TimeSpan ProcessBound = TimeSpan.FromSeconds(60);

    private readonly ITestOutputHelper _output;

    public StreamingSampleTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public async Task Demo_FeedReadSlowly_ProducerStaysWithinAWindow_IsCancelled_UploadHashesMatch_ExitsZero()
    {
        using var demo = SampleProcess.Start(_output, "demo", Sample, "--seconds", "3", "--rate", "100", "--mib", "4");

        await demo.Process.WaitForExitAsync().WaitAsync(DemoBound);

        var output = demo.Output;
        Assert.True(demo.Process.ExitCode == 0, $"the demo exited with code {demo.Process.ExitCode}:\n{output}");
        Assert.Matches(@"\[client\] client: feed: +[\d,]+ quotes, +\d+/s, last WHL [\d.]+; the producer has made +[\d,]+: +\d+ ahead", output);
        var feed = Regex.Match(output, @"\[client\] client: feed: stopped reading after [\d.]+ s: ([\d,]+) quotes, .*; the producer was at most (\d+) ahead \(window (\d+)\)");
        Assert.True(feed.Success, output);
        var (read, ahead, window) = (Number(feed.Groups[1]), Number(feed.Groups[2]), Number(feed.Groups[3]));
        Assert.InRange(read, 100, (3 * 100) + 5); // it read slowly: what the rate allows in 3 s, give or take the last one
        Assert.InRange(ahead, 1, window);
        var cancelled = Regex.Match(output, @"\[server\] server: ticker: feed 1 producer cancelled by the client after ([\d,]+) quotes");
        Assert.True(cancelled.Success, output);
        Assert.InRange(Number(cancelled.Groups[1]), read, read + window); // an endless producer, held to the credit

        var sent = Regex.Match(output, @"\[client\] client: upload: sending \S+, 4,194,304 bytes, SHA-256 ([0-9a-f]{64}), in 64 KiB chunks");
        Assert.True(sent.Success, output);
        Assert.Matches(@"\[client\] client: upload \[#{20}\]   4\.0 of 4\.0 MiB", output);
        Assert.Contains($"stored 4,194,304 bytes from 64 chunks, SHA-256 {sent.Groups[1].Value}", output);
        Assert.Contains($"[client] client: upload: the server stored 4,194,304 bytes, SHA-256 {sent.Groups[1].Value}: the hashes match", output);
        Assert.Contains("[demo] the server exited with code 0", output);
    }

    [Fact]
    public async Task ServerAndClient_UploadOfAGivenFile_TheServerStoresExactlyItsBytes()
    {
        var file = Path.Combine(Path.GetTempPath(), $"wormhole-test-{Guid.NewGuid():N}.bin");
        var bytes = new byte[(3 * 64 * 1024) + 12_345]; // three full chunks and a short one
        new Random(12).NextBytes(bytes);
        await File.WriteAllBytesAsync(file, bytes);
        var hash = Convert.ToHexStringLower(SHA256.HashData(bytes));
        using var server = SampleProcess.Start(_output, "server", Sample, "server");
        try
        {
            var port = (await server.WaitForLineAsync(@"^listening on 127\.0\.0\.1:(\d+)$", ProcessBound)).Groups[1].Value;
            using var client = SampleProcess.Start(_output, "client", Sample, "client", "--port", port, "--seconds", "1", "--file", file);

            await client.Process.WaitForExitAsync().WaitAsync(ProcessBound);

            Assert.True(client.Process.ExitCode == 0, $"the client exited with code {client.Process.ExitCode}:\n{client.Output}");
            await server.WaitForLineAsync($@"^server: upload ""{Regex.Escape(Path.GetFileName(file))}"": stored 208,953 bytes from 4 chunks, SHA-256 {hash}$", ProcessBound);
            await server.WaitForLineAsync(@"^server: ticker: feed 1 producer cancelled by the client after [\d,]+ quotes$", ProcessBound);
            server.Process.StandardInput.Close();
            await server.Process.WaitForExitAsync().WaitAsync(ProcessBound);
            Assert.Equal(0, server.Process.ExitCode);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static long Number(Group group) => long.Parse(group.Value.Replace(",", ""));
}
