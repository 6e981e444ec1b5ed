namespace Wormhole.Streams.Protocol;

/// <summary>The wire protocol as a .proto document for implementers in other languages (committed as docs/wormhole.proto).</summary>
internal static class WireSchema
{
    private const string Header = """
        // The Wormhole wire protocol, generated from Wormhole.Streams/Protocol (WireSchemaTests keeps it in step).
        //
        // Transport: every Frame is preceded by its length as a 4-byte big-endian unsigned integer: on stream
        // transports (TCP, Unix socket, stdio) and on WebSocket, where each binary message carries one or more
        // such length-prefixed Frames, whole (at most 64 KiB in all, or one larger Frame).
        // A Frame larger than the receiver's limit (Hello.MaxFrameBytes, default 1 MiB) closes the portal.
        //
        // Handshake: each side sends Hello first; nothing else is accepted before it. Version mismatch closes.
        // Ids (WireId) are 128-bit values from a cryptographic RNG, scoped to one portal.
        //
        // Deliver.Payload is the message encoded as protobuf, as the message type the target was published with.
        // Inside a payload, an ActorRef<T> or ReplyPort<T> field is the embedded message
        //   message WireRef { fixed64 High = 1; fixed64 Low = 2; bool Yours = 3; uint32 WithinMs = 4; }
        // (Wormhole.Streams.WormholeSchema.GetProto writes the schema of your message types with it).
        // Yours = false: a publication of the sender (the receiver makes a proxy for it);
        // Yours = true: a publication of the receiver, handed back. WithinMs: a reply port's remaining time;
        // a reply port accepts exactly one Deliver (a payload, or Failure text) before it expires.
        // A stream field (IAsyncEnumerable<T>, Source<T, NotUsed>, IObservable<T>) is the embedded message
        //   message StreamRef { fixed64 High = 1; fixed64 Low = 2; }
        // the producer's id of the stream. The consumer opens it with Demand (credit, cumulative); the producer sends
        // StreamItems (each item a payload encoded as T) within that credit, then one StreamEnd; the consumer may
        // StreamCancel. docs/protocol.md ("Streams") has the rules and the state machines.

        """;

    public static string Document() => Header + FrameCodec.Schema().ReplaceLineEndings("\n");
}
