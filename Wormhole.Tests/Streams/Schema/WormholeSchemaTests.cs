using Akka.Actor;
using ProtoBuf;
using Wormhole.Reactive;
using Wormhole.Streams;
using Wormhole.Streams.Protocol;
using Wormhole.Streams.Transmaterialization;
using Wormhole.Tests.Support;

namespace Wormhole.Tests.Streams.Schema;

/// <summary>
/// <see cref="WormholeSchema.GetProto(Type[])"/> describes what travels: every reference is the WireRef message. protoc, a
/// second protobuf implementation, reads what the payload encoder writes and writes what it reads, field for field.
/// </summary>
public sealed class WormholeSchemaTests
{
    private const string Package = "Wormhole.Tests.Streams.Schema";

    private static readonly WireRef[] References =
    [
        new(new WireId { High = 1, Low = 1 }, Yours: false),                    // PlaceOrder.Notify
        new(new WireId { High = 1, Low = 2 }, Yours: false),                    // PlaceOrder.Watchers[0]
        new(new WireId { High = 2, Low = 1 }, Yours: true),                     // PlaceOrder.Watchers[1]: the receiver's own
        new(new WireId { High = 1, Low = 3 }, Yours: false),                    // PlaceOrder.ByRegion["eu"]
        new(new WireId { High = 1, Low = 4 }, Yours: false, WithinMs: 5_000),   // OrderLine.PriceQuote
        new(new WireId { High = 1, Low = 5 }, Yours: false, WithinMs: 30_000),  // PlaceOrder.Reply
    ];

    /// <summary>protoc's text of <see cref="Order"/> with <see cref="References"/>, fields in number order.</summary>
    private const string OrderText = """
        PlaceOrder {
          Item: "book"
          Notify {
            High: 1
            Low: 1
          }
          Watchers {
            High: 1
            Low: 2
          }
          Watchers {
            High: 2
            Low: 1
            Yours: true
          }
          ByRegion {
            key: "eu"
            value {
              High: 1
              Low: 3
            }
          }
          Line {
            Quantity: 3
            PriceQuote {
              High: 1
              Low: 4
              WithinMs: 5000
            }
          }
          Reply {
            High: 1
            Low: 5
            WithinMs: 30000
          }
        }

        """;

    private static PlaceOrder Order => new()
    {
        Item = "book",
        Notify = Nobody<Shipment>(),
        Watchers = [Nobody<Shipment>(), Nobody<Shipment>()],
        ByRegion = new() { ["eu"] = Nobody<Shipment>() },
        Line = new OrderLine { Quantity = 3, PriceQuote = new ReplyPort<int>(ActorRefs.Nobody, TimeSpan.FromSeconds(5)) },
        Reply = new ReplyPort<Receipt>(ActorRefs.Nobody, TimeSpan.FromSeconds(30)),
    };

    [Fact]
    public void GetProto_EveryReferenceAtAnyDepth_IsAWireRefNamingItsType()
    {
        var schema = WormholeSchema.GetProto(typeof(Shop));

        Assert.Contains("   WireRef Notify = 2; // ActorRef<Shipment>\n", schema);
        Assert.Contains("   repeated WireRef Watchers = 3; // ActorRef<Shipment>\n", schema);
        Assert.Contains("   map<string,WireRef> ByRegion = 4; // ActorRef<Shipment>\n", schema);
        Assert.Contains("   WireRef Reply = 6; // ReplyPort<Receipt>\n", schema);
        Assert.Contains("   WireRef PriceQuote = 2; // ReplyPort<Int32>\n", schema);       // in a nested type
        Assert.Contains("   WireRef Forward = 2; // ActorRef<Shipment>\n", schema);        // in a subtype
        Assert.Contains("   WireRef Shop = 2; // ActorRef<Shop>\n", schema);               // in a type reached through a reply port
        Assert.Contains("message WireRef {\n   fixed64 High = 1;\n   fixed64 Low = 2;\n   bool Yours = 3;\n   uint32 WithinMs = 4;\n}\n", schema);
        Assert.Single(schema.Split("message WireRef {"), part => part.Length > 0 && !part.StartsWith("//", StringComparison.Ordinal));
        Assert.DoesNotContain("ActorRef_", schema);
        Assert.DoesNotContain("ReplyPort_", schema);
        Assert.DoesNotContain("__WormholeRef", schema);
        Assert.Contains($"package {Package};\n", schema);
        Assert.Contains("message Int32 {\n   int32 value = 1;\n}\n", schema);                // the answer to a ReplyPort<int>
        Assert.Contains("message Shipped {\n", schema);                                      // reached only through ActorRef<Shipment>
    }

