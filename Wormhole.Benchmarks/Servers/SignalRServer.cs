using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Wormhole.Benchmarks.Contracts;
using Wormhole.Benchmarks.Harness;

namespace Wormhole.Benchmarks.Servers;

/// <summary>
/// <c>serve signalr</c>: Kestrel with two SignalR hubs, <see cref="StreamHub"/> at <c>/hub</c> (the stream workloads) and
/// <see cref="MessageHub"/> at <c>/messages</c> (tell, ask, ping-pong) and <see cref="IdleHub"/> at <c>/idle</c> (connections), speaking the MessagePack
/// hub protocol (its default resolver: <see cref="Small"/> goes contractless, as a map keyed by property name).
/// </summary>
internal static class SignalRServer
{
    public const string Path = "/hub";
    public const string MessagesPath = "/messages";
    public const string IdlePath = "/idle";

    /// <summary>A quiet Kestrel on a free port of 127.0.0.1 with SignalR and its MessagePack protocol (this server's and the browser benchmark's).</summary>
    public static WebApplicationBuilder CreateBuilder()
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = ["--hostBuilder:reloadConfigOnChange=false"] });
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddSignalR().AddMessagePackProtocol();
        return builder;
    }

    public static async Task<int> RunAsync()
    {
        var app = CreateBuilder().Build();
        app.UseWebSockets();
        app.MapHub<StreamHub>(Path);
        app.MapHub<MessageHub>(MessagesPath);
        app.MapHub<IdleHub>(IdlePath);
        await app.StartAsync();
        ServerConsole.Listening(new Uri(app.Urls.Single()).Authority);
        var idle = app.Services.GetRequiredService<IHubContext<IdleHub>>();
        await ServerConsole.RunAsync(command =>
        {
            // hub, gc-hub: the stats (after a full collection for gc-hub) and the idle hub's connected clients;
            // fanout: one message to every idle client, sent from here as the wormhole server's fanout tells each inbox.
            if (command is not ("hub" or "gc-hub" or "fanout"))
            {
                return null;
            }

            var reply = ServerConsole.Stats(collect: command == "gc-hub");
            reply["connections"] = IdleHub.Connected;
            if (command == "fanout")
            {
                _ = idle.Clients.All.SendAsync(IdleHub.FanOutMethod, Small.Make(42));
            }

            return reply;
        });
        await app.StopAsync().WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { });
        return 0;
    }
}
