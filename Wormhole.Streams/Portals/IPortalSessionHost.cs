using Akka.Streams;
using Wormhole.Streams.Protocol;

namespace Wormhole.Streams.Portals;

/// <summary>The outcomes of a <see cref="PortalSession"/>, carried out by the stage that runs it (or by a test).</summary>
internal interface IPortalSessionHost : IReferenceTableHost
{
    /// <summary>Queue a frame for the peer (the outbound bound and its policy apply).</summary>
    void Send(Frame frame);

    /// <summary>Close the portal: <paramref name="last"/> (an <c>Error</c> or <c>Goodbye</c>) goes out ahead of anything not yet sent, then the conduit closes.</summary>
    void Close(PortalCloseReason reason, Frame? last);

    /// <summary>Where proxies, stream consumers and stream pumps post to the stage.</summary>
    PortalCommandQueue Commands { get; }

    /// <summary>Runs the Akka sources this side offers as streams.</summary>
    IMaterializer Materializer { get; }

    /// <summary>A stream has elements to send: the stage takes a frame of them (<see cref="PortalSession.NextStreamFrame"/>) when the conduit can take it.</summary>
    void StreamsReady();

    /// <summary>The negotiated keep-alive tick changed (after the peer's <c>Hello</c>).</summary>
    void SetIdleTick(TimeSpan interval);
}
