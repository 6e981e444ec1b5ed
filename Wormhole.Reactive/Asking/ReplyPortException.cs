namespace Wormhole.Reactive;

/// <summary>Thrown when a <see cref="ReplyPort{T}"/> is answered when it no longer may be.</summary>
public sealed class ReplyPortException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="fault">Why the reply was refused.</param>
    /// <param name="message">A message that names the port and, for a deadline, the time.</param>
    public ReplyPortException(ReplyPortFault fault, string message)
        : base(message) => Fault = fault;

    /// <summary>Why the reply was refused.</summary>
    public ReplyPortFault Fault { get; }
}
