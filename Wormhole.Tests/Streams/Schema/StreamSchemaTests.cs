using Akka;
using Akka.Actor;
using Akka.Streams.Dsl;
using ProtoBuf;
using Wormhole.Reactive;
using Wormhole.Streams;
using Wormhole.Streams.Protocol;
using Wormhole.Tests.Support;

namespace Wormhole.Tests.Streams.Schema;

/// <summary>
/// <see cref="WormholeSchema.GetProto(Type[])"/> of messages with stream fields: each is a <c>StreamRef</c> (the producer's
/// id), commented with its .NET type, and the element type is in the schema; protoc reads the payload the encoder writes.
/// </summary>
public sealed class StreamSchemaTests
{
    private const string Package = "Wormhole.Tests.Streams.Schema";

    [Fact]
    public void GetProto_EveryStreamForm_IsAStreamRefNamingItsType()
    {
        var schema = WormholeSchema.GetProto(typeof(Subscribe));

        Assert.Contains("   StreamRef Prices = 2; // IAsyncEnumerable<Price>\n", schema);
        Assert.Contains("   StreamRef Trades = 3; // Source<Price, NotUsed>\n", schema);
        Assert.Contains("   StreamRef Alerts = 4; // IObservable<String>\n", schema);
        Assert.Contains("   repeated StreamRef Shards = 5; // IAsyncEnumerable<Price>\n", schema);
        Assert.Contains("   StreamRef Nested = 6; // IAsyncEnumerable<IAsyncEnumerable<Int32>>\n", schema);
        Assert.Contains("   WireRef Desk = 3; // ActorRef<Subscribe>\n", schema);                    // a reference inside an element
        Assert.Contains("message StreamRef {\n   fixed64 High = 1;\n   fixed64 Low = 2;\n}\n", schema);
        Assert.Contains("message WireRef {\n", schema);
        Assert.Contains("message Price {\n", schema);                                            // an element type
        Assert.Contains("message String {\n   string value = 1;\n}\n", schema);                    // a primitive element's wrapper
        Assert.Contains("message Int32 {\n   int32 value = 1;\n}\n", schema);
        Assert.Equal(2, schema.Split("message StreamRef {").Length);                             // one shared message
        Assert.DoesNotContain("__WormholeRef", schema);
        Assert.DoesNotContain("message NotUsed", schema);                                         // Source's materialized value stays home
        Assert.DoesNotContain("IAsyncEnumerable_", schema);
        Assert.DoesNotContain("Source_", schema);
        Assert.DoesNotContain("IObservable_", schema);
    }

    [Fact]
    public void GetProto_WithStreams_CompilesWithProtoc()
    {
        using var file = TempProto.Of(typeof(Subscribe));

        Protoc.Compile(file.Path);
    }

    [Fact]
    public void Payload_WithStreams_DecodesWithProtoc()
    {
        using var file = TempProto.Of(typeof(Subscribe));
        var message = new Subscribe
        {
            Symbol = "ACME",
            Prices = Empty<Price>(),
            Trades = Source.Empty<Price>(),
            Alerts = System.Reactive.Linq.Observable.Empty<string>(),
            Shards = [Empty<Price>()],
            Nested = Empty<IAsyncEnumerable<int>>(),
        };
        var table = new ScriptedStreamTable([new WireId { High = 1, Low = 2 }, new WireId { High = 3, Low = 4 }, new WireId { High = 5, Low = 6 }, new WireId { High = 7, Low = 8 }, new WireId { High = 9, Low = 10 }]);

        var payload = WormholeSchemaTests.EncodeAsAPortalDoes(message, table);

        Assert.Equal(
            "Symbol: \"ACME\"\nPrices {\n  High: 1\n  Low: 2\n}\nTrades {\n  High: 3\n  Low: 4\n}\nAlerts {\n  High: 5\n  Low: 6\n}\nShards {\n  High: 7\n  Low: 8\n}\nNested {\n  High: 9\n  Low: 10\n}\n",
            Protoc.Decode(file.Path, $"{Package}.Subscribe", payload));
    }

    private static async IAsyncEnumerable<T> Empty<T>()
    {
        await Task.CompletedTask;
        yield break;
    }

    /// <summary>The generated schema in a temporary folder of its own, deleted on dispose.</summary>
    private sealed class TempProto(string path) : IDisposable
    {
        public string Path { get; } = path;

        public static TempProto Of(params Type[] types)
        {
            var folder = Directory.CreateTempSubdirectory("wormhole-stream-schema-");
            var path = System.IO.Path.Combine(folder.FullName, "contracts.proto");
            File.WriteAllText(path, WormholeSchema.GetProto(types));
            return new TempProto(path);
        }

        public void Dispose() => Directory.Delete(System.IO.Path.GetDirectoryName(Path)!, recursive: true);
    }
}

[ProtoContract]
public sealed record Subscribe
{
    [ProtoMember(1)] public string Symbol { get; init; } = "";
    [ProtoMember(2)] public IAsyncEnumerable<Price>? Prices { get; init; }
    [ProtoMember(3)] public Source<Price, NotUsed>? Trades { get; init; }
    [ProtoMember(4)] public IObservable<string>? Alerts { get; init; }
    [ProtoMember(5)] public List<IAsyncEnumerable<Price>> Shards { get; init; } = [];
    [ProtoMember(6)] public IAsyncEnumerable<IAsyncEnumerable<int>>? Nested { get; init; }
}

[ProtoContract]
public sealed record Price
{
    [ProtoMember(1)] public string Symbol { get; init; } = "";
    [ProtoMember(2)] public long Cents { get; init; }
    [ProtoMember(3)] public ActorRef<Subscribe>? Desk { get; init; }
}
