using Wormhole.Streams.Schema;

namespace Wormhole.Streams;

/// <summary>
/// The protobuf schema of your message contracts as they travel through a portal, for a peer written in another
/// language: every <c>ActorRef&lt;T&gt;</c> and <c>ReplyPort&lt;T&gt;</c> in it is the reference message Wormhole writes,
/// <c>message WireRef { fixed64 High = 1; fixed64 Low = 2; bool Yours = 3; uint32 WithinMs = 4; }</c>, and every stream
/// field (<c>IAsyncEnumerable&lt;T&gt;</c>, <c>Source&lt;T, NotUsed&gt;</c>, <c>IObservable&lt;T&gt;</c>) the stream's id,
/// <c>message StreamRef { fixed64 High = 1; fixed64 Low = 2; }</c>.
/// </summary>
/// <remarks>
/// protobuf-net's own <c>Serializer.GetProto&lt;T&gt;()</c> describes a reference as an empty message
/// (<c>message ReplyPort_Int32 {}</c>), which is not what travels. The frames around the payloads are in
/// <c>docs/wormhole.proto</c>; how they are exchanged is in <c>docs/protocol.md</c>.
/// </remarks>
public static class WormholeSchema
{
    /// <summary>The proto3 schema of <paramref name="messageTypes"/> and of every type reachable from them.</summary>
    /// <param name="messageTypes">
    /// The message types of the actors you publish (the <c>T</c> of <c>nexus.Publish(name, ActorRef&lt;T&gt;)</c>).
    /// Their members, <c>[ProtoInclude]</c> subtypes and the <c>T</c> of every reference and stream inside them (at any
    /// depth) are included, so the schema covers every message and stream element a peer can send or receive through them.
    /// </param>
    /// <returns>
    /// One proto3 file: the package is the types' namespace; each reference field is a <c>WireRef</c>, each stream field a
    /// <c>StreamRef</c>, with a comment naming its .NET type. Types that protobuf-net maps to its own messages
    /// (<c>DateTime</c>, <c>Guid</c>, <c>decimal</c>, <c>TimeSpan</c>) make it import <c>protobuf-net/bcl.proto</c>,
    /// which protobuf-net publishes.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="messageTypes"/> or one of its elements is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="messageTypes"/> is empty, or a type's schema name is <c>WireRef</c> or <c>StreamRef</c>.</exception>
    /// <exception cref="UnsupportedMessageTypeException">A type cannot cross a portal (the check <c>Publish</c> makes), e.g. it holds an untyped <c>IActorRef</c>.</exception>
    public static string GetProto(params Type[] messageTypes)
    {
        ArgumentNullException.ThrowIfNull(messageTypes);
        if (messageTypes.Length == 0)
        {
            throw new ArgumentException("Give at least one message type.", nameof(messageTypes));
        }

        foreach (var type in messageTypes)
        {
            ArgumentNullException.ThrowIfNull(type, nameof(messageTypes));
        }

        return ContractSchema.Generate(messageTypes);
    }

    /// <summary>The proto3 schema of <typeparamref name="T"/> and of every type reachable from it; see <see cref="GetProto(Type[])"/>.</summary>
    /// <typeparam name="T">The message type of an actor you publish.</typeparam>
    /// <returns>One proto3 file.</returns>
    /// <exception cref="UnsupportedMessageTypeException"><typeparamref name="T"/> cannot cross a portal.</exception>
    public static string GetProto<T>() => GetProto(typeof(T));
}
