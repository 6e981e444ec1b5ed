using System.Text.RegularExpressions;
using Wormhole.Tests.Support;
using Xunit.Abstractions;

namespace Wormhole.Tests.Samples;

/// <summary>The chat as a user runs it: the built server and console clients as OS processes on 127.0.0.1, talking over WebSockets.</summary>
public sealed class ChatProcessTests
{
    private const string Server = "Samples/Chat/Chat.Server";
    private const string Client = "Samples/Chat/Chat.Client";
    private const string ListeningOn = @"chat server listening on (ws://127\.0\.0\.1:\d+/chat)$";

    /// <summary>Starting a .NET process (an actor system, Kestrel) on a loaded 2-core machine, or waiting for one to see something.</summary>
    private static readonly TimeSpan ProcessBound = TimeSpan.FromSeconds(60);

    private readonly ITestOutputHelper _output;

    public ChatProcessTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public async Task TwoClients_PostArrives_KilledClientLeaves_StoppedServerIsALostConnection()
    {
        using var server = SampleProcess.Start(_output, "server", Server, "--urls", "http://127.0.0.1:0");
        using var alice = await JoinAsync(server, "alice");
        using var bob = await JoinAsync(server, "bob");
        await alice.WaitForLineAsync(@"^\* bob joined$", ProcessBound);

        await alice.WriteLineAsync("hello from alice");
        await bob.WaitForLineAsync(@"^\[\d\d:\d\d:\d\d\] alice: hello from alice$", ProcessBound);

        bob.Kill();
        await alice.WaitForLineAsync(@"^\* bob left$", ProcessBound);
        await server.WaitForLineAsync("bob left; 1 online", ProcessBound); // learnt from the proxy's Terminated
        await server.WaitForLineAsync(@"closed: ConduitFailed: ", ProcessBound); // the peer went away: not a ClosedLocally

        server.Terminate();
        await alice.WaitForLineAsync("^lost connection to the server: ClosedByPeer: ", ProcessBound);
        await alice.Process.WaitForExitAsync().WaitAsync(ProcessBound);
        Assert.Equal(3, alice.Process.ExitCode);
        await server.Process.WaitForExitAsync().WaitAsync(ProcessBound);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(0, server.Process.ExitCode); // SIGTERM is a clean stop
            await server.WaitForLineAsync("chat server stopped$", ProcessBound);
        }
    }

    [Fact]
    public async Task Client_ScriptedInput_CommandsWork_EndOfInputLeavesCleanlyWithExitZero()
    {
        using var server = SampleProcess.Start(_output, "server", Server, "--urls", "http://127.0.0.1:0");
        using var alice = await JoinAsync(server, "alice");

        await alice.WriteLineAsync("/nick ally");
        await alice.WriteLineAsync("   ");
        await alice.WriteLineAsync("/who");
        alice.Process.StandardInput.Close();

        await alice.Process.WaitForExitAsync().WaitAsync(ProcessBound);
        Assert.Equal(0, alice.Process.ExitCode);
        await alice.WaitForLineAsync(@"^\* alice is now ally$", ProcessBound);
        await alice.WaitForLineAsync("^! not posted: empty message", ProcessBound);
        await alice.WaitForLineAsync(@"^online \(1\): ally$", ProcessBound);
        await server.WaitForLineAsync("ally left; 0 online", ProcessBound);
        Assert.DoesNotContain("lost connection", alice.Output);
    }

    [Fact]
    public async Task Client_History_PrintsEveryPostInOrder_MoreThanAWindowOfThem()
    {
        const int posts = 300; // more than the 256 posts of credit the client's portal grants at first
        using var server = SampleProcess.Start(_output, "server", Server, "--urls", "http://127.0.0.1:0");
        using var alice = await JoinAsync(server, "alice");

        for (var i = 1; i <= posts; i++)
        {
            await alice.WriteLineAsync($"post {i}");
        }

        await alice.WriteLineAsync("/history");
        alice.Process.StandardInput.Close();

        await alice.Process.WaitForExitAsync().WaitAsync(ProcessBound);
        Assert.Equal(0, alice.Process.ExitCode);
        var output = alice.Output;
        var start = output.IndexOf($"history ({posts} posts):\n", StringComparison.Ordinal);
        Assert.True(start >= 0, output);
        var after = output[start..].Split('\n').Skip(1).TakeWhile(line => !line.StartsWith("end of history", StringComparison.Ordinal)).ToList();
        var history = after.Where(line => line.StartsWith("  ", StringComparison.Ordinal)); // a push printed meanwhile has no indent
        Assert.Equal(Enumerable.Range(1, posts).Select(i => $"alice: post {i}"), history.Select(line => Regex.Replace(line, @"^  \[\d\d:\d\d:\d\d\] ", "")));
        Assert.Contains($"\nend of history ({posts} posts)\n", output[start..]);
        await server.WaitForLineAsync($"alice reads the history: {posts} posts", ProcessBound);
    }

    [Fact]
    public async Task Client_NoServer_ExitsTwoSayingItCannotConnect()
    {
        var port = FreePort.Tcp();
        using var client = SampleProcess.Start(_output, "client", Client, "--url", $"ws://127.0.0.1:{port}/chat");

        await client.Process.WaitForExitAsync().WaitAsync(ProcessBound);

        Assert.Equal(2, client.Process.ExitCode);
        await client.WaitForLineAsync($"^cannot connect to ws://127.0.0.1:{port}/chat: ", ProcessBound);
    }

    [Fact]
    public async Task ReconnectingClient_ServerRestartsOnItsPort_ItRejoinsUnderItsAlias_AndAPostAfterTheRejoinReachesTheOthers()
    {
        var port = FreePort.Tcp();
        var urls = new[] { "--urls", $"http://127.0.0.1:{port}" };
        var first = SampleProcess.Start(_output, "server-1", Server, urls);
        SampleProcess? second = null;
        try
        {
            using var alice = await JoinAsync(first, "alice", "--reconnect");
            await alice.WriteLineAsync("/nick ally"); // the alias it rejoins under is the one it has now
            await alice.WaitForLineAsync(@"^\* alice is now ally$", ProcessBound);

            first.Terminate(); // a Goodbye, then the server is gone: the client backs off and tries again
            await alice.WaitForLineAsync(@"^\* connection lost \(ClosedByPeer: the peer said goodbye: .*\); reconnecting in \d+\.\d s \(attempt 1\)$", ProcessBound);
            await first.Process.WaitForExitAsync().WaitAsync(ProcessBound);
            second = SampleProcess.Start(_output, "server-2", Server, urls);
            await alice.WaitForLineAsync(@"^\* rejoined as ally; online \(1\): ally$", ProcessBound);
            using var bob = await JoinAsync(second, "bob");

            await alice.WriteLineAsync("posted after the rejoin");

            await bob.WaitForLineAsync(@"^\[\d\d:\d\d:\d\d\] ally: posted after the rejoin$", ProcessBound);
            alice.Process.StandardInput.Close();
            await alice.Process.WaitForExitAsync().WaitAsync(ProcessBound);
            Assert.Equal(0, alice.Process.ExitCode);
        }
        finally
        {
            first.Dispose();
            second?.Dispose();
        }
    }

    /// <summary>Starts a client for <paramref name="nick"/> against the server (once it listens) and waits for its welcome.</summary>
    private async Task<SampleProcess> JoinAsync(SampleProcess server, string nick, params string[] options)
    {
        var url = (await server.WaitForLineAsync(ListeningOn, ProcessBound)).Groups[1].Value;
        var client = SampleProcess.Start(_output, nick, Client, ["--url", url, "--nick", nick, .. options]);
        try
        {
            await client.WaitForLineAsync($"^connected to {Regex.Escape(url)} as {nick}$", ProcessBound);
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }
}
