using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using Wormhole.Streams;

namespace Wormhole.Tests.Support;

/// <summary>A real Kestrel on 127.0.0.1 (a free port) serving a nexus at <c>/ws</c> with <see cref="WormholeEndpointRouteBuilderExtensions.MapWormhole(Microsoft.AspNetCore.Routing.IEndpointRouteBuilder, string, Nexus)"/>.</summary>
public static class KestrelWormhole
{
    public static async Task<WebApplication> StartAsync(Nexus nexus)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = ["--hostBuilder:reloadConfigOnChange=false"] });
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.UseWebSockets();
        app.MapWormhole("/ws", nexus);
        await app.StartAsync().WaitAsync(Bounds.Long);
        return app;
    }

    /// <summary>The <c>ws://127.0.0.1:PORT/ws</c> address of a started app.</summary>
    public static Uri WebSocketUri(this WebApplication app) => new UriBuilder(app.Urls.Single()) { Scheme = "ws", Path = "/ws" }.Uri;
}
