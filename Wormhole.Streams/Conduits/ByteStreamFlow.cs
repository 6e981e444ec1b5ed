using Akka.IO;
using Akka.Streams;
using Akka.Streams.Dsl;
using Akka.Streams.Stage;

namespace Wormhole.Streams;

/// <summary>
/// A pair of <see cref="Stream"/>s (<see cref="DuplexStreams"/>) as a flow of raw bytes: what is pushed in is written to
/// the output stream, what is read from the input stream is emitted in chunks of whatever size the read returned.
/// Serves the Unix domain socket and stdio conduits; <see cref="LengthPrefixFraming"/> goes on top.
/// </summary>
/// <remarks>
/// <para>
/// Only asynchronous stream calls are made, each continued on the stage through an async callback, so no dispatcher
/// thread blocks. (A stream without real asynchronous IO, such as a console stream, runs its reads on the thread pool.)
/// </para>
/// <para>
/// Emits when: a read returned bytes and downstream pulls; the input is read only on demand, so a slow reader pushes back
/// on the peer. Backpressures when: a write is in flight (one at a time; each is flushed before the next element is pulled).
/// </para>
/// <para>
/// The two sides are coupled. Completes when: the input reaches its end (the peer closed its side), or upstream completes
/// (after the last write is flushed). Fails when: a read or write fails, or upstream fails; upstream is then cancelled
/// too. Cancels when: the output side fails, or upstream has not completed within <see cref="CloseTimeout"/> after the
/// input ended or downstream cancelled (until then, upstream is still written, so a last <c>Goodbye</c> gets out).
/// </para>
/// <para>
/// The stage owns the streams and disposes both when it stops (for a socket, that closes it; for a pipe, the peer reads
/// its end). A flow made from already-open streams may be run once.
/// </para>
/// </remarks>
internal sealed class ByteStreamFlow : GraphStageWithMaterializedValue<FlowShape<ByteString, ByteString>, ByteStreamSession>
{
    /// <summary>How long upstream may still be written after the input ended or downstream cancelled.</summary>
    internal static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(5);

    private const int ReadBufferBytes = 16 * 1024;

    private readonly Func<CancellationToken, Task<DuplexStreams>> _open;

    private ByteStreamFlow(Func<CancellationToken, Task<DuplexStreams>> open)
    {
        _open = open;
        Shape = new FlowShape<ByteString, ByteString>(In, Out);
    }

    public Inlet<ByteString> In { get; } = new("ByteStream.in");

    public Outlet<ByteString> Out { get; } = new("ByteStream.out");

    public override FlowShape<ByteString, ByteString> Shape { get; }

    /// <summary>A flow over streams that are open already (an accepted socket, stdio). Its materialized <c>Connected</c> is complete.</summary>
    public static Flow<ByteString, ByteString, ByteStreamSession> Create(DuplexStreams streams) =>
        Flow.FromGraph(new ByteStreamFlow(_ => Task.FromResult(streams)));

    /// <summary>
    /// A flow that opens its streams with <paramref name="open"/> when materialized (a client connecting); the token is
    /// cancelled when the stage stops. <c>Connected</c> completes when the streams are open, or faults.
    /// </summary>
    public static Flow<ByteString, ByteString, ByteStreamSession> Create(Func<CancellationToken, Task<DuplexStreams>> open) =>
        Flow.FromGraph(new ByteStreamFlow(open));

    public override ILogicAndMaterializedValue<ByteStreamSession> CreateLogicAndMaterializedValue(Attributes inheritedAttributes)
    {
        var logic = new Logic(this);
        return new LogicAndMaterializedValue<ByteStreamSession>(logic, new ByteStreamSession(logic.Connected, logic.Stopped));
    }

