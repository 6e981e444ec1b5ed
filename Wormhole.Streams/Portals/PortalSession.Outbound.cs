using System.Collections.Concurrent;
using Akka.Actor;
using Wormhole.Streams.Logging;
using ProtoBuf.Meta;
using Wormhole.Streams.Protocol;
using Wormhole.Streams.Tracing;
using Wormhole.Streams.Transmaterialization;

namespace Wormhole.Streams.Portals;

/// <summary>Commands from this side: messages told to proxies, publications, lookups, an orderly close.</summary>
internal sealed partial class PortalSession
{
    /// <summary>What a <c>Deliver</c> frame adds to its payload at most: target, reply target, deadline, framing.</summary>
    internal const int DeliverOverhead = 64;

    private static readonly ConcurrentDictionary<Type, Action<RuntimeTypeModel, Stream, object, object>> Serializers = new();
    private ulong _lastLookup;

    public void OnCommand(PortalCommand command)
    {
        if (_closed)
        {
            // The stage closes its command queue as it closes; a command handled in the same turn, after the close, fails alike.
            if (command is PortalCommand.Forward)
            {
                _counters.Drop("portal-closed");
            }

            PortalCommand.Fail(command, _closeReason!);
            return;
        }

        try
        {
            switch (command)
            {
                case PortalCommand.Forward forward:
                    OnForward(forward);
                    break;
                case PortalCommand.ProxyStopped stopped:
                    OnProxyStopped(stopped.Proxy);
                    break;
                case PortalCommand.Publish publish:
                    _names[publish.Name] = (publish.Actor, publish.MessageType);
                    break;
                case PortalCommand.Lookup lookup:
                    _lookups[++_lastLookup] = (lookup.Name, lookup.MessageType, lookup.Result);
                    Send(new Lookup { RequestId = _lastLookup, Name = lookup.Name });
                    break;
                case PortalCommand.StreamWake wake:
                    Streams.OnWake(wake.Stream);
                    break;
                case PortalCommand.StreamConsumed consumed:
                    Streams.OnConsumed(consumed.Stream);
                    break;
                case PortalCommand.StreamCancelled cancelled:
                    Streams.OnCancelled(cancelled.Stream);
                    break;
                case PortalCommand.Close close:
                    Close(new PortalCloseReason(PortalCloseKind.ClosedLocally, close.Why) { Final = close.Final }, new Goodbye { Reason = close.Why, Final = close.Final });
                    break;
            }
        }
        catch (ProtocolFaultException e)
        {
            Fail(e.Fault, e.InnerException);
        }
    }

    private void OnProxyStopped(ProxyRef proxy)
    {
        var count = Table.OnProxyStopped(proxy);
        if (count > 0)
        {
            Send(new Release { Id = proxy.Id, Count = count });
        }
    }

    /// <summary>Serializes a proxy's message right here, on the stage, so the order of one sender's messages holds.</summary>
    private void OnForward(PortalCommand.Forward forward)
    {
        var (proxy, message, sender, trace) = forward;
        if (!Table.IsMine(proxy, out _))
        {
            // Its remote actor terminated (or it expired) after the message was posted: as for any dead actor.
            _counters.Drop("dead-proxy");
            proxy.ToDeadLetters(message, sender);
            return;
        }

        if (proxy.OneShot)
        {
            Table.Forget(proxy.Id);
        }

        if (message is Status.Failure failure && proxy.OneShot)
        {
            var text = failure.Cause?.Message ?? "failed";
            var (failureParent, failureState) = TraceContext.Fit(TraceParentOf(trace), TraceStateOf(trace), Math.Min(_options.MaxFrameBytes, PeerMaxFrameBytes) - DeliverOverhead - System.Text.Encoding.UTF8.GetByteCount(text));
            Send(new Deliver { Target = proxy.Id, Failure = text, TraceParent = failureParent, TraceState = failureState });
            return;
        }

        if (proxy.MessageType is { } accepted && !accepted.IsInstanceOfType(message))
        {
            Refuse(forward, new UnsupportedMessageTypeException(
                $"A {message.GetType().Name} was told to a proxy of {proxy.Id} that accepts {accepted.Name}; it was not sent (the peer would refuse it and close the portal)."));
            return;
        }

        byte[] payload;
        WireRef replyTo;
        try
        {
            payload = Encode(message);
            var limit = Math.Min(_options.MaxFrameBytes, PeerMaxFrameBytes) - DeliverOverhead;
            if (payload.Length > limit)
            {
                throw new LimitExceededException(
                    nameof(NexusOptions.MaxFrameBytes),
                    $"MaxFrameBytes: a {message.GetType().Name} of {payload.Length:N0} bytes encoded exceeds the {limit + DeliverOverhead:N0}-byte frame limit of this portal (this side's {_options.MaxFrameBytes:N0}, the peer's {PeerMaxFrameBytes:N0}); it was not sent");
            }

            replyTo = ReplyTarget(sender, proxy);
        }
        catch (LimitExceededException e) when (e.Limit == nameof(NexusOptions.MaxPublications))
        {
            _streams?.MessageNotSent();
            Fail(ProtocolFault.LimitExceeded(e.Limit, e.Message));
            return;
        }
        catch (Exception e) when (e is not (OutOfMemoryException or ProtocolFaultException))
        {
            _streams?.MessageNotSent();
            Refuse(forward, e);
            return;
        }

        _streams?.MessageSent();
        var (traceParent, traceState) = TraceContext.Fit(TraceParentOf(trace), TraceStateOf(trace), Math.Min(_options.MaxFrameBytes, PeerMaxFrameBytes) - DeliverOverhead - payload.Length);
        Send(new Deliver { Target = proxy.Id, Payload = payload, ReplyTo = replyTo.Id, ReplyWithinMs = replyTo.WithinMs, TraceParent = traceParent, TraceState = traceState });
    }

