using Akka;
using Akka.Actor;
using Akka.Streams.Dsl;
using ProtoBuf;
using Wormhole.Reactive;

namespace Wormhole.Tests.Streams.Schema;

// A contract with a reference at every depth WormholeSchema must reach: a field, a list, a map, a nested type, a
// subtype, a reply port whose answer is a primitive, and types reachable only through a reference's T.

[ProtoContract]
[ProtoInclude(10, typeof(PlaceOrder))]
[ProtoInclude(11, typeof(CancelOrder))]
public abstract record Shop;

[ProtoContract]
public sealed record PlaceOrder : Shop
{
    [ProtoMember(1)] public string Item { get; init; } = "";
    [ProtoMember(2)] public ActorRef<Shipment>? Notify { get; init; }
    [ProtoMember(3)] public List<ActorRef<Shipment>> Watchers { get; init; } = [];
    [ProtoMember(4)] public Dictionary<string, ActorRef<Shipment>> ByRegion { get; init; } = [];
    [ProtoMember(5)] public OrderLine? Line { get; init; }
    [ProtoMember(6)] public ReplyPort<Receipt>? Reply { get; init; }
}

[ProtoContract]
public sealed record CancelOrder : Shop
{
    [ProtoMember(1)] public long OrderId { get; init; }
}

[ProtoContract]
public sealed record OrderLine
{
    [ProtoMember(1)] public int Quantity { get; init; }
    [ProtoMember(2)] public ReplyPort<int>? PriceQuote { get; init; }
}

[ProtoContract]
public sealed record Receipt
{
    [ProtoMember(1)] public long OrderId { get; init; }
    [ProtoMember(2)] public ActorRef<Shop>? Shop { get; init; }
}

[ProtoContract]
[ProtoInclude(10, typeof(Shipped))]
public abstract record Shipment;

[ProtoContract]
public sealed record Shipped : Shipment
{
    [ProtoMember(1)] public string Carrier { get; init; } = "";
    [ProtoMember(2)] public ActorRef<Shipment>? Forward { get; init; }
}

/// <summary>Cannot cross a portal: an untyped reference, reachable only through a reference's T.</summary>
[ProtoContract]
public sealed record Untyped
{
    [ProtoMember(1)] public IActorRef? Target { get; init; }
}

[ProtoContract]
public sealed record HoldsUntypedBehindAReference
{
    [ProtoMember(1)] public ActorRef<Untyped>? Next { get; init; }
}

// Stream fields in each form, in a list, beside a reference, and element types reachable only through a stream.

[ProtoContract]
public sealed record Catalog
{
    [ProtoMember(1)] public IAsyncEnumerable<CatalogItem>? Items { get; init; }
    [ProtoMember(2)] public Source<CatalogItem, NotUsed>? Prices { get; init; }
    [ProtoMember(3)] public IObservable<PriceChange>? Changes { get; init; }
    [ProtoMember(4)] public List<IAsyncEnumerable<CatalogItem>> Pages { get; init; } = [];
    [ProtoMember(5)] public ReplyPort<Catalog>? Reply { get; init; }
}

[ProtoContract]
public sealed record CatalogItem
{
    [ProtoMember(1)] public string Name { get; init; } = "";
}

[ProtoContract]
public sealed record PriceChange
{
    [ProtoMember(1)] public string Name { get; init; } = "";
    [ProtoMember(2)] public double Price { get; init; }
}
