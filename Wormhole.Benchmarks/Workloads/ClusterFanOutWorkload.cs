using System.Collections.Concurrent;
using System.Diagnostics;
using Akka.Actor;
using Chat.Contracts;
using Wormhole.Benchmarks.Harness;
using Wormhole.Reactive;
using Wormhole.Streams;

namespace Wormhole.Benchmarks.Workloads;

/// <summary>
/// The clustered chat under load: three chat server nodes (Akka.Cluster, DistributedPubSub between their hubs) as OS
/// processes, N console-like clients in this process over WebSocket, each posting with a few posts in flight. Run twice
/// on the same three nodes, after a warm-up round on all three: the clients spread over the three, then all on node 1. Figures: posts per second accepted
/// (acked by the hub), and the time from a post to its delivery at a client on another node (on one node: at another
/// client), p50 and p99, over every delivery.
/// </summary>
internal static class ClusterFanOutWorkload
{
    private const int InFlightPerClient = 4;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    public static async Task RunAsync(Report report, bool quick)
    {
        var clients = quick ? 9 : 30;
        var postsPerClient = quick ? 30 : 100;
        await using var nodes = await ChatClusterNodes.StartAsync();
        await MeasureAsync(nodes.Urls, clients: 6, postsPerClient: 20, spread: true); // warm-up: every node's JIT and pub-sub, not reported
        var results = new Dictionary<string, (double PostsPerSecond, double P50, double P99, int Deliveries)>();
        foreach (var (label, spread) in new[] { ("clients on 3 nodes", true), ("clients on 1 node", false) })
        {
            var result = await MeasureAsync(nodes.Urls, clients, postsPerClient, spread);
            results[label] = result;
            report.Emit("cluster-fanout", label, new() { ["clients"] = clients, ["posts"] = clients * postsPerClient, ["posts_per_s"] = result.PostsPerSecond, ["p50_ms"] = result.P50, ["p99_ms"] = result.P99, ["deliveries"] = result.Deliveries });
            report.Row("cluster-fanout", label, $"{Report.Rate(result.PostsPerSecond)} posts/s, delivery p50 {Report.Ms(result.P50)}, p99 {Report.Ms(result.P99)} ({clients} clients, {result.Deliveries:N0} deliveries)");
        }

        var (spreadRun, oneNode) = (results["clients on 3 nodes"], results["clients on 1 node"]);
        report.Note($"cluster-fanout: 3 nodes vs 1 node: posts/s {Report.Ratio(spreadRun.PostsPerSecond, oneNode.PostsPerSecond)}, delivery p50 {Report.Ratio(spreadRun.P50, oneNode.P50)}, p99 {Report.Ratio(spreadRun.P99, oneNode.P99)}. " +
            "All three nodes and the clients share this machine's cores: spreading adds a pub-sub hop between processes and no CPU, so on 2 cores it can only cost; on separate machines each node would carry a third of the connections.");
    }

    private static async Task<(double PostsPerSecond, double P50, double P99, int Deliveries)> MeasureAsync(IReadOnlyList<Uri> urls, int clients, int postsPerClient, bool spread)
    {
        var system = ActorSystem.Create("fanout-clients", Config.Quiet);
        var nexus = Nexus.Create(system, TrustedPeerOptions.Create());
        var latencies = new ConcurrentBag<double>();
        var expected = clients * postsPerClient * (clients - 1); // each post reaches every other client
        var delivered = 0;
        var allDelivered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            var rooms = new List<ActorRef<ChatRoom>>();
            for (var c = 0; c < clients; c++)
            {
                var node = spread ? c % urls.Count : 0;
                var me = c;
                var inbox = FnActor.Spawn<ChatClient>(system, async actor =>
                {
                    await foreach (var message in actor.Messages)
                    {
                        // "poster node ticks": a delivery to another client, timed from the post's send
                        if (message is MessagePosted posted && posted.Text.Split(' ') is [var poster, var from, var ticks] && int.Parse(poster) != me)
                        {
                            if (!spread || int.Parse(from) != node)
                            {
                                latencies.Add(Stopwatch.GetElapsedTime(long.Parse(ticks)).TotalMilliseconds);
                            }

                            if (Interlocked.Increment(ref delivered) == expected)
                            {
                                allDelivered.TrySetResult();
                            }
                        }
                    }
                });
                var portal = await nexus.ConnectAsync(Conduit.WebSocket(urls[node])).WaitAsync(Bound);
                var hub = await portal.LookupAsync<ChatHub>(ChatProtocol.HubName).WaitAsync(Bound);
                var welcome = await hub.Ask<Welcome>(port => new Connect { Client = inbox, Reply = port, Alias = $"c{c}" }, Bound);
                rooms.Add(welcome.Room!);
            }

            var clock = Stopwatch.StartNew();
            await Task.WhenAll(rooms.Select((room, c) => PostAsync(room, c, spread ? c % urls.Count : 0, postsPerClient)));
            var accepted = clients * postsPerClient / clock.Elapsed.TotalSeconds;
            await allDelivered.Task.WaitAsync(Bound);
            var sorted = latencies.Order().ToArray();
            return (accepted, sorted[sorted.Length / 2], sorted[(int)(sorted.Length * 0.99)], delivered);
        }
        finally
        {
            await nexus.DisposeAsync();
            await system.Terminate();
        }
    }

    /// <summary>One client's posts, <see cref="InFlightPerClient"/> awaiting their ack at a time.</summary>
    private static async Task PostAsync(ActorRef<ChatRoom> room, int client, int node, int posts)
    {
        var inFlight = new SemaphoreSlim(InFlightPerClient);
        var acks = new List<Task>();
        for (var i = 0; i < posts; i++)
        {
            await inFlight.WaitAsync();
            acks.Add(room.Ask<Ack>(port => new Post { Text = $"{client} {node} {Stopwatch.GetTimestamp()}", Reply = port }, Bound)
                .ContinueWith(ack => { inFlight.Release(); return ack.Result.Accepted ? ack : throw new InvalidOperationException(ack.Result.Refusal); }, TaskScheduler.Default).Unwrap());
        }

        await Task.WhenAll(acks);
    }
}
