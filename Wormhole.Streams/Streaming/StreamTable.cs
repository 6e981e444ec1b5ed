using Akka.Streams;
using ProtoBuf.Meta;
using Wormhole.Streams.Portals;
using Wormhole.Streams.Protocol;
using Wormhole.Streams.Transmaterialization;

namespace Wormhole.Streams.Streaming;

/// <summary>
/// One portal's streams: those this side offers the peer (produced) and those the peer offers this side (consumed), in
/// separate tables so the two sides' ids never mix. Runs credit, sequence numbers, cancellation and the subscription
/// timeout, and picks the next <c>StreamItems</c> frame round-robin among the streams that have elements and credit.
/// </summary>
/// <remarks>Stage thread only, except what <see cref="StreamInlet{T}"/> and <see cref="StreamPump{T}"/> post to the portal's command queue.</remarks>
internal sealed class StreamTable
{
    /// <summary>The most element bytes one <c>StreamItems</c> frame carries, so other streams and messages get their turn.</summary>
    internal const int MaxBatchBytes = 64 * 1024;

    /// <summary>What a <c>StreamItems</c> frame adds to its elements at most: stream id, first sequence number, framing.</summary>
    internal const int ItemsOverhead = 64;

    /// <summary>The largest element window a consumer grows to; both windows grow together while the byte window is under <see cref="NexusOptions.MaxStreamWindowBytes"/>.</summary>
    internal const int MaxWindowElements = 65_536;

    private const int RecentEndsKept = 1024;

    private readonly NexusOptions _options;
    private readonly PortalCounters _counters;
    private readonly string _portalId;
    private readonly IStreamHost _host;
    private readonly PortalCommandQueue _portal;
    private readonly Func<IMaterializer> _materializer;
    private readonly Dictionary<WireId, ProducedStream> _produced = new();
    private readonly Dictionary<WireId, ConsumedStream> _consumed = new();
    private readonly Queue<ProducedStream> _round = new();
    private readonly List<ProducedStream> _offeredInMessage = new();
    private readonly HashSet<WireId> _recentEnds = new();
    private readonly Queue<WireId> _recentEndsOrder = new();
    private long _tick;

    public StreamTable(NexusOptions options, PortalCounters counters, string portalId, IStreamHost host, PortalCommandQueue portal, Func<IMaterializer> materializer)
    {
        _options = options;
        _counters = counters;
        _portalId = portalId;
        _host = host;
        _portal = portal;
        _materializer = materializer;
    }

    /// <summary>Runs the Akka sources this side offers, when the peer first demands.</summary>
    public IMaterializer Materializer => _materializer();

    /// <summary>The largest element the peer accepts: this side's limit, within the peer's frame limit.</summary>
    public int PeerMaxFrameBytes { get; set; } = int.MaxValue;

    public int Produced => _produced.Count;

    public int Consumed => _consumed.Count;

    /// <summary>Offers a stream: registered now, its source opened at the peer's first <c>Demand</c>.</summary>
    /// <exception cref="LimitExceededException">This side already offers <see cref="NexusOptions.MaxStreams"/> streams on the portal.</exception>
    public WireId Offer<T>(Func<IAsyncEnumerable<T>> open)
    {
        if (_produced.Count >= _options.MaxStreams)
        {
            throw new LimitExceededException(
                nameof(NexusOptions.MaxStreams),
                $"MaxStreams: this side already offers {_options.MaxStreams:N0} open streams on portal {_portalId}; the message was not sent");
        }

        var id = WireId.NewRandom();
        ProducedStream? stream = null;
        stream = new ProducedStream(id, new StreamPump<T>(open, () => _portal.Post(new PortalCommand.StreamWake(stream!))), _tick);
        _produced[id] = stream;
        _offeredInMessage.Add(stream);
        Count();
        return id;
    }

    /// <summary>Counts and logs elements an offered <see cref="IObservable{T}"/> dropped. Any thread.</summary>
    public void CountDropped(int count)
    {
        _counters.Drop("observable-overflow", count);
        _host.Warn("observable-overflow", "an IObservable offered as a stream dropped {0:N0} elements: its buffer was full (ObservableBufferSize, ObservableOverflow; {1:N0} dropped on this portal)", count, _counters.Dropped);
    }

