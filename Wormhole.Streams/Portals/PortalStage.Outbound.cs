using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Event;
using ProtoBuf.Meta;
using Wormhole.Streams.Protocol;
using Wormhole.Streams.Transmaterialization;

namespace Wormhole.Streams.Portals;

internal sealed partial class PortalStage
{
    /// <summary>What reaches the stage from outside: proxies' messages and commands from the <see cref="Portal"/> handle (through the <see cref="PortalCommandQueue"/>), deaths (through the stage actor).</summary>
    private sealed partial class Logic
    {
        private static readonly ConcurrentDictionary<Type, Action<RuntimeTypeModel, Stream, object, object>> Serializers = new();
        private readonly Dictionary<string, (IActorRef Actor, Type Type)> _names = new();
        private ulong _lastLookup;

        /// <summary>The most commands handled per wake, so inbound frames and pulls get their turn under a busy sender.</summary>
        private const int CommandsPerWake = 256;

        /// <summary>What reaches the stage actor: deaths of the local actors it watches.</summary>
        private void OnStageMessage((IActorRef Sender, object Message) received)
        {
            if (received.Message is Terminated terminated)
            {
                OnLocalTerminated(terminated.ActorRef);
            }
        }

        private void DrainCommands(PortalCommandQueue commands) => commands.Drain(CommandsPerWake, OnCommand);

        private void OnCommand(PortalCommand command)
        {
            switch (command)
            {
                case PortalCommand.Forward forward:
                    OnForward(forward);
                    break;
                case PortalCommand.ProxyStopped stopped:
                    OnProxyStopped(stopped.Target, stopped.Proxy);
                    break;
                case PortalCommand.Publish publish:
                    _names[publish.Name] = (publish.Actor, publish.MessageType);
                    break;
                case PortalCommand.Lookup lookup:
                    _lookups[++_lastLookup] = (lookup.Name, lookup.Result);
                    Send(new Lookup { RequestId = _lastLookup, Name = lookup.Name });
                    break;
                case PortalCommand.Close close:
                    Close(new PortalCloseReason(PortalCloseKind.ClosedLocally, close.Why), new Goodbye { Reason = close.Why });
                    break;
            }
        }

        /// <summary>Serializes a proxy's message right here, on the stage, so the order of one sender's messages holds.</summary>
        private void OnForward(PortalCommand.Forward forward)
        {
            if (forward.Message is Status.Failure failure)
            {
                Send(new Deliver { Target = forward.Target, Failure = failure.Cause is { } cause ? $"{cause.GetType().Name}: {cause.Message}" : "failed" });
                return;
            }

            byte[] payload;
            try
            {
                payload = Encode(forward.Message);
                if (payload.Length > _options.MaxFrameBytes - 64)
                {
                    throw new InvalidOperationException($"the encoded message of {payload.Length:N0} bytes exceeds the {_options.MaxFrameBytes:N0}-byte frame limit");
                }
            }
            catch (LimitExceededException e) when (e.Limit == nameof(NexusOptions.MaxPublications))
            {
                Close(PortalCloseKind.LimitExceeded, e.Message, e.Limit);
                return;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                Counters.Drop();
                Log.Error(e, "Portal {0}: dropped a {1} for remote id {2}: {3}", _portal.Id, forward.Message.GetType().Name, forward.Target, e.Message);
                if (PayloadModel.AskReplyType(forward.Sender) is not null)
                {
                    forward.Sender.Tell(new Status.Failure(e), ActorRefs.NoSender);
                }

                return;
            }

            WireRef replyTo = default;
            if (PayloadModel.AskReplyType(forward.Sender) is { } replyType)
            {
                try
                {
                    replyTo = ExportReplyPort(forward.Sender, replyType, _options.SenderReplyTimeout);
                }
                catch (LimitExceededException e)
                {
                    Counters.Drop();
                    Log.Warning("Portal {0}: refused an ask of remote id {1}: {2}", _portal.Id, forward.Target, e.Message);
                    return;
                }
            }

            Send(new Deliver { Target = forward.Target, Payload = payload, ReplyTo = replyTo.Id, ReplyWithinMs = replyTo.WithinMs });
        }

        private byte[] Encode(object message)
        {
            // Through a stream, not an IBufferWriter: protobuf-net may run a sub-message's serializer twice with a buffer
            // writer (measure, then write), and the reference serializers must export each reference exactly once.
            _payloads.Prepare(message.GetType());
            var stream = ScratchStream.Rent();
            try
            {
                Serializers.GetOrAdd(message.GetType(), CreateSerializer)(_payloads.Model, stream, message, this);
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
                typeof(Logic).GetMethod(nameof(SerializeAs), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!.MakeGenericMethod(type));

        private static void SerializeAs<T>(RuntimeTypeModel model, Stream stream, object message, object table) =>
            model.Serialize(stream, (T)message, table);
    }
}
