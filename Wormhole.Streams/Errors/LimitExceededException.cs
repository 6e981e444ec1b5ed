namespace Wormhole.Streams;

/// <summary>A request was refused because a portal limit (a <see cref="NexusOptions"/> property) is reached.</summary>
public sealed class LimitExceededException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="limit">The <see cref="NexusOptions"/> property, e.g. <c>MaxPendingReplies</c>.</param>
    /// <param name="message">What was refused, with the numbers.</param>
    public LimitExceededException(string limit, string message)
        : base(message) => Limit = limit;

    /// <summary>The <see cref="NexusOptions"/> property whose limit was reached.</summary>
    public string Limit { get; }
}
