using System.Collections.Concurrent;
using System.Diagnostics;
using Akka.Actor;
using Conformance;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Wormhole.Reactive;
using Wormhole.Streams;

// The conformance server of the TypeScript client's tests: Wormhole over WebSocket (MapWormhole at /ws) on
// 127.0.0.1 and a free port, publishing one actor per behaviour the tests check. It prints
// "listening ws://127.0.0.1:PORT/ws" once it accepts connections, and stops on SIGTERM (a Goodbye to every client).
// Options: --idle-ms N (the nexus's idle timeout), --port N (listen on that port, to restart a server where its clients
// reconnect; 0, the default, picks a free one), --schema (print the contracts' proto and exit), --trace (print every
// span of the Wormhole and Conformance sources as it ends: "span NAME kind KIND trace T span S parent P", and the caller
// tells and asks inside a span "callback"; and an empty page at /trace.html for the browser to load the client into).
if (args.Contains("--schema"))
{
    Console.Write(WormholeSchema.GetProto(
        typeof(Echo), typeof(Add), typeof(MakeCounter), typeof(Bounce), typeof(Inspect), typeof(CallBack), typeof(Quiz), typeof(Nested), typeof(CountTo), typeof(StreamStats), typeof(Upload)));
    return 0;
}

var idleMs = 60_000;
var port = 0;
for (var i = 0; i + 1 < args.Length; i++)
{
    if (args[i] == "--idle-ms")
    {
        idleMs = int.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture);
    }
    else if (args[i] == "--port")
    {
        port = int.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture);
    }
}

var callbacks = new ActivitySource("Conformance");
using var spans = args.Contains("--trace") ? PrintSpans() : null;

static ActivityListener PrintSpans()
{
    var listener = new ActivityListener
    {
        ShouldListenTo = source => source.Name is WormholeTracing.SourceName or "Conformance",
        Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        ActivityStopped = span => Console.WriteLine($"span {span.DisplayName} kind {span.Kind} trace {span.TraceId} span {span.SpanId} parent {span.ParentSpanId}"),
    };
    ActivitySource.AddActivityListener(listener);
    return listener;
}

var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = ["--hostBuilder:reloadConfigOnChange=false"] });
builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
builder.Logging.ClearProviders();
builder.Logging.AddSimpleConsole(console => console.SingleLine = true);
builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
var app = builder.Build();

var system = ActorSystem.Create("conformance", "akka.loglevel = WARNING\nakka.stdout-loglevel = WARNING");
var nexus = Nexus.Create(system, new NexusOptions { IdleTimeout = TimeSpan.FromMilliseconds(idleMs) });
var portals = new ConcurrentDictionary<string, Portal>();
using var events = nexus.Events.Subscribe(e =>
{
    switch (e)
    {
        case PortalEvent.Opened opened:
            portals[opened.Portal.Id] = opened.Portal;
            break;
        case PortalEvent.Closed closed:
            portals.TryRemove(closed.Portal.Id, out _);
            break;
    }
});

nexus.Publish("echo", FnActor.Spawn<Echo>(system, async ctx =>
{
    await foreach (var echo in ctx.Messages)
    {
        var answer = new Echo { Text = echo.Text, Hops = echo.Hops + 1 };
        if (echo.ReplyTo is { } replyTo)
        {
            replyTo.Tell(answer);
        }
        else
        {
            ctx.Sender.Tell(answer);
        }
    }
}, "echo"));

nexus.Publish("adder", FnActor.Spawn<Add>(system, async ctx =>
{
    await foreach (var add in ctx.Messages)
    {
        if (add.A == 0 && add.B == 0)
        {
            add.Reply?.Fail(new ArgumentException("nothing to add"));
        }
        else
        {
            add.Reply?.Reply(add.A + add.B);
        }
    }
}, "adder"));

nexus.Publish("factory", FnActor.Spawn<MakeCounter>(system, async ctx =>
{
    await foreach (var make in ctx.Messages)
    {
        var counter = FnActor.Spawn<CounterCommand>(system, async counterContext =>
        {
            long total = 0;
            await foreach (var command in counterContext.Messages)
            {
                switch (command)
                {
                    case Increment increment:
                        total += increment.By;
                        increment.Total?.Reply(total);
                        break;
                    case StopCounter:
                        return; // the actor stops: the client's reference gets Terminated
                }
            }
        });
        make.Reply?.Reply(new CounterMade { Counter = counter });
    }
}, "factory"));

nexus.Publish("bouncer", FnActor.Spawn<Bounce>(system, async ctx =>
{
    await foreach (var bounce in ctx.Messages)
    {
        bounce.Target?.Tell(new Echo { Text = "bounced" });
        foreach (var more in bounce.More)
        {
            more.Tell(new Echo { Text = "bounced" });
        }

        bounce.Reply?.Reply(new Bounced { Target = bounce.Target, More = bounce.More });
    }
}, "bouncer"));

