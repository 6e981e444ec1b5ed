using Akka.Actor;
using Wormhole.Reactive;
using Wormhole.Streams.Protocol;
using Wormhole.Streams.Transmaterialization;

namespace Wormhole.Streams.Portals;

internal sealed partial class PortalStage
{
    /// <summary>The portal's tables: what this side published to the peer, and the proxies for what the peer published.</summary>
    private sealed partial class Logic : IReferenceTable
    {
        private readonly Dictionary<WireId, Publication> _publications = new();
        private readonly Dictionary<IActorRef, List<Publication>> _publicationsOf = new();
        private readonly Dictionary<(IActorRef Actor, Type Type), Publication> _lasting = new();
        private readonly Dictionary<IActorRef, WireId> _oneShots = new();
        private readonly Dictionary<WireId, Proxy> _proxies = new();
        private readonly Dictionary<IActorRef, WireId> _proxyIds = new();
        private readonly Dictionary<WireId, object> _importedPorts = new();
        private int _pendingReplyProxies;
        private List<WireId>? _refusedPorts;

        public WireRef Export(IActorRef actor, Type messageType) =>
            _proxyIds.TryGetValue(actor, out var theirs)
                ? new WireRef(theirs, Yours: true)
                : new WireRef(Exported(PublishLasting(actor, messageType)), Yours: false);

        public IActorRef Import(WireRef reference)
        {
            if (!reference.Yours)
            {
                return ProxyFor(reference.Id);
            }

            return _publications.TryGetValue(reference.Id, out var mine) && !mine.OneShot
                ? mine.Actor
                : throw new InvalidDataException($"the peer handed back actor id {reference.Id}, which this side never gave it");
        }

        public WireRef ExportReplyPort(IActorRef target, Type replyType, TimeSpan remaining)
        {
            var withinMs = (uint)Math.Clamp(remaining.TotalMilliseconds, 1, uint.MaxValue);
            if (_proxyIds.TryGetValue(target, out var theirs))
            {
                return new WireRef(theirs, Yours: true, withinMs);
            }

            if (_oneShots.TryGetValue(target, out var same))
            {
                return new WireRef(same, Yours: false, withinMs);
            }

            if (_oneShots.Count >= _options.MaxPendingReplies)
            {
                var refused = new LimitExceededException(
                    nameof(NexusOptions.MaxPendingReplies),
                    $"MaxPendingReplies: {_options.MaxPendingReplies:N0} replies are already pending on portal {_portal.Id}; the request was not sent");
                target.Tell(new Status.Failure(refused), ActorRefs.NoSender);
                throw refused;
            }

            var publication = Publish(target, replyType, oneShot: true, Environment.TickCount64 + withinMs);
            _oneShots[target] = publication.Id;
            return new WireRef(publication.Id, Yours: false, withinMs);
        }

        public ReplyPort<T> ImportReplyPort<T>(WireRef reference)
        {
            if (_importedPorts.TryGetValue(reference.Id, out var known) && known is ReplyPort<T> same)
            {
                return same;
            }

            var within = TimeSpan.FromMilliseconds(Math.Max(1, reference.WithinMs));
            if (!reference.Yours && _pendingReplyProxies >= _options.MaxPendingReplies)
            {
                (_refusedPorts ??= []).Add(reference.Id); // OnDeliver refuses the whole request
                return new ReplyPort<T>(_system!.DeadLetters, within);
            }

            var target = !reference.Yours ? SpawnProxy(reference.Id, within)
                : _publications.TryGetValue(reference.Id, out var mine) && mine.OneShot ? mine.Actor
                : throw new InvalidDataException($"the peer handed back reply port {reference.Id}, which this side never gave it");
            var port = new ReplyPort<T>(target, within);
            _importedPorts[reference.Id] = port;
            return port;
        }

        /// <summary>Publishes a local actor on this portal; the same actor and type keep the same id.</summary>
        private Publication PublishLasting(IActorRef actor, Type messageType)
        {
            if (_lasting.TryGetValue((actor, messageType), out var publication))
            {
                return publication;
            }

            publication = Publish(actor, messageType, oneShot: false, expiresAt: 0);
            _lasting[(actor, messageType)] = publication;
            return publication;
        }

        private Publication Publish(IActorRef actor, Type messageType, bool oneShot, long expiresAt)
        {
            if (_publications.Count >= _options.MaxPublications)
            {
                throw new LimitExceededException(
                    nameof(NexusOptions.MaxPublications),
                    $"MaxPublications: this side already publishes {_options.MaxPublications:N0} actors on portal {_portal.Id}");
            }

            var publication = new Publication(WireId.NewRandom(), actor, messageType, oneShot, expiresAt);
            _publications[publication.Id] = publication;
            if (!_publicationsOf.TryGetValue(actor, out var ofActor))
            {
                _publicationsOf[actor] = ofActor = [];
                _self!.Watch(actor);
            }

            ofActor.Add(publication);
            Counters.SetPublications(_publications.Count);
            return publication;
        }

        /// <summary>Counts one more time the id of <paramref name="publication"/> goes to the peer (a <c>Release</c> must match them all).</summary>
        private WireId Exported(Publication publication)
        {
            publication.Exported++;
            return publication.Id;
        }

