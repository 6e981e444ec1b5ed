using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using Akka.IO;
using Akka.Streams;
using Akka.Streams.Dsl;
using Akka.Streams.Stage;
using Wormhole.Streams.Protocol;
using FramingException = Akka.Streams.Dsl.Framing.FramingException;

namespace Wormhole.Streams;

/// <summary>
/// A <see cref="WebSocket"/> as a flow of bytes: each element pushed in is sent as one binary WebSocket message, each
/// binary message received is emitted as one element. Serves the client conduit (<see cref="WebSocketConduit"/>) and the
/// ASP.NET Core endpoint alike, both with <see cref="LengthPrefixFraming"/> on top: a message carries one or more
/// length-prefixed frames, as many as waited for the socket (see <see cref="LengthPrefixFraming"/>).
/// </summary>
/// <remarks>
/// <para>
/// Emits when: a whole binary message has arrived (fragments reassembled) and downstream pulls; the socket is read only
/// on demand, so a slow reader pushes back on the peer. Backpressures when: a send is in flight (one at a time; the next
/// element is pulled once the socket has taken the last one).
/// </para>
/// <para>
/// The two sides are coupled, as Akka.Streams 1.5.74 has no <c>Flow.FromSinkAndSourceCoupled</c>. Completes when: the
/// peer closes normally, or upstream completes (then this side sends a close whose status and reason name the portal's
/// last frame, <see cref="CloseFor"/>, and waits up to <see cref="CloseTimeout"/> for the peer's). Fails when: the socket
/// fails, the peer closes with an error status, a text message arrives (status 1003), or upstream fails (status 1011); in
/// each case upstream is cancelled too. A message longer than <see cref="MessageLimit"/> fails downstream only (a
/// <see cref="FrameTooLargeException"/> naming the sizes): upstream is still sent, so the portal's <c>Error</c> gets out,
/// then the close says 1009. Cancels when: the output side terminates as above. When downstream cancels, upstream is still sent (so a last <c>Goodbye</c> gets out)
/// until it completes, for at most <see cref="CloseTimeout"/>.
/// </para>
/// <para>The stage owns the socket and disposes it when it stops. A flow made from one socket may be run once.</para>
/// </remarks>
internal sealed class WebSocketFlow : GraphStageWithMaterializedValue<FlowShape<ByteString, ByteString>, WebSocketSession>
{
    /// <summary>How long a closing side waits for the peer's close frame, and for upstream after downstream cancelled.</summary>
    internal static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(5);

    private const int ReceiveBufferBytes = 16 * 1024; // rented per receive, not held by an idle socket
    private const int MaxCloseDescriptionBytes = 123; // RFC 6455 §5.5: a control frame's payload is at most 125 bytes, 2 of them the status

    private readonly Func<CancellationToken, Task<WebSocket>> _connect;
    private readonly int _maxFrameBytes;
    private readonly int _maxMessageBytes;
    private readonly LastWords? _lastWords;

    private WebSocketFlow(Func<CancellationToken, Task<WebSocket>> connect, int maxFrameBytes, LastWords? lastWords)
    {
        _connect = connect;
        _maxFrameBytes = maxFrameBytes;
        _lastWords = lastWords;
        _maxMessageBytes = MessageLimit(maxFrameBytes);
        Shape = new FlowShape<ByteString, ByteString>(In, Out);
    }

    public Inlet<ByteString> In { get; } = new("WebSocket.in");

    public Outlet<ByteString> Out { get; } = new("WebSocket.out");

    public override FlowShape<ByteString, ByteString> Shape { get; }

    /// <summary>A flow over a socket that is already open (the server side). Its materialized <c>Connected</c> is complete.</summary>
    /// <param name="socket">The open socket.</param>
    /// <param name="maxFrameBytes">The frame limit, which bounds a message (<see cref="MessageLimit"/>).</param>
    /// <param name="lastWords">The portal's last frame, which the close status and reason name; null: a normal close without a reason.</param>
    public static Flow<ByteString, ByteString, WebSocketSession> Create(WebSocket socket, int maxFrameBytes, LastWords? lastWords = null) =>
        Flow.FromGraph(new WebSocketFlow(_ => Task.FromResult(socket), maxFrameBytes, lastWords));

