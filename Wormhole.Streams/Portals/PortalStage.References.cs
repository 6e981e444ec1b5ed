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
        private readonly Dictionary<(IActorRef Actor, Type Type), WireId> _lasting = new();
        private readonly Dictionary<WireId, IActorRef> _proxies = new();
        private readonly Dictionary<IActorRef, WireId> _proxyIds = new();
        private readonly Dictionary<IActorRef, WireId> _oneShots = new();
        private readonly Dictionary<WireId, object> _importedPorts = new();

        public WireRef Export(IActorRef actor, Type messageType) =>
            _proxyIds.TryGetValue(actor, out var theirs)
                ? new WireRef(theirs, Yours: true)
                : new WireRef(PublishLasting(actor, messageType), Yours: false);

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

            var id = WireId.NewRandom();
            _publications[id] = new Publication(id, target, replyType, OneShot: true, Environment.TickCount64 + withinMs);
            _oneShots[target] = id;
            _self!.Watch(target);
            Counters.SetPublications(_publications.Count);
            return new WireRef(id, Yours: false, withinMs);
        }

        public ReplyPort<T> ImportReplyPort<T>(WireRef reference)
        {
            if (_importedPorts.TryGetValue(reference.Id, out var known) && known is ReplyPort<T> same)
            {
                return same;
            }

            var within = TimeSpan.FromMilliseconds(Math.Max(1, reference.WithinMs));
            var target = !reference.Yours ? SpawnProxy(reference.Id, within)
                : _publications.TryGetValue(reference.Id, out var mine) && mine.OneShot ? mine.Actor
                : throw new InvalidDataException($"the peer handed back reply port {reference.Id}, which this side never gave it");
            var port = new ReplyPort<T>(target, within);
            _importedPorts[reference.Id] = port;
            return port;
        }

        /// <summary>Publishes a local actor on this portal; the same actor and type keep the same id.</summary>
        private WireId PublishLasting(IActorRef actor, Type messageType)
        {
            if (_lasting.TryGetValue((actor, messageType), out var id))
            {
                return id;
            }

            id = WireId.NewRandom();
            _publications[id] = new Publication(id, actor, messageType, OneShot: false, ExpiresAt: 0);
            _lasting[(actor, messageType)] = id;
            _self!.Watch(actor);
            Counters.SetPublications(_publications.Count);
            return id;
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

            Counters.SetPublications(_publications.Count);
        }

        /// <summary>The one proxy for a lasting remote actor, made on first sight.</summary>
        private IActorRef ProxyFor(WireId id) =>
            _proxies.TryGetValue(id, out var proxy) ? proxy : SpawnProxy(id, oneShotWithin: null);

        private IActorRef SpawnProxy(WireId id, TimeSpan? oneShotWithin)
        {
            var proxy = _system!.SystemActorOf(ProxyActor.Props(Self, id, oneShotWithin));
            _proxies[id] = proxy;
            _proxyIds[proxy] = id;
            Counters.SetProxies(_proxies.Count);
            return proxy;
        }

        private void ForgetProxy(WireId id, bool stop)
        {
            _importedPorts.Remove(id);
            if (_proxies.Remove(id, out var proxy))
            {
                _proxyIds.Remove(proxy);
                Counters.SetProxies(_proxies.Count);
                if (stop)
                {
                    _system!.Stop(proxy);
                }
            }
        }

        /// <summary>A local actor this portal published has terminated: tell the peer, forget it.</summary>
        private void OnLocalTerminated(IActorRef actor)
        {
            foreach (var publication in _publications.Values.Where(p => p.Actor.Equals(actor)).ToList())
            {
                Unpublish(publication);
                Send(new TerminatedFrame { Id = publication.Id });
            }
        }

        private void SweepExpired()
        {
            var now = Environment.TickCount64;
            foreach (var expired in _publications.Values.Where(p => p.OneShot && p.ExpiresAt < now).ToList())
            {
                Unpublish(expired);
            }
        }

        /// <summary>On close: every proxy stops (watchers see Terminated), every pending ask and lookup fails with the reason.</summary>
        private void ReleaseEverything(PortalCloseReason reason)
        {
            foreach (var proxy in _proxies.Values)
            {
                _system?.Stop(proxy);
            }

            _proxies.Clear();
            _proxyIds.Clear();
            foreach (var publication in _publications.Values.Where(p => p.OneShot))
            {
                publication.Actor.Tell(new Status.Failure(new PortalClosedException(reason)), ActorRefs.NoSender);
            }

            _publications.Clear();
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

        /// <summary>An actor this side made reachable on this portal.</summary>
        private sealed record Publication(WireId Id, IActorRef Actor, Type MessageType, bool OneShot, long ExpiresAt);
    }
}