    /// <summary>The message whose encoding offered streams went out: they stay.</summary>
    public void MessageSent() => _offeredInMessage.Clear();

    /// <summary>The message whose encoding offered streams was not sent: they go, unopened.</summary>
    public void MessageNotSent()
    {
        foreach (var stream in _offeredInMessage)
        {
            _produced.Remove(stream.Id);
        }

        _offeredInMessage.Clear();
        Count();
    }

    /// <summary>A stream the peer offers, met in a payload.</summary>
    /// <exception cref="ProtocolFaultException">The peer offers too many, or offers one id twice, or hands back one of this side's.</exception>
    public StreamInlet<T> Accept<T>(WireRef reference)
    {
        if (reference.Yours || reference.Id.IsEmpty || _consumed.ContainsKey(reference.Id))
        {
            throw new ProtocolFaultException(ProtocolFault.Violation(
                PortalErrorCodes.BadPayload,
                $"the peer offered stream {reference.Id}, which is {(reference.Yours ? "marked as this side's" : reference.Id.IsEmpty ? "empty" : "already open")}",
                $"a stream id must be new and yours (stream {reference.Id})"));
        }

        if (_consumed.Count >= _options.MaxStreams)
        {
            throw new ProtocolFaultException(ProtocolFault.LimitExceeded(
                nameof(NexusOptions.MaxStreams),
                $"MaxStreams: the peer offered more than {_options.MaxStreams:N0} open streams on this portal"));
        }

        var inlet = new StreamInlet<T>(reference.Id, _tick, _options.StreamWindowElements, _options.StreamWindowBytes, _portal);
        _consumed[reference.Id] = inlet;
        Count();
        return inlet;
    }

    public void OnDemand(Demand demand)
    {
        if (!_produced.TryGetValue(demand.Stream, out var stream))
        {
            Unknown(demand.Stream, "a Demand");
            return;
        }

        var raised = demand.Credit > stream.Credit || demand.CreditBytes > stream.CreditBytes;
        stream.Credit = Math.Max(stream.Credit, demand.Credit);
        stream.CreditBytes = Math.Max(stream.CreditBytes, demand.CreditBytes);
        if (!stream.Open)
        {
            stream.Open = true;
            stream.Pump.Start(Allowance(stream));
        }
        else if (!raised)
        {
            return; // stale: a duplicate or reordered grant changes nothing
        }
        else
        {
            stream.Pump.Allow(Allowance(stream));
        }

        Schedule(stream);
        _host.StreamsReady();
    }

    public void OnCancel(StreamCancel cancel)
    {
        if (!_produced.Remove(cancel.Stream, out var stream))
        {
            Unknown(cancel.Stream, "a StreamCancel");
            return;
        }

        stream.Pump.Cancel();
        Ended(stream.Id);
        Count();
        _host.Send(new StreamEnd { Stream = stream.Id, Count = stream.Sent, Code = StreamEndCodes.Cancelled });
    }

    /// <summary>A pump has elements, or ended, after the stage found it empty.</summary>
    public void OnWake(ProducedStream stream)
    {
        if (IsCurrent(stream))
        {
            Schedule(stream);
            _host.StreamsReady();
        }
    }

    /// <summary>The next stream frame, round-robin among the streams with elements and credit; null when none has one now.</summary>
    public Frame? NextFrame(RuntimeTypeModel model, IReferenceTable table)
    {
        while (_round.TryDequeue(out var stream))
        {
            stream.Scheduled = false;
            if (IsCurrent(stream) && Build(stream, model, table) is { } frame)
            {
                return frame;
            }
        }

        return null;
    }

