using System.Security.Cryptography;
using ProtoBuf;

namespace Wormhole.Streams.Protocol;

/// <summary>A 128-bit identifier from a cryptographic RNG: of a publication on one portal, or of one side of a conduit.</summary>
[ProtoContract]
internal readonly record struct WireId
{
    [ProtoMember(1, DataFormat = DataFormat.FixedSize)]
    public ulong High { get; init; }

    [ProtoMember(2, DataFormat = DataFormat.FixedSize)]
    public ulong Low { get; init; }

    public bool IsEmpty => High == 0 && Low == 0;

    public static WireId NewRandom()
    {
        Span<byte> bytes = stackalloc byte[16];
        RandomNumberGenerator.Fill(bytes);
        var id = new WireId { High = BitConverter.ToUInt64(bytes[..8]), Low = BitConverter.ToUInt64(bytes[8..]) };
        return id.IsEmpty ? NewRandom() : id;
    }

    /// <summary>The first 8 hex digits: enough to tell ids apart in a log, too few to guess one from it.</summary>
    public override string ToString() => High.ToString("x16")[..8] + "…";
}
