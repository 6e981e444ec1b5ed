using Akka.Actor;
using Akka.Event;
using Wormhole.Streams.Protocol;

namespace Wormhole.Streams.Portals;

internal sealed partial class PortalStage
{
    /// <summary>Frames from the peer.</summary>
    private sealed partial class Logic
    {
        private readonly Dictionary<ulong, (string Name, TaskCompletionSource<IActorRef> Result)> _lookups = new();
        private int _unknownRequests;

        private void OnFrame()
        {
            var frame = Grab(_stage.In);
            _lastReceived = Environment.TickCount64;
            if (_open)
            {
                OnOpenFrame(frame);
            }
            else
            {
                OnHandshakeFrame(frame);
            }

            if (_closeReason is null && !HasBeenPulled(_stage.In))
            {
                Pull(_stage.In);
            }
        }

        private void OnHandshakeFrame(Frame frame)
        {
            switch (frame)
            {
                case Hello { ProtocolVersion: not Hello.CurrentVersion } hello:
                    Close(PortalCloseKind.HandshakeFailed, $"the peer speaks protocol version {hello.ProtocolVersion}; this side speaks version {Hello.CurrentVersion}", "version-mismatch");
                    break;
                case Hello:
                    _open = true;
                    CancelTimer(HandshakeTimer);
                    _portal.MarkOpened();
                    _stage._nexus.OnPortalOpened(_portal);
                    break;
                case ErrorFrame error:
                    Close(new PortalCloseReason(PortalCloseKind.PeerError, $"the peer reported '{error.Code}': {error.Message}"), last: null);
                    break;
                default:
                    Close(PortalCloseKind.ProtocolViolation, $"a {Describe(frame)} frame arrived before the peer's Hello", "hello-expected");
                    break;
            }
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
                    ForgetProxy(terminated.Id, stop: true);
                    break;
                case Release release:
                    OnRelease(release);
                    break;
                case KeepAlive:
                    break;
                case Demand:
                    Log.Debug("Portal {0}: ignored a Demand frame (streams across the wormhole are not enabled)", _portal.Id);
                    break;
                case Goodbye goodbye:
                    Close(new PortalCloseReason(PortalCloseKind.ClosedByPeer, $"the peer said goodbye: {goodbye.Reason}"), last: null);
                    break;
                case ErrorFrame error:
                    Close(new PortalCloseReason(PortalCloseKind.PeerError, $"the peer reported '{error.Code}': {error.Message}"), last: null);
                    break;
                case Hello:
                    Close(PortalCloseKind.ProtocolViolation, "the peer sent a second Hello", "duplicate-hello");
                    break;
                case InvalidFrame invalid:
                    Close(invalid.Reason.Contains("exceeds", StringComparison.Ordinal) ? PortalCloseKind.LimitExceeded : PortalCloseKind.ProtocolViolation, invalid.Reason, "malformed-frame");
                    break;
            }
        }

        private void OnDeliver(Deliver deliver)
        {
            if (!_publications.TryGetValue(deliver.Target, out var target))
            {
                Counters.Drop();
                Log.Warning("Portal {0}: dropped a message for id {1}, which is not (or no longer) published here", _portal.Id, deliver.Target);
                _ = CountUnknown($"a message for id {deliver.Target}, which is not published here");
                return;
            }

            if (!deliver.ReplyTo.IsEmpty && _pendingReplyProxies >= _options.MaxPendingReplies)
            {
                RefuseRequest(deliver, [deliver.ReplyTo]);
                return;
            }

            if (target.OneShot)
            {
                Unpublish(target);
            }

            if (deliver.Failure is { } failure)
            {
                target.Actor.Tell(new Status.Failure(new RemoteFailureException(failure)), ActorRefs.NoSender);
                return;
            }

            object message;
            try
            {
                _payloads.Prepare(target.MessageType);
                message = _payloads.Deserialize(target.MessageType, deliver.Payload ?? [], this)
                    ?? throw new InvalidDataException("it decoded as null");
            }
            catch (LimitExceededException e)
            {
                Close(PortalCloseKind.LimitExceeded, e.Message, e.Limit);
                return;
            }
            catch (Exception e) when (e.Message.Contains("Maximum model depth exceeded", StringComparison.Ordinal))
            {
                Close(
                    PortalCloseKind.LimitExceeded,
                    $"MaxMessageDepth: a payload for id {deliver.Target} is nested deeper than {_options.MaxMessageDepth} levels",
                    "MaxMessageDepth");
                return;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                Close(
                    PortalCloseKind.ProtocolViolation,
                    $"a payload of {deliver.Payload?.Length ?? 0:N0} bytes for id {deliver.Target} does not decode as {target.MessageType.Name}: {e.Message}",
                    "bad-payload");
                return;
            }

            if (_refusedPorts is { Count: > 0 } refused)
            {
                RefuseRequest(deliver, [.. refused, .. deliver.ReplyTo.IsEmpty ? Array.Empty<WireId>() : [deliver.ReplyTo]]);
                refused.Clear();
                return;
            }

            var sender = deliver.ReplyTo.IsEmpty
                ? ActorRefs.NoSender
                : SpawnProxy(deliver.ReplyTo, TimeSpan.FromMilliseconds(Math.Clamp(deliver.ReplyWithinMs, 1, _options.SenderReplyTimeout.TotalMilliseconds)));
            target.Actor.Tell(message, sender);
        }

