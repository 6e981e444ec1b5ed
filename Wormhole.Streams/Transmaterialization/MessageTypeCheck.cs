using System.Collections.Concurrent;
using System.Reflection;
using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Dsl;
using ProtoBuf;
using ProtoBuf.Meta;
using Wormhole.Reactive;

namespace Wormhole.Streams.Transmaterialization;

/// <summary>
/// Walks a message type's protobuf members (fields, collections, nested and <c>[ProtoInclude]</c> subtypes):
/// finds every reference and stream type inside (<see cref="ReferenceSerializers"/>), and the first member that cannot cross a
/// portal, named by its field.
/// </summary>
/// <remarks>
/// What cannot cross, in the order it is checked:
/// <list type="number">
/// <item>Akka types that stand for something in this process: <see cref="IActorRef"/>, stream refs, <see cref="ICanTell"/>,
/// <see cref="ActorSelection"/>, <see cref="ActorPath"/>, <see cref="Address"/>, <see cref="Props"/>; delegates; tasks;
/// streams other than the three stream field types (a <c>Source</c> with a materialized value, <c>Sink</c>, <c>Flow</c>, a
/// field declared as a concrete implementation of <see cref="IObservable{T}"/> or <see cref="IAsyncEnumerable{T}"/>);
/// <see cref="Type"/>, which protobuf-net would carry as a name the receiver loads; <see cref="object"/>. Each gets its
/// own advice.</item>
/// <item>Arrays other than <c>byte[]</c> (a peer can make the decoder copy them once per element).</item>
/// <item>An abstract <c>[ProtoContract]</c> with no <c>[ProtoInclude]</c>, unless met as the base of a subtype: no
/// receiver could create one.</item>
/// <item>Any other type that is not a <c>[ProtoContract]</c> and that protobuf-net's model says it cannot serialize
/// (<c>RuntimeTypeModel.CanSerialize(Type)</c>, after the type's generic arguments passed the same checks).
/// A type protobuf-net serializes as a tuple (a positional record without <c>[ProtoContract]</c>) has its public
/// members walked first, like a contract's.</item>
/// </list>
/// A verdict depends on the type alone, so it is computed once per type for the process.
/// </remarks>
internal static class MessageTypeCheck
{
    private static readonly ConcurrentDictionary<Type, Verdict> Verdicts = new();

    /// <summary>
    /// Answers <c>RuntimeTypeModel.CanSerialize(Type)</c> for leaf types. A model of its own: asking adds types to
    /// a model, and the payload model must meet its contract types first when <see cref="PayloadModel"/> configures them.
    /// The reference types met so far are registered in it (with the payload model's serializers, never run here), so
    /// that collections of them pass.
    /// </summary>
    private static readonly RuntimeTypeModel Probe = RuntimeTypeModel.Create("wormhole-type-check");

    /// <summary>
    /// Generic leaves (a <c>List&lt;T&gt;</c>, a dictionary) met during the current walk, judged by protobuf-net at its end,
    /// once every reference inside the message has its serializer in <see cref="Probe"/>: protobuf-net walks the element
    /// type whole, and a reference there that this walk had not yet reached would make the verdict depend on which message
    /// types were checked before. Used only under <c>lock (Probe)</c>.
    /// </summary>
    private static readonly List<(Type Type, string Where)> DeferredLeaves = [];

    /// <param name="Problem">Why the type cannot cross a portal, or null.</param>
    /// <param name="ReferenceTypes">Every reference and stream type inside (<see cref="ReferenceSerializers"/>).</param>
    /// <param name="Types">Every type walked (the message type, its members', subtypes and base types), in the order met.</param>
    public sealed record Verdict(string? Problem, IReadOnlyList<Type> ReferenceTypes, IReadOnlyCollection<Type> Types);

    public static Verdict Inspect(Type type) => Verdicts.GetOrAdd(type, Walk);

    /// <summary>Throws when <paramref name="type"/> cannot cross a portal.</summary>
    /// <exception cref="UnsupportedMessageTypeException">It cannot, and the message says which member and why.</exception>
    public static void Demand(Type type)
    {
        if (Inspect(type).Problem is { } problem)
        {
            throw new UnsupportedMessageTypeException(problem);
        }
    }

    private static Verdict Walk(Type type)
    {
        var references = new List<Type>();
        var seen = new HashSet<Type>();
        string? problem;
        lock (Probe)
        {
            DeferredLeaves.Clear();
            problem = Find(type, Describe(type), asBase: false, seen, references)
                ?? DeferredLeaves.Where(leaf => !Probe.CanSerialize(leaf.Type)).Select(leaf => Unserializable(leaf.Type, leaf.Where)).FirstOrDefault();
            DeferredLeaves.Clear();
        }

        return new Verdict(problem, references, seen);
    }

