using Akka;
using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Dsl;
using Wormhole.Benchmarks.Contracts;
using Wormhole.Benchmarks.Harness;

namespace Wormhole.Benchmarks.Servers;

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
