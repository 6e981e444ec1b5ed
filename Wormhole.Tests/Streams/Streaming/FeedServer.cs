using System.Collections.Concurrent;
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
    /// <summary>Elements each counted producer has made (the server runs in the test's process).</summary>
    public static ConcurrentDictionary<string, long> Produced { get; } = new();

    /// <summary>What happened to each counted producer: "opened", then "finally after N cancelled=…".</summary>
    public static ConcurrentDictionary<string, ConcurrentQueue<string>> Events { get; } = new();

    public static IReadOnlyList<string> EventsOf(string counter) => Events.GetValueOrDefault(counter)?.ToArray() ?? [];

    public static ActorRef<FeedRequest> Feeds(ActorSystem system) => FnActor.Spawn<FeedRequest>(system, async ctx =>
    {
        await foreach (var request in ctx.Messages)
        {
            var ticks = Ticks(request, system);
            request.Reply?.Reply(request.Form switch
            {
                1 => new Feed { Source = Source.From(() => ticks) },
                2 => new Feed { Observable = Observable.Create<Tick>(async (observer, ct) => { await foreach (var tick in ticks.WithCancellation(ct)) { observer.OnNext(tick); } observer.OnCompleted(); }) },
                _ => new Feed { Events = ticks, More = Enumerable.Range(0, request.More).Select(_ => Ticks(request, system)).ToList() },
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
        Report(request, "opened");
        var n = 0;
        try
        {
            while (request.Count == 0 || n < request.Count)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (n == request.FailAfter)
                {
                    throw request.Shared ? new RemoteStreamException("the feed ran dry") : new InvalidOperationException("secret detail");
                }

                if (request.Counter is { } counter)
                {
                    Produced.AddOrUpdate(counter, 1, (_, count) => count + 1);
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
            Report(request, $"finally after {n} cancelled={cancellationToken.IsCancellationRequested}");
        }
    }

    private static void Report(FeedRequest request, string what)
    {
        request.Reports?.Tell(what);
        if (request.Counter is { } counter)
        {
            Events.GetOrAdd(counter, _ => new ConcurrentQueue<string>()).Enqueue(what);
        }
    }
}
