using Akka;
using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Dsl;
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

/// <summary>
/// Answers a count (a <see cref="long"/>; 0: endless) with an <see cref="ISourceRef{TOut}"/> of that many
/// <see cref="Small"/> messages, each counted in <see cref="ServerConsole.Produced"/> as the stream pulls it.
/// </summary>
internal sealed class StreamRefsProducer : ReceiveActor
{
    public StreamRefsProducer(IMaterializer materializer) =>
        Receive<long>(count => Elements(count)
            .RunWith(StreamRefs.SourceRef<Small>(), materializer)
            .PipeTo(Sender));

    public static Source<Small, NotUsed> Elements(long count) =>
        Source.From(Numbers(count)).Select(i =>
        {
            Interlocked.Increment(ref ServerConsole.Produced);
            return Small.Make(i);
        });

    private static IEnumerable<long> Numbers(long count)
    {
        for (var i = 0L; count == 0 || i < count; i++)
        {
            yield return i;
        }
    }
}