    private static async Task WriteAsync(Stream output, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        await output.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private static Exception ErrorOf(Task task, string operation) =>
        task.Exception?.GetBaseException() ?? new OperationCanceledException($"the {operation} was cancelled");

    private sealed class Logic : TimerGraphStageLogic
    {
        private const string CloseTimer = "close";

        private readonly ByteStreamFlow _stage;
        private readonly TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly CancellationTokenSource _cancellation = new();
        private readonly byte[] _readBuffer = new byte[ReadBufferBytes];
        private byte[] _writeBuffer = new byte[1024];
        private Action<Task<DuplexStreams>>? _onOpened;
        private Action<Task<int>>? _onRead;
        private Action<Task>? _onWritten;
        private Task<DuplexStreams>? _opening;
        private DuplexStreams? _streams;
        private bool _reading;
        private bool _writing;

        public Logic(ByteStreamFlow stage)
            : base(stage.Shape)
        {
            _stage = stage;
            SetHandler(stage.In, onPush: OnPush, onUpstreamFinish: OnUpstreamFinish, onUpstreamFailure: FailStage);
            SetHandler(stage.Out, onPull: OnPull, onDownstreamFinish: OnDownstreamFinish);
        }

        public Task Connected => _connected.Task;

        public Task Stopped => _stopped.Task;

        public override void PreStart()
        {
            _onOpened = CompletionCallback.Of(GetAsyncCallback<Task<DuplexStreams>>(OnOpened));
            _onRead = CompletionCallback.Of(GetAsyncCallback<Task<int>>(OnRead));
            _onWritten = CompletionCallback.Of(GetAsyncCallback<Task>(OnWritten));
            try
            {
                _opening = _stage._open(_cancellation.Token);
            }
            catch (Exception e)
            {
                _opening = Task.FromException<DuplexStreams>(e);
            }

            _opening.ContinueWith(_onOpened, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        public override void PostStop()
        {
            _cancellation.Cancel(); // aborts a pending open, read or write where the stream supports it
            if (_streams is not null)
            {
                _streams.Dispose();
            }
            else
            {
                // An open that wins the race against the stop still hands over streams: release them.
                _opening?.ContinueWith(t => t.Result.Dispose(), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
            }

            _connected.TrySetException(new IOException("the stream stopped before its transport was open"));
            _stopped.TrySetResult();
        }

        protected override void OnTimer(object timerKey) => CompleteStage(); // upstream did not finish in time after the input ended or downstream cancelled

        private void OnOpened(Task<DuplexStreams> opening)
        {
            if (!opening.IsCompletedSuccessfully)
            {
                var error = ErrorOf(opening, "connect");
                _connected.TrySetException(error);
                FailStage(error);
                return;
            }

            _streams = opening.Result;
            _connected.TrySetResult();
            Pull(_stage.In);
            if (IsAvailable(_stage.Out))
            {
                Read();
            }
        }

        private void OnPull()
        {
            if (_streams is not null && !_reading)
            {
                Read();
            }
        }

        private void Read()
        {
            _reading = true;
            _streams!.Input.ReadAsync(_readBuffer.AsMemory(), _cancellation.Token).AsTask()
                .ContinueWith(_onRead!, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        private void OnRead(Task<int> reading)
        {
            _reading = false;
            if (!reading.IsCompletedSuccessfully)
            {
                FailStage(ErrorOf(reading, "read"));
            }
            else if (reading.Result == 0)
            {
                // The peer closed its side. Complete downstream only: the portal closes for "the peer went away" and
                // completes upstream in turn; a graph that does not is cut off after CloseTimeout.
                Complete(_stage.Out);
                if (IsClosed(_stage.In))
                {
                    CompleteStage();
                }
                else
                {
                    ScheduleOnce(CloseTimer, CloseTimeout);
                }
            }
            else if (!IsClosed(_stage.Out))
            {
                Push(_stage.Out, ByteString.CopyFrom(_readBuffer, 0, reading.Result));
            }
        }

        private void OnPush()
        {
            var bytes = Grab(_stage.In);

            // One write at a time, so one buffer serves them all; it grows to the largest element written.
            if (_writeBuffer.Length < bytes.Count)
            {
                _writeBuffer = new byte[Math.Max(bytes.Count, _writeBuffer.Length * 2)];
            }

            bytes.CopyTo(_writeBuffer, 0, bytes.Count);
            _writing = true;
            WriteAsync(_streams!.Output, _writeBuffer.AsMemory(0, bytes.Count), _cancellation.Token)
                .ContinueWith(_onWritten!, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        private void OnWritten(Task writing)
        {
            _writing = false;
            if (!writing.IsCompletedSuccessfully)
            {
                FailStage(ErrorOf(writing, "write"));
            }
            else if (IsClosed(_stage.In))
            {
                CompleteStage(); // upstream finished while this last write was in flight
            }
            else
            {
                Pull(_stage.In);
            }
        }

        private void OnUpstreamFinish()
        {
            if (!_writing)
            {
                CompleteStage(); // PostStop disposes the streams: the peer reads the end
            }
        }

        private void OnDownstreamFinish(Exception cause)
        {
            // Keep writing what upstream still has (the portal's last Goodbye), but not forever.
            if (IsClosed(_stage.In))
            {
                CompleteStage();
            }
            else
            {
                ScheduleOnce(CloseTimer, CloseTimeout);
            }
        }
    }
}
