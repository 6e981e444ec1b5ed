using Wormhole.Streams;

namespace Wormhole.Benchmarks.Harness;

/// <summary>
/// The limits the throughput workloads run with: two trusted processes on one machine. Wormhole's defaults are for
/// untrusted peers (10,000 frames/s inbound, 10,000 publications), which would cap what these workloads measure; the
/// flood workload keeps the defaults.
/// </summary>
internal static class TrustedPeerOptions
{
    public static NexusOptions Create() => new()
    {
        MaxInboundFramesPerSecond = 5_000_000,
        MaxInboundBytesPerSecond = 1024 * 1024 * 1024,
        MaxOutboundFrames = 100_000,
        MaxOutboundBytes = 256L * 1024 * 1024,
        MaxPublications = 1_000_000,
        MaxProxies = 1_000_000,
        MaxPendingReplies = 100_000,
    };
}
