using System.Security.Cryptography;
using ProtoBuf;

namespace Wormhole.Benchmarks.Contracts;

// The few frames of docs/wormhole.proto that the flood's hostile peer speaks by hand: it is not a Wormhole nexus, only
// a socket that knows the wire format (4-byte big-endian length, then a Frame).
[ProtoContract]
[ProtoInclude(1, typeof(WireHello))]
[ProtoInclude(2, typeof(WireLookup))]
[ProtoInclude(3, typeof(WireLookupReply))]
[ProtoInclude(4, typeof(WireDeliver))]
public abstract class WireFrame
{
}

[ProtoContract]
public sealed class WireHello : WireFrame
{
    public const uint CurrentVersion = 1;

    [ProtoMember(1)] public uint ProtocolVersion { get; set; }

    [ProtoMember(2)] public WireId SideId { get; set; }

    [ProtoMember(3)] public WireId ConduitHalf { get; set; }

    [ProtoMember(4)] public uint MaxFrameBytes { get; set; }
}

[ProtoContract]
public sealed class WireLookup : WireFrame
{
    [ProtoMember(1)] public ulong RequestId { get; set; }

    [ProtoMember(2)] public string Name { get; set; } = "";
}

[ProtoContract]
public sealed class WireLookupReply : WireFrame
{
    [ProtoMember(1)] public ulong RequestId { get; set; }

    [ProtoMember(2)] public WireId ActorId { get; set; }
}

[ProtoContract]
public sealed class WireDeliver : WireFrame
{
    [ProtoMember(1)] public WireId Target { get; set; }

    [ProtoMember(2)] public byte[]? Payload { get; set; }
}

[ProtoContract]
public struct WireId
{
    [ProtoMember(1, DataFormat = DataFormat.FixedSize)] public ulong High { get; set; }

    [ProtoMember(2, DataFormat = DataFormat.FixedSize)] public ulong Low { get; set; }

    public static WireId NewRandom()
    {
        Span<byte> bytes = stackalloc byte[16];
        RandomNumberGenerator.Fill(bytes);
        return new WireId { High = BitConverter.ToUInt64(bytes[..8]) | 1, Low = BitConverter.ToUInt64(bytes[8..]) };
    }
}
