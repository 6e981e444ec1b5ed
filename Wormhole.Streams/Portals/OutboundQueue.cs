using Microsoft.Extensions.Logging;
using Wormhole.Streams.Logging;
using Wormhole.Streams.Protocol;

namespace Wormhole.Streams.Portals;

/// <summary>
/// The frames that wait for the conduit to pull, bounded by <see cref="NexusOptions.MaxOutboundFrames"/> and
/// <see cref="NexusOptions.MaxOutboundBytes"/>; past them <see cref="NexusOptions.OutboundOverflow"/> applies.
/// </summary>
/// <remarks>
/// Frames queue here when this side makes them faster than the conduit takes them: the peer reads slowly, the network is
/// slow, or this side tells faster than any conduit carries. Every message it drops is counted in
/// <see cref="PortalCounters.Dropped"/>. Under <see cref="OutboundOverflowPolicy.DropNewest"/>, control frames still queue
/// up to twice the bounds, so lifetimes stay right. Stage thread only.
/// </remarks>
internal sealed class OutboundQueue(NexusOptions options, PortalCounters counters)
{
    private readonly Queue<Frame> _frames = new();
    private long _bytes;

    public bool IsEmpty => _frames.Count == 0;

    public int Count => _frames.Count;

    /// <summary>What the queued frames hold on to, roughly (see <see cref="QueuedBytes"/>).</summary>
    public long Bytes => _bytes;

    public bool TryDequeue(out Frame frame)
    {
        if (!_frames.TryDequeue(out frame!))
        {
            return false;
        }

        _bytes -= QueuedBytes(frame);
        return true;
    }

    /// <summary>Queues <paramref name="frame"/>, or applies the overflow policy.</summary>
    /// <returns>The fault that closes the portal, under <see cref="OutboundOverflowPolicy.FailPortal"/> past a bound; otherwise null.</returns>
    public ProtocolFault? Offer(Frame frame, ILogger log, string portalId, WarningGate warnings)
    {
        var full = _frames.Count >= options.MaxOutboundFrames || _bytes >= options.MaxOutboundBytes;
        if (!full)
        {
            Enqueue(frame);
            return null;
        }

        if (options.OutboundOverflow == OutboundOverflowPolicy.DropNewest)
        {
            if (frame is Deliver deliver)
            {
                var limit = _frames.Count >= options.MaxOutboundFrames ? nameof(NexusOptions.MaxOutboundFrames) : nameof(NexusOptions.MaxOutboundBytes);
                counters.Drop("outbound-overflow");
                counters.LimitHit(limit);
                if (warnings.Allow(log, "outbound-overflow"))
                {
                    PortalLog.OutboundOverflow(log, portalId, $"{deliver.Target}", _frames.Count, _bytes, limit, counters.Dropped);
                }

                return null;
            }

            if (_frames.Count < 2 * options.MaxOutboundFrames && _bytes < 2 * options.MaxOutboundBytes)
            {
                Enqueue(frame);
                return null;
            }
        }

        var framesFull = _frames.Count >= options.MaxOutboundFrames;
        var control = string.Join(", ", _frames.Where(f => f is not Deliver).GroupBy(f => f.GetType().Name).Select(g => $"{g.Count():N0} {g.Key}"));
        var lost = DropAll() + (frame is Deliver ? Dropped() : 0);
        var why = $"this side sent faster than the peer and the conduit took them; the {lost:N0} messages queued were not sent";
        var detail = control.Length > 0 ? $"{why} (control frames queued too: {control})" : why;
        return framesFull
            ? Fault(nameof(NexusOptions.MaxOutboundFrames), $"MaxOutboundFrames: {options.MaxOutboundFrames:N0} frames were waiting for the conduit: ", detail, why)
            : Fault(nameof(NexusOptions.MaxOutboundBytes), $"MaxOutboundBytes: {options.MaxOutboundBytes:N0} bytes were waiting for the conduit: ", detail, why);

        static ProtocolFault Fault(string limit, string what, string detail, string why) =>
            new(PortalCloseKind.LimitExceeded, limit, what + detail, what + why, limit);

        int Dropped()
        {
            counters.Drop("outbound-overflow");
            return 1;
        }
    }

    /// <summary>Drops everything queued; each message counts as dropped.</summary>
    /// <returns>How many messages (<c>Deliver</c> frames) were dropped.</returns>
    public int DropAll()
    {
        var messages = 0;
        foreach (var frame in _frames)
        {
            if (frame is Deliver)
            {
                counters.Drop("portal-closed");
                messages++;
            }
        }

        _frames.Clear();
        _bytes = 0;
        return messages;
    }

    private void Enqueue(Frame frame)
    {
        _frames.Enqueue(frame);
        _bytes += QueuedBytes(frame);
    }

    /// <summary>What a queued frame holds on to, roughly: its payload and a fixed overhead.</summary>
    private static long QueuedBytes(Frame frame) => 64 + (frame is Deliver deliver ? deliver.Payload?.Length ?? 0 : 0);
}
