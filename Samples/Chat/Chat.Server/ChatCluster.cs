using Akka.Configuration;
using Chat.Contracts;
using Chat.Server.Hub;
using Microsoft.Extensions.Configuration;
using Wormhole.Streams;

namespace Chat.Server;

/// <summary>
/// The chat server as a node of an Akka.Cluster, from the <c>Cluster</c> configuration section: <c>Port</c> (its
/// Akka.Remote port), <c>Seeds</c> (the seed nodes' <c>host:port</c>, comma-separated), <c>Hostname</c> (127.0.0.1).
/// </summary>
/// <param name="Hocon">The Akka configuration of the node.</param>
public sealed record ChatCluster(Config Hocon)
{
    /// <summary>The actor system's name, the same on every node (a cluster's nodes share it).</summary>
    public const string SystemName = "chat-server";

    /// <summary>The node's configuration, or null when the section names no port (a single server).</summary>
    public static ChatCluster? FromConfiguration(IConfiguration configuration)
    {
        var section = configuration.GetSection("Cluster");
        if (section["Port"] is not { Length: > 0 } port)
        {
            return null;
        }

        var hostname = section["Hostname"] is { Length: > 0 } host ? host : "127.0.0.1";
        var seeds = (section["Seeds"] ?? $"{hostname}:{port}").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(seed => "\"akka.tcp://" + SystemName + "@" + seed + "\"");
        var hocon = $$"""
            akka.actor.provider = cluster
            akka.remote.dot-netty.tcp.hostname = "{{hostname}}"
            akka.remote.dot-netty.tcp.port = {{int.Parse(port, System.Globalization.CultureInfo.InvariantCulture)}}
            akka.cluster.seed-nodes = [{{string.Join(", ", seeds)}}]
            # the default split-brain resolver: keep-majority, down the unreachable side after 5 s of a stable view
            akka.cluster.downing-provider-class = "Akka.Cluster.SBR.SplitBrainResolverProvider, Akka.Cluster"
            akka.cluster.split-brain-resolver.active-strategy = keep-majority
            akka.cluster.split-brain-resolver.stable-after = 5s
            akka.extensions = ["Akka.Cluster.Tools.PublishSubscribe.DistributedPubSubExtensionProvider, Akka.Cluster.Tools"]
            """;
        return new ChatCluster(WormholeSerialization.Config(typeof(ChatShared).Assembly, typeof(ChatHub).Assembly).WithFallback(ConfigurationFactory.ParseString(hocon)));
    }
}
