using System.Collections.Immutable;
using System.Diagnostics;
using Akka.Actor;
using Akka.Dispatch.SysMsg;
using Akka.Event;
using Wormhole.Streams.Protocol;
using Wormhole.Streams.Tracing;

namespace Wormhole.Streams.Portals;

/// <summary>
/// A local reference standing for one of the peer's actors: a lightweight <see cref="IActorRef"/> with no mailbox and no
/// actor cell (in the manner of Akka's <c>FunctionRef</c>). Whatever it is told goes to its portal's command queue, tagged
/// with the remote id; watching it works as watching an actor does.
/// </summary>
/// <remarks>
/// <para>
/// It terminates when the remote actor dies, when its portal closes, when it is stopped (<c>PoisonPill</c>,
/// <c>Kill</c> or <c>ActorSystem.Stop</c>: that releases it, and the peer may drop its publication), or, one-shot (a reply
/// port, an ask's sender), after its one message. Watchers then get <see cref="Terminated"/>.
/// </para>
/// <para>
/// Told anything once terminated: while the portal is open, the message goes to dead letters, as for any dead actor;
/// once the portal has closed, the sender (when there is one) gets a <see cref="Status.Failure"/> with a
/// <see cref="PortalClosedException"/> at once, so an ask fails without waiting for its timeout.
/// </para>
/// <para>Thread safety: any thread may tell, watch or stop it; its termination is one atomic exchange.</para>
/// </remarks>
internal sealed class ProxyRef : MinimalActorRef
{
    private readonly PortalCommandQueue _portal;
    private ImmutableHashSet<IActorRef>? _watchedBy = ImmutableHashSet<IActorRef>.Empty; // null once terminated

    /// <param name="path">A unique temporary path.</param>
    /// <param name="provider">The actor system's provider.</param>
    /// <param name="portal">Where its messages go.</param>
    /// <param name="id">The remote actor's id on this portal.</param>
    /// <param name="messageType">What the remote actor accepts; null when unknown (an ask's or a tell's sender).</param>
    /// <param name="oneShot">True for a reply target: it takes one message.</param>
    public ProxyRef(ActorPath path, IActorRefProvider provider, PortalCommandQueue portal, WireId id, Type? messageType, bool oneShot)
    {
        Path = path;
        Provider = provider;
        _portal = portal;
        Id = id;
        MessageType = messageType;
        OneShot = oneShot;
    }

    public override ActorPath Path { get; }

    public override IActorRefProvider Provider { get; }

    public override bool IsTerminated => Volatile.Read(ref _watchedBy) is null;

    public WireId Id { get; }

    /// <summary>Registered as a temp actor, so its path resolves (an actor system with Akka.Remote); unregistered when it terminates.</summary>
    public bool ResolvableByPath { get; init; }

    /// <summary>What the remote actor accepts (a message of another type is refused before it reaches the wire); null: unchecked.</summary>
    public Type? MessageType { get; }

    public bool OneShot { get; }

    /// <summary>How many times the peer handed this id over (a <c>Release</c> returns them all). Stage thread only.</summary>
    public ulong Imported { get; set; }

    /// <summary>For the portal's stage: the one-shot proxy expires at this sweep tick.</summary>
    public long ExpiresAtTick { get; init; }

    /// <summary>A reply target of a traced request: the request's receive span, which the reply carries back and ends.</summary>
    public ReceiveTrace? Trace { get; private set; }

    /// <summary>Makes this reply target carry <paramref name="trace"/>. Stage thread, before the request is told to its actor.</summary>
    /// <returns>False when it cannot (it terminated, or carries another request's span): the caller ends the span itself.</returns>
    public bool Carry(ReceiveTrace trace)
    {
        if (!OneShot || Trace is not null || IsTerminated)
        {
            return false;
        }

        Trace = trace;
        return true;
    }

