using Akka.Actor;
using Akka.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Wormhole.Reactive;

namespace Wormhole.Streams;

/// <summary>
/// What <see cref="WormholeServiceCollectionExtensions.AddWormhole"/> registers: the nexus-wide publications, the admission of
/// each WebSocket request, the callback per opened portal, and adjustments to the options bound from configuration.
/// </summary>
public sealed class WormholeBuilder
{
    internal WormholeBuilder(IServiceCollection services, string configurationSection)
    {
        Services = services;
        ConfigurationSection = configurationSection;
    }

    /// <summary>The application's services.</summary>
    public IServiceCollection Services { get; }

    /// <summary>The configuration section <see cref="NexusOptions"/> is bound from (<c>"Wormhole"</c> unless <see cref="WormholeServiceCollectionExtensions.AddWormhole"/> was given another).</summary>
    public string ConfigurationSection { get; }

    internal List<Action<Nexus, IServiceProvider>> Publications { get; } = [];

    internal List<Func<NexusOptions, NexusOptions>> OptionChanges { get; } = [];

    internal List<Action<Portal, IServiceProvider>> Opened { get; } = [];

    internal Func<HttpContext, ValueTask<PortalAdmission>>? Admission { get; private set; }

    /// <summary>Publishes the actor <paramref name="actor"/> returns to every portal, under <paramref name="name"/>, when the host starts.</summary>
    /// <typeparam name="T">The message type the actor accepts.</typeparam>
    /// <param name="name">The name peers look up.</param>
    /// <param name="actor">Makes or finds the actor, given the application's services (the <see cref="ActorSystem"/> among them); runs once, as the host starts.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is null or empty.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="actor"/> is null.</exception>
    public WormholeBuilder Publish<T>(string name, Func<IServiceProvider, ActorRef<T>> actor)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(actor);
        Publications.Add((nexus, services) => nexus.Publish(name, actor(services)));
        return this;
    }

    /// <summary>
    /// Publishes to every portal, under <paramref name="name"/>, the actor registered in Akka.Hosting's
    /// <see cref="ActorRegistry"/> under <typeparamref name="TKey"/> (<c>registry.Register&lt;TKey&gt;(actor)</c> in <c>WithActors</c>).
    /// </summary>
    /// <typeparam name="T">The message type the actor accepts.</typeparam>
    /// <typeparam name="TKey">The registry key, usually the actor's class.</typeparam>
    /// <param name="name">The name peers look up.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is null or empty.</exception>
    /// <remarks>The host fails to start, naming the key, when nothing is registered under it by then.</remarks>
    public WormholeBuilder Publish<T, TKey>(string name) =>
        Publish(name, services => ActorRef<T>.From(RegisteredActor<TKey>(services, name)));

    /// <summary>
    /// Calls <paramref name="opened"/> for every portal <c>MapWormhole(pattern)</c> opens, once its handshake completes and
    /// before the peer's first lookup is answered: the place to publish the portal's own actors (see <see cref="PortalAdmission.OnOpened"/>).
    /// </summary>
    /// <param name="opened">Given the portal and the application's services; runs on the portal's thread, so keep it short. If it throws, the portal closes.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="opened"/> is null.</exception>
    public WormholeBuilder OnPortalOpened(Action<Portal, IServiceProvider> opened)
    {
        ArgumentNullException.ThrowIfNull(opened);
        Opened.Add(opened);
        return this;
    }

    /// <summary>
    /// Decides about each WebSocket request <c>MapWormhole(pattern)</c> receives, before its socket is accepted (see
    /// <see cref="WormholeEndpointRouteBuilderExtensions.MapWormhole(Microsoft.AspNetCore.Routing.IEndpointRouteBuilder, string, Nexus, Func{HttpContext, ValueTask{PortalAdmission}}?)"/>);
    /// without it every request is accepted.
    /// </summary>
    /// <param name="admit">The decision per request; the <see cref="OnPortalOpened"/> callbacks run for the portals it accepts.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="admit"/> is null.</exception>
    public WormholeBuilder Admit(Func<HttpContext, ValueTask<PortalAdmission>> admit)
    {
        ArgumentNullException.ThrowIfNull(admit);
        Admission = admit;
        return this;
    }

    /// <summary>Changes the options after they are bound from configuration, e.g. <c>o => o with { MaxFrameBytes = 64 * 1024 }</c>; validated with them at start-up.</summary>
    /// <param name="change">Returns the options to use.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="change"/> is null.</exception>
    public WormholeBuilder ConfigureOptions(Func<NexusOptions, NexusOptions> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        OptionChanges.Add(change);
        return this;
    }

    private static IActorRef RegisteredActor<TKey>(IServiceProvider services, string name)
    {
        if (ActorRegistry.For(services.GetRequiredService<ActorSystem>()).TryGet<TKey>(out var actor))
        {
            return actor;
        }

        throw new InvalidOperationException(
            $"AddWormhole cannot publish \"{name}\": Akka.Hosting's ActorRegistry has no actor under {typeof(TKey).Name}. " +
            $"Register it in AddAkka(…, b => b.WithActors((system, registry) => registry.Register<{typeof(TKey).Name}>(…))), and call AddAkka before AddWormhole.");
    }
}
