namespace Wormhole.Streams.Protocol;

/// <summary>
/// Writes a <see cref="StreamItems"/> frame straight into an array of its exact size, byte for byte what protobuf-net
/// writes for it (a test holds the two together): a stream's every element passes here, and protobuf-net's stream writer
/// took 55 µs for one 64 KiB element.
/// </summary>
/// <remarks>
/// Layout: <c>5A len</c> (Frame field 11), then Stream <c>0A len [09 High] [11 Low]</c>, FirstSeq <c>10 varint</c> when
/// not 0, and each item <c>1A len bytes</c>.
/// </remarks>
internal static class StreamItemsWriter
{
    public static byte[] Write(StreamItems items)
    {
        var body = WireBytes.IdFieldSize(items.Stream) + (items.FirstSeq != 0 ? 1 + WireBytes.VarintSize(items.FirstSeq) : 0);
        foreach (var item in items.Items)
        {
            body += 1 + WireBytes.VarintSize((uint)item.Length) + item.Length;
        }

        var frame = new byte[1 + WireBytes.VarintSize((uint)body) + body];
        var span = frame.AsSpan();
        span = WireBytes.Byte(span, 11 << 3 | 2);
        span = WireBytes.Varint(span, (uint)body);
        span = WireBytes.Id(span, 1 << 3 | 2, items.Stream);
        if (items.FirstSeq != 0)
        {
            span = WireBytes.Byte(span, 2 << 3);
            span = WireBytes.Varint(span, items.FirstSeq);
        }

        foreach (var item in items.Items)
        {
            span = WireBytes.Byte(span, 3 << 3 | 2);
            span = WireBytes.Varint(span, (uint)item.Length);
            item.CopyTo(span);
            span = span[item.Length..];
        }

        return frame;
    }
}
