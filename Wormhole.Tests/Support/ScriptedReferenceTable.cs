using Akka.Actor;
using Wormhole.Reactive;
using Wormhole.Streams.Transmaterialization;

namespace Wormhole.Tests.Support;

/// <summary>
/// A portal's reference table without a portal, for byte-exact tests: exports hand out the given wire references in
/// order (the order the encoder meets the references: by field number, list and map entries in order); imports are
/// recorded and resolve to <see cref="ActorRefs.Nobody"/>.
/// </summary>
internal sealed class ScriptedReferenceTable(params WireRef[] exports) : IReferenceTable
{
    private readonly Queue<WireRef> _exports = new(exports);

    /// <summary>What the decoder imported, in order.</summary>
    public List<WireRef> Imported { get; } = [];

    public WireRef Export(IActorRef actor, Type messageType) => Next();

    public WireRef ExportReplyPort(IActorRef target, Type replyType, TimeSpan remaining) => Next();

    public IActorRef Import(WireRef reference, Type messageType)
    {
        Imported.Add(reference);
        return ActorRefs.Nobody;
    }

    public ReplyPort<T> ImportReplyPort<T>(WireRef reference)
    {
        Imported.Add(reference);
        return new ReplyPort<T>(ActorRefs.Nobody, TimeSpan.FromMilliseconds(Math.Max(1, reference.WithinMs)));
    }

    private WireRef Next() =>
        _exports.TryDequeue(out var next) ? next : throw new InvalidOperationException($"the message holds more references than the {exports.Length} the test scripted");
}