    public void OnItems(StreamItems items, PayloadModel payloads, Portals.ReferenceTable table)
    {
        if (!_consumed.TryGetValue(items.Stream, out var stream))
        {
            Unknown(items.Stream, "a StreamItems");
            return;
        }

        var count = (ulong)items.Items.Count;
        if (stream.State == ConsumerState.Announced)
        {
            Violation(stream, $"{count:N0} elements arrived before any Demand");
            return;
        }

        if (items.FirstSeq != stream.Received)
        {
            Violation(stream, $"elements from sequence number {items.FirstSeq:N0} arrived where {stream.Received:N0} was next ({(items.FirstSeq < stream.Received ? "a duplicate" : "a gap")})");
            return;
        }

        if (count > stream.Granted - stream.Received)
        {
            Violation(stream, $"{count:N0} elements arrived where the credit left room for {stream.Granted - stream.Received:N0}");
            return;
        }

        var limit = _options.MaxStreamElementBytes;
        foreach (var element in items.Items)
        {
            if (stream.ReceivedBytes >= stream.GrantedBytes || element.Length > limit)
            {
                Violation(stream, element.Length > limit
                    ? $"an element of {element.Length:N0} bytes exceeds MaxStreamElementBytes ({limit:N0})"
                    : $"an element started after the byte credit of {stream.GrantedBytes:N0} was used up");
                return;
            }

            stream.ReceivedBytes += (ulong)element.Length;
        }

        stream.Received += count;
        if (stream.State == ConsumerState.Cancelling)
        {
            _counters.Drop("stream-cancelled", (int)count); // in flight when this side cancelled: within credit, so not the peer's fault
            return;
        }

        try
        {
            stream.Accept(items.Items, payloads, table);
        }
        catch (Exception e) when (e is not (ProtocolFaultException or OutOfMemoryException))
        {
            Violation(stream, $"an element does not decode as {stream.ElementType.Name}: {e.Message}");
        }
    }

    public void OnEnd(StreamEnd end)
    {
        if (!_consumed.Remove(end.Stream, out var stream))
        {
            Unknown(end.Stream, "a StreamEnd");
            return;
        }

        Count();
        if (stream.State == ConsumerState.Cancelling)
        {
            return; // the answer to this side's cancel (or it crossed it)
        }

        if (end.Code.Length > 0)
        {
            stream.Fail(new RemoteStreamException(Short(end.Reason.Length > 0 ? end.Reason : $"the producer ended the stream: {end.Code}"), Short(end.Code, 64)));
        }
        else if (end.Count != stream.Received)
        {
            var detail = $"the stream completed with a count of {end.Count:N0} elements, but {stream.Received:N0} arrived";
            stream.Fail(new RemoteStreamException($"the stream broke the protocol: {detail}", StreamEndCodes.ProtocolViolation));
            _host.CountUnknown($"stream {end.Stream}: {detail}");
        }
        else
        {
            stream.Complete();
        }
    }

    /// <summary>The consumer claimed the stream (opens it) or took half a window since the last grant: grants more.</summary>
    public void OnConsumed(ConsumedStream stream)
    {
        if (!IsCurrent(stream) || stream.State == ConsumerState.Cancelling)
        {
            return;
        }

        var (taken, takenBytes, ranDry) = stream.Report();
        if (stream.State == ConsumerState.Announced)
        {
            stream.State = ConsumerState.Open;
        }
        else if (ranDry && stream.WindowBytes < _options.MaxStreamWindowBytes)
        {
            // The consumer waited while the producer waited for credit: a larger window would have kept both busy.
            stream.WindowElements = Math.Min(stream.WindowElements * 2, MaxWindowElements);
            stream.WindowBytes = Math.Min(stream.WindowBytes * 2, _options.MaxStreamWindowBytes);
        }

        var credit = taken + (ulong)stream.WindowElements;
        var creditBytes = takenBytes + (ulong)stream.WindowBytes;
        if (credit > stream.Granted || creditBytes > stream.GrantedBytes || stream.Granted == 0)
        {
            stream.Granted = Math.Max(stream.Granted, credit);
            stream.GrantedBytes = Math.Max(stream.GrantedBytes, creditBytes);
            _host.Send(new Demand { Stream = stream.Id, Credit = stream.Granted, CreditBytes = stream.GrantedBytes });
        }
    }

    /// <summary>The consumer stopped early.</summary>
    public void OnCancelled(ConsumedStream stream)
    {
        if (IsCurrent(stream) && stream.State != ConsumerState.Cancelling)
        {
            Cancel(stream, code: "");
        }
    }

