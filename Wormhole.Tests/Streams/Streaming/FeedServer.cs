using System.Reactive.Linq;
using System.Runtime.CompilerServices;
using Akka.Actor;
using Akka.Streams.Dsl;
using Wormhole.Reactive;
using Wormhole.Streams;

namespace Wormhole.Tests.Streams.Streaming;

/// <summary>The server side of the stream tests: answers <see cref="FeedRequest"/> with a feed and sums <see cref="Upload"/>s.</summary>
public static class FeedServer
{
    public static ActorRef<FeedRequest> Feeds(ActorSystem system) => FnActor.Spawn<FeedRequest>(system, async ctx =>
    {
        await foreach (var request in ctx.Messages)
        {
            var ticks = Ticks(request, system);
            request.Reply?.Reply(request.Form switch
            {
                1 => new Feed { Source = Source.From(() => ticks) },
                2 => new Feed { Observable = Observable.Create<Tick>(async (observer, ct) => { await foreach (var tick in ticks.WithCancellation(ct)) { observer.OnNext(tick); } observer.OnCompleted(); }) },
                _ => new Feed { Events = ticks },
            });
        }
    });

    public static ActorRef<Upload> Uploads(ActorSystem system) => FnActor.Spawn<Upload>(system, async ctx =>
    {
        await foreach (var upload in ctx.Messages)
        {
            var sum = 0L;
            try
            {
                await foreach (var tick in upload.Data!)
                {
                    sum += tick.N;
                }

                upload.Done?.Reply(sum);
            }
            catch (Exception e)
            {
                upload.Done?.Fail(e);
            }
        }
    });

    /// <summary>The producer: counts from 0, reports what happens to it.</summary>
    public static async IAsyncEnumerable<Tick> Ticks(FeedRequest request, ActorSystem system, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var owner = request.WithOwner ? ActorRef<string>.From(system.DeadLetters) : null;
        request.Reports?.Tell("opened");
        var n = 0;
        try
        {
            while (request.Count == 0 || n < request.Count)
            {
                if (n == request.FailAfter)
                {
                    throw request.Shared ? new RemoteStreamException("the feed ran dry") : new InvalidOperationException("secret detail");
                }

                yield return new Tick { N = n, Owner = owner };
                n++;
                if (n % 1024 == 0)
                {
                    await Task.Yield();
                }
            }
        }
        finally
        {
            request.Reports?.Tell($"finally after {n} cancelled={cancellationToken.IsCancellationRequested}");
        }
    }
}
