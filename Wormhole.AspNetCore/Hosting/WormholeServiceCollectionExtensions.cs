using Akka.Actor;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Wormhole.Streams;

/// <summary>Registers Wormhole with the application's services, on top of Akka.Hosting's <c>AddAkka</c>.</summary>
public static class WormholeServiceCollectionExtensions
{
    /// <summary>
    /// Registers the <see cref="Nexus"/> of the actor system <c>AddAkka</c> registered, as a singleton, with
    /// <see cref="NexusOptions"/> bound from the configuration section <paramref name="configurationSection"/> and validated
    /// when the host starts; the host's <c>ILoggerFactory</c> and <c>IMeterFactory</c> get its logs and metrics.
    /// <c>app.MapWormhole(pattern)</c> serves it.
    /// </summary>
    /// <param name="services">The application's services; <c>AddAkka</c> must have been called on them.</param>
    /// <param name="configure">Declares publications, admission, the opened callback, option changes; null: none.</param>
    /// <param name="configurationSection">The section the options are bound from, e.g. <c>"Wormhole": { "MaxFrameBytes": 65536, "IdleTimeout": "00:00:30" }</c>.</param>
    /// <returns>The services, for chaining.</returns>
    /// <exception cref="InvalidOperationException"><c>AddAkka</c> was not called first, or <c>AddWormhole</c> was called twice.</exception>
    /// <remarks>
    /// <para>
    /// At start-up a bad option fails the host with a message naming the key (<c>Wormhole:MaxFrameBytes</c>), and so does a key
    /// <see cref="NexusOptions"/> does not have. The publications are made as the host starts, after the actor system's.
    /// </para>
    /// <para>
    /// When the host stops, or the actor system's <c>CoordinatedShutdown</c> runs (SIGTERM, <c>ActorSystem.Terminate</c>), the
    /// nexus is disposed in its <c>service-unbind</c> phase: every peer gets a <c>Goodbye</c> before the actor system stops.
    /// </para>
    /// </remarks>
    public static IServiceCollection AddWormhole(this IServiceCollection services, Action<WormholeBuilder>? configure = null, string configurationSection = "Wormhole")
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(configurationSection);
        if (!services.Any(service => service.ServiceType == typeof(ActorSystem)))
        {
            throw new InvalidOperationException("AddWormhole needs an actor system: call services.AddAkka(…) (Akka.Hosting) before AddWormhole.");
        }

        if (services.Any(service => service.ServiceType == typeof(WormholeHost)))
        {
            throw new InvalidOperationException("AddWormhole was called twice: one nexus serves an actor system.");
        }

        var builder = new WormholeBuilder(services, configurationSection);
        configure?.Invoke(builder);
        services.AddOptions<NexusOptions>()
            .BindConfiguration(configurationSection, binder => binder.ErrorOnUnknownConfiguration = true)
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<NexusOptions>>(new NexusOptionsValidation(builder));
        services.AddSingleton(builder);
        services.AddSingleton<WormholeHost>();
        services.AddSingleton(provider => provider.GetRequiredService<WormholeHost>().Nexus);
        services.AddHostedService(provider => provider.GetRequiredService<WormholeHost>());
        return services;
    }
}