    private static string? TraceParentOf(System.Diagnostics.Activity? trace) => trace is null ? null : TraceContext.TraceParentOf(trace);

    private static string? TraceStateOf(System.Diagnostics.Activity? trace) => trace is null ? null : TraceContext.TraceStateOf(trace);

    /// <summary>
    /// The sender as the peer will see it: an Akka ask's temporary actor becomes a one-shot reply publication (accepting the
    /// ask's reply type); any other actor a lasting publication that accepts what the told proxy accepts (replies travel in
    /// the request's contract); none when there is no sender, or when the proxy's type is unknown (a reply to a reply).
    /// </summary>
    private WireRef ReplyTarget(IActorRef sender, ProxyRef proxy)
    {
        if (sender.IsNobody() || Table.IsMine(sender, out _))
        {
            return default;
        }

        if (PayloadModel.AskReplyType(sender) is { } replyType)
        {
            _payloads.Prepare(replyType); // an untyped Ask expects an object, which no payload decodes as: refused here, not at the reply
            return Table.ExportReplyPort(sender, replyType, _options.SenderReplyTimeout);
        }

        return proxy.MessageType is { } contract
            ? new WireRef(Table.Exported(Table.PublishLasting(sender, contract)), Yours: false)
            : default;
    }

    /// <summary>A message that cannot go: counted, logged, and its sender (if any) gets the failure.</summary>
    private void Refuse(PortalCommand.Forward forward, Exception why)
    {
        _counters.Drop("refused-outbound");
        if (why is LimitExceededException limited)
        {
            _counters.LimitHit(limited.Limit);
        }
        if (_nexus.Warnings.Allow(_nexus.Logs.Portal, "refused-outbound"))
        {
            PortalLog.OutboundRefused(_nexus.Logs.Portal, _portal.Id, forward.Message.GetType().Name, $"{forward.Proxy.Id}", why.Message, _counters.Dropped);
        }

        if (!forward.Sender.IsNobody())
        {
            forward.Sender.Tell(new Status.Failure(why), ActorRefs.NoSender);
        }
    }

    private byte[] Encode(object message)
    {
        // Through a stream, not an IBufferWriter: protobuf-net may run a sub-message's serializer twice with a buffer
        // writer (measure, then write), and the reference serializers must export each reference exactly once.
        _payloads.Prepare(message.GetType());
        var stream = ScratchStream.Rent();
        try
        {
            Serializers.GetOrAdd(message.GetType(), CreateSerializer)(_payloads.Model, stream, message, Table);
            return stream.ToArray();
        }
        finally
        {
            ScratchStream.Return(stream);
        }
    }

    private static Action<RuntimeTypeModel, Stream, object, object> CreateSerializer(Type type) =>
        (Action<RuntimeTypeModel, Stream, object, object>)Delegate.CreateDelegate(
            typeof(Action<RuntimeTypeModel, Stream, object, object>),
            typeof(PortalSession).GetMethod(nameof(SerializeAs), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!.MakeGenericMethod(type));

    private static void SerializeAs<T>(RuntimeTypeModel model, Stream stream, object message, object table) =>
        model.Serialize(stream, (T)message, table);
}
