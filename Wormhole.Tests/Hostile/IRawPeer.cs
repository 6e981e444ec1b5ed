using Wormhole.Streams.Protocol;

namespace Wormhole.Tests.Hostile;

/// <summary>
/// A client that speaks the wire protocol by hand over a real socket, so it can misbehave: raw bytes, frames out of
/// order, lies about lengths and ids. It reads what the server sends back in the background.
/// </summary>
internal interface IRawPeer : IAsyncDisposable
{
    /// <summary>Sends one frame, encoded with <see cref="FrameCodec"/>, as one transport frame.</summary>
    Task SendFrameAsync(Frame frame);

    /// <summary>Sends <paramref name="body"/> as one transport frame (its length prefix and the body; over WebSocket, in one binary message).</summary>
    Task SendBodyAsync(ReadOnlyMemory<byte> body);

    /// <summary>Sends bytes below the framing (TCP: as they are, no prefix; WebSocket: a fragment of a message that does not end).</summary>
    Task SendRawAsync(ReadOnlyMemory<byte> bytes);

    /// <summary>The next frame from the server, or null once the server closed the connection.</summary>
    /// <exception cref="TimeoutException">Nothing within <paramref name="bound"/>.</exception>
    Task<Frame?> ReceiveAsync(TimeSpan bound);

    /// <summary>The next frame from the server as its bytes (the body, without the length prefix), or null once the server closed the connection.</summary>
    /// <exception cref="TimeoutException">Nothing within <paramref name="bound"/>.</exception>
    Task<byte[]?> ReceiveBodyAsync(TimeSpan bound);

    /// <summary>True once the server closed the connection (everything it sent before is still readable).</summary>
    bool Closed { get; }

    /// <summary>How the server closed the connection, e.g. a WebSocket close status; null while open.</summary>
    string? CloseDescription { get; }

    /// <summary>Stops reading from the socket after the frame being read: what the server sends piles up in the socket buffers.</summary>
    void PauseReading();

    /// <summary>Reads from the socket again.</summary>
    void ResumeReading();

    /// <summary>Drops the connection at once (TCP: a reset; WebSocket: abort), without any goodbye.</summary>
    void Abort();
}