        private void Unpublish(Publication publication)
        {
            _publications.Remove(publication.Id);
            if (publication.OneShot)
            {
                _oneShots.Remove(publication.Actor);
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
                _self!.Unwatch(publication.Actor);
            }

            Counters.SetPublications(_publications.Count);
        }

        /// <summary>The peer's proxy for a publication stopped: drop it once every time its id was sent has been released.</summary>
        private void OnRelease(Release release)
        {
            if (_publications.TryGetValue(release.Id, out var publication) && !publication.OneShot)
            {
                publication.Exported -= Math.Min(release.Count, publication.Exported);
                if (publication.Exported == 0)
                {
                    Unpublish(publication);
                }
            }
        }

        /// <summary>The one proxy for a lasting remote actor, made on first sight; counts each time the peer hands its id over.</summary>
        private IActorRef ProxyFor(WireId id)
        {
            if (!_proxies.TryGetValue(id, out var proxy))
            {
                SpawnProxy(id, oneShotWithin: null);
                proxy = _proxies[id];
            }

            proxy.Imported++;
            return proxy.Actor;
        }

        /// <summary>
        /// Makes the proxy for <paramref name="id"/>, or returns the one that exists: an ask's reply port can travel twice in
        /// one message (inside it and as the sender) and must stay one proxy.
        /// </summary>
        private IActorRef SpawnProxy(WireId id, TimeSpan? oneShotWithin)
        {
            if (_proxies.TryGetValue(id, out var existing))
            {
                return existing.Actor;
            }

            if (_proxies.Count >= _options.MaxProxies)
            {
                throw new LimitExceededException(
                    nameof(NexusOptions.MaxProxies),
                    $"MaxProxies: the peer handed over more than {_options.MaxProxies:N0} live actors on portal {_portal.Id}");
            }

            var actor = _system!.SystemActorOf(ProxyActor.Props(_commands!, id, oneShotWithin));
            _proxies[id] = new Proxy(actor) { OneShot = oneShotWithin is not null };
            _proxyIds[actor] = id;
            if (oneShotWithin is not null)
            {
                _pendingReplyProxies++;
            }

            Counters.SetProxies(_proxies.Count);
            return actor;
        }

        /// <summary>A proxy stopped on its own (used, expired, or stopped by its user): forget it; a lasting one is released.</summary>
        private void OnProxyStopped(WireId id, IActorRef actor)
        {
            if (_proxies.TryGetValue(id, out var proxy) && proxy.Actor.Equals(actor))
            {
                ForgetProxy(id, stop: false);
                if (!proxy.OneShot)
                {
                    Send(new Release { Id = id, Count = proxy.Imported });
                }
            }
        }

        private void ForgetProxy(WireId id, bool stop)
        {
            _importedPorts.Remove(id);
            if (_proxies.Remove(id, out var proxy))
            {
                _proxyIds.Remove(proxy.Actor);
                if (proxy.OneShot)
                {
                    _pendingReplyProxies--;
                }

                Counters.SetProxies(_proxies.Count);
                if (stop)
                {
                    _system!.Stop(proxy.Actor);
                }
            }
        }

        /// <summary>A local actor this portal published has terminated: tell the peer, forget it.</summary>
        private void OnLocalTerminated(IActorRef actor)
        {
            if (!_publicationsOf.TryGetValue(actor, out var ofActor))
            {
                return;
            }

            foreach (var publication in ofActor.ToList())
            {
                Unpublish(publication);
                Send(new TerminatedFrame { Id = publication.Id });
            }
        }

        private void SweepExpired()
        {
            var now = Environment.TickCount64;
            foreach (var expired in _oneShots.Values.Select(id => _publications[id]).Where(p => p.ExpiresAt < now).ToList())
            {
                Unpublish(expired);
            }
        }

        /// <summary>On close: every proxy stops (watchers see Terminated), every pending ask and lookup fails with the reason.</summary>
        private void ReleaseEverything(PortalCloseReason reason)
        {
            foreach (var proxy in _proxies.Values)
            {
                _system?.Stop(proxy.Actor);
            }

            _proxies.Clear();
            _proxyIds.Clear();
            foreach (var publication in _publications.Values.Where(p => p.OneShot))
            {
                publication.Actor.Tell(new Status.Failure(new PortalClosedException(reason)), ActorRefs.NoSender);
            }

            _publications.Clear();
            _publicationsOf.Clear();
            _lasting.Clear();
            _oneShots.Clear();
            _importedPorts.Clear();
            foreach (var (_, lookup) in _lookups.Values)
            {
                lookup.TrySetException(new PortalClosedException(reason));
            }

            _lookups.Clear();
            Counters.SetPublications(0);
            Counters.SetProxies(0);
        }

        /// <summary>An actor this side made reachable on this portal; <see cref="Exported"/> counts the times its id was sent.</summary>
        private sealed record Publication(WireId Id, IActorRef Actor, Type MessageType, bool OneShot, long ExpiresAt)
        {
            public ulong Exported { get; set; }
        }

        /// <summary>A local stand-in for one of the peer's actors; <see cref="Imported"/> counts the times the peer sent its id.</summary>
        private sealed class Proxy(IActorRef actor)
        {
            public IActorRef Actor { get; } = actor;

            public bool OneShot { get; init; }

            public ulong Imported { get; set; }
        }
    }
}
