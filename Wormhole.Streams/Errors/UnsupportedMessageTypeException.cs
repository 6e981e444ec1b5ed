namespace Wormhole.Streams;

/// <summary>Thrown when a message type cannot cross a portal, e.g. it holds an untyped <c>IActorRef</c>.</summary>
public sealed class UnsupportedMessageTypeException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong and how to fix it, naming the type and field.</param>
    public UnsupportedMessageTypeException(string message)
        : base(message)
    {
    }
}
