using Akka.Actor;
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
