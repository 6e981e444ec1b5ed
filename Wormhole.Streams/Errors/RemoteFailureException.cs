namespace Wormhole.Streams;

/// <summary>The failure a remote replier sent (with <c>ReplyPort.Fail</c> or <c>Status.Failure</c>); only its text crosses the wire.</summary>
public sealed class RemoteFailureException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">The remote failure's text.</param>
    public RemoteFailureException(string message)
        : base(message)
    {
    }
}
