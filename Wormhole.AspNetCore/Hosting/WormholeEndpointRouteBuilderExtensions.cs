using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Wormhole.Streams.Portals;

namespace Wormhole.Streams;

/// <summary>Serves Wormhole portals from ASP.NET Core over WebSocket.</summary>
public static class WormholeEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Accepts WebSocket requests at <paramref name="pattern"/>, each as one portal of <paramref name="nexus"/> (binary
    /// WebSocket messages carrying length-prefixed frames, as TCP does); clients connect with <see cref="Conduit.WebSocket(Uri)"/>.
    /// </summary>
    /// <param name="endpoints">The app or route group.</param>
    /// <param name="pattern">The route, e.g. <c>"/ws"</c>.</param>
    /// <param name="nexus">The nexus that owns the portals; its publications are visible to every client.</param>
    /// <returns>The endpoint's builder, to add authorization, CORS or other conventions.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="endpoints"/> or <paramref name="nexus"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="pattern"/> is null or empty.</exception>
    /// <remarks>
    /// <para>The app must call <c>app.UseWebSockets()</c> before this endpoint runs; without it every request looks like plain HTTP.</para>
    /// <para>
    /// A request that is not a WebSocket request gets 400 Bad Request. A WebSocket request lives as long as its portal:
    /// it ends when the portal closes (the client says goodbye or goes away, a limit is exceeded, the nexus is disposed).
    /// When the application stops, the portal is closed (a <c>Goodbye</c> to the client). A client that goes away without
    /// closing (killed, its connection reset) ends the WebSocket under the portal, which closes with
    /// <see cref="PortalCloseKind.ConduitFailed"/>: the peer's loss, not this side's choice.
    /// The portal is announced on <see cref="Nexus.Events"/> once the handshake is done.
    /// </para>
    /// </remarks>
    public static IEndpointConventionBuilder MapWormhole(this IEndpointRouteBuilder endpoints, string pattern, Nexus nexus) =>
        MapWormhole(endpoints, pattern, nexus, admit: null);

    /// <summary>
    /// Accepts WebSocket requests at <paramref name="pattern"/>, each as one portal of the nexus
    /// <see cref="WormholeServiceCollectionExtensions.AddWormhole"/> registered, admitted by its <see cref="WormholeBuilder.Admit"/>
    /// (all, without one), with its <see cref="WormholeBuilder.OnPortalOpened"/> callbacks run for every portal that opens.
    /// </summary>
    /// <param name="endpoints">The app or route group.</param>
    /// <param name="pattern">The route, e.g. <c>"/ws"</c>.</param>
    /// <returns>The endpoint's builder, to add authorization, CORS or other conventions.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="endpoints"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="pattern"/> is null or empty.</exception>
    /// <exception cref="InvalidOperationException"><c>AddWormhole</c> was not called on the application's services.</exception>
    /// <remarks>
    /// As <see cref="MapWormhole(IEndpointRouteBuilder, string, Nexus)"/> otherwise. A request that arrives before the host has
    /// made the publications waits for them.
    /// </remarks>
    public static IEndpointConventionBuilder MapWormhole(this IEndpointRouteBuilder endpoints, string pattern)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrEmpty(pattern);
        var host = endpoints.ServiceProvider.GetService<WormholeHost>()
            ?? throw new InvalidOperationException($"MapWormhole(\"{pattern}\") takes its nexus from the application's services: call builder.Services.AddWormhole(…) first, or pass a Nexus.");
        return endpoints.Map(pattern, async context =>
        {
            await host.Started.WaitAsync(context.RequestAborted).ConfigureAwait(false);
            await AcceptAsync(context, host.Nexus, context => AdmitWithCallbacksAsync(context, host.Builder)).ConfigureAwait(false);
        });
    }

    /// <summary>
    /// Accepts WebSocket requests at <paramref name="pattern"/>, each first admitted by <paramref name="admit"/>, which sees
    /// the request's <see cref="HttpContext"/> (its authenticated <c>User</c>, headers, address) before the socket is accepted,
    /// and decides: reject (403 Forbidden), or accept with this portal's limits and portal-only actors.
    /// </summary>
    /// <param name="endpoints">The app or route group.</param>
    /// <param name="pattern">The route, e.g. <c>"/ws"</c>.</param>
    /// <param name="nexus">The nexus that owns the portals.</param>
    /// <param name="admit">The decision per request; null accepts all. If it throws, the request gets 403 and the error is logged.</param>
    /// <returns>The endpoint's builder, to add authorization, CORS or other conventions.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="endpoints"/> or <paramref name="nexus"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="pattern"/> is null or empty.</exception>
    /// <remarks>As <see cref="MapWormhole(IEndpointRouteBuilder, string, Nexus)"/> otherwise.</remarks>
    public static IEndpointConventionBuilder MapWormhole(
        this IEndpointRouteBuilder endpoints, string pattern, Nexus nexus, Func<HttpContext, ValueTask<PortalAdmission>>? admit)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrEmpty(pattern);
        ArgumentNullException.ThrowIfNull(nexus);
        return endpoints.Map(pattern, context => AcceptAsync(context, nexus, admit));
    }

    private static async Task AcceptAsync(HttpContext context, Nexus nexus, Func<HttpContext, ValueTask<PortalAdmission>>? admit)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsync("This is a Wormhole endpoint: it accepts WebSocket requests only.", context.RequestAborted).ConfigureAwait(false);
            return;
        }

        var admission = await nexus.AdmitAsync(context.Connection.RemoteIpAddress?.ToString() ?? "?", admit is null ? null : () => admit(context)).ConfigureAwait(false);
        if (!admission.IsAccepted)
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            await context.Response.WriteAsync($"Wormhole refused the connection: {admission.Rejection}", context.RequestAborted).ConfigureAwait(false);
            return;
        }

        var socket = await context.WebSockets.AcceptWebSocketAsync().ConfigureAwait(false);
        var (portal, transportStopped) = nexus.ServePortal(admission, (maxFrameBytes, lastWords) => WebSocketFlow.Create(socket, maxFrameBytes, lastWords), session => session.Stopped, OriginOf(context));
        var stopping = context.RequestServices.GetService<IHostApplicationLifetime>()?.ApplicationStopping ?? CancellationToken.None;
        // Not closed on RequestAborted: a client that goes away aborts the request and ends the WebSocket alike, and the
        // portal must report the latter (ConduitFailed, the peer's loss), not close itself as if this side chose to.
        using (stopping.Register(Close, (portal, "the server is shutting down")))
        {
            await portal.Completion.ConfigureAwait(false);
            await transportStopped.ConfigureAwait(false); // the close handshake, bounded by WebSocketFlow.CloseTimeout
        }
    }

    private static async ValueTask<PortalAdmission> AdmitWithCallbacksAsync(HttpContext context, WormholeBuilder builder)
    {
        var admission = builder.Admission is null ? PortalAdmission.Accept() : await builder.Admission(context).ConfigureAwait(false);
        if (admission is { IsAccepted: true })
        {
            foreach (var opened in builder.Opened)
            {
                admission.OnOpened(portal => opened(portal, context.RequestServices));
            }
        }

        return admission!;
    }

    private static PortalOrigin OriginOf(HttpContext context)
    {
        var connection = context.Connection;
        var address = connection.RemoteIpAddress is null ? null : new System.Net.IPEndPoint(connection.RemoteIpAddress, connection.RemotePort);
        return new PortalOrigin(address, connection.ClientCertificate, context.User);
    }

    private static void Close(object? state)
    {
        var (portal, reason) = ((Portal, string))state!;
        _ = portal.CloseAsync(reason);
    }
}
