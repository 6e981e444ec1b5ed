using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using Akka.TestKit;
using Wormhole.Streams;
using Wormhole.Tests.Support;

namespace Wormhole.Tests.Hostile;

/// <summary>
/// Watches one attack on a <see cref="HostileServer"/>: the portal events it causes, and afterwards that the server and
/// every good client are unharmed.
/// </summary>
public sealed class AttackWatch : IDisposable
{
    private readonly HostileServer _server;
    private readonly List<PortalEvent> _events = [];
    private readonly IDisposable _subscription;
    private readonly int _faultsBefore;
    private readonly IObservable<PortalEvent> _replay;

    private readonly Action<string> _log;

    internal AttackWatch(HostileServer server, Action<string> log)
    {
        _server = server;
        _log = log;
        _faultsBefore = server.Faults.Count;
        var events = server.Nexus.Events.Replay();
        _replay = events;
        _subscription = new System.Reactive.Disposables.CompositeDisposable(events.Subscribe(e => { lock (_events) { _events.Add(e); } }), events.Connect());
        Opened = events.OfType<PortalEvent.Opened>().Select(e => e.Portal).FirstAsync().ToTask();
        Closed = events.OfType<PortalEvent.Closed>().FirstAsync().ToTask();
    }

    /// <summary>The first portal the server opened since the watch began (the attacker's, once it said Hello).</summary>
    public Task<Portal> Opened { get; }

    /// <summary>The first portal the server closed since the watch began (good clients' portals never close).</summary>
    public Task<PortalEvent.Closed> Closed { get; }

    /// <summary>The <paramref name="index"/>th portal (from 0) the server opened since the watch began.</summary>
    public async Task<Portal> OpenedPortalAsync(int index = 0) =>
        await _replay.OfType<PortalEvent.Opened>().Skip(index).Select(e => e.Portal).FirstAsync().ToTask().WaitAsync(Bounds.Long);

    /// <summary>The server's close of the attacker's portal: asserts its kind and that its message names the cause.</summary>
    public async Task<PortalCloseReason> ExpectClosedAsync(PortalCloseKind kind, params string[] naming)
    {
        var closed = await Closed.WaitAsync(Bounds.Long);
        _log($"server closed the attacker's portal: {closed.Reason}");
        Assert.False(_server.GoodClients.Any(c => c.Portal.Id == closed.Portal.Id), "a good client's portal closed");
        Assert.True(kind == closed.Reason.Kind, $"expected {kind}, got {closed.Reason}");
        foreach (var word in naming)
        {
            Assert.Contains(word, closed.Reason.Message, StringComparison.Ordinal);
        }

        return closed.Reason;
    }

    /// <summary>Ends the attack: drops the attackers' connections and waits until the server has closed their portals, then <see cref="AssertBystandersUnharmedAsync"/>.</summary>
    internal async Task FinishAsync(TestKitBase kit, params IRawPeer[] attackers)
    {
        foreach (var attacker in attackers)
        {
            await attacker.DisposeAsync();
        }

        await kit.AwaitAssertAsync(() => Assert.Equal(HostileServer.GoodClientCount, _server.Nexus.Portals.Count), Bounds.Long, TimeSpan.FromMilliseconds(100));
        await AssertBystandersUnharmedAsync(kit);
    }

    /// <summary>
    /// After the attack: every good client keeps its portal and completes more round trips; the server is up and nothing
    /// escaped from Wormhole (no unhandled or unobserved exception, no error log).
    /// </summary>
    public async Task AssertBystandersUnharmedAsync(TestKitBase kit)
    {
        var after = _server.GoodClients.Select(c => c.RoundTrips).ToArray();
        await kit.AwaitAssertAsync(
            () =>
            {
                var stalled = _server.GoodClients.Where(c => c.RoundTrips <= after[c.Index]).ToList();
                Assert.True(stalled.Count == 0, $"{stalled.Count} good clients made no round trip since the attack: {string.Join("; ", stalled.Take(3))}");
            },
            Bounds.Long,
            TimeSpan.FromMilliseconds(100));
        Assert.All(_server.GoodClients, c =>
        {
            Assert.True(c.Portal.IsOpen, c.ToString());
            Assert.Null(c.Failure);
        });
        Assert.False(_server.System.WhenTerminated.IsCompleted, "the server's actor system terminated");
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var faults = _server.Faults.Skip(_faultsBefore).ToList();
        _log($"good clients: {_server.GoodClients.Sum(c => c.RoundTrips):N0} round trips in all, every portal open; faults: {faults.Count}");
        Assert.True(faults.Count == 0, string.Join(Environment.NewLine, faults));
    }

    public void Dispose() => _subscription.Dispose();
}
