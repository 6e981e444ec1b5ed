namespace Wormhole.Benchmarks.Workloads;

/// <summary>The names each JSON line carries in <c>system</c>.</summary>
internal static class Systems
{
    public const string WormholeTcp = "wormhole-tcp";
    public const string WormholeTls = "wormhole-tls";
    public const string WormholeWebSocket = "wormhole-ws";
    public const string AkkaRemote = "akka-remote";
    public const string AkkaRemoteProtobuf = "akka-remote-protobuf";
    public const string RawSocket = "raw-socket";
    public const string AkkaStreamRefs = "akka-streamrefs";
    public const string SignalR = "signalr-ws";
    public const string SignalRSkipNegotiate = "signalr-ws-skip-negotiate";
}
