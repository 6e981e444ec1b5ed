using System.Net;
using System.Security.Claims;
using System.Security.Cryptography.X509Certificates;

namespace Wormhole.Streams.Portals;

/// <summary>
/// Who the peer of a served portal is, as its conduit learned it (<see cref="Portal.RemoteEndPoint"/>, <see cref="Portal.User"/>,
/// <see cref="Portal.RemoteCertificate"/>), and what its admission attached to the portal.
/// </summary>
/// <param name="RemoteEndPoint">The peer's address and port; null when the conduit has none (in memory, a Unix socket).</param>
/// <param name="Certificate">The certificate the peer authenticated with over TLS; null: none.</param>
/// <param name="User">The user ASP.NET Core authenticated for the WebSocket request; null: not served through ASP.NET Core.</param>
internal sealed record PortalOrigin(EndPoint? RemoteEndPoint, X509Certificate2? Certificate = null, ClaimsPrincipal? User = null)
{
    /// <summary>The admission's properties (<see cref="Portal.Properties"/>).</summary>
    public IReadOnlyDictionary<string, object?> Properties { get; init; } = Portal.NoProperties;

    /// <summary>The admission's callbacks for the moment the portal opens (<see cref="PortalAdmission.OnOpened"/>).</summary>
    public IReadOnlyList<Action<Portal>> Opened { get; init; } = [];

    /// <summary>A portal with nothing known about its peer (one this side connected, or a user's <see cref="Nexus.PortalFlow"/>).</summary>
    public static PortalOrigin Unknown { get; } = new((EndPoint?)null);
}
