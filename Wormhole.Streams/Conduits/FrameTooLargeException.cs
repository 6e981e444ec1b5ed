using FramingException = Akka.Streams.Dsl.Framing.FramingException;

namespace Wormhole.Streams;

/// <summary>
/// A frame (or a WebSocket message) over the size limit, typed by direction: one from the peer is the peer's fault
/// (<see cref="NexusOptions.MaxFrameBytes"/>); one this side was about to send is its own, and never reaches the wire.
/// </summary>
internal sealed class FrameTooLargeException(bool inbound, string message) : FramingException(message)
{
    /// <summary>True: the peer sent it; false: this side was about to.</summary>
    public bool Inbound { get; } = inbound;
}
