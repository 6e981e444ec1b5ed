namespace Wormhole.Streams.Portals;

/// <summary>
/// A fault that closes a portal, typed: its kind, the wire code the peer is sent, the limit when one was exceeded, the full
/// detail for this side's log, and the short text the peer may see (written by Wormhole: no exception text, no type names).
/// </summary>
/// <param name="Kind">How the close is reported locally.</param>
/// <param name="Code">The <c>Error</c> frame's code, one of <see cref="PortalErrorCodes"/>.</param>
/// <param name="Detail">What happened, for this side's log and <see cref="PortalCloseReason.Message"/>.</param>
/// <param name="PeerText">What the peer is told.</param>
/// <param name="Limit">The <see cref="NexusOptions"/> property, when a limit was exceeded.</param>
internal sealed record ProtocolFault(PortalCloseKind Kind, string Code, string Detail, string PeerText, string? Limit = null)
{
    /// <summary>A limit the peer exceeded: the code is the limit's name, and the peer is told the same words (they name no internals).</summary>
    public static ProtocolFault LimitExceeded(string limit, string detail) =>
        new(PortalCloseKind.LimitExceeded, limit, detail, detail, limit);

    /// <summary>The peer broke the protocol.</summary>
    public static ProtocolFault Violation(string code, string detail, string peerText) =>
        new(PortalCloseKind.ProtocolViolation, code, detail, peerText);

    public PortalCloseReason ToReason(Exception? exception = null) =>
        new(Kind, Detail, exception) { Code = Code, Limit = Limit };
}

/// <summary>Thrown inside a portal's session (decoding, reference tables) to close the portal with <see cref="Fault"/>.</summary>
internal sealed class ProtocolFaultException(ProtocolFault fault, Exception? inner = null) : Exception(fault.Detail, inner)
{
    public ProtocolFault Fault { get; } = fault;
}