nexus.Publish("inspector", FnActor.Spawn<Inspect>(system, async ctx =>
{
    await foreach (var inspect in ctx.Messages)
    {
        inspect.Reply?.Reply(portals.TryGetValue(inspect.PortalId, out var portal)
            ? new PortalStats { Found = true, Publications = portal.Counters.Publications, Proxies = portal.Counters.Proxies }
            : new PortalStats { Found = false });
    }
}, "inspector"));

nexus.Publish("caller", FnActor.Spawn<CallBack>(system, async ctx =>
{
    await foreach (var call in ctx.Messages)
    {
        string answer;
        using var callback = callbacks.StartActivity("callback");
        try
        {
            if (!portals.TryGetValue(call.PortalId, out var portal))
            {
                throw new InvalidOperationException($"no portal {call.PortalId}");
            }

            var within = TimeSpan.FromSeconds(10);
            if (call.Mode == "ask-port")
            {
                var quiz = await portal.LookupAsync<Quiz>(call.Name);
                answer = (await quiz.Ask<Echo>(port => new Quiz { Text = call.Text, Reply = port }, within)).Text;
            }
            else
            {
                var target = await portal.LookupAsync<Echo>(call.Name);
                switch (call.Mode)
                {
                    case "tell-with-sender":
                        var heard = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
                        var listener = FnActor.Spawn<Echo>(system, async listening =>
                        {
                            await foreach (var echo in listening.Messages)
                            {
                                heard.TrySetResult(echo.Text);
                                return;
                            }
                        });
                        target.Tell(new Echo { Text = call.Text }, listener.Untyped);
                        answer = await heard.Task.WaitAsync(within);
                        break;
                    case "ask-sender":
                        answer = (await target.Ask<Echo>(new Echo { Text = call.Text }, within)).Text;
                        break;
                    default:
                        target.Tell(new Echo { Text = call.Text }, ActorRefs.Nobody); // no sender (from inside a function actor the implicit one is the actor)
                        answer = "told";
                        break;
                }
            }
        }
        catch (Exception e)
        {
            answer = $"failed: {e.GetType().Name}: {e.Message}";
        }

        call.Done?.Reply(answer);
    }
}, "caller"));

long pulled = 0;
int stopped = 0, completed = 0;

async IAsyncEnumerable<Tick> Ticks(int n)
{
    var done = false;
    try
    {
        for (long i = 0; n == 0 || i < n; i++)
        {
            Interlocked.Increment(ref pulled);
            yield return new Tick { Seq = i };
            if (i % 1024 == 1023)
            {
                await Task.Yield();
            }
        }

        done = true;
    }
    finally
    {
        Interlocked.Increment(ref done ? ref completed : ref stopped);
    }
}

nexus.Publish("counter-stream", FnActor.Spawn<CountTo>(system, async ctx =>
{
    await foreach (var count in ctx.Messages)
    {
        count.Reply?.Reply(new Counting { Ticks = Ticks(count.N) });
    }
}, "counter-stream"));

nexus.Publish("stream-stats", FnActor.Spawn<StreamStats>(system, async ctx =>
{
    await foreach (var stats in ctx.Messages)
    {
        stats.Reply?.Reply(new StreamReport { Pulled = Interlocked.Read(ref pulled), Stopped = Volatile.Read(ref stopped), Completed = Volatile.Read(ref completed) });
    }
}, "stream-stats"));

nexus.Publish("upload-sink", FnActor.Spawn<Upload>(system, async ctx =>
{
    await foreach (var upload in ctx.Messages)
    {
        long count = 0;
        var inOrder = true;
        var error = "";
        try
        {
            await foreach (var tick in upload.Ticks ?? AsyncEnumerable.Empty<Tick>())
            {
                inOrder &= tick.Seq == count;
                if (++count == upload.TakeOnly)
                {
                    break;
                }
            }
        }
        catch (Exception e)
        {
            error = $"{e.GetType().Name}: {e.Message}";
        }

        upload.Reply?.Reply(new UploadReport { Count = count, InOrder = inOrder, Error = error });
    }
}, "upload-sink"));

app.UseWebSockets();
app.MapWormhole("/ws", nexus);
if (spans is not null)
{
    // An empty page of this origin for the browser trace test to load the client into.
    app.MapGet("/trace.html", () => Microsoft.AspNetCore.Http.Results.Content("<!doctype html><title>trace</title>", "text/html"));
}

app.Lifetime.ApplicationStarted.Register(() =>
{
    var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
    Console.WriteLine($"listening {new UriBuilder(address) { Scheme = "ws", Path = "/ws" }.Uri}");
});

try
{
    await app.RunAsync();
}
finally
{
    await nexus.DisposeAsync();
    await system.Terminate();
}

return 0;
