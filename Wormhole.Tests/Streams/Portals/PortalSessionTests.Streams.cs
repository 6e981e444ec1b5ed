using System.Buffers.Binary;
using Akka.Actor;
using ProtoBuf;
using Wormhole.Streams.Portals;
using Wormhole.Streams.Protocol;
using Wormhole.Tests.Support;

namespace Wormhole.Tests.Streams.Portals;

/// <summary>Stream races made deterministic: the test holds every frame and command and hands them to the session in the order it chooses.</summary>
public sealed partial class PortalSessionTests
{
    [Fact]
    public async Task Producer_CancelRightAfterTheFirstDemand_AnswersWithEndCancelled_AndLateDemandsAreIgnoredQuietly()
    {
        var (session, host) = Open(peerIdleMs: 0);
        var proxy = await LookUpAsync(session, host, typeof(Fed));
        host.Sent.Clear();
        session.OnCommand(new PortalCommand.Forward(proxy, new Fed { Items = Endless() }, ActorRefs.Nobody));
        var stream = StreamIdOf(Assert.IsType<Deliver>(Assert.Single(host.Sent)));

        session.OnFrame(new Demand { Stream = stream, Credit = 10, CreditBytes = 10_000 });
        session.OnFrame(new StreamCancel { Stream = stream });
        for (var late = 0; late < 500; late++)
        {
            session.OnFrame(new Demand { Stream = stream, Credit = 20 + (ulong)late, CreditBytes = 20_000 });
        }

        var end = Assert.IsType<StreamEnd>(host.Sent[^1]);
        Assert.Equal(("cancelled", stream), (end.Code, end.Stream));
        Assert.Null(host.Closed); // 500 late Demands, over MaxUnknownRequests (100): the stream ended recently, so they are not unknown
        Assert.Equal(0, session.Streams.Produced);
    }

    [Fact]
    public async Task Consumer_EndCrossingItsCancel_EndsTheStreamWithoutAnyError()
    {
        var (session, host) = Open(peerIdleMs: 0, publications: [("feed", TestActor, typeof(Fed))]);
        var target = Published(session, host, "feed");
        var stream = WireId.NewRandom();
        session.OnFrame(new Deliver { Target = target, Payload = FedPayload(stream) });
        var fed = ExpectMsg<Fed>(Bounds.Long);

        var enumerator = fed.Items!.GetAsyncEnumerator();
        host.Commands.Drain(int.MaxValue, session.OnCommand);
        Assert.IsType<Demand>(host.Sent[^1]);
        await enumerator.DisposeAsync();
        host.Commands.Drain(int.MaxValue, session.OnCommand);
        Assert.Equal(stream, Assert.IsType<StreamCancel>(host.Sent[^1]).Stream);
        session.OnFrame(new StreamEnd { Stream = stream, Count = 0 }); // completed, sent before our cancel arrived

        Assert.Null(host.Closed);
        Assert.Equal(0, session.Streams.Consumed);
    }

    [Fact]
    public void Consumer_ItemsBeforeAnyDemand_FailTheStream_NotThePortal()
    {
        var (session, host) = Open(peerIdleMs: 0, publications: [("feed", TestActor, typeof(Fed))]);
        var target = Published(session, host, "feed");
        var stream = WireId.NewRandom();
        session.OnFrame(new Deliver { Target = target, Payload = FedPayload(stream) });
        ExpectMsg<Fed>(Bounds.Long);

        session.OnFrame(new StreamItems { Stream = stream, FirstSeq = 0, Items = [[]] });

        Assert.Equal("protocol-violation", Assert.IsType<StreamCancel>(host.Sent[^1]).Code);
        Assert.Null(host.Closed);
    }

    private static WireId Published(PortalSession session, FakeHost host, string name)
    {
        session.OnFrame(new Lookup { RequestId = 1, Name = name });
        return Assert.IsType<LookupReply>(host.Sent[^1]).ActorId;
    }

    /// <summary>A <see cref="Fed"/> payload: field 1, a StreamRef of the given id.</summary>
    internal static byte[] FedPayload(WireId stream)
    {
        var payload = new byte[20];
        payload[0] = 0x0A;
        payload[1] = 18;
        payload[2] = 0x09;
        BinaryPrimitives.WriteUInt64LittleEndian(payload.AsSpan(3), stream.High);
        payload[11] = 0x11;
        BinaryPrimitives.WriteUInt64LittleEndian(payload.AsSpan(12), stream.Low);
        return payload;
    }

    private static WireId StreamIdOf(Deliver deliver)
    {
        var payload = deliver.Payload!;
        Assert.Equal((0x0A, 18, 0x09, 0x11), (payload[0], payload[1], payload[2], payload[11]));
        return new WireId { High = BinaryPrimitives.ReadUInt64LittleEndian(payload.AsSpan(3)), Low = BinaryPrimitives.ReadUInt64LittleEndian(payload.AsSpan(12)) };
    }

    private static async IAsyncEnumerable<Blob> Endless()
    {
        while (true)
        {
            yield return new Blob();
            await Task.Yield();
        }
    }
}

[ProtoContract]
public sealed record Fed
{
    [ProtoMember(1)] public IAsyncEnumerable<Blob>? Items { get; init; }
}
