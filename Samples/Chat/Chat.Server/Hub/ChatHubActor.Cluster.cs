using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Tools.PublishSubscribe;
using Chat.Contracts;
using Microsoft.Extensions.Logging;

namespace Chat.Server.Hub;

/// <summary>
/// The hub in a cluster: every node runs one, for the members connected to that node; they share every post, join, leave
/// and rename over Akka's DistributedPubSub (topic <see cref="Topic"/>), so a post from a client on node A reaches the
/// clients on node C. Each hub applies what it receives, its own included, in the order it receives it: it numbers the
/// posts into its own history and pushes them to its own members. It knows who is online through the other nodes, and
/// forgets a node's members (each a <see cref="UserLeft"/> to its own) as soon as the cluster sees that node unreachable
/// or removed; a node that comes back is asked again.
/// </summary>
public sealed partial class ChatHubActor
{
    /// <summary>The DistributedPubSub topic the hubs share events on.</summary>
    public const string Topic = "chat";

    private readonly Dictionary<string, List<string>> _remote = []; // by node address: the aliases online through it
    private readonly HashSet<Address> _up = [];
    private IActorRef? _mediator;
    private string _self = "";

    private IEnumerable<string> RemoteAliases => _remote.Values.SelectMany(aliases => aliases);

    /// <summary>To every node's hub when clustered (this one included), else applied here at once.</summary>
    private void Share(ChatClient message)
    {
        if (_mediator is null)
        {
            Apply(message);
            return;
        }

        _mediator.Tell(new Publish(Topic, new ChatShared { Origin = _self, Message = message }));
    }

    private void ReceiveClusterMessages()
    {
        var cluster = Cluster.Get(Context.System);
        _self = cluster.SelfAddress.ToString();
        _mediator = DistributedPubSub.Get(Context.System).Mediator;
        _mediator.Tell(new Subscribe(Topic, Self));
        cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents, typeof(ClusterEvent.IReachabilityEvent), typeof(ClusterEvent.IMemberEvent));

        Receive<SubscribeAck>(_ => _mediator.Tell(new Publish(Topic, new ChatPresenceRequest { Origin = _self })));
        Receive<ChatShared>(OnShared);
        Receive<ChatPresenceRequest>(request =>
        {
            if (request.Origin != _self)
            {
                _mediator.Tell(new Publish(Topic, new ChatPresence { Origin = _self, Aliases = [.. _byId.Values.Select(m => m.Alias)] }));
            }
        });
        Receive<ChatPresence>(presence =>
        {
            if (presence.Origin != _self)
            {
                _remote[presence.Origin] = [.. presence.Aliases];
            }
        });
        Receive<ClusterEvent.MemberUp>(up =>
        {
            _up.Add(up.Member.Address);
            _log.LogInformation("cluster: {Node} is up; {Count} members up", up.Member.Address, _up.Count);
        });
        Receive<ClusterEvent.UnreachableMember>(unreachable => ForgetNode(unreachable.Member.Address, "unreachable"));
        Receive<ClusterEvent.MemberRemoved>(removed =>
        {
            _up.Remove(removed.Member.Address);
            ForgetNode(removed.Member.Address, "removed");
        });
        Receive<ClusterEvent.ReachableMember>(_ => _mediator.Tell(new Publish(Topic, new ChatPresenceRequest { Origin = _self })));
        Receive<ClusterEvent.IMemberEvent>(_ => { });
    }

    private void OnShared(ChatShared shared)
    {
        if (shared.Message is not { } message)
        {
            return;
        }

        if (shared.Origin != _self)
        {
            if (!_remote.TryGetValue(shared.Origin, out var aliases))
            {
                _remote[shared.Origin] = aliases = [];
            }

            switch (message)
            {
                case UserJoined joined:
                    aliases.Add(joined.Alias);
                    break;
                case UserLeft left:
                    aliases.Remove(left.Alias);
                    break;
                case UserRenamed renamed:
                    aliases.Remove(renamed.From);
                    aliases.Add(renamed.To);
                    break;
            }
        }

        Apply(message);
    }

    /// <summary>The members online through <paramref name="node"/> are gone for this node's members: each a <see cref="UserLeft"/>.</summary>
    private void ForgetNode(Address node, string why)
    {
        if (!_remote.Remove(node.ToString(), out var aliases))
        {
            return;
        }

        _log.LogInformation("cluster: {Node} is {Why}; {Count} members online through it left", node, why, aliases.Count);
        foreach (var alias in aliases)
        {
            Broadcast(new UserLeft { Alias = alias });
        }
    }
}
