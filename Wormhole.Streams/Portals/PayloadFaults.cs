using ProtoBuf;
using Wormhole.Streams.Protocol;

namespace Wormhole.Streams.Portals;

/// <summary>Turns what the payload decoder threw into a typed <see cref="ProtocolFault"/>: the one place that reads protobuf-net's exceptions.</summary>
internal static class PayloadFaults
{
    /// <summary>protobuf-net 3.4.40 reports a model depth past <c>MaxDepth</c> as a plain <see cref="InvalidOperationException"/> starting with this text (PayloadFaultsTests pins it).</summary>
    internal const string DepthExceededText = "Maximum model depth exceeded";

    public static ProtocolFault Classify(Exception error, Type messageType, Deliver deliver, int maxDepth) => error switch
    {
        LimitExceededException limit => ProtocolFault.LimitExceeded(limit.Limit, limit.Message),
        InvalidOperationException or ProtoException when error.Message.StartsWith(DepthExceededText, StringComparison.Ordinal) => ProtocolFault.LimitExceeded(
            nameof(NexusOptions.MaxMessageDepth),
            $"MaxMessageDepth: a payload for id {deliver.Target} is nested deeper than {maxDepth} levels"),
        _ => ProtocolFault.Violation(
            PortalErrorCodes.BadPayload,
            $"a payload of {deliver.Payload?.Length ?? 0:N0} bytes for id {deliver.Target} does not decode as {messageType.Name}: {error.Message}",
            $"a payload of {deliver.Payload?.Length ?? 0:N0} bytes for id {deliver.Target} does not decode as the message type that id accepts"),
    };
}
