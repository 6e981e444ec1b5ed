using System.Reflection;
using Akka.Actor;
using ProtoBuf;
using Wormhole.Reactive;

namespace Wormhole.Streams.Transmaterialization;

/// <summary>
/// Walks a message type's protobuf members (fields, collections, nested and <c>[ProtoInclude]</c> subtypes):
/// finds every <c>ActorRef&lt;T&gt;</c> / <c>ReplyPort&lt;T&gt;</c> type inside, and the first member that cannot cross a portal
/// (an untyped <see cref="IActorRef"/>, or an array other than <c>byte[]</c>), named by its field.
/// </summary>
internal static class MessageTypeCheck
{
    /// <param name="Problem">Why the type cannot cross a portal, or null.</param>
    /// <param name="ReferenceTypes">Every <c>ActorRef&lt;T&gt;</c> / <c>ReplyPort&lt;T&gt;</c> type inside.</param>
    /// <param name="Types">Every type walked (the message type, its members', subtypes and base types), in the order met.</param>
    public sealed record Verdict(string? Problem, IReadOnlyList<Type> ReferenceTypes, IReadOnlyCollection<Type> Types);

    public static Verdict Inspect(Type type)
    {
        var references = new List<Type>();
        var seen = new HashSet<Type>();
        var problem = Find(type, type.Name, seen, references);
        return new Verdict(problem, references, seen);
    }

    private static string? Find(Type type, string where, HashSet<Type> seen, List<Type> references)
    {
        if (typeof(IActorRef).IsAssignableFrom(type))
        {
            return $"{where} is an untyped IActorRef, which cannot cross a portal: use ActorRef<T> (Wormhole.Reactive) so the receiver knows what the actor accepts.";
        }

        if (type.IsPrimitive || type == typeof(string) || type == typeof(decimal) || !seen.Add(type))
        {
            return null;
        }

        if (type.IsArray && type != typeof(byte[]))
        {
            // protobuf-net builds a new array for every run of a repeated field: a peer that splits one array into many
            // runs makes the decoder allocate quadratically. Lists grow in place.
            var element = type.GetElementType()!;
            return $"{where} is an array ({element.Name}[]), which a peer can make the decoder copy once per element: use List<{element.Name}>.";
        }

        if (type.IsGenericType)
        {
            var definition = type.GetGenericTypeDefinition();
            if (definition == typeof(ActorRef<>) || definition == typeof(ReplyPort<>))
            {
                references.Add(type);
                return null;
            }

            foreach (var argument in type.GetGenericArguments())
            {
                if (Find(argument, $"{where}<{argument.Name}>", seen, references) is { } problem)
                {
                    return problem;
                }
            }
        }

        foreach (var include in type.GetCustomAttributes<ProtoIncludeAttribute>(inherit: false))
        {
            if (include.KnownType is { } subtype && Find(subtype, subtype.Name, seen, references) is { } problem)
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
            if (Find(memberType, $"{type.Name}.{member.Name}", seen, references) is { } problem)
            {
                return problem;
            }
        }

        return type.BaseType is { } baseType && baseType != typeof(object) ? Find(baseType, where, seen, references) : null;
    }
}
