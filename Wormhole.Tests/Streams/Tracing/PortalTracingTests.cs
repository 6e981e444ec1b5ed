using System.Diagnostics;
using System.Net;
using OpenTelemetry;
using OpenTelemetry.Trace;
using Wormhole.Reactive;
using Wormhole.Streams;
using Wormhole.Streams.Protocol;
using Wormhole.Tests.Hostile;
using Wormhole.Tests.Support;
using Xunit.Abstractions;

namespace Wormhole.Tests.Streams.Tracing;

/// <summary>
/// Traces that cross a portal over real TCP, read with the OpenTelemetry SDK's in-memory exporter: the client's send span,
/// the server's receive span as its child (lasting until the reply), the client's receive span of the reply in the same trace.
/// </summary>
/// <remarks>
/// The exporter listens process-wide, and other test classes run portals in parallel: every assertion picks its spans
/// by trace id or portal id.
/// </remarks>
public sealed class PortalTracingTests : Akka.TestKit.Xunit2.TestKit, IAsyncLifetime
{
    private static readonly ActivitySource Test = new("Wormhole.Tests.Tracing");
    private readonly ExportedSpans _exported = new();
    private readonly AsyncDisposables _disposables = new();
    private readonly ITestOutputHelper _output;
    private TracerProvider _tracing = null!;

    public PortalTracingTests(ITestOutputHelper output)
        : base(output: output)
    {
        _output = output;
    }

    public Task InitializeAsync()
    {
        _tracing = Sdk.CreateTracerProviderBuilder()
            .AddSource(WormholeTracing.SourceName, Test.Name)
            .SetSampler(new AlwaysOnSampler())
            .AddInMemoryExporter(_exported)
            .Build()!;
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _disposables.DisposeAsync();

        _tracing.Dispose();
    }

    [Fact]
    public async Task AskWithAReplyPort_InsideAnActivity_ServerReceivesInTheSameTrace_AndTheReplyComesBackInIt()
    {
        var (client, serverPortal) = await ConnectAsync(new NexusOptions());
        var square = await client.LookupAsync<Square>("square").WaitAsync(Bounds.Long);

        ActivityTraceId traceId;
        using (var operation = Test.StartActivity("client operation")!)
        {
            traceId = operation.TraceId;
            Assert.Equal(49, await square.Ask<int>(port => new Square { Value = 7, Reply = port }, Bounds.Long));
        }

        var spans = await SpansAsync(traceId, count: 5);
        var root = Single(spans, "client operation");
        var send = Single(spans, "send Square");
        var receive = Single(spans, "receive Square");
        var work = Single(spans, "square work");
        var reply = Single(spans, "receive Int32");
        Assert.Equal(root.SpanId, send.ParentSpanId);
        Assert.Equal(ActivityKind.Producer, send.Kind);
        Assert.Equal(send.SpanId, receive.ParentSpanId);
        Assert.Equal(ActivityKind.Server, receive.Kind);
        Assert.Equal(serverPortal.Id, receive.GetTagItem("wormhole.portal.id"));
        Assert.Equal(typeof(Square).FullName, receive.GetTagItem("wormhole.message.type"));
        Assert.Equal(receive.SpanId, work.ParentSpanId); // the actor's own span, through WormholeTracing.ContextOf(port)
        Assert.Equal(receive.SpanId, reply.ParentSpanId); // the reply carried the server's span back
        Assert.True(receive.StartTimeUtc + receive.Duration >= work.StartTimeUtc, "the receive span lasts until the reply, sent inside the actor's span");
        foreach (var span in spans.OrderBy(s => s.StartTimeUtc))
        {
            _output.WriteLine($"{span.DisplayName,-16} {span.Kind,-9} trace {span.TraceId} span {span.SpanId} parent {span.ParentSpanId}");
        }
    }

    [Fact]
    public async Task AkkaAsk_InsideAnActivity_TheReplyToTheSenderContinuesTheTrace()
    {
        var (client, _) = await ConnectAsync(new NexusOptions());
        var square = await client.LookupAsync<Square>("square").WaitAsync(Bounds.Long);

        ActivityTraceId traceId;
        using (var operation = Test.StartActivity("client operation")!)
        {
            traceId = operation.TraceId;
            Assert.Equal(81, await square.Ask<int>(new Square { Value = 9 }, Bounds.Long));
        }

        var spans = await SpansAsync(traceId, count: 5); // "square work" ends after its reply left: wait for it too
        var receive = Single(spans, "receive Square");
        Assert.Equal(Single(spans, "send Square").SpanId, receive.ParentSpanId);
        Assert.Equal(receive.SpanId, Single(spans, "receive Int32").ParentSpanId);
        Assert.Equal(receive.SpanId, Single(spans, "square work").ParentSpanId); // through WormholeTracing.ContextOf(Sender)
    }

