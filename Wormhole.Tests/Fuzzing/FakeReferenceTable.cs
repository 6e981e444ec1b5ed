using Akka.Actor;
using Wormhole.Reactive;
using Wormhole.Streams.Protocol;
using Wormhole.Streams.Transmaterialization;

namespace Wormhole.Tests.Fuzzing;

/// <summary>
/// A portal's reference table without a portal: exports give fresh seeded ids, imports give references to
/// <see cref="ActorRefs.Nobody"/> and are counted.
/// </summary>
internal sealed class FakeReferenceTable(Random random) : IReferenceTable
{
    public int Imports { get; private set; }

    public int ReplyPortImports { get; private set; }

    public void Reset() => (Imports, ReplyPortImports) = (0, 0);

    public WireRef Export(IActorRef actor, Type messageType) => new(NewId(), Yours: random.Next(2) == 0);

    public IActorRef Import(WireRef reference, Type messageType)
    {
        Imports++;
        return ActorRefs.Nobody;
    }

    public WireRef ExportReplyPort(IActorRef target, Type replyType, TimeSpan remaining) =>
        new(NewId(), Yours: false, (uint)Math.Max(1, remaining.TotalMilliseconds));

    public ReplyPort<T> ImportReplyPort<T>(WireRef reference)
    {
        ReplyPortImports++;
        return new ReplyPort<T>(ActorRefs.Nobody, TimeSpan.FromMilliseconds(Math.Max(1, reference.WithinMs)));
    }

    private WireId NewId() => new() { High = (ulong)random.NextInt64(), Low = (ulong)random.NextInt64() | 1 };
}
