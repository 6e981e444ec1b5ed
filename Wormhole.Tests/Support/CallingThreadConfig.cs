using Akka.Configuration;

namespace Wormhole.Tests.Support;

/// <summary>An actor system whose default dispatcher runs every message on the sending thread, so Rx marble tests are deterministic.</summary>
public static class CallingThreadConfig
{
    public static readonly Config Instance = ConfigurationFactory.ParseString("""
        akka.actor.default-dispatcher.type = "Akka.TestKit.CallingThreadDispatcherConfigurator, Akka.TestKit"
        # The /user guardian runs on the internal dispatcher and initialises top-level actors: it must call through too.
        akka.actor.internal-dispatcher.type = "Akka.TestKit.CallingThreadDispatcherConfigurator, Akka.TestKit"
        akka.loglevel = WARNING
        """);
}