    [Fact]
    public async Task PortalNotAcceptingTraceContext_TheServerSpanIsANewRoot()
    {
        var (client, serverPortal) = await ConnectAsync(new NexusOptions { AcceptTraceContext = false });
        var square = await client.LookupAsync<Square>("square").WaitAsync(Bounds.Long);

        ActivityTraceId traceId;
        using (var operation = Test.StartActivity("client operation")!)
        {
            traceId = operation.TraceId;
            Assert.Equal(4, await square.Ask<int>(port => new Square { Value = 2, Reply = port }, Bounds.Long));
        }

        var receive = await OneAsync(s => s.DisplayName == "receive Square" && Equals(s.GetTagItem("wormhole.portal.id"), serverPortal.Id));
        Assert.NotEqual(traceId, receive.TraceId);
        Assert.Equal(default, receive.ParentSpanId);
        Assert.Equal(0, serverPortal.Counters.IgnoredTraceContexts); // not malformed: not read at all
    }

    [Fact]
    public async Task MalformedOrOversizedTraceContext_IsIgnoredAndCounted_TheMessageArrives_ThePortalStaysOpen()
    {
        var server = Nexus.Create(Sys);
        _disposables.Add(server);
        server.Publish("probe", ActorRef<Pong>.From(TestActor));
        var listener = await server.ListenTcpAsync(new IPEndPoint(IPAddress.Loopback, 0));
        _disposables.Add(listener);
        await using var peer = await RawTcpPeer.ConnectAsync(listener.LocalEndPoint);
        await peer.HelloAsync();
        var probe = await peer.LookupAsync("probe");
        var portal = Assert.Single(server.Portals);
        var parent = $"00-{ActivityTraceId.CreateRandom()}-{ActivitySpanId.CreateRandom()}-01";

        await peer.SendFrameAsync(new Deliver { Target = probe, Payload = RawPeerExtensions.Payload(new Pong { N = 1 }), TraceParent = "00-not-a-trace-context" });
        await peer.SendFrameAsync(new Deliver { Target = probe, Payload = RawPeerExtensions.Payload(new Pong { N = 2 }), TraceState = "a=b" }); // tracestate without traceparent
        await peer.SendFrameAsync(new Deliver { Target = probe, Payload = RawPeerExtensions.Payload(new Pong { N = 3 }), TraceParent = parent.ToUpperInvariant() });
        await peer.SendFrameAsync(new Deliver { Target = probe, Payload = RawPeerExtensions.Payload(new Pong { N = 4 }), TraceParent = parent, TraceState = "k=" + new string('v', 600) });

        for (var n = 1; n <= 4; n++)
        {
            await ExpectMsgAsync(new Pong { N = n }, Bounds.Long);
        }

        Assert.Equal(4, portal.Counters.IgnoredTraceContexts);
        Assert.True(portal.IsOpen);
        var kept = await OneAsync(s => s.DisplayName == "receive Pong" && s.ParentId == parent);
        Assert.Null(kept.TraceStateString); // the oversized tracestate was dropped, the traceparent kept
    }

    private async Task<(Portal Client, Portal Server)> ConnectAsync(NexusOptions serverOptions)
    {
        var server = RemoteSide.Create("trace-server", serverOptions);
        _disposables.Add(server);
        server.Nexus.Publish("square", FnActor.Spawn<Square>(server.System, async ctx =>
        {
            await foreach (var square in ctx.Messages)
            {
                var context = square.Reply is { } port ? WormholeTracing.ContextOf(port) : WormholeTracing.ContextOf(ctx.Sender);
                using (Test.StartActivity("square work", ActivityKind.Internal, context))
                {
                    if (square.Reply is { } reply)
                    {
                        reply.Reply(square.Value * square.Value);
                    }
                    else
                    {
                        ctx.Sender.Tell(square.Value * square.Value, Akka.Actor.ActorRefs.NoSender);
                    }
                }
            }
        }));
        var client = Nexus.Create(Sys);
        _disposables.Add(client);
        var listener = await server.Nexus.ListenTcpAsync(new IPEndPoint(IPAddress.Loopback, 0));
        _disposables.Add(listener);
        var clientPortal = await client.ConnectAsync(Conduit.Tcp(listener.LocalEndPoint)).WaitAsync(Bounds.Long);
        await AwaitConditionAsync(() => Task.FromResult(server.Nexus.Portals.Count == 1), Bounds.Long);
        return (clientPortal, server.Nexus.Portals.Single());
    }

    private async Task<IReadOnlyList<Activity>> SpansAsync(ActivityTraceId traceId, int count)
    {
        IReadOnlyList<Activity> spans = [];
        await AwaitConditionAsync(() => Task.FromResult((spans = Snapshot().Where(s => s.TraceId == traceId).ToList()).Count >= count), Bounds.Long);
        return spans;
    }

    private async Task<Activity> OneAsync(Func<Activity, bool> match)
    {
        Activity? found = null;
        await AwaitConditionAsync(() => Task.FromResult((found = Snapshot().FirstOrDefault(match)) is not null), Bounds.Long);
        return found!;
    }

    private Activity[] Snapshot() => _exported.Snapshot();

    private static Activity Single(IEnumerable<Activity> spans, string name) => Assert.Single(spans, s => s.DisplayName == name);

    /// <summary>The exporter's collection: it adds from the threads that end the spans while the test reads.</summary>
    private sealed class ExportedSpans : System.Collections.ObjectModel.Collection<Activity>
    {
        public Activity[] Snapshot()
        {
            lock (this)
            {
                return [.. this];
            }
        }

        protected override void InsertItem(int index, Activity item)
        {
            lock (this)
            {
                base.InsertItem(index, item);
            }
        }
    }
}
