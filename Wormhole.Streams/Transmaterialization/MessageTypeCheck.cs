using System.Collections.Concurrent;
using System.Reflection;
using Akka.Actor;
using ProtoBuf;
using Wormhole.Reactive;

namespace Wormhole.Streams.Transmaterialization;

/// <summary>Refuses message types that cannot cross a portal, naming the field: an untyped <see cref="IActorRef"/> anywhere inside.</summary>
internal static class MessageTypeCheck
{
    private static readonly ConcurrentDictionary<Type, string?> Verdicts = new();

    /// <exception cref="UnsupportedMessageTypeException">The type holds an untyped actor reference.</exception>
    public static void Ensure(Type type)
    {
        if (Verdicts.GetOrAdd(type, t => Find(t, t.Name, new HashSet<Type>())) is { } problem)
        {
            throw new UnsupportedMessageTypeException(problem);
        }
    }

    private static string? Find(Type type, string where, HashSet<Type> seen)
    {
        if (typeof(IActorRef).IsAssignableFrom(type))
        {
            return $"{where} is an untyped IActorRef, which cannot cross a portal: use ActorRef<T> (Wormhole.Reactive) so the receiver knows what the actor accepts.";
        }

        if (type.IsPrimitive || type == typeof(string) || type == typeof(decimal) || !seen.Add(type))
        {
            return null;
        }

        if (type.IsArray)
        {
            return Find(type.GetElementType()!, where + "[]", seen);
        }

        if (type.IsGenericType)
        {
            var definition = type.GetGenericTypeDefinition();
            var isReference = definition == typeof(ActorRef<>) || definition == typeof(ReplyPort<>);
            foreach (var argument in type.GetGenericArguments())
            {
                if (!isReference && Find(argument, $"{where}<{argument.Name}>", seen) is { } problem)
                {
                    return problem;
                }
            }

            if (isReference)
            {
                return null;
            }
        }

        foreach (var include in type.GetCustomAttributes<ProtoIncludeAttribute>(inherit: false))
        {
            if (include.KnownType is { } subtype && Find(subtype, subtype.Name, seen) is { } problem)
            {
                return problem;
            }
        }

        const BindingFlags members = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly;
        foreach (var member in type.GetFields(members).Cast<MemberInfo>().Concat(type.GetProperties(members)))
        {
            if (member.GetCustomAttribute<ProtoMemberAttribute>() is null)
            {
                continue;
            }

            var memberType = member is FieldInfo field ? field.FieldType : ((PropertyInfo)member).PropertyType;
            if (Find(memberType, $"{type.Name}.{member.Name}", seen) is { } problem)
            {
                return problem;
            }
        }

        return type.BaseType is { } baseType && baseType != typeof(object) ? Find(baseType, where, seen) : null;
    }
}
