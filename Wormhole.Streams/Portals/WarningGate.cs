using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Wormhole.Streams.Logging;

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

    /// <summary>
    /// Whether a warning of <paramref name="kind"/> may be logged now: false once <see cref="PerWindow"/> of that kind were
    /// logged in this window (or the logger does not log warnings). When it lets one pass after some were held back, it first
    /// logs how many were.
    /// </summary>
    public bool Allow(ILogger log, string kind)
    {
        if (!log.IsEnabled(LogLevel.Warning))
        {
            return false;
        }

        var suppressed = _kinds.GetOrAdd(kind, static _ => new Kind()).Pass();
        if (suppressed < 0)
        {
            return false;
        }

        if (suppressed > 0)
        {
            PortalLog.WarningsSuppressed(log, suppressed, kind, Window.TotalSeconds, PerWindow);
        }

        return true;
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
