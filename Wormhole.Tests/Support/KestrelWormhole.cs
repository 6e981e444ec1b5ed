using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using Wormhole.Streams;

namespace Wormhole.Tests.Support;

/// <summary>A real Kestrel on 127.0.0.1 (a free port) serving a nexus at <c>/ws</c> with <see cref="WormholeEndpointRouteBuilderExtensions.MapWormhole(Microsoft.AspNetCore.Routing.IEndpointRouteBuilder, string, Nexus)"/>.</summary>
public static class KestrelWormhole
{
    /// <summary>A quiet Kestrel app builder on a free port of 127.0.0.1: no file watchers, no logging.</summary>
    public static WebApplicationBuilder CreateBuilder()
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = ["--hostBuilder:reloadConfigOnChange=false"] });
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        return builder;
    }

    public static async Task<WebApplication> StartAsync(Nexus nexus)
    {
        var app = CreateBuilder().Build();
        app.UseWebSockets();
        app.MapWormhole("/ws", nexus);
        await app.StartAsync().WaitAsync(Bounds.Long);
        return app;
    }

    /// <summary>The <c>ws://127.0.0.1:PORT/ws</c> address of a started app.</summary>
    public static Uri WebSocketUri(this WebApplication app) => new UriBuilder(app.Urls.Single()) { Scheme = "ws", Path = "/ws" }.Uri;
}
