using Akka.Actor;
using Akka.Streams;
using Wormhole.Reactive;
using Wormhole.Streams;
using Wormhole.Streams.Protocol;
using Wormhole.Streams.Streaming;
using Wormhole.Streams.Transmaterialization;

namespace Wormhole.Tests.Support;

/// <summary>
/// A portal's reference and stream tables without a portal, for byte-exact tests of payloads with stream fields: each
/// stream offered takes the next of the given ids, in the order the encoder meets the fields; references go to
/// <see cref="ScriptedReferenceTable"/>. Nothing is ever opened.
/// </summary>
internal sealed class ScriptedStreamTable(WireId[] streams, params WireRef[] references) : IReferenceTable, IStreamReferences
{
    private readonly Queue<WireId> _streams = new(streams);
    private readonly ScriptedReferenceTable _references = new(references);

    public IMaterializer StreamMaterializer => throw new NotSupportedException("a scripted stream is never run");

    public NexusOptions StreamOptions { get; } = new();

    public WireId OfferStream<T>(Func<IAsyncEnumerable<T>> open) =>
        _streams.TryDequeue(out var next) ? next : throw new InvalidOperationException($"the message holds more streams than the {streams.Length} the test scripted");

    public StreamInlet<T> AcceptStream<T>(WireRef reference) => throw new NotSupportedException("a scripted table only encodes");

    public void CountDropped(int count)
    {
    }

    public void EndMessage()
    {
    }

    public WireRef Export(IActorRef actor, Type messageType) => _references.Export(actor, messageType);

    public IActorRef Import(WireRef reference, Type messageType) => _references.Import(reference, messageType);

    public WireRef ExportReplyPort(IActorRef target, Type replyType, TimeSpan remaining) => _references.ExportReplyPort(target, replyType, remaining);

    public ReplyPort<T> ImportReplyPort<T>(WireRef reference) => _references.ImportReplyPort<T>(reference);
}
