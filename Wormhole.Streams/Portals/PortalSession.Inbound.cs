using System.Diagnostics;
using Akka.Actor;
using Wormhole.Streams.Logging;
using Wormhole.Streams.Protocol;
using Wormhole.Streams.Tracing;
using Wormhole.Streams.Transmaterialization;

namespace Wormhole.Streams.Portals;

/// <summary>The peer's requests: messages for this side's publications, lookups, and replies to this side's lookups.</summary>
internal sealed partial class PortalSession
{
    private readonly Dictionary<string, (IActorRef Actor, Type Type)> _names = new();
    private readonly Dictionary<ulong, (string Name, Type Type, TaskCompletionSource<IActorRef> Result)> _lookups = new();
    private int _unknownRequests;

    private void OnDeliver(Deliver deliver)
    {
        if (!Table.TryGetPublication(deliver.Target, out var target))
        {
            _counters.Drop("unknown-target");
            if (_nexus.Warnings.Allow(_nexus.Logs.Portal, "unknown-target"))
            {
                PortalLog.UnknownTarget(_nexus.Logs.Portal, _portal.Id, $"{deliver.Target}", _counters.Dropped);
            }

            CountUnknown($"a message for id {deliver.Target}, which is not published here");
            return;
        }

        var oneShotReply = !deliver.ReplyTo.IsEmpty && deliver.ReplyWithinMs > 0;
        if (oneShotReply && !Table.CanTakeReply)
        {
            RefuseRequest(deliver, deliver.ReplyTo);
            return;
        }

        if (target.OneShot)
        {
            Table.Unpublish(target);
            _nexus.Metrics.AskAnswered(target.AskedAt);
        }

        if (deliver.Failure is { } failure)
        {
            Tell(deliver, target, new Status.Failure(new RemoteFailureException(failure)), ActorRefs.NoSender!, replyTarget: null);
            return;
        }

        object message;
        IActorRef sender;
        ProxyRef? replyPort;
        try
        {
            message = Decode(target.MessageType, deliver, out replyPort);
            sender = deliver.ReplyTo.IsEmpty ? ActorRefs.NoSender!
                : oneShotReply ? Table.OneShotProxy(deliver.ReplyTo, TimeSpan.FromMilliseconds(Math.Min(deliver.ReplyWithinMs, _options.SenderReplyTimeout.TotalMilliseconds)), replyType: null)
                : Table.ProxyFor(deliver.ReplyTo, messageType: null); // a plain tell's sender: a lasting publication of the peer
        }
        catch (RequestRefusedException refused)
        {
            RefuseRequest(deliver, refused.ReplyPort);
            return;
        }

        Tell(deliver, target, message, sender, oneShotReply ? (ProxyRef)sender : replyPort);
    }

    /// <summary>
    /// Tells the target its message; when the frame came with a trace context and Wormhole's source has listeners, inside
    /// a receive span (see <see cref="WormholeTracing"/>) that is <see cref="Activity.Current"/> during the tell (for an
    /// actor on a calling-thread dispatcher) and, for a request, lasts until <paramref name="replyTarget"/> is answered.
    /// </summary>
    private void Tell(Deliver deliver, ReferenceTable.Publication target, object message, IActorRef sender, ProxyRef? replyTarget)
    {
        if (deliver.TraceParent is null && deliver.TraceState is null)
        {
            target.Actor.Tell(message, sender);
            return;
        }

        var parent = default(ActivityContext);
        if (_options.AcceptTraceContext && TraceContext.TryRead(deliver.TraceParent, deliver.TraceState, out parent, out var malformed) && malformed)
        {
            _counters.IgnoreTraceContext();
        }

        if (!WormholeTracing.Source.HasListeners())
        {
            target.Actor.Tell(message, sender);
            return;
        }

        var previous = Activity.Current;
        Activity.Current = null; // without a parent from the peer, a new root: never a child of what this thread ran before
        var receive = WormholeTracing.Source.StartActivity($"receive {target.MessageType.Name}", replyTarget is null ? ActivityKind.Consumer : ActivityKind.Server, parent);
        var lasting = false;
        try
        {
            if (receive is { IsAllDataRequested: true })
            {
                receive.SetTag("messaging.system", "wormhole");
                receive.SetTag("wormhole.portal.id", _portal.Id);
                receive.SetTag("wormhole.message.type", target.MessageType.FullName);
            }

            lasting = receive is not null && replyTarget is not null && replyTarget.Carry(new ReceiveTrace(receive)); // before the tell: the reply may come at once
            target.Actor.Tell(message, sender);
        }
        finally
        {
            if (!lasting)
            {
                receive?.Stop();
            }

            Activity.Current = previous;
        }
    }

