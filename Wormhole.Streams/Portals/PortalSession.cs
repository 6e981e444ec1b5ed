using Akka.Actor;
using System.Globalization;
using Wormhole.Streams.Logging;
using Wormhole.Streams.Protocol;
using Wormhole.Streams.Streaming;
using Wormhole.Streams.Transmaterialization;

namespace Wormhole.Streams.Portals;

/// <summary>
/// One portal's protocol state machine, with no stream or timer of its own: it takes the peer's frames, the commands of
/// proxies and of the <see cref="Portal"/> handle, deaths and timer ticks, and hands its outcomes (frames to send, a close
/// with its kind, code and limit) to its <see cref="IPortalSessionHost"/>; deliveries go straight to local actors.
/// </summary>
/// <remarks>
/// Used on one thread at a time (the stage's). Nothing a peer sends escapes as an exception: every fault becomes a close
/// with a <see cref="ProtocolFault"/>, or a refused request.
/// </remarks>
internal sealed partial class PortalSession : IStreamHost
{
    /// <summary>Keep-alive ticks per smallest idle timeout of the two sides.</summary>
    private const int TicksPerIdleTimeout = 6;

    /// <summary>Ticks without sending anything after which a keep-alive goes out (so at most half the smaller timeout passes).</summary>
    private const int QuietTicksBeforeKeepAlive = 2;

    private readonly IPortalSessionHost _host;
    private readonly Nexus _nexus;
    private readonly Portal _portal;
    private readonly NexusOptions _options;
    private readonly PayloadModel _payloads;
    private readonly PortalCounters _counters;
    private readonly WireId _conduitHalf;
    private bool _open;
    private bool _closed;
    private PortalCloseReason? _closeReason;
    private StreamTable? _streams;
    private int _silentTicks;
    private int _quietTicks;
    private int _silentTicksLimit = int.MaxValue;

    public PortalSession(IPortalSessionHost host, Nexus nexus, Portal portal, NexusOptions options, PortalCounters counters, WireId conduitHalf, IEnumerable<(string Name, IActorRef Actor, Type MessageType)> publications)
    {
        _host = host;
        _nexus = nexus;
        _portal = portal;
        _options = options;
        _payloads = nexus.Payloads;
        _counters = counters;
        _conduitHalf = conduitHalf;
        Table = new ReferenceTable(options, counters, portal.Id, host, () => Streams);
        foreach (var (name, actor, messageType) in publications)
        {
            _names[name] = (actor, messageType);
        }
    }

    public ReferenceTable Table { get; }

    /// <summary>The portal's streams, made when the first stream is offered or a stream frame arrives: most portals never stream.</summary>
    public StreamTable Streams => _streams ??= new StreamTable(_options, _counters, _portal.Id, this, _host.Commands, () => _host.Materializer)
    {
        PeerMaxFrameBytes = Math.Min(PeerMaxFrameBytes, _options.MaxFrameBytes), // this side's framing refuses larger frames on the way out
    };

    public bool IsOpen => _open && !_closed;

    /// <summary>The largest frame the peer accepts (its <c>Hello.MaxFrameBytes</c>; this side's own until it has said).</summary>
    public int PeerMaxFrameBytes { get; private set; }

    /// <summary>The tick of the idle check and keep-alives before the peer's <c>Hello</c> says its own timeout.</summary>
    public TimeSpan InitialIdleTick => _options.IdleTimeout / TicksPerIdleTimeout;

    /// <summary>Sends this side's <c>Hello</c>: the first frame.</summary>
    public void Start()
    {
        PeerMaxFrameBytes = _options.MaxFrameBytes;
        Send(new Hello
        {
            ProtocolVersion = Hello.CurrentVersion,
            SideId = _nexus.SideId,
            ConduitHalf = _conduitHalf,
            MaxFrameBytes = (uint)_options.MaxFrameBytes,
            IdleTimeoutMs = (uint)_options.IdleTimeout.TotalMilliseconds,
        });
    }

    public void OnFrame(Frame frame)
    {
        if (_closed)
        {
            return;
        }

        _silentTicks = 0;
        try
        {
            if (_open)
            {
                OnOpenFrame(frame);
            }
            else
            {
                OnHandshakeFrame(frame);
            }
        }
        catch (ProtocolFaultException e)
        {
            Fail(e.Fault, e.InnerException);
        }
    }

