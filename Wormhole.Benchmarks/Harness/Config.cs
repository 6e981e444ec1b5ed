namespace Wormhole.Benchmarks.Harness;

/// <summary>Actor system configurations: quiet logs; Akka.Remote on 127.0.0.1 with its default transport and serializer.</summary>
internal static class Config
{
    public const string Quiet = """
        akka.loglevel = WARNING
        akka.stdout-loglevel = WARNING
        akka.log-dead-letters = off
        akka.log-dead-letters-during-shutdown = off
        """;

    public const string Remote = Quiet + """

        akka.actor.provider = remote
        akka.remote.dot-netty.tcp.hostname = 127.0.0.1
        akka.remote.dot-netty.tcp.port = 0
        """;
}
