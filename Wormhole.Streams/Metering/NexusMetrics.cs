using System.Collections.Concurrent;
using System.Diagnostics;
using Wormhole.Streams.Portals;

namespace Wormhole.Streams.Metering;

/// <summary>
/// One nexus's part of the Wormhole meter: it keeps the set of open portals, and the totals of the portals that closed, so
/// that frames and bytes (counted per portal in <see cref="PortalCounters"/> anyway) are summed when the meter is read
/// rather than added to an instrument per frame. Thread-safe.
/// </summary>
internal sealed class NexusMetrics : IDisposable
{
    private readonly Lock _lock = new();
    private readonly ConcurrentDictionary<Portal, byte> _open;
    private readonly ProxyBudget _proxies;
    private readonly WormholeInstruments _instruments;
    private long _framesIn, _framesOut, _bytesIn, _bytesOut;

    /// <param name="factory">The host's meter factory; null: the shared meter.</param>
    /// <param name="open">The nexus's open portals, which this keeps.</param>
    /// <param name="proxies">The nexus's proxy budget (its count is the proxies held).</param>
    public NexusMetrics(System.Diagnostics.Metrics.IMeterFactory? factory, ConcurrentDictionary<Portal, byte> open, ProxyBudget proxies)
    {
        _open = open;
        _proxies = proxies;
        _instruments = WormholeInstruments.For(factory);
        _instruments.Add(this);
    }

    /// <summary>A portal's handshake completed.</summary>
    public void Opened(Portal portal)
    {
        _open[portal] = 0;
        _instruments.Opened.Add(1);
    }

    /// <summary>A portal's stage stopped, opened or not: its counters join the totals as it leaves the open set.</summary>
    public void Closed(Portal portal, PortalCloseReason reason)
    {
        var counters = portal.Counters;
        lock (_lock)
        {
            _framesIn += counters.FramesIn;
            _framesOut += counters.FramesOut;
            _bytesIn += counters.BytesIn;
            _bytesOut += counters.BytesOut;
            _open.TryRemove(portal, out _);
        }

        _instruments.Closed.Add(1, new KeyValuePair<string, object?>(WormholeMetrics.CloseKindTag, CloseKindNames[(int)reason.Kind]));
        if (reason is { Kind: PortalCloseKind.LimitExceeded, Limit: { } limit })
        {
            LimitHit(limit);
        }
    }

    public void Dropped(string reason, long count) =>
        _instruments.Dropped.Add(count, new KeyValuePair<string, object?>(WormholeMetrics.ReasonTag, reason));

    public void LimitHit(string limit) =>
        _instruments.LimitHits.Add(1, new KeyValuePair<string, object?>(WormholeMetrics.LimitTag, limit));

    /// <summary>An ask's first reply arrived; <paramref name="askedAt"/> is the <see cref="Stopwatch"/> timestamp of its request.</summary>
    public void AskAnswered(long askedAt)
    {
        if (_instruments.AskDuration.Enabled)
        {
            _instruments.AskDuration.Record(Stopwatch.GetElapsedTime(askedAt).TotalSeconds);
        }
    }

    /// <summary>What the nexus reports now: open portals' counters plus the closed ones' totals.</summary>
    public Snapshot Observe()
    {
        lock (_lock)
        {
            var snapshot = new Snapshot { FramesIn = _framesIn, FramesOut = _framesOut, BytesIn = _bytesIn, BytesOut = _bytesOut, Proxies = _proxies.Used };
            foreach (var portal in _open.Keys)
            {
                var counters = portal.Counters;
                snapshot.Open++;
                snapshot.FramesIn += counters.FramesIn;
                snapshot.FramesOut += counters.FramesOut;
                snapshot.BytesIn += counters.BytesIn;
                snapshot.BytesOut += counters.BytesOut;
                snapshot.Publications += counters.Publications;
                snapshot.AsksPending += counters.PendingAsks;
            }

            return snapshot;
        }
    }

    /// <summary>Stops reporting this nexus.</summary>
    public void Dispose() => _instruments.Remove(this);

    private static readonly string[] CloseKindNames = Enum.GetNames<PortalCloseKind>();

    /// <summary>One reading of a nexus.</summary>
    public struct Snapshot
    {
        public long Open, FramesIn, FramesOut, BytesIn, BytesOut, Proxies, Publications, AsksPending;
    }
}
