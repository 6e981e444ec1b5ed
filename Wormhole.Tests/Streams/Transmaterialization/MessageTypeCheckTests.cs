using System.Reflection;
using Akka.Actor;
using ProtoBuf;
using Wormhole.Reactive;
using Wormhole.Streams;
using Wormhole.Streams.Transmaterialization;

namespace Wormhole.Tests.Streams.Transmaterialization;

/// <summary>
/// Every kind of member protobuf-net cannot carry across a portal is refused when the message type is prepared
/// (at Publish and LookupAsync), with an error that names the member and says what to use instead.
/// </summary>
public sealed class MessageTypeCheckTests
{
    public static TheoryData<Type, string, string> Uncrossable => new()
    {
        { typeof(Upload), "Upload.Data is an Akka ISourceRef<Chunk>", "Declare the field as Source<T, NotUsed> or IAsyncEnumerable<T>" },
        { typeof(Download), "Download.Into is an Akka ISinkRef<Chunk>", "Declare the field as Source<T, NotUsed> or IAsyncEnumerable<T>" },
        { typeof(Untyped), "Untyped.Whom is an untyped IActorRef", "ActorRef<T>" },
        { typeof(TellsAnything), "TellsAnything.Target is an Akka ICanTell", "ActorRef<T>" },
        { typeof(Selects), "Selects.Selection is an Akka ActorSelection", "ActorRef<T>" },
        { typeof(Addressed), "Addressed.Path is an Akka ActorPath", "ActorRef<T>" },
        { typeof(SpawnThis), "SpawnThis.Recipe is Akka Props", "ActorRef<T>" },
        { typeof(Callback), "Callback.OnDone is a delegate (Func<Int32, Int32>)", "code cannot cross a portal" },
        { typeof(Pending), "Pending.Result is a Task<Int32>", "ReplyPort<T>" },
        { typeof(PendingValue), "PendingValue.Result is a ValueTask<Int32>", "ReplyPort<T>" },
        { typeof(SourcedWithValue), "SourcedWithValue.Events is a Source<Chunk, Task<Int32>>", "Source<T, NotUsed>" },
        { typeof(Sunk), "Sunk.Into is a Sink<Chunk, NotUsed>, which cannot cross a portal", "send it a Source<T, NotUsed> or IAsyncEnumerable<T>" },
        { typeof(ConcreteStream), "ConcreteStream.Events is declared as ChunkStream", "must be declared as IAsyncEnumerable<T>, IObservable<T> or Source<T, NotUsed>" },
        { typeof(StreamOfUntyped), "the elements of StreamOfUntyped.Whom (IAsyncEnumerable<IActorRef>) is an untyped IActorRef", "ActorRef<T>" },
        { typeof(Typed), "Typed.Kind is a System.Type", "no type names on the wire" },
        { typeof(Boxed), "Boxed.Value is declared as Object", "[ProtoInclude]" },
        { typeof(Drawing), "Drawing.Shape is declared as IShape", "[ProtoInclude]" },
        { typeof(Zoo), "Zoo.Star is Animal, which is abstract and names no [ProtoInclude] subtype", "[ProtoInclude]" },
        { typeof(Animal), "Animal is Animal, which is abstract and names no [ProtoInclude] subtype", "[ProtoInclude]" },
        { typeof(HoldsPlain), "HoldsPlain.Inner is Plain, which protobuf-net cannot serialize", "[ProtoContract]" },
        { typeof(Batch), "Shipment.Parts<ISourceRef<Chunk>> is an Akka ISourceRef<Chunk>", "Declare the field as Source<T, NotUsed>" },
        { typeof(TupleWithUntypedRef), "TupleWithUntypedRef.Whom is an untyped IActorRef", "ActorRef<T>" },
        { typeof(IShape), "IShape is declared as IShape", "[ProtoInclude]" },
        { typeof(object), "Object is declared as Object", "[ProtoInclude]" },
    };

    [Theory]
    [MemberData(nameof(Uncrossable))]
    public void Prepare_MemberThatCannotCross_IsRefusedNamingTheMember(Type messageType, string naming, string advice)
    {
        var error = Assert.Throws<UnsupportedMessageTypeException>(() => new PayloadModel(64).Prepare(messageType));

        Assert.StartsWith(naming, error.Message);
        Assert.Contains(advice, error.Message);
    }

    [Fact]
    public void Prepare_RefusesAgain_TheSecondTime()
    {
        var model = new PayloadModel(64);
        Assert.Throws<UnsupportedMessageTypeException>(() => model.Prepare(typeof(Upload)));

        Assert.Throws<UnsupportedMessageTypeException>(() => model.Prepare(typeof(Upload)));
    }

    public static TheoryData<Type> Crossable()
    {
        var types = new TheoryData<Type>
        {
            typeof(Ping), typeof(Pong), typeof(Square), typeof(Roster), typeof(RoomEvent), typeof(Introduce), typeof(Numbered),
            typeof(HoldsTuples), typeof(int), typeof(string), typeof(List<Ping>), typeof(Dictionary<string, ActorRef<Pong>>),
            typeof(Observed), typeof(Enumerated), typeof(Sourced),
        };
        foreach (var contract in typeof(Chat.Contracts.ChatHub).Assembly.GetExportedTypes().Where(type => type.IsDefined(typeof(ProtoContractAttribute))))
        {
            types.Add(contract);
        }

        return types;
    }

    [Theory]
    [MemberData(nameof(Crossable))]
    public void Prepare_ContractThatCrosses_IsAccepted(Type messageType) => new PayloadModel(64).Prepare(messageType);

    [Fact]
    public void Inspect_SubtypeListsItsBase_WhoseReferenceComesAfter_IsAccepted_WhateverWasInspectedBefore()
    {
        // Discussion's subtype Answer holds List<Discussion>; Discussion's own member, a reference to a type no other test
        // uses, is walked after its subtypes. protobuf-net can judge List<Discussion> only once that reference's serializer
        // is known: the verdict must not depend on whether another message type happened to register it first.
        var verdict = MessageTypeCheck.Inspect(typeof(Discussion));

        Assert.Null(verdict.Problem);
        Assert.Contains(typeof(ActorRef<DiscussionWatcher>), verdict.ReferenceTypes);
    }

    [Fact]
    public void Inspect_TupleRecordWithoutContract_FindsTheReferenceInside()
    {
        var verdict = MessageTypeCheck.Inspect(typeof(HoldsTuples));

        Assert.Null(verdict.Problem);
        Assert.Contains(typeof(ActorRef<Pong>), verdict.ReferenceTypes);
    }
}