    /// <summary>
    /// A flow that opens its socket with <paramref name="connect"/> when materialized (the client side); the token is
    /// cancelled when the stage stops. <c>Connected</c> completes when the socket is open, or faults.
    /// </summary>
    /// <param name="connect">Opens the socket.</param>
    /// <param name="maxFrameBytes">The frame limit, which bounds a message (<see cref="MessageLimit"/>).</param>
    /// <param name="lastWords">The portal's last frame, which the close status and reason name; null: a normal close without a reason.</param>
    public static Flow<ByteString, ByteString, WebSocketSession> Create(Func<CancellationToken, Task<WebSocket>> connect, int maxFrameBytes, LastWords? lastWords = null) =>
        Flow.FromGraph(new WebSocketFlow(connect, maxFrameBytes, lastWords));

    /// <summary>
    /// The close status and reason for a portal's last frame: a <c>Goodbye</c> closes normally with its reason; an
    /// <c>Error</c> with 1009 (message too big) for <see cref="PortalErrorCodes.MaxFrameBytes"/>, 1002 (protocol error) for
    /// a frame that breaks the protocol, 1008 (policy violation) for any other limit; its reason is "code: message" (the
    /// message alone when it starts with the code already, as a limit's does).
    /// </summary>
    internal static (WebSocketCloseStatus Status, string? Description) CloseFor(Frame? last) => last switch
    {
        Goodbye goodbye => (WebSocketCloseStatus.NormalClosure, Truncate(goodbye.Reason)),
        ErrorFrame error => (
            error.Code switch
            {
                PortalErrorCodes.MaxFrameBytes => WebSocketCloseStatus.MessageTooBig,
                PortalErrorCodes.HelloExpected or PortalErrorCodes.DuplicateHello or PortalErrorCodes.VersionMismatch or PortalErrorCodes.BadHello
                    or PortalErrorCodes.MalformedFrame or PortalErrorCodes.BadPayload or PortalErrorCodes.UnexpectedReply => WebSocketCloseStatus.ProtocolError,
                _ => WebSocketCloseStatus.PolicyViolation,
            },
            Truncate(error.Message.StartsWith($"{error.Code}:", StringComparison.Ordinal) ? error.Message : $"{error.Code}: {error.Message}")),
        _ => (WebSocketCloseStatus.NormalClosure, null),
    };

    /// <summary>
    /// The longest binary message sent or accepted when frames are at most <paramref name="maxFrameBytes"/> long: one
    /// write of <see cref="LengthPrefixFraming"/> (several length-prefixed frames, up to <see cref="LengthPrefixFraming.MaxWriteBytes"/>
    /// in all), or one longer frame with its prefix.
    /// </summary>
    public static int MessageLimit(int maxFrameBytes) =>
        (int)Math.Min(Array.MaxLength - 1, Math.Max(LengthPrefixFraming.MaxWriteBytes, maxFrameBytes + (long)LengthPrefixFraming.PrefixBytes));

    public override ILogicAndMaterializedValue<WebSocketSession> CreateLogicAndMaterializedValue(Attributes inheritedAttributes)
    {
        var logic = new Logic(this);
        return new LogicAndMaterializedValue<WebSocketSession>(logic, new WebSocketSession(logic.Connected, logic.Stopped));
    }

