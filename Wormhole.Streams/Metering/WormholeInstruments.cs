using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;

namespace Wormhole.Streams.Metering;

/// <summary>
/// The instruments of one Wormhole meter, created once per meter (a DI meter factory hands every nexus of a host the same
/// meter). The observable ones sum, at each collection, what the nexuses registered here report: nothing is added per frame.
/// </summary>
internal sealed class WormholeInstruments
{
    private static readonly Lock CreateLock = new();
    private static readonly ConditionalWeakTable<Meter, WormholeInstruments> ByMeter = new();
    private static Meter? _shared;

    private readonly ConcurrentDictionary<NexusMetrics, byte> _nexuses = new();

    private WormholeInstruments(Meter meter)
    {
        Opened = meter.CreateCounter<long>(WormholeMetrics.PortalsOpened, "{portal}", "Portals whose handshake completed.");
        Closed = meter.CreateCounter<long>(WormholeMetrics.PortalsClosed, "{portal}", "Portals closed (opened or not), by close kind.");
        Dropped = meter.CreateCounter<long>(WormholeMetrics.MessagesDropped, "{message}", "Messages dropped, by reason.");
        LimitHits = meter.CreateCounter<long>(WormholeMetrics.LimitHits, "{hit}", "Limits of this side reached, by limit.");
        AskDuration = meter.CreateHistogram<double>(WormholeMetrics.AskDuration, "s", "From an ask's request leaving to its first reply arriving.");
        meter.CreateObservableUpDownCounter(WormholeMetrics.PortalsOpen, () => Sum(static s => s.Open), "{portal}", "Portals open now.");
        meter.CreateObservableCounter(WormholeMetrics.FramesIn, () => Sum(static s => s.FramesIn), "{frame}", "Frames received.");
        meter.CreateObservableCounter(WormholeMetrics.FramesOut, () => Sum(static s => s.FramesOut), "{frame}", "Frames sent.");
        meter.CreateObservableCounter(WormholeMetrics.BytesIn, () => Sum(static s => s.BytesIn), "By", "Bytes received (frame bodies).");
        meter.CreateObservableCounter(WormholeMetrics.BytesOut, () => Sum(static s => s.BytesOut), "By", "Bytes sent (frame bodies).");
        meter.CreateObservableUpDownCounter(WormholeMetrics.Proxies, () => Sum(static s => s.Proxies), "{proxy}", "Proxies held for peers' actors.");
        meter.CreateObservableUpDownCounter(WormholeMetrics.Publications, () => Sum(static s => s.Publications), "{publication}", "Actors published on open portals.");
        meter.CreateObservableUpDownCounter(WormholeMetrics.AsksPending, () => Sum(static s => s.AsksPending), "{ask}", "Asks sent to peers and not yet answered.");
    }

    public Counter<long> Opened { get; }

    public Counter<long> Closed { get; }

    public Counter<long> Dropped { get; }

    public Counter<long> LimitHits { get; }

    public Histogram<double> AskDuration { get; }

    /// <summary>The instruments of the meter <paramref name="factory"/> makes, or of the shared meter when it is null.</summary>
    public static WormholeInstruments For(IMeterFactory? factory)
    {
        lock (CreateLock)
        {
            var meter = factory?.Create(Options()) ?? (_shared ??= new Meter(Options()));
            return ByMeter.GetValue(meter, static m => new WormholeInstruments(m));
        }
    }

    public void Add(NexusMetrics nexus) => _nexuses[nexus] = 0;

    public void Remove(NexusMetrics nexus) => _nexuses.TryRemove(nexus, out _);

    private static MeterOptions Options() => new(WormholeMetrics.MeterName) { Version = typeof(WormholeInstruments).Assembly.GetName().Version?.ToString() };

    private long Sum(Func<NexusMetrics.Snapshot, long> field)
    {
        long sum = 0;
        foreach (var nexus in _nexuses.Keys)
        {
            sum += field(nexus.Observe());
        }

        return sum;
    }
}
