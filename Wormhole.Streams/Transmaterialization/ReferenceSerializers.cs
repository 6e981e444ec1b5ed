using Akka;
using Akka.Streams.Dsl;
using Wormhole.Reactive;

namespace Wormhole.Streams.Transmaterialization;

/// <summary>
/// The types that cross a portal as references rather than as data: <c>ActorRef&lt;T&gt;</c>, <c>ReplyPort&lt;T&gt;</c>, and
/// the stream fields <c>IAsyncEnumerable&lt;T&gt;</c>, <c>Source&lt;T, NotUsed&gt;</c> and <c>IObservable&lt;T&gt;</c>, each with
/// the serializer that goes through the portal's reference table.
/// </summary>
internal static class ReferenceSerializers
{
    /// <summary>The serializer of <paramref name="type"/>, or null when it is not a reference or stream type.</summary>
    public static Type? For(Type type)
    {
        if (!type.IsGenericType)
        {
            return null;
        }

        var definition = type.GetGenericTypeDefinition();
        var arguments = type.GetGenericArguments();
        var serializer =
            definition == typeof(ActorRef<>) ? typeof(ActorRefSerializer<>)
            : definition == typeof(ReplyPort<>) ? typeof(ReplyPortSerializer<>)
            : definition == typeof(IAsyncEnumerable<>) ? typeof(AsyncEnumerableSerializer<>)
            : definition == typeof(IObservable<>) ? typeof(ObservableSerializer<>)
            : definition == typeof(Source<,>) && arguments[1] == typeof(NotUsed) ? typeof(SourceSerializer<>)
            : null;
        return serializer?.MakeGenericType(arguments[0]);
    }

    /// <summary>True for the stream field types (their element type must cross too).</summary>
    public static bool IsStream(Type type) =>
        For(type) is { } serializer && serializer.GetGenericTypeDefinition() is var definition
        && definition != typeof(ActorRefSerializer<>) && definition != typeof(ReplyPortSerializer<>);
}
