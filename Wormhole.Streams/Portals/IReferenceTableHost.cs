using Akka.Actor;
using Wormhole.Streams.Protocol;

namespace Wormhole.Streams.Portals;

/// <summary>What a <see cref="ReferenceTable"/> needs from the portal that runs it: death watch, and proxies.</summary>
internal interface IReferenceTableHost
{
    /// <summary>Watch a local actor this portal publishes (its death becomes a <c>Terminated</c> frame).</summary>
    void Watch(IActorRef actor);

    void Unwatch(IActorRef actor);

    /// <summary>Takes a place in the nexus-wide proxy budget; false when the nexus holds its cap.</summary>
    bool TryTakeProxy();

    /// <summary>Gives back places in the nexus-wide proxy budget.</summary>
    void ReturnProxies(int count);

    /// <summary>A new proxy for the peer's actor <paramref name="id"/>.</summary>
    ProxyRef CreateProxy(WireId id, Type? messageType, bool oneShot, long expiresAtTick);
}
