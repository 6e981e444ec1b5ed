using Akka.Actor;
using Akka.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Wormhole.Reactive;
using Wormhole.Streams;
using Wormhole.Tests.Streams;
using Wormhole.Tests.Support;

namespace Wormhole.Tests.AspNetCore.Hosting;

/// <summary>
/// <c>AddWormhole</c> on top of Akka.Hosting: the nexus from DI with options from configuration validated at start-up,
/// publications from the builder, the opened callback per portal, and a <c>Goodbye</c> to every client when the host stops.
/// </summary>
public sealed class AddWormholeTests : Akka.TestKit.Xunit2.TestKit, IAsyncLifetime
{
    private Nexus _client = null!;

    public Task InitializeAsync()
    {
        _client = Nexus.Create(Sys);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _client.DisposeAsync();

    [Fact]
    public async Task HostedNexus_HasTheConfiguredOptions_PublishesTheRegisteredActor_RunsTheOpenedCallback_AndSaysGoodbyeWhenTheHostStops()
    {
        var opened = new TaskCompletionSource<(Portal Portal, IServiceProvider Services)>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var app = Build(
            new() { ["Wormhole:MaxFrameBytes"] = "65536", ["Wormhole:IdleTimeout"] = "00:00:30", ["Wormhole:OutboundOverflow"] = "DropNewest" },
            wormhole => wormhole
                .Publish<Square, EchoKey>("echo")
                .ConfigureOptions(options => options with { MaxPublications = 7 })
                .OnPortalOpened((portal, services) =>
                {
                    portal.Publish("mine", ActorRef<Square>.From(ActorRegistry.For(services.GetRequiredService<ActorSystem>()).Get<EchoKey>()));
                    opened.TrySetResult((portal, services));
                }));
        await app.StartAsync().WaitAsync(Bounds.Long);
        var nexus = app.Services.GetRequiredService<Nexus>();

        var portal = await _client.ConnectAsync(Conduit.WebSocket(app.WebSocketUri())).WaitAsync(Bounds.Long);
        var echo = await portal.LookupAsync<Square>("echo").WaitAsync(Bounds.Long);
        var mine = await portal.LookupAsync<Square>("mine").WaitAsync(Bounds.Long);

        Assert.Equal(3, await echo.Ask<int>(reply => new Square { Value = 3, Reply = reply }, Bounds.Long));
        Assert.Equal(4, await mine.Ask<int>(reply => new Square { Value = 4, Reply = reply }, Bounds.Long));
        Assert.Equal(65536, nexus.Options.MaxFrameBytes);
        Assert.Equal(TimeSpan.FromSeconds(30), nexus.Options.IdleTimeout);
        Assert.Equal(OutboundOverflowPolicy.DropNewest, nexus.Options.OutboundOverflow);
        Assert.Equal(7, nexus.Options.MaxPublications);
        Assert.Same(app.Services.GetRequiredService<ActorSystem>(), nexus.System);
        Assert.Same(app.Services.GetRequiredService<ILoggerFactory>(), nexus.LoggerFactory);
        Assert.Same(app.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), nexus.MeterFactory);
        Assert.Same(nexus.Portals.Single(), (await opened.Task.WaitAsync(Bounds.Long)).Portal);

        await app.StopAsync().WaitAsync(Bounds.Long);
        var closed = await portal.Completion.WaitAsync(Bounds.Long);
        Assert.Equal(PortalCloseKind.ClosedByPeer, closed.Kind);
    }

    [Fact]
    public async Task CoordinatedShutdownOfTheActorSystem_SaysGoodbyeToEveryClientFirst()
    {
        await using var app = Build([], wormhole => wormhole.Publish<Square, EchoKey>("echo"));
        await app.StartAsync().WaitAsync(Bounds.Long);
        var portal = await _client.ConnectAsync(Conduit.WebSocket(app.WebSocketUri())).WaitAsync(Bounds.Long);

        await CoordinatedShutdown.Get(app.Services.GetRequiredService<ActorSystem>()).Run(CoordinatedShutdown.ClrExitReason.Instance).WaitAsync(Bounds.Long);

        var closed = await portal.Completion.WaitAsync(Bounds.Long);
        Assert.Equal(PortalCloseKind.ClosedByPeer, closed.Kind);
        Assert.Contains("the nexus was disposed", closed.Message);
        await app.StopAsync().WaitAsync(Bounds.Long);
    }

    [Theory]
    [InlineData("Wormhole:MaxFrameBytes", "10", "Wormhole:MaxFrameBytes = 10")]
    [InlineData("Wormhole:IdleTimeout", "00:00:00.1", "Wormhole:IdleTimeout = 00:00:00.1000000")]
    [InlineData("Wormhole:MaxFrameByte", "65536", "'MaxFrameByte'")]
    [InlineData("Wormhole:MaxProxies", "many", "Wormhole:MaxProxies")]
    public async Task BadConfiguration_FailsTheHostAtStartUp_NamingTheKey(string key, string value, string named)
    {
        await using var app = Build(new() { [key] = value }, wormhole => wormhole.Publish<Square, EchoKey>("echo"));

        var failure = await Assert.ThrowsAnyAsync<Exception>(() => app.StartAsync().WaitAsync(Bounds.Long));

        Assert.True(failure is OptionsValidationException or InvalidOperationException, failure.ToString());
        Assert.Contains(named, failure.Message);
    }

    [Fact]
    public void AddWormholeWithoutAddAkka_SaysToCallAddAkkaFirst()
    {
        var services = new ServiceCollection();

        var failure = Assert.Throws<InvalidOperationException>(() => services.AddWormhole());

        Assert.Contains("AddAkka", failure.Message);
    }

    [Fact]
    public void MapWormholeWithoutAddWormhole_SaysToCallAddWormhole()
    {
        var builder = WebApplication.CreateSlimBuilder();
        var app = builder.Build();

        var failure = Assert.Throws<InvalidOperationException>(() => app.MapWormhole("/ws"));

        Assert.Contains("AddWormhole", failure.Message);
    }

    [Fact]
    public async Task PublishingAnUnregisteredKey_FailsTheHostAtStartUp_NamingTheKey()
    {
        await using var app = Build([], wormhole => wormhole.Publish<Square, AddWormholeTests>("nobody"));

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => app.StartAsync().WaitAsync(Bounds.Long));

        Assert.Contains(nameof(AddWormholeTests), failure.Message);
        Assert.Contains("\"nobody\"", failure.Message);
    }

    private static WebApplication Build(Dictionary<string, string?> configuration, Action<WormholeBuilder> configure)
    {
        var builder = KestrelWormhole.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(configuration);
        builder.Services.AddAkka("hosted-" + Guid.NewGuid().ToString("N")[..8], akka => akka
            .AddHocon("akka.loglevel = WARNING", HoconAddMode.Prepend)
            .WithActors((system, registry) => registry.Register<EchoKey>(FnActor.Spawn<Square>(system, EchoKey.RunAsync).Untyped)));
        builder.Services.AddWormhole(configure);
        var app = builder.Build();
        app.UseWebSockets();
        app.MapWormhole("/ws");
        return app;
    }

    /// <summary>The echo actor's key in Akka.Hosting's registry: it answers a square with its value.</summary>
    private sealed class EchoKey
    {
        public static async Task RunAsync(FnActorContext<Square> actor)
        {
            await foreach (var square in actor.Messages)
            {
                square.Reply?.Reply(square.Value);
            }
        }
    }
}