    /// <exception cref="ProtocolFaultException">The payload does not decode as <paramref name="type"/>, or breaks a limit.</exception>
    /// <exception cref="RequestRefusedException">It holds one reply port more than <see cref="NexusOptions.MaxPendingReplies"/> allows.</exception>
    private object Decode(Type type, Deliver deliver, out ProxyRef? replyPort)
    {
        replyPort = null;
        try
        {
            _payloads.Prepare(type);
            var message = _payloads.Deserialize(type, deliver.Payload ?? [], Table) ?? throw new InvalidDataException("it decoded as null");
            replyPort = Table.ReplyPortOfMessage;
            return message;
        }
        catch (Exception e) when (e is not (ProtocolFaultException or RequestRefusedException or OutOfMemoryException))
        {
            throw new ProtocolFaultException(PayloadFaults.Classify(e, type, deliver, _options.MaxMessageDepth), e);
        }
        finally
        {
            Table.EndMessage();
        }
    }

    private void OnLookup(Lookup lookup)
    {
        // A Publish posted before this frame was read may still wait in the command queue, behind this frame: the stage
        // applies the queue first (see PortalStage), so a name published before the peer looked it up is found.
        var found = _names.TryGetValue(lookup.Name, out var local) ? local : _nexus.Find(lookup.Name);
        if (found is not var (actor, type))
        {
            if (!CountUnknown($"a lookup of '{Truncated(lookup.Name)}', which is not published"))
            {
                Send(new LookupReply { RequestId = lookup.RequestId });
            }

            return;
        }

        WireId id;
        try
        {
            id = Table.Exported(Table.PublishLasting(actor, type));
        }
        catch (LimitExceededException e)
        {
            Fail(ProtocolFault.LimitExceeded(e.Limit, e.Message));
            return;
        }

        Send(new LookupReply { RequestId = lookup.RequestId, ActorId = id });
    }

    private void OnLookupReply(LookupReply reply)
    {
        if (!_lookups.Remove(reply.RequestId, out var pending))
        {
            Fail(ProtocolFault.Violation(
                PortalErrorCodes.UnexpectedReply,
                $"a LookupReply for request {reply.RequestId}, which this side never made",
                $"a LookupReply for request {reply.RequestId}, which was never made"));
            return;
        }

        if (reply.ActorId.IsEmpty)
        {
            pending.Result.TrySetException(new PublicationNotFoundException(pending.Name));
            return;
        }

        try
        {
            pending.Result.TrySetResult(Table.ProxyFor(reply.ActorId, pending.Type));
        }
        catch (ProtocolFaultException e)
        {
            pending.Result.TrySetException(new LimitExceededException(e.Fault.Limit ?? e.Fault.Code, e.Fault.Detail));
            throw;
        }
    }

    /// <summary>Refuses one request of the peer: the message is not delivered; its reply targets get a failure.</summary>
    private void RefuseRequest(Deliver deliver, WireId replyPort)
    {
        var pending = $"{_options.MaxPendingReplies:N0} replies are already pending on this portal";
        var why = $"refused: {nameof(NexusOptions.MaxPendingReplies)}: {pending}";
        _counters.Drop("refused-request");
        _counters.LimitHit(nameof(NexusOptions.MaxPendingReplies));
        if (_nexus.Warnings.Allow(_nexus.Logs.Portal, "refused-request"))
        {
            PortalLog.RequestRefused(_nexus.Logs.Portal, _portal.Id, $"{deliver.Target}", nameof(NexusOptions.MaxPendingReplies), pending);
        }

        foreach (var port in new[] { replyPort, deliver.ReplyTo }.Where(p => !p.IsEmpty).Distinct())
        {
            Send(new Deliver { Target = port, Failure = why });
        }
    }

    /// <summary>Counts a request for something that does not exist; past <see cref="NexusOptions.MaxUnknownRequests"/> the portal closes.</summary>
    /// <returns>True when this request closed the portal.</returns>
    private bool CountUnknown(string what)
    {
        if (++_unknownRequests <= _options.MaxUnknownRequests)
        {
            return false;
        }

        Fail(ProtocolFault.LimitExceeded(
            PortalErrorCodes.MaxUnknownRequests,
            $"MaxUnknownRequests: the peer asked for things that do not exist {_unknownRequests:N0} times (limit {_options.MaxUnknownRequests:N0}); the last: {what}"));
        return true;
    }
}
