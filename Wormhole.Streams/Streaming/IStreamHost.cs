using Wormhole.Streams.Protocol;

namespace Wormhole.Streams.Streaming;

/// <summary>What a <see cref="StreamTable"/> needs from the portal session that runs it.</summary>
internal interface IStreamHost
{
    /// <summary>Queue a control frame for the peer (<c>Demand</c>, <c>StreamCancel</c>, an early <c>StreamEnd</c>).</summary>
    void Send(Frame frame);

    /// <summary>Tell the stage that a stream has elements to send (it takes them when the conduit pulls).</summary>
    void StreamsReady();

    /// <summary>Counts a frame about a stream that does not exist, or breaks a stream's rules; true when that closed the portal.</summary>
    bool CountUnknown(string what);

    /// <summary>Logs a warning about the portal (the log names the portal), rate-limited per kind for the nexus.</summary>
    void Warn(string kind, string format, params object[] args);
}
