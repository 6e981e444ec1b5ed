using Akka.Actor;
using Wormhole.Benchmarks.Contracts;

namespace Wormhole.Benchmarks.Harness;

/// <summary>
/// An Akka serializer for <see cref="Small"/> only, with protobuf-net: the StreamRefs rows send their elements in the
/// same bytes as Wormhole and the raw socket (bound in <see cref="Config.StreamRefs"/>). No manifest: it knows one type.
/// </summary>
internal sealed class ProtobufNetSerializer(ExtendedActorSystem system) : Akka.Serialization.Serializer(system)
{
    public override int Identifier => 4711;

    public override bool IncludeManifest => false;

    public override byte[] ToBinary(object obj)
    {
        using var buffer = new MemoryStream(64);
        ProtoBuf.Serializer.Serialize(buffer, (Small)obj);
        return buffer.ToArray();
    }

    public override object FromBinary(byte[] bytes, Type type) => ProtoBuf.Serializer.Deserialize<Small>(new ReadOnlySpan<byte>(bytes));
}