    private static string? Find(Type type, string where, bool asBase, HashSet<Type> seen, List<Type> references)
    {
        if (Refusal(type, where) is { } refusal)
        {
            return refusal;
        }

        if (type.IsAbstract && !type.IsInterface && !asBase && type.IsDefined(typeof(ProtoContractAttribute), inherit: false)
            && !type.IsDefined(typeof(ProtoIncludeAttribute), inherit: false))
        {
            return $"{where} is {Describe(type)}, which is abstract and names no [ProtoInclude] subtype, so no receiver could create one: "
                + $"add [ProtoInclude(n, typeof(Subtype))] to {Describe(type)} for each subtype that may be sent.";
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
            if (ReferenceSerializers.For(type) is { } serializer)
            {
                references.Add(type);
                RegisterInProbe(type, serializer);
                if (!ReferenceSerializers.IsStream(type))
                {
                    return null;
                }

                var element = type.GetGenericArguments()[0];
                return Find(element, $"the elements of {where} ({Describe(type)})", asBase: false, seen, references);
            }

            foreach (var argument in type.GetGenericArguments())
            {
                if (Find(argument, $"{where}<{Describe(argument)}>", asBase: false, seen, references) is { } problem)
                {
                    return problem;
                }
            }
        }

        if (!type.IsDefined(typeof(ProtoContractAttribute), inherit: false))
        {
            return Leaf(type, where, seen, references);
        }

        foreach (var include in type.GetCustomAttributes<ProtoIncludeAttribute>(inherit: false))
        {
            if (include.KnownType is { } subtype && Find(subtype, subtype.Name, asBase: false, seen, references) is { } problem)
            {
                return problem;
            }
        }

        const BindingFlags members = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly;
        var contractMembers = type.GetFields(members).Cast<MemberInfo>().Concat(type.GetProperties(members))
            .Where(member => member.IsDefined(typeof(ProtoMemberAttribute)));
        return Members(type, contractMembers, seen, references)
            ?? (type.BaseType is { } baseType && baseType != typeof(object) ? Find(baseType, where, asBase: true, seen, references) : null);
    }

    /// <summary>A type that is not a <c>[ProtoContract]</c>: protobuf-net's model decides; a tuple has its members walked first.</summary>
    private static string? Leaf(Type type, string where, HashSet<Type> seen, List<Type> references)
    {
        if (TupleMembers(type) is { } tupleMembers && Members(type, tupleMembers, seen, references) is { } problem)
        {
            return problem;
        }

        if (type.IsGenericType)
        {
            DeferredLeaves.Add((type, where));
            return null;
        }

        return Probe.CanSerialize(type) ? null : Unserializable(type, where);
    }

    private static string Unserializable(Type type, string where) =>
        type.IsInterface
            ? Undeclared(type, where)
            : $"{where} is {Describe(type)}, which protobuf-net cannot serialize: use a [ProtoContract] type with [ProtoMember] fields, "
                + "or a type protobuf-net knows (numbers, strings, byte[], enums, DateTime, TimeSpan, Guid, lists, dictionaries).";

