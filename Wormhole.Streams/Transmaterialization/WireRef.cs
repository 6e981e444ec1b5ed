using ProtoBuf;
using Wormhole.Streams.Protocol;

namespace Wormhole.Streams.Transmaterialization;

/// <summary>
/// An actor reference or reply port inside a payload. <see cref="Yours"/> false: a publication of the
/// sender (the receiver makes a proxy); true: a publication of the receiver, handed back to it.
/// </summary>
/// <remarks>Layout: <c>message WireRef { fixed64 High = 1; fixed64 Low = 2; bool Yours = 3; uint32 WithinMs = 4; }</c>; <c>WithinMs</c> only for reply ports. <c>Schema.ActorRefShape</c> describes the same fields for <c>WormholeSchema</c>.</remarks>
internal readonly record struct WireRef(WireId Id, bool Yours, uint WithinMs = 0)
{
    public void Write(ref ProtoWriter.State state)
    {
        state.WriteFieldHeader(1, WireType.Fixed64);
        state.WriteUInt64(Id.High);
        state.WriteFieldHeader(2, WireType.Fixed64);
        state.WriteUInt64(Id.Low);
        if (Yours)
        {
            state.WriteFieldHeader(3, WireType.Varint);
            state.WriteBoolean(true);
        }

        if (WithinMs != 0)
        {
            state.WriteFieldHeader(4, WireType.Varint);
            state.WriteUInt32(WithinMs);
        }
    }

    public static WireRef Read(ref ProtoReader.State state)
    {
        ulong high = 0, low = 0;
        var yours = false;
        uint withinMs = 0;
        int field;
        while ((field = state.ReadFieldHeader()) > 0)
        {
            switch (field)
            {
                case 1: high = state.ReadUInt64(); break;
                case 2: low = state.ReadUInt64(); break;
                case 3: yours = state.ReadBoolean(); break;
                case 4: withinMs = state.ReadUInt32(); break;
                default: state.SkipField(); break;
            }
        }

        return new WireRef(new WireId { High = high, Low = low }, yours, withinMs);
    }
}
