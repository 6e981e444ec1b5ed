using Akka.Actor;
using Akka.Serialization;
using Wormhole.Benchmarks.Contracts;

namespace Wormhole.Benchmarks.Harness;

/// <summary>
/// An Akka serializer for the benchmark's hot messages with protobuf-net: <see cref="Small"/> (every row's payload) and
/// <see cref="Progress"/> (a sink's acknowledgement), so that Akka.Remote sends the same bytes as Wormhole and the raw
/// socket. Bound in <see cref="Config.StreamRefs"/> (the StreamRefs rows) and <see cref="Config.RemoteProtobuf"/> (the
/// <c>akka-remote-protobuf</c> rows). A one-letter manifest tells the two apart. <see cref="Begin"/>, once per run and
/// carrying a Wormhole reference type protobuf-net's default model does not know, stays with Akka's default serializer.
/// </summary>
internal sealed class ProtobufNetSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    private const string SmallManifest = "S";
    private const string ProgressManifest = "P";

    public override int Identifier => 4711;

    public override string Manifest(object o) => o switch
    {
        Small => SmallManifest,
        Progress => ProgressManifest,
        _ => throw new ArgumentException($"protobuf-net serializer: {o.GetType()} is not bound to it (only Small and Progress are)", nameof(o)),
    };

    public override byte[] ToBinary(object obj)
    {
        using var buffer = new MemoryStream(64);
        switch (obj)
        {
            case Small small:
                ProtoBuf.Serializer.Serialize(buffer, small);
                break;
            case Progress progress:
                ProtoBuf.Serializer.Serialize(buffer, progress);
                break;
            default:
                throw new ArgumentException($"protobuf-net serializer: {obj.GetType()} is not bound to it (only Small and Progress are)", nameof(obj));
        }

        return buffer.ToArray();
    }

    public override object FromBinary(byte[] bytes, string manifest) => manifest switch
    {
        SmallManifest => ProtoBuf.Serializer.Deserialize<Small>(new ReadOnlySpan<byte>(bytes)),
        ProgressManifest => ProtoBuf.Serializer.Deserialize<Progress>(new ReadOnlySpan<byte>(bytes)),
        _ => throw new System.Runtime.Serialization.SerializationException($"protobuf-net serializer: unknown manifest '{manifest}' ({bytes.Length} bytes)"),
    };
}
