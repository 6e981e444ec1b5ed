using Akka.Event;
using Wormhole.Streams.Protocol;

namespace Wormhole.Streams.Portals;

/// <summary>The outcomes of a <see cref="PortalSession"/>, carried out by the stage that runs it (or by a test).</summary>
internal interface IPortalSessionHost : IReferenceTableHost
{
    ILoggingAdapter Log { get; }

    /// <summary>Queue a frame for the peer (the outbound bound and its policy apply).</summary>
    void Send(Frame frame);

    /// <summary>Close the portal: <paramref name="last"/> (an <c>Error</c> or <c>Goodbye</c>) goes out ahead of anything not yet sent, then the conduit closes.</summary>
    void Close(PortalCloseReason reason, Frame? last);

    /// <summary>The negotiated keep-alive tick changed (after the peer's <c>Hello</c>).</summary>
    void SetIdleTick(TimeSpan interval);
}
