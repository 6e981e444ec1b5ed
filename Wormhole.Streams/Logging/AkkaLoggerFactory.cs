using Akka.Actor;
using Akka.Event;
using Microsoft.Extensions.Logging;
using AkkaLogLevel = Akka.Event.LogLevel;
using LogLevel = Microsoft.Extensions.Logging.LogLevel;

namespace Wormhole.Streams.Logging;

/// <summary>
/// Loggers that write to an actor system's logging (its event stream), for a nexus made without an
/// <see cref="ILoggerFactory"/>: a user who is not hosted sees Wormhole's logs where Akka's own go, with the category as
/// the log source. Structured fields are flattened into the message text.
/// </summary>
internal sealed class AkkaLoggerFactory(ActorSystem system) : ILoggerFactory
{
    public ILogger CreateLogger(string categoryName) => new AkkaLogger(system.EventStream, categoryName);

    public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException("Wormhole's Akka logger factory writes to the actor system's logging only.");

    public void Dispose()
    {
    }

    /// <summary>Publishes log events as Akka's own adapters do, with the formatted text as the message (never read as a template).</summary>
    private sealed class AkkaLogger(LoggingBus bus, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => ToAkka(logLevel) is { } level && level >= bus.LogLevel;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (ToAkka(logLevel) is not { } level || level < bus.LogLevel)
            {
                return;
            }

            var message = formatter(state, exception);
            bus.Publish(level switch
            {
                AkkaLogLevel.DebugLevel => new Debug(exception, category, typeof(AkkaLoggerFactory), message),
                AkkaLogLevel.InfoLevel => new Info(exception, category, typeof(AkkaLoggerFactory), message),
                AkkaLogLevel.WarningLevel => new Warning(exception, category, typeof(AkkaLoggerFactory), message),
                _ => new Error(exception, category, typeof(AkkaLoggerFactory), message),
            });
        }

        private static AkkaLogLevel? ToAkka(LogLevel level) => level switch
        {
            LogLevel.Trace or LogLevel.Debug => AkkaLogLevel.DebugLevel,
            LogLevel.Information => AkkaLogLevel.InfoLevel,
            LogLevel.Warning => AkkaLogLevel.WarningLevel,
            LogLevel.Error or LogLevel.Critical => AkkaLogLevel.ErrorLevel,
            _ => null,
        };
    }
}