        private void OnLookup(Lookup lookup)
        {
            // A Publish posted before this frame was read may still wait in the queue, behind this frame: apply it first,
            // so a name published before the peer looked it up is found.
            DrainCommands(_commands!);
            var found = _names.TryGetValue(lookup.Name, out var local)
                ? local
                : _stage._nexus.Find(lookup.Name);
            if (found is not var (actor, type))
            {
                if (!CountUnknown($"a lookup of '{Truncated(lookup.Name)}', which is not published"))
                {
                    Send(new LookupReply { RequestId = lookup.RequestId });
                }

                return;
            }

            try
            {
                Send(new LookupReply { RequestId = lookup.RequestId, ActorId = Exported(PublishLasting(actor, type)) });
            }
            catch (LimitExceededException e)
            {
                Close(PortalCloseKind.LimitExceeded, e.Message, e.Limit);
            }
        }

        private void OnLookupReply(LookupReply reply)
        {
            if (!_lookups.Remove(reply.RequestId, out var pending))
            {
                Close(PortalCloseKind.ProtocolViolation, $"a LookupReply for request {reply.RequestId}, which this side never made", "unexpected-reply");
                return;
            }

            if (reply.ActorId.IsEmpty)
            {
                pending.Result.TrySetException(new PublicationNotFoundException(pending.Name));
            }
            else
            {
                try
                {
                    pending.Result.TrySetResult(ProxyFor(reply.ActorId));
                }
                catch (LimitExceededException e)
                {
                    pending.Result.TrySetException(e);
                    Close(PortalCloseKind.LimitExceeded, e.Message, e.Limit);
                }
            }
        }

        /// <summary>Refuses one request of the peer: the message is not delivered; each of its reply ports gets a failure.</summary>
        private void RefuseRequest(Deliver deliver, IEnumerable<WireId> replyPorts)
        {
            var why = $"refused: MaxPendingReplies: {_options.MaxPendingReplies:N0} replies are already pending on this portal";
            Counters.Drop();
            Log.Warning("Portal {0}: refused a message for id {1}: {2}", _portal.Id, deliver.Target, why);
            foreach (var port in replyPorts.Distinct())
            {
                Send(new Deliver { Target = port, Failure = $"{nameof(LimitExceededException)}: {why}" });
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

            Close(
                    PortalCloseKind.LimitExceeded,
                    $"MaxUnknownRequests: the peer asked for things that do not exist {_unknownRequests:N0} times (limit {_options.MaxUnknownRequests:N0}); the last: {what}",
                    "MaxUnknownRequests");
            return true;
        }

        private static string Truncated(string text) => text.Length <= 64 ? text : text[..64] + "…";

        private static string Describe(Frame frame) => frame switch
        {
            InvalidFrame invalid => $"malformed ({invalid.Reason})",
            TerminatedFrame => "Terminated",
            ErrorFrame => "Error",
            _ => frame.GetType().Name,
        };
    }
}