    /// <summary>
    /// The members of a type protobuf-net serializes as a tuple (no contract, one public constructor that takes every
    /// public member, as a positional record has), or null.
    /// </summary>
    private static IReadOnlyList<MemberInfo>? TupleMembers(Type type)
    {
        if (type.IsGenericType || type.IsInterface || type.IsAbstract || type.Assembly == typeof(object).Assembly)
        {
            return null;
        }

        const BindingFlags members = BindingFlags.Instance | BindingFlags.Public;
        var publicMembers = type.GetFields(members).Cast<MemberInfo>()
            .Concat(type.GetProperties(members).Where(property => property.GetIndexParameters().Length == 0))
            .ToList();
        var names = publicMembers.Select(member => member.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var isTuple = publicMembers.Count > 0 && type.GetConstructors().Any(constructor =>
        {
            var parameters = constructor.GetParameters();
            return parameters.Length == publicMembers.Count && parameters.All(parameter => parameter.Name is { } name && names.Contains(name));
        });
        return isTuple ? publicMembers : null;
    }

    private static string? Members(Type type, IEnumerable<MemberInfo> members, HashSet<Type> seen, List<Type> references)
    {
        foreach (var member in members)
        {
            var memberType = member is FieldInfo field ? field.FieldType : ((PropertyInfo)member).PropertyType;
            if (Find(memberType, $"{type.Name}.{member.Name}", asBase: false, seen, references) is { } problem)
            {
                return problem;
            }
        }

        return null;
    }

    /// <summary>The types that cannot cross whatever protobuf-net says of them, each with its own advice.</summary>
    private static string? Refusal(Type type, string where)
    {
        var name = Describe(type);
        if (typeof(IActorRef).IsAssignableFrom(type))
        {
            return $"{where} is an untyped IActorRef, which cannot cross a portal: use ActorRef<T> (Wormhole.Reactive) so the receiver knows what the actor accepts.";
        }

        if (Implements(type, typeof(ISourceRef<>)) || Implements(type, typeof(ISinkRef<>)))
        {
            return $"{where} is an Akka {name}, which cannot cross a portal: a stream ref reaches its origin through Akka.Remote, not through the wormhole. "
                + "Declare the field as Source<T, NotUsed> or IAsyncEnumerable<T>: those cross with credit-based demand.";
        }

        if (ReferenceSerializers.For(type) is not null)
        {
            return null;
        }

        if (typeof(ICanTell).IsAssignableFrom(type) || typeof(ActorPath).IsAssignableFrom(type) || type == typeof(Address))
        {
            return $"{where} is an Akka {name}, which names an actor inside this actor system and means nothing to the peer: use ActorRef<T> (Wormhole.Reactive).";
        }

        if (typeof(Props).IsAssignableFrom(type))
        {
            return $"{where} is Akka Props, a recipe for an actor, which cannot cross a portal: spawn the actor on its side and send an ActorRef<T> to it.";
        }

        if (typeof(Delegate).IsAssignableFrom(type))
        {
            return $"{where} is a delegate ({name}): code cannot cross a portal. Send data, or an ActorRef<T> for the peer to call back.";
        }

        if (typeof(Task).IsAssignableFrom(type) || type == typeof(ValueTask) || Implements(type, typeof(ValueTask<>)))
        {
            return $"{where} is a {name}, a result that exists in this process only: send the result once it is ready, or a ReplyPort<T> for the peer to answer.";
        }

        if (Implements(type, typeof(Source<,>)))
        {
            return $"{where} is a {name}: a source crosses a portal only as Source<T, NotUsed> (its materialized value stays on this side): use .MapMaterializedValue(_ => NotUsed.Instance).";
        }

        if (Implements(type, typeof(Sink<,>)) || Implements(type, typeof(Flow<,,>)))
        {
            return $"{where} is a {name}, which cannot cross a portal: to stream to the peer, send it a Source<T, NotUsed> or IAsyncEnumerable<T>; to receive one, let the peer send you one.";
        }

        if (Implements(type, typeof(IObservable<>)) || Implements(type, typeof(IAsyncEnumerable<>)))
        {
            return $"{where} is declared as {name}: a stream field must be declared as IAsyncEnumerable<T>, IObservable<T> or Source<T, NotUsed> (the receiver gets its own implementation of that type).";
        }

        if (typeof(Type).IsAssignableFrom(type))
        {
            return $"{where} is a System.Type, which cannot cross a portal: there are no type names on the wire (the receiver would load whatever type the peer names). "
                + "Send an enum, or a [ProtoContract] base with a [ProtoInclude] for each kind.";
        }

        return type == typeof(object) ? Undeclared(type, where) : null;
    }

    private static string Undeclared(Type type, string where) =>
        $"{where} is declared as {Describe(type)}: the receiver decodes a member by its declared type alone (there are no type names on the wire). "
        + "Declare a [ProtoContract] type, with a [ProtoInclude] for each subtype that may be sent.";

    /// <summary>True when <paramref name="type"/> is, derives from or implements the generic <paramref name="definition"/>.</summary>
    private static bool Implements(Type type, Type definition)
    {
        for (var candidate = type; candidate is not null; candidate = candidate.BaseType)
        {
            if (candidate.IsGenericType && candidate.GetGenericTypeDefinition() == definition)
            {
                return true;
            }
        }

        return definition.IsInterface && type.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == definition);
    }

    private static void RegisterInProbe(Type reference, Type serializer)
    {
        if (!Probe.IsDefined(reference))
        {
            Probe.Add(reference, applyDefaultBehaviour: false).SerializerType = serializer;
        }
    }

    /// <summary>A type as C# writes it: <c>ISourceRef&lt;Chunk&gt;</c>, not <c>ISourceRef`1</c>.</summary>
    private static string Describe(Type type)
    {
        var tick = type.Name.IndexOf('`', StringComparison.Ordinal);
        return type.IsGenericType && tick > 0
            ? $"{type.Name[..tick]}<{string.Join(", ", type.GetGenericArguments().Select(Describe))}>"
            : type.Name;
    }
}
