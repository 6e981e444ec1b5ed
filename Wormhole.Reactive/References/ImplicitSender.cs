using Akka.Actor;

namespace Wormhole.Reactive;

/// <summary>
/// The sender of a tell that names none: the function actor whose function is running (through its awaits, on whatever
/// thread it resumes), else the actor whose receive is running, else none.
/// </summary>
/// <remarks>
/// A function actor's function runs on the thread pool, outside any receive, where Akka's own implicit sender is none,
/// or whichever actor last ran on that thread: without this its tells would carry a sender that depends on scheduling.
/// </remarks>
internal static class ImplicitSender
{
    private static readonly AsyncLocal<IActorRef?> FunctionActor = new();

    /// <summary>The sender a tell from here carries when it names none (null: no sender).</summary>
    public static IActorRef? Current => FunctionActor.Value ?? ActorCell.GetCurrentSelfOrNoSender();

    /// <summary>Makes <paramref name="self"/> the implicit sender of this flow and of what continues it (call it at the function's start).</summary>
    public static void EnterFunctionOf(IActorRef self) => FunctionActor.Value = self;
}