    /// <summary>The handshake timer fired.</summary>
    public void OnHandshakeTimeout()
    {
        if (!_open)
        {
            Fail(new ProtocolFault(
                PortalCloseKind.HandshakeFailed,
                PortalErrorCodes.HandshakeTimeout,
                $"no Hello from the peer within the {_options.HandshakeTimeout.TotalSeconds:0.###} s handshake timeout",
                "no Hello arrived within the handshake timeout"));
        }
    }

    /// <summary>The idle tick: closes a portal whose peer has been silent past the idle timeout; keeps a quiet one alive.</summary>
    public void OnIdleTick()
    {
        if (!IsOpen)
        {
            return;
        }

        if (++_silentTicks >= _silentTicksLimit)
        {
            Fail(ProtocolFault.LimitExceeded(PortalErrorCodes.IdleTimeout, $"IdleTimeout: no frame from the peer for {_options.IdleTimeout.TotalSeconds:0.###} s"));
        }
        else if (++_quietTicks >= QuietTicksBeforeKeepAlive)
        {
            Send(new KeepAlive());
        }
    }

    /// <summary>Whether anything may expire: a one-shot entry, or a stream (whose subscription can time out). The sweep runs only while this holds.</summary>
    public bool HasExpiring => Table.HasExpiring || _streams is { Produced: > 0 } or { Consumed: > 0 };

    /// <summary>The sweep tick (once a second while <see cref="HasExpiring"/>): expired one-shot entries go.</summary>
    public void OnSweepTick()
    {
        Table.Tick++;
        Table.SweepExpired();
        _streams?.Sweep(Table.Tick);
    }

    /// <summary>A local actor this portal published has terminated: tell the peer.</summary>
    public void OnLocalTerminated(IActorRef actor)
    {
        foreach (var id in Table.OnLocalTerminated(actor))
        {
            Send(new TerminatedFrame { Id = id });
        }
    }

    /// <summary>The stage stopped: every proxy terminates, every pending ask, reply and lookup fails with <paramref name="reason"/>.</summary>
    public void Shutdown(PortalCloseReason reason)
    {
        _closed = true;
        _closeReason ??= reason;
        Table.ReleaseEverything(reason);
        _streams?.CloseAll(reason);
        foreach (var (_, _, lookup) in _lookups.Values)
        {
            lookup.TrySetException(new PortalClosedException(reason));
        }

        _lookups.Clear();
    }

    /// <summary>Closes for a fault: the peer gets an <c>Error</c> frame with the code and the text meant for it.</summary>
    public void Fail(ProtocolFault fault, Exception? exception = null) =>
        Close(fault.ToReason(exception), new ErrorFrame { Code = fault.Code, Message = fault.PeerText });

    /// <summary>Closes, once; <paramref name="last"/> goes to the peer first.</summary>
    public void Close(PortalCloseReason reason, Frame? last)
    {
        if (_closed)
        {
            return;
        }

        _closed = true;
        _closeReason = reason;
        _host.Close(reason, last);
    }

    /// <summary>The next frame of stream elements (or a stream's end) to send, round-robin among the streams; null: none now.</summary>
    public Frame? NextStreamFrame()
    {
        if (!IsOpen)
        {
            return null;
        }

        try
        {
            var frame = _streams?.NextFrame(_payloads.Model, Table);
            if (frame is not null)
            {
                _quietTicks = 0;
            }

            return frame;
        }
        catch (ProtocolFaultException e)
        {
            Fail(e.Fault, e.InnerException);
            return null;
        }
    }

    private void Send(Frame frame)
    {
        _quietTicks = 0;
        _host.Send(frame);
    }

    void IStreamHost.Send(Frame frame) => Send(frame);

    void IStreamHost.StreamsReady() => _host.StreamsReady();

    bool IStreamHost.CountUnknown(string what) => CountUnknown(what);

    void IStreamHost.Warn(string kind, string format, params object[] args)
    {
        if (_nexus.Warnings.Allow(_nexus.Logs.Portal, kind))
        {
            PortalLog.StreamWarning(_nexus.Logs.Portal, _portal.Id, string.Format(CultureInfo.InvariantCulture, format, args), kind);
        }
    }

