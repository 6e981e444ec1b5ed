using Akka.IO;
using ProtoBuf;
using ProtoBuf.Meta;
using Wormhole.Streams.Portals;

namespace Wormhole.Streams.Protocol;

/// <summary>Frames to bytes and back: one <see cref="Frame"/> per <see cref="ByteString"/> element.</summary>
/// <remarks>
/// Decoding never throws: bytes that are not exactly one valid frame within the size limit become an
/// <see cref="InvalidFrame"/> naming the fault, which the portal treats as a protocol violation.
/// </remarks>
internal static class FrameCodec
{
    private static readonly RuntimeTypeModel Model = CreateModel();

    public static ByteString Encode(Frame frame) => Encode(frame, writeDeliverDirectly: true);

    /// <param name="frame">The frame.</param>
    /// <param name="writeDeliverDirectly">Whether <see cref="DeliverWriter"/> and <see cref="StreamItemsWriter"/> may write their frames (false: protobuf-net alone, for the tests' comparison).</param>
    internal static ByteString Encode(Frame frame, bool writeDeliverDirectly)
    {
        if (writeDeliverDirectly && frame is Deliver deliver && DeliverWriter.CanWrite(deliver))
        {
            return ByteString.FromBytes(DeliverWriter.Write(deliver));
        }

        if (writeDeliverDirectly && frame is StreamItems items)
        {
            return ByteString.FromBytes(StreamItemsWriter.Write(items));
        }

        var stream = ScratchStream.Rent();
        try
        {
            Model.Serialize(stream, frame);
            return ByteString.CopyFrom(stream.GetBuffer(), 0, (int)stream.Length);
        }
        finally
        {
            ScratchStream.Return(stream);
        }
    }

    public static Frame Decode(ByteString bytes, int maxFrameBytes) => Decode(bytes, maxFrameBytes, readDeliverDirectly: true);

    /// <param name="bytes">One frame's bytes.</param>
    /// <param name="maxFrameBytes">The size limit.</param>
    /// <param name="readDeliverDirectly">Whether <see cref="DeliverReader"/> may read a Deliver first (false: protobuf-net alone, for the fuzzer's comparison).</param>
    internal static Frame Decode(ByteString bytes, int maxFrameBytes, bool readDeliverDirectly)
    {
        if (bytes.Count > maxFrameBytes)
        {
            return new InvalidFrame(ProtocolFault.LimitExceeded(
                nameof(NexusOptions.MaxFrameBytes),
                $"MaxFrameBytes: a frame of {bytes.Count:N0} bytes exceeds the {maxFrameBytes:N0}-byte limit"));
        }

        try
        {
            // Through a stream, not a span: protobuf-net 3.4.40's span reader, given a string whose length varint
            // straddles the end of its sub-message (22 05 2A FF FF FF FF | 07), rents a buffer of the claimed length
            // first: gigabytes, or an OutOfMemoryException, for an 8-byte frame. The stream reader does not.
            // The bytes are copied into this thread's scratch stream rather than a new array and stream per frame.
            var stream = ScratchStream.Rent();
            try
            {
                stream.SetLength(bytes.Count);
                bytes.CopyTo(stream.GetBuffer(), 0, bytes.Count);
                if (readDeliverDirectly && DeliverReader.TryRead(stream.GetBuffer().AsSpan(0, bytes.Count), out var deliver))
                {
                    return deliver;
                }

                var frame = Model.Deserialize<Frame>(stream);
                return frame?.GetType() == typeof(Frame) || frame is null
                    ? Malformed("a frame has no known body", "a frame has no known body")
                    : frame;
            }
            finally
            {
                ScratchStream.Return(stream);
            }
        }
        catch (Exception e) when (e is ProtoException or EndOfStreamException or OverflowException or InvalidOperationException or ArgumentException)
        {
            return Malformed($"malformed frame of {bytes.Count:N0} bytes ({e.GetType().Name}: {e.Message})", $"a frame of {bytes.Count:N0} bytes is not valid protobuf for a Frame");
        }
    }

    private static InvalidFrame Malformed(string detail, string peerText) =>
        new(ProtocolFault.Violation(PortalErrorCodes.MalformedFrame, detail, peerText));

    /// <summary>The wire protocol as a .proto file (committed as docs/wormhole.proto).</summary>
    public static string Schema() => Model.GetSchema(typeof(Frame), ProtoSyntax.Proto3);

    private static RuntimeTypeModel CreateModel()
    {
        var model = RuntimeTypeModel.Create("wormhole-frames");
        model.MaxDepth = 8;
        model.Add(typeof(Frame), applyDefaultBehaviour: true);
        model.CompileInPlace();
        return model;
    }
}
