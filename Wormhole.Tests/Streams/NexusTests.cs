using Akka.Actor;
using Wormhole.Streams;

namespace Wormhole.Tests.Streams;

/// <summary>What a nexus does to its actor system when it is made.</summary>
public sealed class NexusTests
{
    [Fact]
    public async Task NexusCreate_OnANewActorSystem_StartsItsScheduler()
    {
        // Akka 1.5.74 starts a system's scheduler on first use, and blocks every pool thread that schedules before it runs:
        // many portals starting their timers at once on a new system starved the pool until handshakes timed out (seen in
        // about half of the hostile suite's runs). Whether it happens depends on the pool, so the precondition is checked.
        var system = ActorSystem.Create("fresh");
        try
        {
            var workerState = system.Scheduler.GetType().GetField("_workerState", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)
                ?? throw new InvalidOperationException($"{system.Scheduler.GetType().Name} has no _workerState field any more: check how this Akka version starts its scheduler");
            Assert.Equal(0, (int)workerState.GetValue(system.Scheduler)!); // not started yet

            await using var nexus = Nexus.Create(system);

            Assert.Equal(1, (int)workerState.GetValue(system.Scheduler)!); // started
        }
        finally
        {
            await system.Terminate();
        }
    }
}
