namespace Wormhole.Streams.Protocol;

/// <summary>
/// Writes a <see cref="Deliver"/> frame without a <c>Failure</c> straight into an array of its exact size, byte for byte
/// what protobuf-net writes for it (a test holds the two together): the sender's busiest encoding.
/// </summary>
/// <remarks>
/// Layout: <c>22 len</c> (Frame field 4), then Target <c>0A len [09 High] [11 Low]</c>, Payload <c>12 len bytes</c> when
/// there is one, ReplyTo <c>1A len [09 High] [11 Low]</c>, ReplyWithinMs <c>20 varint</c> when not 0, TraceParent
/// <c>32 len utf8</c> and TraceState <c>3A len utf8</c> when set; an id's half is left out when it is 0, as protobuf-net does.
/// </remarks>
internal static class DeliverWriter
{
    public static bool CanWrite(Deliver deliver) => deliver.Failure is null;

    public static byte[] Write(Deliver deliver)
    {
        var body = WireBytes.IdFieldSize(deliver.Target)
            + (deliver.Payload is { } payload ? 1 + WireBytes.VarintSize((uint)payload.Length) + payload.Length : 0)
            + WireBytes.IdFieldSize(deliver.ReplyTo)
            + (deliver.ReplyWithinMs != 0 ? 1 + WireBytes.VarintSize(deliver.ReplyWithinMs) : 0)
            + WireBytes.StringFieldSize(deliver.TraceParent)
            + WireBytes.StringFieldSize(deliver.TraceState);
        var frame = new byte[1 + WireBytes.VarintSize((uint)body) + body];
        var span = frame.AsSpan();
        span = WireBytes.Byte(span, 4 << 3 | 2);
        span = WireBytes.Varint(span, (uint)body);
        span = WireBytes.Id(span, 1 << 3 | 2, deliver.Target);
        if (deliver.Payload is { } bytes)
        {
            span = WireBytes.Byte(span, 2 << 3 | 2);
            span = WireBytes.Varint(span, (uint)bytes.Length);
            bytes.CopyTo(span);
            span = span[bytes.Length..];
        }

        span = WireBytes.Id(span, 3 << 3 | 2, deliver.ReplyTo);
        if (deliver.ReplyWithinMs != 0)
        {
            span = WireBytes.Byte(span, 4 << 3);
            span = WireBytes.Varint(span, deliver.ReplyWithinMs);
        }

        span = WireBytes.String(span, 6 << 3 | 2, deliver.TraceParent);
        _ = WireBytes.String(span, 7 << 3 | 2, deliver.TraceState);

        return frame;
    }
}
