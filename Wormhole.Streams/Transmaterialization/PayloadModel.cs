using Akka.Actor;
using ProtoBuf.Meta;
using Wormhole.Reactive;

namespace Wormhole.Streams.Transmaterialization;

/// <summary>
/// The protobuf-net model for message payloads: <c>ActorRef&lt;T&gt;</c> and <c>ReplyPort&lt;T&gt;</c> at any depth go
/// through the portal's reference table, nesting is capped, and nothing else is special.
/// </summary>
internal static class PayloadModel
{
    public static RuntimeTypeModel Create(int maxDepth)
    {
        var model = RuntimeTypeModel.Create("wormhole-payloads");
        model.MaxDepth = maxDepth;
        model.BeforeApplyDefaultBehaviour += (_, added) =>
        {
            if (!added.Type.IsGenericType)
            {
                return;
            }

            var definition = added.Type.GetGenericTypeDefinition();
            var serializer = definition == typeof(ActorRef<>) ? typeof(ActorRefSerializer<>)
                : definition == typeof(ReplyPort<>) ? typeof(ReplyPortSerializer<>)
                : null;
            if (serializer is not null)
            {
                added.ApplyDefaultBehaviour = false;
                added.MetaType.SerializerType = serializer.MakeGenericType(added.Type.GetGenericArguments());
            }
        };
        return model;
    }

    /// <summary>The Akka ask temp actor's reply type, when <paramref name="sender"/> is one (<c>FutureActorRef&lt;T&gt;</c>).</summary>
    public static Type? AskReplyType(IActorRef sender)
    {
        for (var type = sender.GetType(); type is not null; type = type.BaseType)
        {
            if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(FutureActorRef<>))
            {
                return type.GetGenericArguments()[0];
            }
        }

        return null;
    }
}