    [Fact]
    public void GetProto_StreamFieldsOfEachForm_AreStreamRefsNamingTheirType()
    {
        var schema = WormholeSchema.GetProto(typeof(Catalog));

        Assert.Contains("   StreamRef Items = 1; // IAsyncEnumerable<CatalogItem>\n", schema);
        Assert.Contains("   StreamRef Prices = 2; // Source<CatalogItem, NotUsed>\n", schema);
        Assert.Contains("   StreamRef Changes = 3; // IObservable<PriceChange>\n", schema);
        Assert.Contains("   repeated StreamRef Pages = 4; // IAsyncEnumerable<CatalogItem>\n", schema);
        Assert.Contains("   WireRef Reply = 5; // ReplyPort<Catalog>\n", schema);
        Assert.Contains("message StreamRef {\n   fixed64 High = 1;\n   fixed64 Low = 2;\n}\n", schema);
        Assert.Contains("message WireRef {\n", schema);
        Assert.Contains("message PriceChange {\n", schema); // reached only through a stream
        Assert.Contains("// Every stream field (IAsyncEnumerable<T>, Source<T, NotUsed>, IObservable<T>) is a StreamRef", schema);
        Assert.DoesNotContain("__Wormhole", schema);
        Assert.DoesNotContain("Shape", schema);
    }

    [Fact]
    public void GetProto_NoStreams_NoStreamRef() =>
        Assert.DoesNotContain("StreamRef", WormholeSchema.GetProto(typeof(Shop)));

    [Fact]
    public void GetProto_StreamFields_CompileWithProtoc()
    {
        using var file = SchemaFile.Of(typeof(Catalog));

        Protoc.Compile(file.Path);
    }

    [Fact]
    public void GetProto_UntypedActorRefBehindAReference_ThrowsNamingTheField()
    {
        var error = Assert.Throws<UnsupportedMessageTypeException>(() => WormholeSchema.GetProto(typeof(HoldsUntypedBehindAReference)));

        Assert.Contains("Untyped.Target", error.Message);
        Assert.Contains("ActorRef<T>", error.Message);
    }

    [Fact]
    public void GetProto_NoType_Throws() =>
        Assert.Throws<ArgumentException>(() => WormholeSchema.GetProto());

    [Fact]
    public void GetProto_CompilesWithProtoc()
    {
        using var file = SchemaFile.Of(typeof(Shop));

        Protoc.Compile(file.Path);
    }

    [Fact]
    public void Payload_EncodedByThePayloadModel_DecodesWithProtoc()
    {
        using var file = SchemaFile.Of(typeof(Shop));
        var payload = EncodeAsAPortalDoes(Order, new ScriptedReferenceTable(References));

        Assert.Equal(OrderText, Protoc.Decode(file.Path, $"{Package}.Shop", payload));
    }

    [Fact]
    public void Payload_EncodedByProtoc_DecodesInThePayloadModel()
    {
        using var file = SchemaFile.Of(typeof(Shop));
        var payload = Protoc.Encode(file.Path, $"{Package}.Shop", OrderText);
        var table = new ScriptedReferenceTable();

        var payloads = new PayloadModel(64);
        payloads.Prepare(typeof(Shop));

        var order = Assert.IsType<PlaceOrder>(payloads.Deserialize(typeof(Shop), payload, table));

        Assert.Equal("book", order.Item);
        Assert.Equal(2, order.Watchers.Count);
        Assert.Equal(["eu"], order.ByRegion.Keys);
        Assert.Equal(3, order.Line?.Quantity);
        Assert.NotNull(order.Notify);
        Assert.NotNull(order.Reply);
        Assert.Equal(References, table.Imported);
    }

    [Fact]
    public void PrimitiveReply_IsTheWrapperMessage_ForProtoc()
    {
        using var file = SchemaFile.Of(typeof(Shop));

        Assert.Equal([0x08, 0x2A], EncodeAsAPortalDoes(42, new ScriptedReferenceTable()));
        Assert.Equal("value: 42\n", Protoc.Decode(file.Path, $"{Package}.Int32", [0x08, 0x2A]));
    }

    /// <summary>What the portal does to a message it sends (PortalStage.Outbound's Encode): prepare its type, serialize it as itself with the table as user state.</summary>
    internal static byte[] EncodeAsAPortalDoes<T>(T message, IReferenceTable table)
    {
        var payloads = new PayloadModel(64);
        payloads.Prepare(message!.GetType());
        using var stream = new MemoryStream();
        payloads.Model.Serialize(stream, message, table);
        return stream.ToArray();
    }

    private static ActorRef<T> Nobody<T>() => ActorRef<T>.From(ActorRefs.Nobody);

    /// <summary>The generated schema in a temporary folder of its own, deleted on dispose.</summary>
    private sealed class SchemaFile(string path) : IDisposable
    {
        public string Path { get; } = path;

        public static SchemaFile Of(params Type[] types)
        {
            var folder = Directory.CreateTempSubdirectory("wormhole-schema-");
            var path = System.IO.Path.Combine(folder.FullName, "contracts.proto");
            File.WriteAllText(path, WormholeSchema.GetProto(types));
            return new SchemaFile(path);
        }

        public void Dispose() => Directory.Delete(System.IO.Path.GetDirectoryName(Path)!, recursive: true);
    }
}
