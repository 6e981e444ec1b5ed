namespace Wormhole.Benchmarks.Workloads;

/// <summary>The names each JSON line carries in <c>system</c>.</summary>
internal static class Systems
{
    public const string WormholeTcp = "wormhole-tcp";
    public const string WormholeWebSocket = "wormhole-ws";
    /// <summary>An experiment: the TCP client conduit with coalesced writes (<see cref="Harness.BatchedTcpConduit"/>); no target applies.</summary>
    public const string WormholeTcpBatched = "wormhole-tcp batched-writes (experiment)";
    public const string AkkaRemote = "akka-remote";
    public const string RawSocket = "raw-socket";
}
