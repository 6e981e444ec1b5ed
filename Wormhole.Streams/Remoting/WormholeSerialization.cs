using System.Reflection;
using System.Text;
using Akka.Configuration;
using ProtoBuf;

namespace Wormhole.Streams;

/// <summary>Binds Akka's serialization of Wormhole contract messages to <see cref="WormholeSerializer"/>, for the nodes of a cluster.</summary>
public static class WormholeSerialization
{
    /// <summary>
    /// The Akka configuration that serializes every <c>[ProtoContract]</c> type of <paramref name="contracts"/> with
    /// <see cref="WormholeSerializer"/> when it crosses Akka.Remote: falls back to the node's own
    /// (<c>WormholeSerialization.Config(typeof(ChatHub).Assembly).WithFallback(…)</c>, or Akka.Hosting's <c>AddHocon</c>).
    /// </summary>
    /// <param name="contracts">The assemblies of the contract messages, e.g. <c>typeof(ChatHub).Assembly</c>.</param>
    /// <returns>The configuration.</returns>
    /// <exception cref="ArgumentException">No assembly, or one holds no <c>[ProtoContract]</c> type.</exception>
    public static Config Config(params Assembly[] contracts)
    {
        ArgumentNullException.ThrowIfNull(contracts);
        if (contracts.Length == 0)
        {
            throw new ArgumentException("Name at least one assembly of contract messages.", nameof(contracts));
        }

        var hocon = new StringBuilder();
        hocon.AppendLine($"akka.actor.serializers.wormhole = \"{WormholeSerializer.TypeName(typeof(WormholeSerializer))}\"");
        hocon.AppendLine("akka.actor.serialization-bindings {");
        foreach (var assembly in contracts)
        {
            var types = assembly.GetTypes().Where(type => type.IsDefined(typeof(ProtoContractAttribute), inherit: false) && !type.IsGenericTypeDefinition).ToList();
            if (types.Count == 0)
            {
                throw new ArgumentException($"{assembly.GetName().Name} holds no [ProtoContract] type.", nameof(contracts));
            }

            foreach (var type in types)
            {
                hocon.AppendLine($"  \"{WormholeSerializer.TypeName(type)}\" = wormhole");
            }
        }

        hocon.AppendLine("}");
        return ConfigurationFactory.ParseString(hocon.ToString());
    }
}
