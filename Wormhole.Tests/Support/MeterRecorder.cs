using System.Diagnostics.Metrics;
using Wormhole.Streams;

namespace Wormhole.Tests.Support;

/// <summary>
/// Listens to the Wormhole meter made by one <see cref="IMeterFactory"/> only (so other tests' nexuses do not count): sums
/// counters' measurements per instrument and tag, keeps histograms' values, and reads observable instruments on demand.
/// </summary>
public sealed class MeterRecorder : IDisposable
{
    private readonly Lock _lock = new();
    private readonly MeterListener _listener = new();
    private readonly Dictionary<string, long> _sums = [];
    private readonly Dictionary<string, List<double>> _values = [];
    private readonly Dictionary<string, long> _observed = [];
    private bool _observing;

    public MeterRecorder(IMeterFactory scope)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == WormholeMetrics.MeterName && ReferenceEquals(instrument.Meter.Scope, scope))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => OnLong(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => OnDouble(instrument, value, tags));
        _listener.Start();
    }

    /// <summary>A counter's total for <paramref name="name"/>, with one tag <c>key=value</c> or none.</summary>
    public long Sum(string name, string? tag = null)
    {
        lock (_lock)
        {
            return _sums.GetValueOrDefault(Key(name, tag));
        }
    }

    /// <summary>A histogram's recorded values.</summary>
    public IReadOnlyList<double> Values(string name)
    {
        lock (_lock)
        {
            return _values.TryGetValue(name, out var values) ? [.. values] : [];
        }
    }

    /// <summary>Reads every observable instrument now; returns their values by name.</summary>
    public IReadOnlyDictionary<string, long> Observe()
    {
        lock (_lock)
        {
            _observed.Clear();
            _observing = true;
        }

        _listener.RecordObservableInstruments();
        lock (_lock)
        {
            _observing = false;
            return new Dictionary<string, long>(_observed);
        }
    }

    /// <summary>Every counter total and observed value, one per line, as a metrics snapshot.</summary>
    public string Describe()
    {
        var observed = Observe();
        lock (_lock)
        {
            return string.Join(Environment.NewLine, _sums.Select(s => $"{s.Key} = {s.Value}")
                .Concat(observed.Select(o => $"{o.Key} = {o.Value}"))
                .Concat(_values.Select(v => $"{v.Key}: count {v.Value.Count}, max {v.Value.Max():0.######} s"))
                .Order());
        }
    }

    public void Dispose() => _listener.Dispose();

    private static string Key(string name, string? tag) => tag is null ? name : $"{name}{{{tag}}}";

    private void OnLong(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var tag = tags.Length > 0 ? $"{tags[0].Key}={tags[0].Value}" : null;
        lock (_lock)
        {
            if (instrument.IsObservable)
            {
                if (_observing)
                {
                    _observed[instrument.Name] = value;
                }

                return;
            }

            var key = Key(instrument.Name, tag);
            _sums[key] = _sums.GetValueOrDefault(key) + value;
        }
    }

    private void OnDouble(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        lock (_lock)
        {
            if (!_values.TryGetValue(instrument.Name, out var values))
            {
                _values[instrument.Name] = values = [];
            }

            values.Add(value);
        }
    }
}