    private void OnHandshakeFrame(Frame frame)
    {
        switch (frame)
        {
            case Hello { ProtocolVersion: not Hello.CurrentVersion } hello:
                Fail(new ProtocolFault(
                    PortalCloseKind.HandshakeFailed,
                    PortalErrorCodes.VersionMismatch,
                    $"the peer speaks protocol version {hello.ProtocolVersion}; this side speaks version {Hello.CurrentVersion}",
                    $"this side speaks protocol version {Hello.CurrentVersion}"));
                break;
            case Hello { MaxFrameBytes: > 0 and < NexusOptions.MinFrameBytes } hello:
                Fail(new ProtocolFault(
                    PortalCloseKind.HandshakeFailed,
                    PortalErrorCodes.BadHello,
                    $"the peer's Hello states a frame limit of {hello.MaxFrameBytes:N0} bytes, under the protocol's minimum of {NexusOptions.MinFrameBytes:N0}",
                    $"Hello.MaxFrameBytes must be 0 or at least {NexusOptions.MinFrameBytes:N0}"));
                break;
            case Hello hello:
                OnHello(hello);
                break;
            case ErrorFrame error:
                OnPeerError(error);
                break;
            case Goodbye goodbye:
                OnGoodbye(goodbye); // a listener that turns the connection away says why, before any Hello
                break;
            default:
                Fail(ProtocolFault.Violation(
                    PortalErrorCodes.HelloExpected,
                    $"a {Describe(frame)} frame arrived before the peer's Hello",
                    "the first frame must be Hello"));
                break;
        }
    }

    private void OnGoodbye(Goodbye goodbye) =>
        Close(new PortalCloseReason(PortalCloseKind.ClosedByPeer, goodbye.Final ? $"the peer said goodbye for good: {goodbye.Reason}" : $"the peer said goodbye: {goodbye.Reason}") { Final = goodbye.Final }, last: null);

    private void OnHello(Hello hello)
    {
        _open = true;
        if (hello.MaxFrameBytes > 0)
        {
            PeerMaxFrameBytes = (int)Math.Min(hello.MaxFrameBytes, int.MaxValue);
        }

        if (_streams is not null)
        {
            _streams.PeerMaxFrameBytes = Math.Min(PeerMaxFrameBytes, _options.MaxFrameBytes); // this side's framing refuses larger frames on the way out
        }

        var peerIdle = hello.IdleTimeoutMs > 0 ? TimeSpan.FromMilliseconds(hello.IdleTimeoutMs) : _options.IdleTimeout;
        var tick = (peerIdle < _options.IdleTimeout ? peerIdle : _options.IdleTimeout) / TicksPerIdleTimeout;
        _silentTicksLimit = (int)Math.Ceiling(_options.IdleTimeout / tick) + 1; // closes after between 1 and 1 + 1/6 of this side's timeout
        _host.SetIdleTick(tick);
        _portal.MarkOpened();
        _nexus.OnPortalOpened(_portal);
    }

    private void OnOpenFrame(Frame frame)
    {
        switch (frame)
        {
            case Deliver deliver:
                OnDeliver(deliver);
                break;
            case Lookup lookup:
                OnLookup(lookup);
                break;
            case LookupReply reply:
                OnLookupReply(reply);
                break;
            case TerminatedFrame terminated:
                Table.OnRemoteTerminated(terminated.Id);
                break;
            case Release release:
                Table.Release(release.Id, release.Count);
                break;
            case KeepAlive:
                break;
            case Demand demand:
                Streams.OnDemand(demand);
                break;
            case StreamItems items:
                Streams.OnItems(items, _payloads, Table);
                break;
            case StreamEnd end:
                Streams.OnEnd(end);
                break;
            case StreamCancel cancel:
                Streams.OnCancel(cancel);
                break;
            case Goodbye goodbye:
                OnGoodbye(goodbye);
                break;
            case ErrorFrame error:
                OnPeerError(error);
                break;
            case Hello:
                Fail(ProtocolFault.Violation(PortalErrorCodes.DuplicateHello, "the peer sent a second Hello", "a second Hello"));
                break;
            case InvalidFrame invalid:
                Fail(invalid.Fault);
                break;
        }
    }

    private void OnPeerError(ErrorFrame error) =>
        Close(
            new PortalCloseReason(PortalCloseKind.PeerError, $"the peer reported '{Truncated(error.Code)}': {Truncated(error.Message, 512)}")
            {
                Code = Truncated(error.Code),
                Limit = IsLimitName(error.Code) ? error.Code : null,
            },
            last: null);

    private static bool IsLimitName(string code) =>
        code.StartsWith("Max", StringComparison.Ordinal) || code == PortalErrorCodes.IdleTimeout
            ? typeof(NexusOptions).GetProperty(code) is not null
            : false;

    private static string Truncated(string text, int length = 64) => text.Length <= length ? text : text[..length] + "…";

    private static string Describe(Frame frame) => frame switch
    {
        InvalidFrame => "malformed",
        TerminatedFrame => "Terminated",
        ErrorFrame => "Error",
        _ => frame.GetType().Name,
    };
}
