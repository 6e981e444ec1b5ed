using System.Runtime.CompilerServices;
using Akka.Actor;
using Wormhole.Benchmarks.Contracts;
using Wormhole.Benchmarks.Harness;
using Wormhole.Reactive;

namespace Wormhole.Benchmarks.Servers;

/// <summary>The Wormhole server's stream actors: feeds of <see cref="Small"/> and an upload counter.</summary>
internal static class StreamActors
{
    /// <summary>Answers each <see cref="StreamRequest"/> with a <see cref="Feed"/> of <see cref="Elements"/>.</summary>
    public static ActorRef<StreamRequest> Streamer(ActorSystem system) => FnActor.Spawn<StreamRequest>(system, async context =>
    {
        await foreach (var request in context.Messages)
        {
            request.Reply?.Reply(new Feed { Items = Elements(request.Count) });
        }
    });

    /// <summary>Reads each <see cref="Upload"/> to its end (one at a time, each on its own task) and replies its byte count.</summary>
    public static ActorRef<Upload> Uploader(ActorSystem system) => FnActor.Spawn<Upload>(system, async context =>
    {
        await foreach (var upload in context.Messages)
        {
            _ = Task.Run(async () =>
            {
                try
                {
                    var bytes = 0L;
                    await foreach (var chunk in upload.Data!)
                    {
                        bytes += chunk.Bytes?.Length ?? 0;
                    }

                    upload.Done?.Reply(bytes);
                }
                catch (Exception e)
                {
                    upload.Done?.Fail(e);
                }
            });
        }
    });

    /// <summary><paramref name="count"/> elements (0: until the consumer cancels), each counted in <see cref="ServerConsole.Produced"/> as the stream pulls it.</summary>
    public static async IAsyncEnumerable<Small> Elements(long count, [EnumeratorCancellation] CancellationToken cancel = default)
    {
        for (var i = 0L; (count == 0 || i < count) && !cancel.IsCancellationRequested; i++)
        {
            Interlocked.Increment(ref ServerConsole.Produced);
            yield return Small.Make(i);
        }

        await Task.CompletedTask;
    }
}
