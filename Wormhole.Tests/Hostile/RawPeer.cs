using System.Threading.Channels;
using Akka.IO;
using Wormhole.Streams.Protocol;

namespace Wormhole.Tests.Hostile;

/// <summary>What both raw peers share: a background reader that decodes the server's frames into a channel, completed when the server closes.</summary>
internal abstract class RawPeer : IRawPeer
{
    private readonly Channel<(Frame Frame, byte[] Body)> _received = Channel.CreateUnbounded<(Frame, byte[])>();
    private volatile string? _closeDescription;
    private Task _reading = Task.CompletedTask;
    private volatile TaskCompletionSource _resumed = Resumed();
    private int _disposed;

    public bool Closed => _closeDescription is not null;

    public string? CloseDescription => _closeDescription;

    public Task SendFrameAsync(Frame frame) => SendBodyAsync(FrameCodec.Encode(frame).ToArray());

    public abstract Task SendBodyAsync(ReadOnlyMemory<byte> body);

    public abstract Task SendRawAsync(ReadOnlyMemory<byte> bytes);

    public async Task<Frame?> ReceiveAsync(TimeSpan bound) => (await ReceiveBothAsync(bound))?.Frame;

    public async Task<byte[]?> ReceiveBodyAsync(TimeSpan bound) => (await ReceiveBothAsync(bound))?.Body;

    private async Task<(Frame Frame, byte[] Body)?> ReceiveBothAsync(TimeSpan bound)
    {
        using var timeout = new CancellationTokenSource(bound);
        try
        {
            return await _received.Reader.WaitToReadAsync(timeout.Token) && _received.Reader.TryRead(out var received) ? received : null;
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"no frame from the server within {bound.TotalSeconds:0.#} s (closed: {CloseDescription ?? "no"})");
        }
    }

    public void PauseReading()
    {
        if (_resumed.Task.IsCompleted)
        {
            _resumed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    public void ResumeReading() => _resumed.TrySetResult();

    public abstract void Abort();

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        Abort();
        ResumeReading();
        await _reading.ConfigureAwait(false);
        DisposeTransport();
    }

    /// <summary>Starts the background reader; call once connected.</summary>
    protected void StartReading() => _reading = Task.Run(ReadLoopAsync);

    /// <summary>Reads one transport frame's body; null when the server closed the connection (<paramref name="closed"/> says how).</summary>
    protected abstract Task<byte[]?> ReadBodyAsync(Action<string> closed);

    protected abstract void DisposeTransport();

    private static TaskCompletionSource Resumed()
    {
        var resumed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        resumed.SetResult();
        return resumed;
    }

    private async Task ReadLoopAsync()
    {
        try
        {
            while (true)
            {
                await _resumed.Task.ConfigureAwait(false);
                if (await ReadBodyAsync(how => _closeDescription = how) is not { } body)
                {
                    break;
                }

                _received.Writer.TryWrite((FrameCodec.Decode(ByteString.FromBytes(body), int.MaxValue), body));
            }
        }
        catch (Exception e)
        {
            _closeDescription ??= $"{e.GetType().Name}: {e.Message}";
        }
        finally
        {
            _closeDescription ??= "closed";
            _received.Writer.TryComplete();
        }
    }
}
