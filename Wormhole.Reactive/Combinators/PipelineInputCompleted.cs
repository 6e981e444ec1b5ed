using Akka.Actor;

namespace Wormhole.Reactive;

/// <summary>
/// The end of a combinator's input. Told to an intermediate actor, it completes the source of its pipeline, as a
/// completing Rx source completes the operators after it: time-based operators flush, <c>Count</c> or
/// <c>ToList</c> emit, and the pipeline's completion stops the actor.
/// </summary>
internal sealed class PipelineInputCompleted
{
    public static readonly PipelineInputCompleted Instance = new();

    private PipelineInputCompleted()
    {
    }

    /// <summary>
    /// Tells <paramref name="actor"/> that its input ended when it is the intermediate actor of a combinator; any other
    /// actor is told nothing, since it outlives any one source.
    /// </summary>
    /// <remarks>
    /// Only a local reference shows what it runs (its props, which the cell keeps from creation through restarts); a
    /// remote one is a plain actor here.
    /// </remarks>
    public static void TellIfCombinator(IActorRef actor)
    {
        if (actor is ActorRefWithCell { Underlying.Props.Type: { IsGenericType: true } type }
            && type.GetGenericTypeDefinition() == typeof(CombinatorActor<,>))
        {
            actor.Tell(Instance, ActorRefs.NoSender);
        }
    }
}
