using Akka.Actor;
using Wormhole.Streams.Protocol;

namespace Wormhole.Streams.Portals;

/// <summary>
/// A local actor standing for one remote actor: whatever it is told goes to its portal's stage,
/// tagged with the remote id (through its <see cref="PortalCommandQueue"/>). A one-shot proxy (a reply port, an ask's sender) stops after one message
/// or at its deadline. Stopping a lasting proxy (e.g. with a <c>PoisonPill</c>) releases it: the peer may then drop its publication.
/// </summary>
internal sealed class ProxyActor : UntypedActor
{
    private readonly PortalCommandQueue _portal;
    private readonly WireId _target;
    private readonly TimeSpan? _oneShotWithin;

    public ProxyActor(PortalCommandQueue portal, WireId target, TimeSpan? oneShotWithin)
    {
        _portal = portal;
        _target = target;
        _oneShotWithin = oneShotWithin;
    }

    public static Props Props(PortalCommandQueue portal, WireId target, TimeSpan? oneShotWithin) =>
        Akka.Actor.Props.Create(() => new ProxyActor(portal, target, oneShotWithin));

    protected override void PreStart()
    {
        if (_oneShotWithin is { } within)
        {
            Context.SetReceiveTimeout(within);
        }
    }

    protected override void OnReceive(object message)
    {
        if (message is ReceiveTimeout)
        {
            Context.Stop(Self);
            return;
        }

        _portal.Post(new PortalCommand.Forward(_target, message, Sender));
        if (_oneShotWithin is not null)
        {
            Context.Stop(Self);
        }
    }

    protected override void PostStop() => _portal.Post(new PortalCommand.ProxyStopped(_target, Self));
}
