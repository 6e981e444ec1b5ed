namespace Wormhole.Streams;

/// <summary>
/// A stream from the peer ended with a failure: its producer threw, its source failed, or the stream broke a rule (a limit,
/// a gap in its sequence). Only a short reason crosses the wire, never the producer's exception text or stack trace, unless
/// the producer threw a <see cref="RemoteStreamException"/> itself: then its message is the reason the consumer sees.
/// </summary>
public sealed class RemoteStreamException : Exception
{
    /// <summary>Creates the exception; thrown by a producer, <paramref name="message"/> is what the consumer is told.</summary>
    /// <param name="message">A short reason, meant for the peer.</param>
    public RemoteStreamException(string message)
        : this(message, code: "failed")
    {
    }

    internal RemoteStreamException(string message, string code)
        : base(message)
    {
        Code = code;
    }

    /// <summary>
    /// Why the stream ended, as the wire says it: <c>failed</c> (the producer failed), <c>subscription-timeout</c> (it was not
    /// consumed in time), <c>protocol-violation</c>, or the name of the <see cref="NexusOptions"/> limit it broke.
    /// </summary>
    public string Code { get; }
}
