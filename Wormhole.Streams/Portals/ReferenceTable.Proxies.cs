using Akka.Actor;
using Wormhole.Streams.Protocol;

namespace Wormhole.Streams.Portals;

/// <summary>The proxies for the peer's actors.</summary>
internal sealed partial class ReferenceTable
{
    private readonly Dictionary<WireId, ProxyRef> _proxies = new();
    private int _pendingReplyProxies;

    /// <summary>Whether another one-shot proxy (a reply port or an ask's sender from the peer) may be made.</summary>
    public bool CanTakeReply => _pendingReplyProxies < _options.MaxPendingReplies;

    public int ProxyCount => _proxies.Count;

    /// <summary>Whether <paramref name="actor"/> is a live proxy of this portal (it goes back to the peer as its own id).</summary>
    public bool IsMine(IActorRef actor, out ProxyRef proxy)
    {
        if (actor is ProxyRef candidate && _proxies.TryGetValue(candidate.Id, out var known) && ReferenceEquals(known, candidate))
        {
            proxy = candidate;
            return true;
        }

        proxy = null!;
        return false;
    }

    /// <summary>The one proxy for a lasting remote actor, made on first sight; counts each time the peer hands its id over.</summary>
    /// <exception cref="ProtocolFaultException">A proxy limit is reached.</exception>
    public ProxyRef ProxyFor(WireId id, Type? messageType)
    {
        if (!_proxies.TryGetValue(id, out var proxy))
        {
            proxy = Add(id, messageType, oneShot: false, expiresAtTick: 0);
        }

        proxy.Imported++;
        return proxy;
    }

    /// <summary>
    /// The one-shot proxy for a reply target of the peer, made on first sight: an ask's reply port can travel twice in one
    /// message (inside it and as the sender) and must stay one proxy.
    /// </summary>
    /// <exception cref="RequestRefusedException"><see cref="NexusOptions.MaxPendingReplies"/> one-shot proxies exist.</exception>
    public ProxyRef OneShotProxy(WireId id, TimeSpan within, Type? replyType)
    {
        if (_proxies.TryGetValue(id, out var existing))
        {
            return existing;
        }

        if (!CanTakeReply)
        {
            throw new RequestRefusedException(id);
        }

        _pendingReplyProxies++;
        return Add(id, replyType, oneShot: true, Tick + SweepTicks((uint)Math.Min(within.TotalMilliseconds, uint.MaxValue)));
    }

    /// <summary>Forgets a proxy (used, expired, released or terminated remotely); false when it was not known.</summary>
    public bool Forget(WireId id)
    {
        if (!_proxies.Remove(id, out var proxy))
        {
            return false;
        }

        if (proxy.OneShot)
        {
            _pendingReplyProxies--;
        }

        _host.ReturnProxies(1);
        _counters.SetProxies(_proxies.Count);
        return true;
    }

    /// <summary>The remote actor of <paramref name="id"/> terminated: its proxy terminates (watchers see Terminated).</summary>
    public void OnRemoteTerminated(WireId id)
    {
        if (_proxies.TryGetValue(id, out var proxy))
        {
            Forget(id);
            proxy.Terminate();
        }
    }

    /// <summary>A user stopped a lasting proxy: forget it.</summary>
    /// <returns>How many copies of its id to release to the peer; 0 for a one-shot or an unknown one.</returns>
    public ulong OnProxyStopped(ProxyRef proxy)
    {
        if (!IsMine(proxy, out _))
        {
            return 0;
        }

        Forget(proxy.Id);
        return proxy.OneShot ? 0 : proxy.Imported;
    }

    private ProxyRef Add(WireId id, Type? messageType, bool oneShot, long expiresAtTick)
    {
        if (_proxies.Count >= _options.MaxProxies)
        {
            throw new ProtocolFaultException(ProtocolFault.LimitExceeded(
                nameof(NexusOptions.MaxProxies),
                $"MaxProxies: the peer handed over more than {_options.MaxProxies:N0} live actors on portal {_portalId}"));
        }

        if (!_host.TryTakeProxy())
        {
            throw new ProtocolFaultException(ProtocolFault.LimitExceeded(
                nameof(NexusOptions.MaxProxies),
                $"MaxProxies: this nexus holds as many proxies over all its portals as MaxProxiesPerNexus allows; portal {_portalId} may take no more"));
        }

        var proxy = _host.CreateProxy(id, messageType, oneShot, expiresAtTick);
        _proxies[id] = proxy;
        _counters.SetProxies(_proxies.Count);
        return proxy;
    }
}

/// <summary>Thrown while decoding a request when one more reply target would exceed <see cref="NexusOptions.MaxPendingReplies"/>: the request is refused.</summary>
internal sealed class RequestRefusedException(WireId replyPort) : Exception("MaxPendingReplies")
{
    public WireId ReplyPort { get; } = replyPort;
}
