using System.Net;
using Akka.Actor;
using Akka.Configuration;
using ProtoBuf;
using Wormhole.Reactive;
using Wormhole.Streams;
using Wormhole.Tests.Streams;
using Wormhole.Tests.Support;

namespace Wormhole.Tests.Remoting;

/// <summary>A job node A passes on to node C over Akka.Remote, carrying the client's references: C reaches the client through A.</summary>
[ProtoContract]
public sealed record RemoteJob
{
    [ProtoMember(1)] public int N { get; init; }
    [ProtoMember(2)] public ActorRef<Pong>? Client { get; init; }
    [ProtoMember(3)] public ReplyPort<int>? Reply { get; init; }
}

/// <summary>
/// References across a cluster: a client's <c>ActorRef&lt;T&gt;</c> and <c>ReplyPort&lt;T&gt;</c>, proxies on node A, cross
/// Akka.Remote to node C inside a contract message (<see cref="WormholeSerializer"/>), and C's tell, reply and watch reach
/// the client through A's portal. Two actor systems with Akka.Remote on 127.0.0.1 and a client over real TCP.
/// </summary>
public sealed class RemoteReferencesTests : Akka.TestKit.Xunit2.TestKit, IAsyncLifetime
{
    private ActorSystem _nodeA = null!;
    private ActorSystem _nodeC = null!;
    private Nexus _nexusA = null!;
    private WormholeListener _listener = null!;
    private Nexus _client = null!;

    public async Task InitializeAsync()
    {
        _nodeA = ActorSystem.Create("cluster", NodeConfig());
        _nodeC = ActorSystem.Create("cluster", NodeConfig());
        _nexusA = Nexus.Create(_nodeA);
        _listener = await _nexusA.ListenTcpAsync(new IPEndPoint(IPAddress.Loopback, 0));
        _client = Nexus.Create(Sys);
    }

    public async Task DisposeAsync()
    {
        await _client.DisposeAsync();
        await _listener.DisposeAsync();
        await _nexusA.DisposeAsync();
        await Task.WhenAll(_nodeA.Terminate(), _nodeC.Terminate());
    }

    [Fact]
    public async Task NodeC_TellsRepliesToAndWatchesTheClient_ThroughNodeAsPortal()
    {
        var watched = CreateTestProbe(_nodeC);
        var worker = FnActor.Spawn<RemoteJob>(_nodeC, async actor =>
        {
            await foreach (var job in actor.Messages)
            {
                job.Client!.Tell(new Pong { N = job.N });
                job.Reply!.Reply(job.N * job.N);
                watched.Watch(job.Client.Untyped);
            }
        }, "worker");
        var workerOnA = await _nodeA.ActorSelection(new RootActorPath(Address(_nodeC)) / "user" / "worker").ResolveOne(Bounds.Long);
        _nexusA.Publish("relay", ActorRef<RemoteJob>.From(workerOnA)); // what A's portal receives goes on to C
        var inbox = CreateTestProbe();
        var portal = await _client.ConnectAsync(Conduit.Tcp(_listener.LocalEndPoint)).WaitAsync(Bounds.Long);
        var relay = await portal.LookupAsync<RemoteJob>("relay").WaitAsync(Bounds.Long);

        var squared = await relay.Ask<int>(port => new RemoteJob { N = 7, Client = ActorRef<Pong>.From(inbox.Ref), Reply = port }, Bounds.Long);

        Assert.Equal(49, squared);                                              // C's reply, through A's portal
        Assert.Equal(7, (await inbox.ExpectMsgAsync<Pong>(Bounds.Long)).N);     // C's tell, through A's portal
        await portal.CloseAsync().WaitAsync(Bounds.Long);
        var terminated = await watched.ExpectMsgAsync<Terminated>(Bounds.Long); // C's watch: the proxy on A ended with the portal
        Assert.Equal(Address(_nodeA), terminated.ActorRef.Path.Address);
    }

    [Fact]
    public void AMessageWithAStream_DoesNotCrossAkkaRemote_TheErrorNamesIt()
    {
        var serializer = (WormholeSerializer)((ExtendedActorSystem)_nodeA).Serialization.FindSerializerForType(typeof(StreamHolder));

        var failure = Assert.Throws<System.Runtime.Serialization.SerializationException>(() => serializer.ToBinary(new StreamHolder { Items = AsyncEnumerable.Empty<int>() }));

        Assert.Contains(nameof(StreamHolder), failure.Message);
    }

    [Fact]
    public void AManifestOfATypeNotBoundToIt_IsRefused()
    {
        var serializer = (WormholeSerializer)((ExtendedActorSystem)_nodeA).Serialization.FindSerializerForType(typeof(RemoteJob));

        var failure = Assert.Throws<System.Runtime.Serialization.SerializationException>(() => serializer.FromBinary([0], "System.IO.FileInfo, System.Runtime"));

        Assert.Contains("System.IO.FileInfo", failure.Message);
    }

    private static Address Address(ActorSystem system) => ((ExtendedActorSystem)system).Provider.DefaultAddress;

    private static Config NodeConfig() =>
        WormholeSerialization.Config(typeof(RemoteJob).Assembly).WithFallback(ConfigurationFactory.ParseString("""
            akka.loglevel = WARNING
            akka.actor.provider = remote
            akka.remote.dot-netty.tcp.hostname = 127.0.0.1
            akka.remote.dot-netty.tcp.port = 0
            """));

    /// <summary>A contract with a stream: fine through a portal, not over Akka.Remote.</summary>
    [ProtoContract]
    public sealed record StreamHolder
    {
        [ProtoMember(1)] public IAsyncEnumerable<int>? Items { get; init; }
    }
}
