using System.Diagnostics;
using System.Text.RegularExpressions;
using Wormhole.Tests.Support;
using Xunit.Abstractions;

namespace Wormhole.Tests.Samples;

/// <summary>
/// The clustered chat as a user runs it: three server nodes as OS processes forming an Akka.Cluster on 127.0.0.1, three
/// console clients on different nodes, one node killed (-9) and one stopped (SIGTERM) under them.
/// </summary>
public sealed class ChatClusterProcessTests(ITestOutputHelper output)
{
    private const string Server = "Samples/Chat/Chat.Server";
    private const string Client = "Samples/Chat/Chat.Client";

    /// <summary>Starting a node (an actor system, Kestrel, joining the cluster) on a loaded 2-core machine, or seeing something through one.</summary>
    private static readonly TimeSpan ProcessBound = TimeSpan.FromSeconds(90);

    /// <summary>
    /// The stated bound for a client to be back in the chat after its node died or left: the reconnect's backoff (0.5 s,
    /// then 1 s, …) over the next endpoints, the handshake and the join, on a loaded machine.
    /// </summary>
    private static readonly TimeSpan RejoinBound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task ThreeNodes_PostsFanOut_AKilledNodesClientRejoinsElsewhere_AStoppedNodesClientGetsAGoodbyeAndRejoins()
    {
        var http = Enumerable.Range(0, 3).Select(_ => FreePort.Tcp()).ToArray();
        var remoting = Enumerable.Range(0, 3).Select(_ => FreePort.Tcp()).ToArray();
        var urls = http.Select(port => $"ws://127.0.0.1:{port}/chat").ToArray();
        var seeds = $"127.0.0.1:{remoting[0]},127.0.0.1:{remoting[1]}";
        var nodes = Enumerable.Range(0, 3).Select(i => SampleProcess.Start(output, $"node-{i + 1}", Server,
            "--urls", $"http://127.0.0.1:{http[i]}", $"--Cluster:Port={remoting[i]}", $"--Cluster:Seeds={seeds}")).ToArray();
        var clients = new List<SampleProcess>();
        try
        {
            foreach (var node in nodes)
            {
                await node.WaitForLineAsync("cluster: .* is up; 3 members up$", ProcessBound); // membership, not a sleep
            }

            // Each client lists its own node first, then the others in turn. Joined in this order so that each "joined"
            // line waited for below is the first of its kind the client prints.
            var bob = await JoinAsync(clients, "bob", urls, 1);
            var carol = await JoinAsync(clients, "carol", urls, 2);
            var alice = await JoinAsync(clients, "alice", urls, 0);

            await alice.WriteLineAsync("one from alice on node 1");
            await bob.WaitForLineAsync(@"\] alice: one from alice on node 1$", ProcessBound);
            await carol.WaitForLineAsync(@"\] alice: one from alice on node 1$", ProcessBound);

            // kill -9 node 3: carol goes on through node 1; the others see her leave and come back.
            var killed = Stopwatch.StartNew();
            nodes[2].Kill();
            await carol.WaitForLineAsync(@"^\* connection lost \(Conduit(Failed|Completed): .*\); reconnecting in", RejoinBound);
            await carol.WaitForLineAsync(@"^\* rejoined as carol; online \(\d\)", RejoinBound); // her old self may still be listed until node 3 is seen unreachable
            var carolBack = killed.Elapsed;
            await alice.WaitForLineAsync(@"^\* carol joined$", ProcessBound);
            await alice.WaitForLineAsync(@"^\* carol left$", ProcessBound); // once node 1 sees node 3 unreachable
            await bob.WaitForLineAsync(@"^\* carol left$", ProcessBound);
            await carol.WriteLineAsync("two from carol after her rejoin");
            await alice.WaitForLineAsync(@"\] carol: two from carol after her rejoin$", ProcessBound);
            await bob.WaitForLineAsync(@"\] carol: two from carol after her rejoin$", ProcessBound);

            // SIGTERM node 2: it leaves the cluster in order; bob gets its Goodbye first and goes on through node 1.
            var stopped = Stopwatch.StartNew();
            nodes[1].Terminate();
            await bob.WaitForLineAsync(@"^\* connection lost \(ClosedByPeer: the peer said goodbye: .*\); reconnecting in", RejoinBound);
            await bob.WaitForLineAsync(@"^\* rejoined as bob; online \(\d\)", RejoinBound);
            var bobBack = stopped.Elapsed;
            await alice.WaitForLineAsync(@"^\* bob left$", ProcessBound);
            await alice.WaitForLineAsync(@"^\* bob joined$", ProcessBound);
            await carol.WaitForLineAsync(@"^\* bob joined$", ProcessBound);
            await bob.WriteLineAsync("three from bob after his rejoin");
            await alice.WriteLineAsync("four from alice after bob's rejoin");
            foreach (var (reader, line) in new[] { (alice, "bob: three"), (carol, "bob: three"), (bob, "alice: four"), (carol, "alice: four") })
            {
                await reader.WaitForLineAsync($@"\] {Regex.Escape(line)} ", ProcessBound); // nothing posted after the rejoins is lost
            }

            await nodes[1].Process.WaitForExitAsync().WaitAsync(ProcessBound);
            Assert.Equal(0, nodes[1].Process.ExitCode); // SIGTERM is a clean stop: a Goodbye, then a graceful leave
            output.WriteLine($"rejoined after node 3 was killed: {carolBack.TotalSeconds:0.0} s; after node 2 was stopped: {bobBack.TotalSeconds:0.0} s (bound {RejoinBound.TotalSeconds:0} s)");
        }
        finally
        {
            foreach (var process in clients.Concat(nodes))
            {
                process.Dispose();
            }
        }
    }

    /// <summary>Starts a reconnecting client for <paramref name="nick"/> on node <paramref name="home"/> (its first URL), the other nodes after it, and waits for its welcome.</summary>
    private async Task<SampleProcess> JoinAsync(List<SampleProcess> clients, string nick, string[] urls, int home)
    {
        var arguments = new List<string> { "--nick", nick, "--reconnect" };
        for (var i = 0; i < urls.Length; i++)
        {
            arguments.AddRange(["--url", urls[(home + i) % urls.Length]]);
        }

        var client = SampleProcess.Start(output, nick, Client, [.. arguments]);
        clients.Add(client);
        await client.WaitForLineAsync($"^connected to {Regex.Escape(urls[home])} as {nick}$", ProcessBound);
        return client;
    }
}
