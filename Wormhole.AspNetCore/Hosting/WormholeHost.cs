using Akka;
using Akka.Actor;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Wormhole.Streams;

/// <summary>
/// The nexus AddWormhole registers, and its life with the host: made on first use, its publications made as the host starts,
/// disposed (a <c>Goodbye</c> to every peer) as the host stops or the actor system's coordinated shutdown unbinds services.
/// </summary>
internal sealed class WormholeHost(IServiceProvider services, WormholeBuilder builder, IOptions<NexusOptions> options) : IHostedService
{
    private readonly Lazy<Nexus> _nexus = new(() => Nexus.Create(
        (ActorSystem)services.GetService(typeof(ActorSystem))!,
        NexusOptionsValidation.Final(builder, options.Value),
        (ILoggerFactory?)services.GetService(typeof(ILoggerFactory)),
        (System.Diagnostics.Metrics.IMeterFactory?)services.GetService(typeof(System.Diagnostics.Metrics.IMeterFactory))));

    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _disposed;

    public Nexus Nexus => _nexus.Value;

    public WormholeBuilder Builder => builder;

    /// <summary>Completes once the publications are made: a request that arrives earlier waits for it, so its lookups find them.</summary>
    public Task Started => _started.Task;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            foreach (var publication in builder.Publications)
            {
                publication(Nexus, services);
            }

            CoordinatedShutdown.Get(Nexus.System).AddTask(CoordinatedShutdown.PhaseServiceUnbind, "wormhole-goodbye", async () =>
            {
                await DisposeNexusAsync().ConfigureAwait(false);
                return Done.Instance;
            });
            _started.TrySetResult();
        }
        catch (Exception e)
        {
            // The host's start fails with it; a request waiting for the publications gets it too. Observed here, or an
            // app that never serves a request would see it again as an UnobservedTaskException from the finalizer.
            _started.TrySetException(e);
            _ = _started.Task.Exception;
            throw;
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => DisposeNexusAsync().WaitAsync(cancellationToken);

    private Task DisposeNexusAsync()
    {
        lock (_started)
        {
            return _disposed ??= _nexus.IsValueCreated ? _nexus.Value.DisposeAsync().AsTask() : Task.CompletedTask;
        }
    }
}
