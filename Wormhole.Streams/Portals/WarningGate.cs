using System.Collections.Concurrent;
using System.Diagnostics;
using Akka.Event;

namespace Wormhole.Streams.Portals;

/// <summary>
/// Limits the warnings peers can cause, per nexus: at most <see cref="PerWindow"/> of one kind per <see cref="Window"/>;
/// the rest are counted and summed up in the next warning of that kind that passes. The portals' counters keep exact figures.
/// </summary>
/// <remarks>Thread-safe: every portal of a nexus shares one gate.</remarks>
internal sealed class WarningGate
{
    public const int PerWindow = 20;
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<string, Kind> _kinds = new();

    /// <summary>Logs the warning unless <see cref="PerWindow"/> of <paramref name="kind"/> were logged in this window.</summary>
    public void Warn(ILoggingAdapter log, string kind, string format, params object[] args)
    {
        var suppressed = _kinds.GetOrAdd(kind, static _ => new Kind()).Pass();
        if (suppressed < 0)
        {
            return;
        }

        log.Warning(format, args);
        if (suppressed > 0)
        {
            log.Warning("Wormhole: {0:N0} more warnings of kind '{1}' were not logged in the last {2} s (rate limit {3} per {2} s per nexus; the portals' counters have exact figures)", suppressed, kind, Window.TotalSeconds, PerWindow);
        }
    }

    private sealed class Kind
    {
        private long _windowStart = Stopwatch.GetTimestamp();
        private int _passed;
        private int _suppressed;

        /// <returns>-1: suppress this one; otherwise how many were suppressed since the last that passed.</returns>
        public int Pass()
        {
            lock (this)
            {
                if (Stopwatch.GetElapsedTime(_windowStart) >= Window)
                {
                    _windowStart = Stopwatch.GetTimestamp();
                    _passed = 0;
                }

                if (_passed >= PerWindow)
                {
                    _suppressed++;
                    return -1;
                }

                _passed++;
                var suppressed = _suppressed;
                _suppressed = 0;
                return suppressed;
            }
        }
    }
}
