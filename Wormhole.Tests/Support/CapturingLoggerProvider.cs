using Microsoft.Extensions.Logging;

namespace Wormhole.Tests.Support;

/// <summary>An <see cref="ILoggerProvider"/> that keeps every entry, with its category, level, event id and structured state, for a test to wait for and read.</summary>
public sealed class CapturingLoggerProvider : ILoggerProvider
{
    private readonly Lock _lock = new();
    private readonly List<Entry> _entries = [];
    private TaskCompletionSource _added = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The entries logged so far, oldest first.</summary>
    public IReadOnlyList<Entry> Entries
    {
        get
        {
            lock (_lock)
            {
                return [.. _entries];
            }
        }
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    /// <summary>Waits, up to <paramref name="bound"/>, for an entry that matches <paramref name="match"/>.</summary>
    public async Task<Entry> WaitForAsync(Func<Entry, bool> match, TimeSpan bound)
    {
        var deadline = DateTime.UtcNow + bound;
        while (true)
        {
            Task added;
            lock (_lock)
            {
                if (_entries.FirstOrDefault(match) is { } found)
                {
                    return found;
                }

                added = _added.Task;
            }

            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                throw new TimeoutException($"no matching log entry within {bound.TotalSeconds:0.#} s; logged:{Environment.NewLine}{string.Join(Environment.NewLine, Entries)}");
            }

            await Task.WhenAny(added, Task.Delay(left));
        }
    }

    public void Dispose()
    {
    }

    private void Add(Entry entry)
    {
        TaskCompletionSource added;
        lock (_lock)
        {
            _entries.Add(entry);
            added = _added;
            _added = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        added.TrySetResult();
    }

    /// <summary>One log entry.</summary>
    /// <param name="Category">The logger's category.</param>
    /// <param name="Level">The level.</param>
    /// <param name="EventId">The event id and name.</param>
    /// <param name="Message">The message as formatted.</param>
    /// <param name="Exception">The exception, if any.</param>
    /// <param name="State">The structured fields (without <c>{OriginalFormat}</c>).</param>
    public sealed record Entry(string Category, LogLevel Level, EventId EventId, string Message, Exception? Exception, IReadOnlyDictionary<string, object?> State)
    {
        public override string ToString() => $"{Level} {Category}[{EventId.Id}] {Message}";
    }

    private sealed class Logger(CapturingLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var fields = state is IEnumerable<KeyValuePair<string, object?>> pairs
                ? pairs.Where(p => p.Key != "{OriginalFormat}").ToDictionary(p => p.Key, p => p.Value)
                : new Dictionary<string, object?>();
            provider.Add(new Entry(category, logLevel, eventId, formatter(state, exception), exception, fields));
        }
    }
}