    protected override void TellInternal(object message, IActorRef sender)
    {
        if (message is PoisonPill or Kill)
        {
            Stop();
            return;
        }

        if (IsTerminated && _portal.CloseReason is null)
        {
            ToDeadLetters(message, sender);
            return;
        }

        // Once the portal has closed, the queue fails the message at once (its sender learns why) and counts it.
        // The trace context is taken here, on the sender's thread: a reply carries its request's span; any other message
        // a send span of its own when Wormhole's source has listeners, else Activity.Current (null: nothing on the wire).
        if (Trace is { } request)
        {
            _portal.Post(new PortalCommand.Forward(this, message, sender ?? ActorRefs.NoSender!, request.Activity));
            request.End(failed: message is Status.Failure);
        }
        else if (WormholeTracing.Source.HasListeners() && StartSend(message) is { } send)
        {
            _portal.Post(new PortalCommand.Forward(this, message, sender ?? ActorRefs.NoSender!, send));
            send.Stop(); // Activity.Current is the sender's again
        }
        else
        {
            _portal.Post(new PortalCommand.Forward(this, message, sender ?? ActorRefs.NoSender!, Activity.Current));
        }

        if (OneShot && !IsTerminated)
        {
            Terminate(); // a reply port takes one message; the stage forgets it when it handles the Forward
        }
    }

    /// <summary>
    /// Tells <paramref name="message"/> once the portal has room for it (<see cref="OutboundRoom"/>): at once while it has,
    /// else when the conduit has taken enough of what waits.
    /// </summary>
    /// <exception cref="PortalClosedException">The portal closed before the message could be queued.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired while waiting; the message was not sent.</exception>
    public Task TellAsync(object message, IActorRef? sender, CancellationToken cancellationToken)
    {
        return _portal.Room.HasRoom ? TellNow() : WaitThenTell();

        Task TellNow()
        {
            if (_portal.CloseReason is { } reason)
            {
                return Task.FromException(new PortalClosedException(reason));
            }

            Tell(message, sender);
            return Task.CompletedTask;
        }

        async Task WaitThenTell()
        {
            await _portal.Room.WaitAsync(cancellationToken).ConfigureAwait(false);
            await TellNow().ConfigureAwait(false);
        }
    }

    private Activity? StartSend(object message)
    {
        var type = MessageType ?? message.GetType();
        var send = WormholeTracing.Source.StartActivity($"send {type.Name}", ActivityKind.Producer);
        if (send is { IsAllDataRequested: true })
        {
            send.SetTag("messaging.system", "wormhole");
            send.SetTag("wormhole.message.type", message.GetType().FullName);
        }

        return send;
    }

    /// <summary>A message for this proxy that no remote actor will get, as for any dead actor.</summary>
    public void ToDeadLetters(object message, IActorRef? sender)
    {
        var from = sender ?? Provider.DeadLetters; // a DeadLetter's sender may not be null (Akka throws)
        Provider.DeadLetters.Tell(new DeadLetter(message, from, this), from);
    }

    /// <summary>Stopped by its user: released (the stage tells the peer), watchers notified.</summary>
    public override void Stop()
    {
        if (Terminate())
        {
            _portal.Post(new PortalCommand.ProxyStopped(this));
        }
    }

    /// <summary>Marks it terminated and notifies its watchers; false when it already was. Any thread.</summary>
    public bool Terminate()
    {
        var watchedBy = Interlocked.Exchange(ref _watchedBy, null);
        if (watchedBy is null)
        {
            return false;
        }

        if (ResolvableByPath)
        {
            Provider.UnregisterTempActor(Path);
        }
        Trace?.End(); // a traced request's reply target that expired, or whose portal closed, unanswered

        foreach (var watcher in watchedBy)
        {
            NotifyTerminated(watcher);
        }

        return true;
    }

    public override void SendSystemMessage(ISystemMessage message)
    {
        switch (message)
        {
            case Watch watch when Equals(watch.Watchee, this) && !Equals(watch.Watcher, this):
                Update(watch.Watcher, add: true);
                break;
            case Unwatch unwatch when Equals(unwatch.Watchee, this) && !Equals(unwatch.Watcher, this):
                Update(unwatch.Watcher, add: false);
                break;
        }
    }

    private void Update(IInternalActorRef watcher, bool add)
    {
        while (true)
        {
            var watchedBy = Volatile.Read(ref _watchedBy);
            if (watchedBy is null)
            {
                if (add)
                {
                    NotifyTerminated(watcher); // watching a dead actor yields Terminated at once
                }

                return;
            }

            var updated = add ? watchedBy.Add(watcher) : watchedBy.Remove(watcher);
            if (ReferenceEquals(updated, watchedBy) || ReferenceEquals(Interlocked.CompareExchange(ref _watchedBy, updated, watchedBy), watchedBy))
            {
                return;
            }
        }
    }

    private void NotifyTerminated(IActorRef watcher)
    {
        if (watcher is IInternalActorRef scope)
        {
            scope.SendSystemMessage(new DeathWatchNotification(this, existenceConfirmed: true, addressTerminated: false));
        }
    }
}
