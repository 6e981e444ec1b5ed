using Akka;
using Akka.IO;
using Akka.Streams;
using Akka.Streams.Dsl;

namespace Wormhole.Streams.Portals;

/// <summary>
/// The inbound rate limit of a portal: two token buckets (frames and bytes per second, each holding one second's worth)
/// in front of the decoder. Bytes are counted in whole KiB (Akka's throttle allows at most one unit per 100 ns tick).
/// </summary>
/// <remarks>
/// Emits when: a frame arrives and both buckets have tokens. Backpressures when: a bucket is empty — the portal stops
/// pulling from the conduit, so TCP's window or the WebSocket pushes back on the peer and memory here stays bounded (one
/// frame held per bucket). Completes and fails with its upstream.
/// </remarks>
internal static class InboundRateLimit
{
    private const int Unit = 1024;

    public static Flow<ByteString, ByteString, NotUsed> Create(NexusOptions options)
    {
        var kibPerSecond = Math.Max(1, options.MaxInboundBytesPerSecond / Unit);
        return Flow.Create<ByteString>()
            .Throttle(options.MaxInboundFramesPerSecond, TimeSpan.FromSeconds(1), options.MaxInboundFramesPerSecond, ThrottleMode.Shaping)
            .Throttle(kibPerSecond, TimeSpan.FromSeconds(1), kibPerSecond, bytes => 1 + (bytes.Count / Unit), ThrottleMode.Shaping);
    }
}
