using System.Reactive.Linq;
using System.Reactive.Subjects;
using Wormhole.Reactive;

namespace Wormhole.Streams;

/// <summary>
/// A connection that opens a new portal after each loss, per its <see cref="ReconnectPolicy"/>; made by
/// <see cref="Nexus.ConnectAsync(ReconnectPolicy, CancellationToken)"/>.
/// </summary>
/// <remarks>
/// A portal's proxies, reply ports and streams end with it: when it closes, its proxies stop (watchers get
/// <c>Terminated</c>), asks through them fail with <see cref="PortalClosedException"/>, and the server sees this side's
/// references end. Nothing carries over to the next portal: set it up again for each one <see cref="Portals"/> emits, or
/// let <see cref="Lookup{T}"/> look a name up again on each.
/// </remarks>
public sealed class ReconnectingPortal : IAsyncDisposable
{
    private readonly Nexus _nexus;
    private readonly ReconnectPolicy _policy;
    private readonly BehaviorSubject<ConnectionState> _states = new(new ConnectionState.Connecting());
    private readonly CancellationTokenSource _closing = new();
    private readonly TaskCompletionSource<PortalCloseReason> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<Portal> _firstOpened = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private string _closeReason = Portal.ClosedByTheApplication;

    internal ReconnectingPortal(Nexus nexus, ReconnectPolicy policy)
    {
        _nexus = nexus;
        _policy = policy;
        _ = RunAsync();
    }

    /// <summary>Where the connection is now, then every change, for a UI (hot; replays the current state to each new subscriber; completes when closed).</summary>
    public IObservable<ConnectionState> States => _states.AsObservable();

    /// <summary>Where the connection is now.</summary>
    public ConnectionState State => _states.Value;

    /// <summary>The open portal; null while connecting or reconnecting, and once closed.</summary>
    public Portal? Current => _states.Value is ConnectionState.Connected connected && connected.Portal.IsOpen ? connected.Portal : null;

    /// <summary>Each portal as it opens: the open one first, if any, then one per reconnect; completes when the connection closes for good.</summary>
    public IObservable<Portal> Portals => States.OfType<ConnectionState.Connected>().Select(connected => connected.Portal);

    /// <summary>Completes, never faults, when the connection is over for good (closed, refused, or out of attempts), with the last reason.</summary>
    public Task<PortalCloseReason> Completion => _completion.Task;

    internal Task<Portal> FirstOpened => _firstOpened.Task;

    /// <summary>
    /// Looks <paramref name="name"/> up on each portal as it opens, the current one first: one proxy per portal, for the
    /// same line of code to serve every reconnect (<c>reconnecting.Lookup&lt;ChatHub&gt;("chat").Subscribe(hub => …)</c>).
    /// </summary>
    /// <typeparam name="T">The message type the remote actor accepts.</typeparam>
    /// <param name="name">The name the server published.</param>
    /// <returns>
    /// Hot per subscription: a proxy per portal, in order. A portal that closes before its lookup is answered is skipped (the
    /// next one comes); a name the server did not publish fails the sequence with <see cref="PublicationNotFoundException"/>.
    /// </returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is null or empty.</exception>
    public IObservable<ActorRef<T>> Lookup<T>(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return Portals
            .Select(portal => Observable.FromAsync(async cancellationToken =>
            {
                try
                {
                    return await portal.LookupAsync<T>(name, cancellationToken).ConfigureAwait(false);
                }
                catch (PortalClosedException)
                {
                    return null;
                }
            }))
            .Concat()
            .Where(proxy => proxy is not null)
            .Select(proxy => proxy!);
    }

    /// <summary>Stops for good: closes the open portal (a <c>Goodbye</c> with <paramref name="reason"/>) or stops the attempt or wait under way.</summary>
    /// <param name="reason">What the server is told.</param>
    /// <param name="cancellationToken">Stops waiting; the connection still closes.</param>
    /// <returns>The last reason.</returns>
    /// <exception cref="ArgumentException"><paramref name="reason"/> is null or empty.</exception>
    public Task<PortalCloseReason> CloseAsync(string reason = Portal.ClosedByTheApplication, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(reason);
        _closeReason = reason;
        _closing.Cancel();
        return Completion.WaitAsync(cancellationToken);
    }

    /// <summary>Closes it (<see cref="CloseAsync"/>).</summary>
    /// <returns>When it is closed.</returns>
    public async ValueTask DisposeAsync() => await CloseAsync().ConfigureAwait(false);

    private async Task RunAsync()
    {
        var next = 0; // the endpoint to try next
        var attempt = 1;
        var opened = false;
        PortalCloseReason? lastReason = null;
        try
        {
            while (true)
            {
                var endpoint = next;
                next = (next + 1) % _policy.Endpoints.Count;
                PortalCloseReason reason;
                try
                {
                    var portal = await _nexus.ConnectAsync(_policy.Endpoints[endpoint], _closing.Token).ConfigureAwait(false);
                    _states.OnNext(new ConnectionState.Connected(portal, Reconnected: opened)); // first: ConnectAsync returns with Current set
                    _firstOpened.TrySetResult(portal);
                    opened = true;
                    attempt = 1;
                    reason = await WaitClosedAsync(portal).ConfigureAwait(false);
                }
                catch (PortalClosedException e)
                {
                    reason = e.Reason;
                }

                lastReason = reason;
                if (_closing.IsCancellationRequested || !_policy.When(reason) || (_policy.MaxAttempts is { } most && attempt > most))
                {
                    Finish(reason, gaveUp: !_closing.IsCancellationRequested && _policy.When(reason));
                    return;
                }

                var delay = Jittered(_policy.DelayBefore(attempt));
                _states.OnNext(new ConnectionState.Reconnecting(attempt, delay, reason));
                await Task.Delay(delay, _closing.Token).ConfigureAwait(false);
                attempt++;
            }
        }
        catch (OperationCanceledException) when (_closing.IsCancellationRequested)
        {
            Finish(lastReason is { Kind: PortalCloseKind.ClosedLocally } ? lastReason : new PortalCloseReason(PortalCloseKind.ClosedLocally, _closeReason), gaveUp: false);
        }
    }

    /// <summary>Waits until <paramref name="portal"/> closes; closes it (a <c>Goodbye</c>) when this side closes first.</summary>
    private async Task<PortalCloseReason> WaitClosedAsync(Portal portal)
    {
        using (_closing.Token.Register(() => _ = portal.CloseAsync(_closeReason)))
        {
            return await portal.Completion.ConfigureAwait(false);
        }
    }

    private TimeSpan Jittered(TimeSpan delay) =>
        TimeSpan.FromTicks((long)(delay.Ticks * (1 - (_policy.Jitter * Random.Shared.NextDouble()))));

    private void Finish(PortalCloseReason reason, bool gaveUp)
    {
        _firstOpened.TrySetException(new PortalClosedException(reason));
        _ = _firstOpened.Task.Exception; // observed: nobody may be waiting for the first portal any more
        _states.OnNext(new ConnectionState.Closed(reason, gaveUp));
        _states.OnCompleted();
        _completion.TrySetResult(reason);
    }
}
