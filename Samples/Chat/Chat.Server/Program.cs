using Akka.Actor;
using Akka.Hosting;
using Chat.Contracts;
using Chat.Server;
using Chat.Server.Hub;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Wormhole.Reactive;
using Wormhole.Streams;

// The chat server: ASP.NET Core on Kestrel with Akka.Hosting, one WebSocket endpoint (ChatProtocol.Path) where every
// client gets its own portal, and on each portal one published actor, that portal's door to the hub. It also serves the
// browser chat page at /: wwwroot, copied beside the dll (index.html, chat.css, and chat.js, which clients/typescript's
// `npm run build` bundles), or the folder that --webroot names. Choose the address with --urls (or ASPNETCORE_URLS,
// ASPNETCORE_HTTP_PORTS); the default is http://127.0.0.1:5000, this machine only. Stops on Ctrl+C or SIGTERM,
// saying goodbye to every client.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions
{
    Args = [.. args, "--hostBuilder:reloadConfigOnChange=false"], // no appsettings.json to watch: spare the file watchers
    // wwwroot beside the dll, wherever the server is started from, unless --webroot names another folder
    WebRootPath = args.Any(arg => arg == "--webroot" || arg.StartsWith("--webroot=", StringComparison.Ordinal)) ? null : Path.Combine(AppContext.BaseDirectory, "wwwroot"),
});
if (new[] { "urls", "http_ports", "https_ports" }.All(key => string.IsNullOrEmpty(builder.Configuration[key])))
{
    builder.WebHost.UseUrls("http://127.0.0.1:5000");
}

builder.Logging.ClearProviders();
builder.Logging.AddSimpleConsole(console =>
{
    console.SingleLine = true;
    console.TimestampFormat = "HH:mm:ss ";
});
builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning); // a line per request is noise here; the portals are logged below

// Cluster mode (--Cluster:Port=4053 --Cluster:Seeds=127.0.0.1:4053,127.0.0.1:4054): the same server as a node of an
// Akka.Cluster, its hub sharing posts and presence with the other nodes' hubs (ChatHubActor.Cluster.cs).
var clusterNode = ChatCluster.FromConfiguration(builder.Configuration);
builder.Services.AddAkka(ChatCluster.SystemName, (akka, services) => akka
    .ConfigureLoggers(loggers => loggers.LogLevel = Akka.Event.LogLevel.WarningLevel)
    .AddHocon(clusterNode?.Hocon ?? Akka.Configuration.Config.Empty, HoconAddMode.Prepend)
    .WithActors((system, registry) => registry.Register<ChatHubActor>(
        ChatHubActor.Spawn(system, services.GetRequiredService<ILoggerFactory>().CreateLogger("Chat.Hub"), clustered: clusterNode is not null).Untyped)));

// Options from the "Wormhole" section of the configuration (appsettings.json, WORMHOLE__… environment variables,
// --Wormhole:MaxFrameBytes=…). Each portal gets its own door to the hub as it opens, so the hub knows which
// connection a client joined through and caps the members per connection.
// snippet: chat-server-door
builder.Services.AddWormhole(wormhole => wormhole.OnPortalOpened((portal, services) =>
{
    var system = services.GetRequiredService<ActorSystem>();
    ChatHubActor.OpenDoor(portal, ActorRef<ChatHub>.From(ActorRegistry.For(system).Get<ChatHubActor>()), system);
    var log = services.GetRequiredService<ILoggerFactory>().CreateLogger("Chat.Server");
    log.LogInformation("portal {Portal} opened from {Remote}", portal.Id, portal.RemoteEndPoint);
    portal.Completion.ContinueWith(closed => log.LogInformation("portal {Portal} closed: {Reason}", portal.Id, closed.Result), TaskScheduler.Default);
}));
// end snippet

var app = builder.Build();
var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Chat.Server");
app.UseWebSockets();
app.MapWormhole(ChatProtocol.Path);
app.UseDefaultFiles(); // / is the browser chat page, index.html
app.UseStaticFiles();
if (!app.Environment.WebRootFileProvider.GetFileInfo("chat.js").Exists)
{
    log.LogWarning("no chat.js in {WebRoot}: the browser page will not work; run 'npm ci && npm run build' in clients/typescript, then build the server again", app.Environment.WebRootPath);
}

app.Lifetime.ApplicationStarted.Register(() =>
{
    foreach (var url in app.Urls)
    {
        log.LogInformation("chat server listening on {Url}", new UriBuilder(url) { Scheme = url.StartsWith("https", StringComparison.Ordinal) ? "wss" : "ws", Path = ChatProtocol.Path }.Uri);
    }
});

try
{
    await app.RunAsync(); // on Ctrl+C or SIGTERM: a Goodbye to every client, then the actor system stops
    return 0;
}
catch (IOException e) when (e.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException)
{
    log.LogCritical("cannot listen: {Reason}", e.Message);
    return 1;
}
finally
{
    log.LogInformation("chat server stopped");
}
