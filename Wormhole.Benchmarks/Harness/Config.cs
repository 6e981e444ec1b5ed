using Akka.Streams;

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

    /// <summary>The bindings of <see cref="ProtobufNetSerializer"/>: <see cref="Contracts.Small"/> and <see cref="Contracts.Progress"/>.</summary>
    private const string ProtobufNet = """

        akka.actor.serializers.protobuf-net = "Wormhole.Benchmarks.Harness.ProtobufNetSerializer, Wormhole.Benchmarks"
        akka.actor.serialization-bindings {
          "Wormhole.Benchmarks.Contracts.Small, Wormhole.Benchmarks" = protobuf-net
          "Wormhole.Benchmarks.Contracts.Progress, Wormhole.Benchmarks" = protobuf-net
        }
        """;

    /// <summary>Akka.Remote as above with <see cref="ProtobufNetSerializer"/> bound to the messages: the <c>akka-remote-protobuf</c> rows.</summary>
    public const string RemoteProtobuf = Remote + ProtobufNet;

    /// <summary>
    /// Akka.Remote as above, with Akka.Streams' configuration (the StreamRefs serializer) and <see cref="Contracts.Small"/>
    /// (and <see cref="Contracts.Progress"/>) bound to <see cref="ProtobufNetSerializer"/>: the StreamRefs rows of the stream workloads.
    /// </summary>
    public static Akka.Configuration.Config StreamRefs => Akka.Configuration.ConfigurationFactory.ParseString(RemoteProtobuf).WithFallback(ActorMaterializer.DefaultConfig());
}