    /// <summary>Reads one whole binary message (null for a close frame), refusing text and messages over the limit.</summary>
    /// <remarks>
    /// An idle socket holds no buffer: the wait for the next message is a zero-byte receive, which returns once the
    /// message's header has arrived. Only then is a buffer rented from the shared pool, for the length of one receive.
    /// </remarks>
    private static async Task<ByteString?> ReceiveMessageAsync(WebSocket socket, int maxBytes, int maxFrameBytes, CancellationToken cancellationToken)
    {
        var header = await socket.ReceiveAsync(Memory<byte>.Empty, cancellationToken).ConfigureAwait(false);
        switch (header.MessageType)
        {
            case WebSocketMessageType.Close:
                return null;
            case WebSocketMessageType.Text:
                throw new InvalidDataException("the peer sent a text WebSocket message; Wormhole frames travel as binary messages");
        }

        if (header.EndOfMessage && header.Count == 0)
        {
            return ByteString.Empty;
        }

        // One async method, not two: a nested one would cost a second state machine per message.
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Min(ReceiveBufferBytes, maxBytes + 1));
        try
        {
            var message = buffer;
            var count = 0;
            while (true)
            {
                if (count == message.Length)
                {
                    // Grow to at most maxBytes + 1: enough to see that a message is too long without holding it whole.
                    var larger = new byte[(int)Math.Min(message.Length * 2L, maxBytes + 1L)];
                    message.AsSpan(0, count).CopyTo(larger);
                    message = larger;
                }

                var result = await socket.ReceiveAsync(message.AsMemory(count, Math.Min(message.Length, maxBytes + 1) - count), cancellationToken).ConfigureAwait(false);
                switch (result.MessageType)
                {
                    case WebSocketMessageType.Close:
                        return null;
                    case WebSocketMessageType.Text:
                        throw new InvalidDataException("the peer sent a text WebSocket message; Wormhole frames travel as binary messages");
                }

                count += result.Count;
                if (count > maxBytes)
                {
                    throw await TooLongAsync(socket, buffer, count, result.EndOfMessage, maxBytes, maxFrameBytes, cancellationToken).ConfigureAwait(false);
                }

                if (result.EndOfMessage)
                {
                    return ReferenceEquals(message, buffer) ? ByteString.CopyFrom(buffer, 0, count) : ByteString.FromBytes(message, 0, count);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Reads and drops the rest of a message that is too long (up to 4 × the limit) to name its size.</summary>
    private static async Task<FramingException> TooLongAsync(WebSocket socket, byte[] scratch, long count, bool ended, int maxBytes, int maxFrameBytes, CancellationToken cancellationToken)
    {
        while (!ended && count <= 4L * maxBytes)
        {
            var result = await socket.ReceiveAsync(scratch.AsMemory(), cancellationToken).ConfigureAwait(false);
            count += result.Count;
            ended = result.EndOfMessage || result.MessageType == WebSocketMessageType.Close;
        }

        var size = ended ? $"{count:N0} bytes" : $"more than {count:N0} bytes";
        return new FrameTooLargeException(inbound: true, $"WebSocket message of {size} exceeds the {maxBytes:N0} bytes the {maxFrameBytes:N0}-byte frame limit allows");
    }

    private static string Truncate(string description)
    {
        while (Encoding.UTF8.GetByteCount(description) > MaxCloseDescriptionBytes)
        {
            description = description[..(description.Length - 1)];
        }

        return description;
    }

    private sealed class Logic : TimerGraphStageLogic
    {
        private const string CloseTimer = "close";

        private readonly WebSocketFlow _stage;
        private readonly TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly CancellationTokenSource _cancellation = new();
        private byte[]? _sendBuffer;
        private Action<Task<WebSocket>>? _onConnected;
        private Action<Task<ByteString?>>? _onReceived;
        private Action<Task>? _onSent;
        private Action<Task>? _onCloseSent;
        private Task<WebSocket>? _connecting;
        private WebSocket? _socket;
        private bool _receiving;
        private bool _sending;
        private bool _closing;
        private WebSocketCloseStatus _closeStatus;
        private string? _closeDescription;
        private (WebSocketCloseStatus Status, string Description)? _receiveFault; // a message over the limit: downstream failed, upstream still sent

        public Logic(WebSocketFlow stage)
            : base(stage.Shape)
        {
            _stage = stage;
            SetHandler(
                stage.In,
                onPush: OnPush,
                onUpstreamFinish: OnUpstreamFinish,
                onUpstreamFailure: e => Close(WebSocketCloseStatus.InternalServerError, e.Message, e));
            SetHandler(stage.Out, onPull: OnPull, onDownstreamFinish: OnDownstreamFinish);
        }

        public Task Connected => _connected.Task;

        public Task Stopped => _stopped.Task;

        public override void PreStart()
        {
            _onConnected = CompletionCallback.Of(GetAsyncCallback<Task<WebSocket>>(OnConnected));
            _onReceived = CompletionCallback.Of(GetAsyncCallback<Task<ByteString?>>(OnReceived));
            _onSent = CompletionCallback.Of(GetAsyncCallback<Task>(OnSent));
            _onCloseSent = CompletionCallback.Of(GetAsyncCallback<Task>(OnCloseSent));
            _connecting = _stage._connect(_cancellation.Token);
            _connecting.ContinueWith(_onConnected, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        public override void PostStop()
        {
            _cancellation.Cancel(); // aborts a pending connect, receive or send
            if (_socket is not null)
            {
                _socket.Dispose();
            }
            else
            {
                // A connect that wins the race against the stop still hands over a socket: release it.
                _connecting?.ContinueWith(t => t.Result.Dispose(), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
            }

            _connected.TrySetException(new WebSocketException("the stream stopped before the WebSocket connected"));
            _stopped.TrySetResult();
        }

        protected override void OnTimer(object timerKey)
        {
            if (!_closing)
            {
                Close(_receiveFault?.Status ?? WebSocketCloseStatus.NormalClosure, _receiveFault?.Description, error: null); // downstream is done, upstream did not finish in time
            }
            else
            {
                CompleteStage(); // the peer did not answer our close in time; PostStop aborts the socket
            }
        }

        private void OnConnected(Task<WebSocket> connecting)
        {
            if (!connecting.IsCompletedSuccessfully)
            {
                var error = connecting.Exception?.GetBaseException() ?? new OperationCanceledException("the WebSocket connect was cancelled");
                _connected.TrySetException(error);
                FailStage(error);
                return;
            }

            _socket = connecting.Result;
            _connected.TrySetResult();
            if (_closing)
            {
                SendClose();
                return;
            }

            Pull(_stage.In);
            if (IsAvailable(_stage.Out))
            {
                Receive();
            }
        }

        private void OnPull()
        {
            if (_socket is not null && !_receiving && !_closing)
            {
                Receive();
            }
        }

        private void Receive()
        {
            _receiving = true;
            ReceiveMessageAsync(_socket!, _stage._maxMessageBytes, _stage._maxFrameBytes, _cancellation.Token)
                .ContinueWith(_onReceived!, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        private void OnReceived(Task<ByteString?> receiving)
        {
            _receiving = false;
            if (_closing)
            {
                // Draining while we wait for the peer's close frame: data is dropped, a close or an error ends it.
                if (receiving.IsCompletedSuccessfully && receiving.Result is not null && _socket!.State == WebSocketState.CloseSent)
                {
                    Receive();
                }
                else
                {
                    CompleteStage();
                }

                return;
            }

            if (!receiving.IsCompletedSuccessfully)
            {
                var error = receiving.Exception?.GetBaseException() ?? new OperationCanceledException("the WebSocket receive was cancelled");
                switch (error)
                {
                    case FrameTooLargeException:
                        // The portal learns it and answers with an Error: keep sending until it is done, then close (1009).
                        _receiveFault = (WebSocketCloseStatus.MessageTooBig, Truncate(error.Message));
                        Fail(_stage.Out, error);
                        ScheduleOnce(CloseTimer, CloseTimeout);
                        break;
                    case FramingException:
                        Close(WebSocketCloseStatus.MessageTooBig, error.Message, error);
                        break;
                    case InvalidDataException:
                        Close(WebSocketCloseStatus.InvalidMessageType, error.Message, error);
                        break;
                    default:
                        FailStage(error);
                        break;
                }

                return;
            }

            if (receiving.Result is { } message)
            {
                if (!IsClosed(_stage.Out))
                {
                    Push(_stage.Out, message);
                }

                return;
            }

            // The peer closed. A normal close (or "going away") completes; any other status is the peer's error.
            var status = _socket!.CloseStatus ?? WebSocketCloseStatus.Empty;
            Close(
                WebSocketCloseStatus.NormalClosure,
                null,
                status is WebSocketCloseStatus.NormalClosure or WebSocketCloseStatus.EndpointUnavailable or WebSocketCloseStatus.Empty
                    ? null
                    : new WebSocketException($"the peer closed the WebSocket with status {status} ({(int)status}): {_socket.CloseStatusDescription}"));
        }

        private void OnPush()
        {
            var bytes = Grab(_stage.In);
            if (bytes.Count > _stage._maxMessageBytes)
            {
                var error = new FrameTooLargeException(inbound: false, $"message of {bytes.Count:N0} bytes exceeds the {_stage._maxMessageBytes:N0} bytes the {_stage._maxFrameBytes:N0}-byte frame limit allows; not sent");
                Close(WebSocketCloseStatus.InternalServerError, error.Message, error);
                return;
            }

            // Rented for the length of one send (one at a time), so an idle socket holds no buffer.
            _sendBuffer = ArrayPool<byte>.Shared.Rent(bytes.Count);
            bytes.CopyTo(_sendBuffer, 0, bytes.Count);
            _sending = true;
            _socket!.SendAsync(_sendBuffer.AsMemory(0, bytes.Count), WebSocketMessageType.Binary, endOfMessage: true, _cancellation.Token).AsTask()
                .ContinueWith(_onSent!, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        private void OnSent(Task sending)
        {
            _sending = false;
            ReturnSendBuffer();
            if (!sending.IsCompletedSuccessfully)
            {
                var error = sending.Exception?.GetBaseException() ?? new OperationCanceledException("the WebSocket send was cancelled");
                if (_closing)
                {
                    CompleteStage();
                }
                else
                {
                    FailStage(error);
                }
            }
            else if (_closing)
            {
                SendClose();
            }
            else if (!IsClosed(_stage.In))
            {
                Pull(_stage.In);
            }
        }

        private void ReturnSendBuffer()
        {
            if (_sendBuffer is not null)
            {
                ArrayPool<byte>.Shared.Return(_sendBuffer);
                _sendBuffer = null;
            }
        }

        /// <summary>The portal is done: close with a status and reason naming its last frame (or what was wrong with the peer's).</summary>
        private void OnUpstreamFinish()
        {
            var (status, description) = _stage._lastWords?.Said is { } last
                ? CloseFor(last)
                : _receiveFault is { } fault ? (fault.Status, fault.Description) : (WebSocketCloseStatus.NormalClosure, null);
            Close(status, description, error: null);
        }

        private void OnDownstreamFinish(Exception cause)
        {
            // Keep sending what upstream still has (the portal's last Goodbye), but not forever.
            if (!_closing)
            {
                ScheduleOnce(CloseTimer, CloseTimeout);
            }
        }

        /// <summary>Terminates both sides at once, then closes the socket with <paramref name="status"/> once no send is in flight.</summary>
        private void Close(WebSocketCloseStatus status, string? description, Exception? error)
        {
            if (_closing)
            {
                return;
            }

            _closing = true;
            _closeStatus = status;
            _closeDescription = description is null ? null : Truncate(description);
            SetKeepGoing(true);
            ScheduleOnce(CloseTimer, CloseTimeout); // a send in flight or a peer that does not answer cannot hold the stage
            if (!IsClosed(_stage.Out))
            {
                if (error is null)
                {
                    Complete(_stage.Out);
                }
                else
                {
                    Fail(_stage.Out, error);
                }
            }

            if (!IsClosed(_stage.In))
            {
                if (error is null)
                {
                    Cancel(_stage.In);
                }
                else
                {
                    Cancel(_stage.In, error); // the portal upstream learns why, whichever side it hears from first
                }
            }

            if (_socket is null)
            {
                if (_connecting is { IsCompleted: false })
                {
                    CompleteStage(); // PostStop cancels the connect
                }

                return;
            }

            if (!_sending)
            {
                SendClose();
            }
        }

        private void SendClose()
        {
            ScheduleOnce(CloseTimer, CloseTimeout);
            var socket = _socket!;
            if (socket.State is not (WebSocketState.Open or WebSocketState.CloseReceived))
            {
                CompleteStage();
                return;
            }

            socket.CloseOutputAsync(_closeStatus, _closeDescription, _cancellation.Token)
                .ContinueWith(_onCloseSent!, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        private void OnCloseSent(Task sending)
        {
            // Wait for the peer's close frame, so neither side resets a connection with data in flight (reading is ours
            // alone: at most one receive is in flight). A failed send, or a close the peer already sent, ends here.
            if (sending.IsCompletedSuccessfully && _socket!.State == WebSocketState.CloseSent)
            {
                if (!_receiving)
                {
                    Receive();
                }
            }
            else
            {
                CompleteStage();
            }
        }
    }
}
