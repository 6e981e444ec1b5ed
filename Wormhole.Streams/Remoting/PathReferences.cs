using Akka.Actor;
using Wormhole.Reactive;
using Wormhole.Streams.Protocol;
using Wormhole.Streams.Transmaterialization;

namespace Wormhole.Streams.Remoting;

/// <summary>
/// The reference table of one message crossing Akka.Remote (<see cref="WormholeSerializer"/>): each reference is written
/// as an index into the message's list of Akka actor paths, and read back by resolving its path. A Wormhole proxy's path
/// resolves on the node that holds its portal, so a tell from another node travels there and through the portal.
/// </summary>
internal sealed class PathReferences(ExtendedActorSystem system, IReadOnlyList<string>? paths = null) : IReferenceTable
{
    private readonly List<string> _written = [];

    /// <summary>The paths written so far, in index order.</summary>
    public IReadOnlyList<string> Written => _written;

    public WireRef Export(IActorRef actor, Type messageType) => new(Index(actor), Yours: false);

    public IActorRef Import(WireRef reference, Type messageType) => Resolve(reference);

    public WireRef ExportReplyPort(IActorRef target, Type replyType, TimeSpan remaining) =>
        new(Index(target), Yours: false, WithinMs: (uint)Math.Clamp(Math.Ceiling(remaining.TotalMilliseconds), 1, uint.MaxValue));

    public ReplyPort<T> ImportReplyPort<T>(WireRef reference) => new(Resolve(reference), TimeSpan.FromMilliseconds(reference.WithinMs));

    private WireId Index(IActorRef actor)
    {
        _written.Add(Akka.Serialization.Serialization.SerializedActorPath(actor));
        return new WireId { Low = (ulong)_written.Count };
    }

    private IActorRef Resolve(WireRef reference)
    {
        var index = reference.Id.Low;
        if (paths is null || reference.Id.High != 0 || index == 0 || index > (ulong)paths.Count)
        {
            throw new System.Runtime.Serialization.SerializationException($"a reference to path #{index} of a message that carries {paths?.Count ?? 0}");
        }

        return system.Provider.ResolveActorRef(paths[(int)index - 1]);
    }
}
