using System.Diagnostics;
using Akka.Actor;
using Akka.Streams;
using Wormhole.Reactive;
using Wormhole.Streams.Protocol;
using Wormhole.Streams.Streaming;
using Wormhole.Streams.Transmaterialization;

namespace Wormhole.Streams.Portals;

/// <summary>
/// One portal's references: what this side publishes to the peer (named, anonymous, one-shot reply targets) and the proxies
/// for what the peer published. The serializers of <c>ActorRef&lt;T&gt;</c> and <c>ReplyPort&lt;T&gt;</c> reach it as
/// <see cref="IReferenceTable"/>.
/// </summary>
/// <remarks>
/// Used on the portal's stage thread only. Invariants: one publication per (actor, message type) for lasting ones, one
/// per reply target for one-shot ones; one proxy per remote id; a lasting publication is dropped when the peer has released
/// every copy of its id that was sent (<see cref="Publication.Exported"/>); every proxy counts against the portal's
/// <see cref="NexusOptions.MaxProxies"/> and the nexus's <see cref="ProxyBudget"/> until it is forgotten.
/// </remarks>
internal sealed partial class ReferenceTable : IReferenceTable, IStreamReferences
{
    private readonly NexusOptions _options;
    private readonly PortalCounters _counters;
    private readonly string _portalId;
    private readonly IReferenceTableHost _host;
    private readonly Dictionary<WireId, Publication> _publications = new();
    private readonly Dictionary<IActorRef, List<Publication>> _publicationsOf = new();
    private readonly Dictionary<(IActorRef Actor, Type Type), Publication> _lasting = new();
    private readonly Dictionary<IActorRef, Publication> _oneShots = new();
    private readonly Dictionary<WireId, object> _portsOfMessage = new();

    private readonly Func<StreamTable> _streams;

    public ReferenceTable(NexusOptions options, PortalCounters counters, string portalId, IReferenceTableHost host, Func<StreamTable> streams)
    {
        _streams = streams;
        _options = options;
        _counters = counters;
        _portalId = portalId;
        _host = host;
    }

    /// <summary>The portal's streams, which the stream serializers reach through this table.</summary>
    public StreamTable Streams => _streams();

    public IMaterializer StreamMaterializer => Streams.Materializer;

    public NexusOptions StreamOptions => _options;

    public WireId OfferStream<T>(Func<IAsyncEnumerable<T>> open) => Streams.Offer(open);

    public StreamInlet<T> AcceptStream<T>(WireRef reference) => Streams.Accept<T>(reference);

    public void CountDropped(int count) => Streams.CountDropped(count);

    /// <summary>The sweep tick now (one per second); one-shot entries expire by it.</summary>
    public long Tick { get; set; }

    /// <summary>Whether a one-shot publication or proxy waits for its deadline (only then does the portal run its sweep).</summary>
    public bool HasExpiring => _oneShots.Count > 0 || _pendingReplyProxies > 0;

    public WireRef Export(IActorRef actor, Type messageType) =>
        IsMine(actor, out var proxy)
            ? new WireRef(proxy.Id, Yours: true)
            : new WireRef(Exported(PublishLasting(actor, messageType)), Yours: false);

    public IActorRef Import(WireRef reference, Type messageType)
    {
        if (!reference.Yours)
        {
            return ProxyFor(reference.Id, messageType);
        }

        return _publications.TryGetValue(reference.Id, out var mine) && !mine.OneShot
            ? mine.Actor
            : throw NeverGiven("actor id", reference.Id);
    }

    public WireRef ExportReplyPort(IActorRef target, Type replyType, TimeSpan remaining)
    {
        var withinMs = (uint)Math.Clamp(remaining.TotalMilliseconds, 1, uint.MaxValue);
        if (IsMine(target, out var proxy))
        {
            return new WireRef(proxy.Id, Yours: true, withinMs);
        }

        if (_oneShots.TryGetValue(target, out var same))
        {
            return new WireRef(same.Id, Yours: false, withinMs);
        }

        if (_oneShots.Count >= _options.MaxPendingReplies)
        {
            throw new LimitExceededException(
                nameof(NexusOptions.MaxPendingReplies),
                $"MaxPendingReplies: {_options.MaxPendingReplies:N0} replies are already pending on portal {_portalId}; the request was not sent");
        }

        var publication = Publish(target, replyType, oneShot: true, Tick + SweepTicks(withinMs));
        publication.AskedAt = Stopwatch.GetTimestamp();
        _oneShots[target] = publication;
        _counters.SetPendingAsks(_oneShots.Count);
        return new WireRef(publication.Id, Yours: false, withinMs);
    }

    public ReplyPort<T> ImportReplyPort<T>(WireRef reference)
    {
        var within = TimeSpan.FromMilliseconds(Math.Max(1, reference.WithinMs));
        if (reference.Yours)
        {
            return _publications.TryGetValue(reference.Id, out var mine) && mine.OneShot
                ? new ReplyPort<T>(mine.Actor, within)
                : throw NeverGiven("reply port", reference.Id);
        }

        if (_portsOfMessage.TryGetValue(reference.Id, out var seen) && seen is ReplyPort<T> same)
        {
            return same; // one reply port, twice in a message, stays one port (it takes one reply)
        }

        var proxy = OneShotProxy(reference.Id, within, typeof(T));
        var port = new ReplyPort<T>(proxy, within);
        _portsOfMessage[reference.Id] = port;
        ReplyPortOfMessage ??= proxy;
        return port;
    }

    /// <summary>The first reply port of the peer in the payload being decoded, if any: where a traced request's span goes.</summary>
    public ProxyRef? ReplyPortOfMessage { get; private set; }

