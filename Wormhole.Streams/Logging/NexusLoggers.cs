using Akka.Actor;
using Microsoft.Extensions.Logging;

namespace Wormhole.Streams.Logging;

/// <summary>
/// A nexus's loggers, one per category, shared by all its portals: a portal holds no logger of its own (an Akka
/// <c>ILoggingAdapter</c> per portal cost each a few hundred bytes).
/// </summary>
internal sealed class NexusLoggers
{
    /// <param name="system">The actor system whose logging is used when <paramref name="factory"/> is null.</param>
    /// <param name="factory">The host's logger factory; null: the actor system's logging (<see cref="AkkaLoggerFactory"/>).</param>
    public NexusLoggers(ActorSystem system, ILoggerFactory? factory)
    {
        factory ??= new AkkaLoggerFactory(system);
        Portal = factory.CreateLogger(LogCategories.Portal);
        Nexus = factory.CreateLogger(LogCategories.Nexus);
        Listener = factory.CreateLogger(LogCategories.Listener);
    }

    /// <summary>Category <see cref="LogCategories.Portal"/>.</summary>
    public ILogger Portal { get; }

    /// <summary>Category <see cref="LogCategories.Nexus"/>.</summary>
    public ILogger Nexus { get; }

    /// <summary>Category <see cref="LogCategories.Listener"/>.</summary>
    public ILogger Listener { get; }
}