    /// <summary>The sweep tick (once a second): streams nobody consumed within the subscription timeout end, on both sides.</summary>
    public void Sweep(long tick)
    {
        _tick = tick;
        var timeout = (long)Math.Ceiling(_options.StreamSubscriptionTimeout.TotalSeconds);
        if (_produced.Count > 0)
        {
            foreach (var stream in _produced.Values.Where(s => !s.Open && tick - s.OfferedAtTick > timeout).ToList())
            {
                _produced.Remove(stream.Id);
                Ended(stream.Id);
                _host.Send(new StreamEnd
                {
                    Stream = stream.Id,
                    Code = StreamEndCodes.SubscriptionTimeout,
                    Reason = $"nobody consumed the stream within the producer's {_options.StreamSubscriptionTimeout.TotalSeconds:0.###} s subscription timeout",
                });
            }
        }

        if (_consumed.Count > 0)
        {
            foreach (var stream in _consumed.Values.Where(s => s.State != ConsumerState.Open && tick - s.SinceTick > timeout).ToList())
            {
                if (stream.State == ConsumerState.Cancelling)
                {
                    _consumed.Remove(stream.Id); // the producer never answered the cancel: forget it
                    continue;
                }

                stream.Fail(new RemoteStreamException(
                    $"the stream of {stream.ElementType.Name} was not consumed within the {_options.StreamSubscriptionTimeout.TotalSeconds:0.###} s subscription timeout (NexusOptions.StreamSubscriptionTimeout), so it was cancelled",
                    StreamEndCodes.SubscriptionTimeout));
                Cancel(stream, StreamEndCodes.SubscriptionTimeout);
            }
        }

        Count();
    }

    /// <summary>The portal closed: every producer is cancelled, every consumer fails with <paramref name="reason"/> (after what it buffered).</summary>
    public void CloseAll(PortalCloseReason reason)
    {
        foreach (var stream in _produced.Values)
        {
            stream.Pump.Cancel();
        }

        foreach (var stream in _consumed.Values)
        {
            stream.Fail(new PortalClosedException(reason));
        }

        _produced.Clear();
        _consumed.Clear();
        _round.Clear();
        Count();
    }

    private Frame? Build(ProducedStream stream, RuntimeTypeModel model, IReferenceTable table)
    {
        var budget = Math.Min(MaxBatchBytes, PeerMaxFrameBytes - ItemsOverhead);
        var elementLimit = Math.Min(_options.MaxStreamElementBytes, PeerMaxFrameBytes - ItemsOverhead);
        List<byte[]>? items = null;
        var first = stream.Sent;
        var bytes = 0;
        if (stream.Failure is not null)
        {
            return End(stream, PumpResult.Failed);
        }

        while (stream.HasCredit)
        {
            byte[] element;
            if (stream.Held is { } held)
            {
                element = held;
                stream.Held = null;
            }
            else
            {
                PumpResult result;
                try
                {
                    result = stream.Pump.TryTake(model, table, out element);
                    MessageSent(); // the streams an element offers go with it
                }
                catch (Exception e) when (e is not (ProtocolFaultException or OutOfMemoryException))
                {
                    MessageNotSent();
                    return items is null ? Fail(stream, "an element could not be encoded", e) : Reschedule(stream, items, first, failure: e);
                }

                if (result == PumpResult.Empty)
                {
                    break;
                }

                if (result != PumpResult.Element)
                {
                    return items is null ? End(stream, result) : Reschedule(stream, items, first);
                }
            }

            if (element.Length > elementLimit)
            {
                var why = new LimitExceededException(nameof(NexusOptions.MaxStreamElementBytes), $"MaxStreamElementBytes: an element of {element.Length:N0} bytes exceeds the {elementLimit:N0}-byte limit of this portal's streams");
                return items is null ? Fail(stream, why.Message, why) : Reschedule(stream, items, first, failure: why);
            }

            if (items is not null && bytes + element.Length > budget)
            {
                stream.Held = element;
                break;
            }

            (items ??= []).Add(element);
            bytes += element.Length + 5;
            stream.Sent++;
            stream.SentBytes += (ulong)element.Length;
        }

        if (items is null)
        {
            // Out of credit: the source may have ended on the one element it may pull beyond the credit (see Allowance).
            return stream.Held is null && stream.Pump.TryEnd(out var result) ? End(stream, result) : null;
        }

        stream.Pump.Allow(Allowance(stream));
        Schedule(stream); // its next batch after the other streams' (a pump found empty is woken instead, cheaply)
        return new StreamItems { Stream = stream.Id, FirstSeq = first, Items = items };
    }

