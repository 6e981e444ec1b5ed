using Akka;
using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Dsl;
using ProtoBuf;
using Wormhole.Reactive;

namespace Wormhole.Tests.Streams.Transmaterialization;

// Message types with a member that cannot cross a portal, one per kind: each must be refused at Publish and
// LookupAsync, naming the member. They are never sent.

[ProtoContract]
public sealed record Chunk
{
    [ProtoMember(1)] public byte[] Bytes { get; init; } = [];
}

[ProtoContract]
public sealed record Upload
{
    [ProtoMember(1)] public string Name { get; init; } = "";
    [ProtoMember(2)] public ISourceRef<Chunk>? Data { get; init; }
}

[ProtoContract]
public sealed record Download
{
    [ProtoMember(1)] public ISinkRef<Chunk>? Into { get; init; }
}

[ProtoContract]
public sealed record TellsAnything
{
    [ProtoMember(1)] public ICanTell? Target { get; init; }
}

[ProtoContract]
public sealed record Selects
{
    [ProtoMember(1)] public ActorSelection? Selection { get; init; }
}

[ProtoContract]
public sealed record Addressed
{
    [ProtoMember(1)] public ActorPath? Path { get; init; }
}

[ProtoContract]
public sealed record SpawnThis
{
    [ProtoMember(1)] public Props? Recipe { get; init; }
}

[ProtoContract]
public sealed record Callback
{
    [ProtoMember(1)] public Func<int, int>? OnDone { get; init; }
}

[ProtoContract]
public sealed record Pending
{
    [ProtoMember(1)] public Task<int>? Result { get; init; }
}

[ProtoContract]
public sealed record PendingValue
{
    [ProtoMember(1)] public ValueTask<int> Result { get; init; }
}

[ProtoContract]
public sealed record Observed
{
    [ProtoMember(1)] public IObservable<Chunk>? Events { get; init; }
}

[ProtoContract]
public sealed record Enumerated
{
    [ProtoMember(1)] public IAsyncEnumerable<Chunk>? Events { get; init; }
}

[ProtoContract]
public sealed record Sourced
{
    [ProtoMember(1)] public Source<Chunk, NotUsed>? Events { get; init; }
}

[ProtoContract]
public sealed record SourcedWithValue
{
    [ProtoMember(1)] public Source<Chunk, Task<int>>? Events { get; init; }
}

[ProtoContract]
public sealed record Sunk
{
    [ProtoMember(1)] public Sink<Chunk, NotUsed>? Into { get; init; }
}

/// <summary>A stream field declared as its implementation rather than as one of the three stream types.</summary>
[ProtoContract]
public sealed record ConcreteStream
{
    [ProtoMember(1)] public ChunkStream? Events { get; init; }
}

public sealed class ChunkStream : IAsyncEnumerable<Chunk>
{
    public IAsyncEnumerator<Chunk> GetAsyncEnumerator(CancellationToken cancellationToken = default) => throw new NotSupportedException();
}

[ProtoContract]
public sealed record StreamOfUntyped
{
    [ProtoMember(1)] public IAsyncEnumerable<IActorRef>? Whom { get; init; }
}

[ProtoContract]
public sealed record Typed
{
    [ProtoMember(1)] public Type? Kind { get; init; }
}

[ProtoContract]
public sealed record Boxed
{
    [ProtoMember(1)] public object? Value { get; init; }
}

public interface IShape;

[ProtoContract]
public sealed record Drawing
{
    [ProtoMember(1)] public IShape? Shape { get; init; }
}

/// <summary>Abstract, and names no subtype: a receiver could never create one.</summary>
[ProtoContract]
public abstract record Animal
{
    [ProtoMember(1)] public string Name { get; init; } = "";
}

[ProtoContract]
public sealed record Zoo
{
    [ProtoMember(1)] public Animal? Star { get; init; }
}

/// <summary>No [ProtoContract]: protobuf-net cannot serialize it.</summary>
public sealed class Plain
{
    public int Value { get; set; }
}

[ProtoContract]
public sealed record HoldsPlain
{
    [ProtoMember(1)] public Plain? Inner { get; init; }
}

/// <summary>The bad member sits three levels down: in a list, in a subtype of a member.</summary>
[ProtoContract]
public sealed record Batch
{
    [ProtoMember(1)] public List<Envelope> Items { get; init; } = [];
}

[ProtoContract]
[ProtoInclude(10, typeof(Shipment))]
public abstract record Envelope;

[ProtoContract]
public sealed record Shipment : Envelope
{
    [ProtoMember(1)] public Dictionary<string, ISourceRef<Chunk>> Parts { get; init; } = [];
}

/// <summary>A positional record without [ProtoContract], which protobuf-net serializes as a tuple.</summary>
public sealed record TupleWithUntypedRef(string Name, IActorRef Whom);

/// <summary>The same tuple shape, with a typed reference inside: it crosses.</summary>
public sealed record TupleWithTypedRef(string Name, ActorRef<Pong> Whom);

[ProtoContract]
public sealed record HoldsTuples
{
    [ProtoMember(1)] public TupleWithTypedRef? Good { get; init; }
}
