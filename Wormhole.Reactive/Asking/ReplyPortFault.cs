namespace Wormhole.Reactive;

/// <summary>Why a <see cref="ReplyPort{T}"/> refused a reply.</summary>
public enum ReplyPortFault
{
    /// <summary>The port was already answered; a reply port is one-shot.</summary>
    AlreadyReplied,

    /// <summary>The port's deadline has passed.</summary>
    Expired,

    /// <summary>The asker stopped waiting (it was cancelled, timed out or its connection closed).</summary>
    Abandoned,
}
