using Akka.Streams;
using ProtoBuf;
using Wormhole.Streams.Protocol;
using Wormhole.Streams.Streaming;

namespace Wormhole.Streams.Transmaterialization;

/// <summary>
/// What the serializers of stream fields (<see cref="ReferenceSerializers"/>) ask of the portal they run for, passed as
/// protobuf-net's <c>userState</c> like <see cref="IReferenceTable"/>. Called on the portal's stage thread, except
/// <see cref="CountDropped"/>.
/// </summary>
internal interface IStreamReferences
{
    /// <summary>Outbound: offers a stream to the peer; <paramref name="open"/> makes its source at the peer's first demand.</summary>
    /// <exception cref="LimitExceededException">The portal already carries <see cref="NexusOptions.MaxStreams"/> streams this side offers.</exception>
    WireId OfferStream<T>(Func<IAsyncEnumerable<T>> open);

    /// <summary>Inbound: a stream the peer offers, to be consumed once.</summary>
    StreamInlet<T> AcceptStream<T>(WireRef reference);

    /// <summary>Runs the Akka sources this side offers.</summary>
    IMaterializer StreamMaterializer { get; }

    /// <summary>The portal's limits (an <see cref="IObservable{T}"/>'s buffer is sized by them).</summary>
    NexusOptions StreamOptions { get; }

    /// <summary>Counts and logs elements an offered <see cref="IObservable{T}"/> dropped (its overflow policy). Any thread.</summary>
    void CountDropped(int count);

    /// <summary>A payload (a message, or one stream element) has been decoded: a reply port id met again later is another one's.</summary>
    void EndMessage();
}

/// <summary>Finds the portal's <see cref="IStreamReferences"/> in a serializer's context.</summary>
internal static class StreamReferences
{
    public static IStreamReferences Of(ISerializationContext context) =>
        context.UserState as IStreamReferences
        ?? throw new InvalidOperationException("Streams serialize only inside a portal (no stream table in userState).");
}
