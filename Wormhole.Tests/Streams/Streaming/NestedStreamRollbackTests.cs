using System.Runtime.CompilerServices;
using Akka.Actor;
using ProtoBuf;
using Wormhole.Reactive;
using Wormhole.Streams;
using Wormhole.Tests.Support;

namespace Wormhole.Tests.Streams.Streaming;

[ProtoContract]
public sealed record NestedOuter
{
    [ProtoMember(1)] public IAsyncEnumerable<NestedInner>? Items { get; init; }
}

[ProtoContract]
public sealed record NestedInner
{
    [ProtoMember(1)] public int N { get; init; }

    [ProtoMember(2)] public IAsyncEnumerable<int>? Numbers { get; init; }
}

[ProtoContract]
public sealed record NestedRequest
{
    [ProtoMember(1)] public ReplyPort<NestedOuter>? Reply { get; init; }

    /// <summary>Set on the second request: the server tells it a message too large to send.</summary>
    [ProtoMember(2)] public ActorRef<string>? Sink { get; init; }
}

/// <summary>
/// A stream offered inside an element of another stream stays offered when a later message fails to encode: the stream
/// table's list of "streams offered by the message being encoded" is cleared only by a Deliver (MessageSent), so a
/// refused Deliver after a StreamItems frame rolls back the nested streams that frame already carried.
/// </summary>
public sealed class NestedStreamRollbackTests : Akka.TestKit.Xunit2.TestKit
{
    [Fact]
    public async Task NestedStreamSentInAnElement_SurvivesALaterRefusedMessage()
    {
        await using var server = RemoteSide.Create("nested-server");
        var client = Nexus.Create(Sys);
        server.Nexus.Publish("nested", FnActor.Spawn<NestedRequest>(server.System, async ctx =>
        {
            await foreach (var request in ctx.Messages)
            {
                if (request.Sink is { } sink)
                {
                    sink.Tell(new string('x', 2_000_000));   // over MaxFrameBytes: refused at encoding
                }

                request.Reply?.Reply(new NestedOuter { Items = Items() });
            }
        }));
        var (portal, _) = await InMemory.ConnectAsync(client, server.Nexus);
        var nested = await portal.LookupAsync<NestedRequest>("nested").WaitAsync(Bounds.Long);
        var outer = await nested.Ask<NestedOuter>(port => new NestedRequest { Reply = port }, Bounds.Long);
        await using var items = outer.Items!.GetAsyncEnumerator();
        Assert.True(await items.MoveNextAsync());              // element 0 and its nested stream crossed

        await nested.Ask<NestedOuter>(port => new NestedRequest { Reply = port, Sink = ActorRef<string>.From(CreateTestProbe().Ref) }, Bounds.Long);

        var numbers = new List<int>();
        await foreach (var n in items.Current.Numbers!.WithCancellation(new CancellationTokenSource(Bounds.Long).Token))
        {
            numbers.Add(n);
        }

        Assert.Equal([1, 2, 3], numbers);
        await client.DisposeAsync();
    }

    private static async IAsyncEnumerable<NestedInner> Items([EnumeratorCancellation] CancellationToken ct = default)
    {
        yield return new NestedInner { N = 0, Numbers = Numbers() };
        await Task.Delay(Timeout.Infinite, ct);
    }

    private static async IAsyncEnumerable<int> Numbers()
    {
        foreach (var n in new[] { 1, 2, 3 })
        {
            await Task.Yield();
            yield return n;
        }
    }
}
