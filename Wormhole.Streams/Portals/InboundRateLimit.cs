using System.Diagnostics;

namespace Wormhole.Streams.Portals;

/// <summary>
/// The inbound rate limit of a portal: two token buckets, frames and bytes per second, each holding one second's worth.
/// The portal stage asks it before it decodes a frame; a frame it refuses waits in the stage (only that one), and nothing
/// more is pulled, so TCP's window or the WebSocket pushes back on the peer.
/// </summary>
/// <remarks>
/// A frame costs one frame token and its length in byte tokens. A frame may cost more byte tokens than the bucket holds
/// (a large frame under a small byte rate): it goes once the bucket is full, and the debt delays what follows.
/// Times are <see cref="Stopwatch.GetTimestamp"/> ticks, passed in, so that it can be checked without a clock.
/// </remarks>
internal sealed class InboundRateLimit
{
    private readonly int _framesPerSecond;
    private readonly int _bytesPerSecond;
    private double _frameTokens;
    private double _byteTokens;
    private long _refilledAt;

    /// <param name="options">The portal's limits: <see cref="NexusOptions.MaxInboundFramesPerSecond"/> and <see cref="NexusOptions.MaxInboundBytesPerSecond"/>.</param>
    /// <param name="now">When the buckets start full.</param>
    public InboundRateLimit(NexusOptions options, long now)
    {
        _framesPerSecond = options.MaxInboundFramesPerSecond;
        _bytesPerSecond = options.MaxInboundBytesPerSecond;
        _frameTokens = _framesPerSecond;
        _byteTokens = _bytesPerSecond;
        _refilledAt = now;
    }

    /// <summary>Takes the tokens for a frame of <paramref name="frameBytes"/> bytes if both buckets hold them at <paramref name="now"/>.</summary>
    /// <returns>True when the frame may go; false when it must wait <see cref="WaitFor"/>.</returns>
    public bool TryTake(int frameBytes, long now)
    {
        Refill(now);
        if (_frameTokens < 1 || _byteTokens < BytesNeeded(frameBytes))
        {
            return false;
        }

        _frameTokens -= 1;
        _byteTokens -= frameBytes;
        return true;
    }

    /// <summary>How long after the last <see cref="TryTake"/> both buckets hold enough for the frame, at least a millisecond.</summary>
    public TimeSpan WaitFor(int frameBytes)
    {
        var frames = Math.Max(0, 1 - _frameTokens) / _framesPerSecond;
        var bytes = Math.Max(0, BytesNeeded(frameBytes) - _byteTokens) / _bytesPerSecond;
        return TimeSpan.FromSeconds(Math.Max(0.001, Math.Max(frames, bytes)));
    }

    /// <summary>The byte tokens a frame waits for: its length, or a full bucket for a frame longer than the bucket holds.</summary>
    private int BytesNeeded(int frameBytes) => Math.Min(frameBytes, _bytesPerSecond);

    private void Refill(long now)
    {
        var seconds = Math.Max(0, now - _refilledAt) / (double)Stopwatch.Frequency;
        _refilledAt = now;
        _frameTokens = Math.Min(_framesPerSecond, _frameTokens + (seconds * _framesPerSecond));
        _byteTokens = Math.Min(_bytesPerSecond, _byteTokens + (seconds * _bytesPerSecond));
    }
}
