using Akka.Actor;
using Akka.Streams;
using Wormhole.Benchmarks.Contracts;
using Wormhole.Benchmarks.Harness;

namespace Wormhole.Benchmarks.Servers;

/// <summary>
/// <c>serve akka-streamrefs</c>: an Akka.Remote actor system (<see cref="Config.StreamRefs"/>: the default transport,
/// <see cref="Small"/> through protobuf-net) with a <see cref="StreamRefsProducer"/> at <c>/user/streamer</c>.
/// </summary>
internal static class StreamRefsServer
{
    public static async Task<int> RunAsync()
    {
        var system = ActorSystem.Create("server", Config.StreamRefs);
        system.ActorOf(Props.Create(() => new StreamRefsProducer(system.Materializer(null, null))), "streamer");
        var address = ((ExtendedActorSystem)system).Provider.DefaultAddress;
        ServerConsole.Listening($"{address.Host}:{address.Port}");
        await ServerConsole.RunAsync();
        await system.Terminate().WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { });
        return 0;
    }
}
