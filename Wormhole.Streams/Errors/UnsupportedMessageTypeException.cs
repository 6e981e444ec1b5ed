namespace Wormhole.Streams;

/// <summary>
/// Thrown when a message type cannot cross a portal: it holds an untyped <c>IActorRef</c>, an Akka stream ref, a stream,
/// a delegate, a task, a <see cref="Type"/>, an <see cref="object"/> or interface, an abstract contract with no
/// <c>[ProtoInclude]</c>, an array other than <c>byte[]</c>, or anything else protobuf-net cannot serialize. Thrown where the
/// type is named (publishing an actor that accepts it, looking one up), never while messages flow.
/// </summary>
public sealed class UnsupportedMessageTypeException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong and how to fix it, naming the type and field.</param>
    public UnsupportedMessageTypeException(string message)
        : base(message)
    {
    }
}
