using Wormhole.Streams;
using Wormhole.Streams.Protocol;
using Wormhole.Tests.Support;
using Xunit.Abstractions;

namespace Wormhole.Tests.Hostile;

/// <summary>
/// A hostile peer and streams, one misbehaviour per test, with raw peers that speak the stream frames (<c>Demand</c>,
/// <c>StreamItems</c>, <c>StreamEnd</c>, <c>StreamCancel</c>) by hand: against the streams the server offers (the
/// "streams" actor; this file's partial <c>.Producer</c>) and with streams the peer offers the server (the "sink" actor;
/// <c>.Consumer</c>). Each asserts the exact outcome — the stream's exception and code, the portal open or closed with the
/// named code, the counters — and that the server's good clients keep exchanging messages throughout. Each subclass runs
/// them over one transport.
/// </summary>
public abstract partial class HostileStreamScenarios(HostileServer server, ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output), IAsyncLifetime
{
    private static int s_tags = 1_000;

    private readonly List<IRawPeer> _peers = [];

    protected HostileServer Server { get; } = server;

    /// <summary>A tag no other test of the process uses, naming an ask's <see cref="ProducerProbe"/> or an offer to the sink.</summary>
    protected static int NextTag() => Interlocked.Increment(ref s_tags);

    /// <summary>The stream limits the server runs with.</summary>
    protected static NexusOptions Options => HostileServer.Options;

    /// <summary>Connects a raw peer that has said Hello, and the server's portal to it.</summary>
    private protected async Task<(IRawPeer Peer, Portal Portal)> ConnectAsync(AttackWatch watch)
    {
        var peer = await Server.ConnectRawAsync();
        _peers.Add(peer);
        await peer.HelloAsync();
        return (peer, await watch.OpenedPortalAsync());
    }

    public Task InitializeAsync() => Task.CompletedTask;

    /// <summary>Drops the raw peers of a test that failed before it did, so that the next test finds only the good clients' portals.</summary>
    async Task IAsyncLifetime.DisposeAsync()
    {
        foreach (var peer in _peers)
        {
            await peer.DisposeAsync();
        }

        await AwaitConditionAsync(() => Task.FromResult(Server.Nexus.Portals.Count == HostileServer.GoodClientCount), Bounds.Long);
    }

    /// <summary>Takes every element of <paramref name="elements"/> (then disposes it): their numbers, and the exception that ended it, if any.</summary>
    protected static async Task<(List<int> Pieces, Exception? Failure)> DrainAsync(IAsyncEnumerator<Piece> elements)
    {
        var pieces = new List<int>();
        try
        {
            while (await elements.MoveNextAsync().AsTask().WaitAsync(Bounds.Long))
            {
                pieces.Add(elements.Current.N);
            }

            return (pieces, null);
        }
        catch (Exception e) when (e is not TimeoutException)
        {
            return (pieces, e);
        }
        finally
        {
            await elements.DisposeAsync();
        }
    }

    /// <summary>Sends frames of <paramref name="count"/> stream ids nobody has, each counting toward MaxUnknownRequests.</summary>
    private protected static async Task SendUnknownAsync(IRawPeer peer, int count)
    {
        for (var i = 0; i < count; i++)
        {
            await peer.SendPiecesAsync(WireId.NewRandom(), 0, 1);
        }
    }

    /// <summary>A round trip (a lookup): every frame the peer sent before has been handled once it returns.</summary>
    private protected static async Task RoundTripAsync(IRawPeer peer, ulong requestId) => await peer.LookupAsync("echo", requestId);
}
