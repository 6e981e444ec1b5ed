using System.Diagnostics;
using Akka.Actor;
using Wormhole.Reactive;
using Wormhole.Streams.Portals;

namespace Wormhole.Streams;

/// <summary>
/// Wormhole's traces: the <see cref="ActivitySource"/> named <see cref="SourceName"/>, and the trace context a request
/// came with, for an actor that wants its own spans in the caller's trace.
/// </summary>
/// <remarks>
/// <para>
/// A message told to a proxy carries the W3C trace context of <see cref="Activity.Current"/> (taken on the sender's thread,
/// as <c>HttpClient</c> does) inside its <c>Deliver</c> frame; when the source has listeners, the tell is a
/// <see cref="ActivityKind.Producer"/> span <c>send {message type}</c>, whose context travels instead.
/// </para>
/// <para>
/// A message that arrives with a trace context starts a span <c>receive {message type}</c> on the receiving side (when
/// the source has listeners), the remote span as its parent when <see cref="NexusOptions.AcceptTraceContext"/> is true, a
/// new root otherwise. A request (a message with a reply target: an ask's sender or a <see cref="ReplyPort{T}"/> inside it)
/// makes it a <see cref="ActivityKind.Server"/> span that lasts until the reply is sent (or the reply target expires or
/// the portal closes), and the reply carries it back, so the asker's side continues the same trace; any other message
/// makes it a <see cref="ActivityKind.Consumer"/> span that ends once the message is in the target's mailbox.
/// </para>
/// </remarks>
public static class WormholeTracing
{
    /// <summary>The name of Wormhole's <see cref="ActivitySource"/>: <c>AddSource(WormholeTracing.SourceName)</c>.</summary>
    public const string SourceName = "Wormhole";

    internal static readonly ActivitySource Source = new(SourceName, typeof(WormholeTracing).Assembly.GetName().Version?.ToString());

    /// <summary>
    /// The context of the receive span of the request that <paramref name="replyTarget"/> answers (an ask's
    /// <c>Sender</c> from a portal): the parent for the actor's own spans. Default when the request came without a trace
    /// context, when nothing listens to <see cref="SourceName"/>, or when <paramref name="replyTarget"/> is not a reply
    /// target from a portal.
    /// </summary>
    /// <param name="replyTarget">The sender of a request that came through a portal.</param>
    /// <returns>The span's context, or default.</returns>
    public static ActivityContext ContextOf(IActorRef? replyTarget) =>
        replyTarget is ProxyRef { Trace: { } trace } ? trace.Context : default;

    /// <summary>The context of the receive span of the request that carried <paramref name="port"/>; see <see cref="ContextOf(IActorRef)"/>.</summary>
    /// <typeparam name="T">The reply type.</typeparam>
    /// <param name="port">A reply port from a request that came through a portal.</param>
    /// <returns>The span's context, or default.</returns>
    public static ActivityContext ContextOf<T>(ReplyPort<T>? port) => ContextOf(port?.Target);
}
