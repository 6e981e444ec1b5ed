using Microsoft.Extensions.Logging;

namespace Wormhole.Tests.Support;

/// <summary>An <see cref="ILogger"/> that keeps every message, at every level, for a test to count or read, and hands each to <see cref="Listener"/>.</summary>
public sealed class RecordingLogger : ILogger
{
    private readonly Lock _lock = new();
    private readonly List<string> _messages = [];

    /// <summary>The messages logged so far, formatted, oldest first.</summary>
    public IReadOnlyList<string> Messages
    {
        get
        {
            lock (_lock)
            {
                return [.. _messages];
            }
        }
    }

    /// <summary>Called with each message as it is logged (e.g. to tell a probe), on the logging thread.</summary>
    public Action<string>? Listener { get; set; }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var message = formatter(state, exception);
        lock (_lock)
        {
            _messages.Add(message);
        }

        Listener?.Invoke(message);
    }
}