    /// <summary>A payload has been decoded: a reply port id met again later is another message's.</summary>
    public void EndMessage()
    {
        _portsOfMessage.Clear();
        ReplyPortOfMessage = null;
    }

    /// <summary>The target of a <c>Deliver</c>: a publication of this side.</summary>
    public bool TryGetPublication(WireId id, out Publication publication) => _publications.TryGetValue(id, out publication!);

    /// <summary>Publishes a local actor on this portal; the same actor and type keep the same id.</summary>
    public Publication PublishLasting(IActorRef actor, Type messageType)
    {
        if (_lasting.TryGetValue((actor, messageType), out var publication))
        {
            return publication;
        }

        publication = Publish(actor, messageType, oneShot: false, expiresAtTick: 0);
        _lasting[(actor, messageType)] = publication;
        return publication;
    }

    /// <summary>Counts one more time the id of <paramref name="publication"/> goes to the peer (a <c>Release</c> must match them all).</summary>
    public WireId Exported(Publication publication)
    {
        publication.Exported++;
        return publication.Id;
    }

    public void Unpublish(Publication publication)
    {
        if (!_publications.Remove(publication.Id))
        {
            return;
        }

        if (publication.OneShot)
        {
            _oneShots.Remove(publication.Actor);
            _counters.SetPendingAsks(_oneShots.Count);
        }
        else
        {
            _lasting.Remove((publication.Actor, publication.MessageType));
        }

        var ofActor = _publicationsOf[publication.Actor];
        ofActor.Remove(publication);
        if (ofActor.Count == 0)
        {
            _publicationsOf.Remove(publication.Actor);
            _host.Unwatch(publication.Actor);
        }

        _counters.SetPublications(_publications.Count);
    }

    /// <summary>The peer released <paramref name="count"/> copies of a lasting publication's id: drop it once all are.</summary>
    public void Release(WireId id, ulong count)
    {
        if (_publications.TryGetValue(id, out var publication) && !publication.OneShot)
        {
            publication.Exported -= Math.Min(count, publication.Exported);
            if (publication.Exported == 0)
            {
                Unpublish(publication);
            }
        }
    }

    /// <summary>A local actor this portal published has terminated: forget it.</summary>
    /// <returns>The ids the peer must learn are gone.</returns>
    public IReadOnlyList<WireId> OnLocalTerminated(IActorRef actor)
    {
        if (!_publicationsOf.TryGetValue(actor, out var ofActor))
        {
            return [];
        }

        var gone = ofActor.Select(p => p.Id).ToList();
        foreach (var publication in ofActor.ToList())
        {
            Unpublish(publication);
        }

        return gone;
    }

    /// <summary>Drops one-shot publications and proxies whose deadline has passed.</summary>
    public void SweepExpired()
    {
        foreach (var expired in _oneShots.Values.Where(p => p.ExpiresAtTick < Tick).ToList())
        {
            Unpublish(expired);
        }

        foreach (var expired in _proxies.Values.Where(p => p.OneShot && p.ExpiresAtTick < Tick).ToList())
        {
            Forget(expired.Id);
            expired.Terminate();
        }
    }

    /// <summary>On close: every proxy terminates (watchers see Terminated), every one-shot publication's target fails with the reason.</summary>
    public void ReleaseEverything(PortalCloseReason reason)
    {
        foreach (var proxy in _proxies.Values)
        {
            proxy.Terminate();
        }

        _host.ReturnProxies(_proxies.Count);
        _proxies.Clear();
        _pendingReplyProxies = 0;
        foreach (var publication in _oneShots.Values)
        {
            publication.Actor.Tell(new Status.Failure(new PortalClosedException(reason)), ActorRefs.NoSender);
        }

        _publications.Clear();
        _publicationsOf.Clear();
        _lasting.Clear();
        _oneShots.Clear();
        _counters.SetPublications(0);
        _counters.SetProxies(0);
        _counters.SetPendingAsks(0);
    }

    private Publication Publish(IActorRef actor, Type messageType, bool oneShot, long expiresAtTick)
    {
        if (_publications.Count >= _options.MaxPublications)
        {
            throw new LimitExceededException(
                nameof(NexusOptions.MaxPublications),
                $"MaxPublications: this side already publishes {_options.MaxPublications:N0} actors on portal {_portalId}");
        }

        var publication = new Publication(WireId.NewRandom(), actor, messageType, oneShot, expiresAtTick);
        _publications[publication.Id] = publication;
        if (!_publicationsOf.TryGetValue(actor, out var ofActor))
        {
            _publicationsOf[actor] = ofActor = [];
            _host.Watch(actor);
        }

        ofActor.Add(publication);
        _counters.SetPublications(_publications.Count);
        return publication;
    }

    /// <summary>Sweep ticks (seconds, rounded up) a one-shot entry of <paramref name="withinMs"/> lives.</summary>
    private static long SweepTicks(uint withinMs) => (withinMs + 999) / 1000;

    private static ProtocolFaultException NeverGiven(string what, WireId id) =>
        new(ProtocolFault.Violation(
            PortalErrorCodes.BadPayload,
            $"the peer handed back {what} {id}, which this side never gave it",
            $"a payload hands back {what} {id}, which was never given to you"));

    /// <summary>An actor this side made reachable on this portal; <see cref="Exported"/> counts the times its id was sent.</summary>
    internal sealed record Publication(WireId Id, IActorRef Actor, Type MessageType, bool OneShot, long ExpiresAtTick)
    {
        public ulong Exported { get; set; }

        /// <summary>A reply port's: when its request left (<see cref="Stopwatch.GetTimestamp"/>), for <c>wormhole.ask.duration</c>.</summary>
        public long AskedAt { get; set; }
    }
}
