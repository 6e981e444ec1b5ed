using Wormhole.Streams;

namespace PingPongSample;

/// <summary>
/// Both processes run on this machine and trust each other, so the burst is not held to the defaults meant for untrusted
/// peers (10,000 frames/s inbound per portal); every other limit keeps its default.
/// </summary>
internal static class LocalPeerOptions
{
    public static readonly NexusOptions Value = new() { MaxInboundFramesPerSecond = 1_000_000 };
}