    /// <summary>The elements taken so far go out; the stream's end (or <paramref name="failure"/>) in its next turn.</summary>
    private StreamItems Reschedule(ProducedStream stream, List<byte[]> items, ulong first, Exception? failure = null)
    {
        if (failure is not null)
        {
            stream.Pump.Cancel();
            stream.Failure = failure;
        }

        Schedule(stream);
        return new StreamItems { Stream = stream.Id, FirstSeq = first, Items = items };
    }

    private StreamEnd End(ProducedStream stream, PumpResult result)
    {
        if (stream.Failure is { } failure)
        {
            return Fail(stream, "an element could not be sent", failure);
        }

        if (result == PumpResult.Failed)
        {
            return Fail(stream, "the source failed", stream.Pump.Failure!);
        }

        _produced.Remove(stream.Id);
        Ended(stream.Id);
        Count();
        return new StreamEnd { Stream = stream.Id, Count = stream.Sent };
    }

    private StreamEnd Fail(ProducedStream stream, string what, Exception failure)
    {
        stream.Pump.Cancel();
        _produced.Remove(stream.Id);
        Ended(stream.Id);
        Count();
        _host.Warn("stream-failed", "stream {0} failed after {1:N0} elements: {2}: {3}", stream.Id, stream.Sent, what, failure);
        var reason = failure switch
        {
            RemoteStreamException shared => Short(shared.Message),
            LimitExceededException limit => Short(limit.Message),
            _ => "the producer failed",
        };
        return new StreamEnd { Stream = stream.Id, Count = stream.Sent, Code = failure is LimitExceededException limited ? limited.Limit : StreamEndCodes.Failed, Reason = reason };
    }

    private void Violation(ConsumedStream stream, string detail)
    {
        _host.Warn("stream-violation", "stream {0} broke the protocol: {1}", stream.Id, detail);
        stream.Fail(new RemoteStreamException($"the stream broke the protocol: {detail}", StreamEndCodes.ProtocolViolation));
        if (stream.State != ConsumerState.Cancelling)
        {
            Cancel(stream, StreamEndCodes.ProtocolViolation);
        }

        _host.CountUnknown($"stream {stream.Id}: {detail}");
    }

    private void Cancel(ConsumedStream stream, string code)
    {
        stream.State = ConsumerState.Cancelling;
        stream.SinceTick = _tick;
        _host.Send(new StreamCancel { Stream = stream.Id, Code = code });
    }

    private void Unknown(WireId id, string frame)
    {
        if (!_recentEnds.Contains(id))
        {
            _host.CountUnknown($"{frame} for stream {id}, which is not open here");
        }
    }

    private void Ended(WireId id)
    {
        if (_recentEnds.Add(id))
        {
            _recentEndsOrder.Enqueue(id);
            if (_recentEndsOrder.Count > RecentEndsKept)
            {
                _recentEnds.Remove(_recentEndsOrder.Dequeue());
            }
        }
    }

    private void Schedule(ProducedStream stream)
    {
        if (!stream.Scheduled)
        {
            stream.Scheduled = true;
            _round.Enqueue(stream);
        }
    }

    private bool IsCurrent(ProducedStream stream) => _produced.TryGetValue(stream.Id, out var current) && ReferenceEquals(current, stream);

    private bool IsCurrent(ConsumedStream stream) => _consumed.TryGetValue(stream.Id, out var current) && ReferenceEquals(current, stream);

    /// <summary>
    /// How many elements the pump may have pulled in all: one beyond the credit (a source tells that it has ended only when
    /// asked for its next element, so a stream of exactly the credit granted still ends), and no more than the producer
    /// buffer beyond what was sent.
    /// </summary>
    private long Allowance(ProducedStream stream) =>
        (long)Math.Min(stream.Credit == ulong.MaxValue ? ulong.MaxValue : stream.Credit + 1, stream.Sent + (ulong)_options.StreamProducerBuffer);

    private void Count() => _counters.SetStreams(_produced.Count + _consumed.Count);

    private static string Short(string text, int length = 256) => text.Length <= length ? text : text[..length] + "…";
}
