using Akka.Actor;
using Wormhole.Reactive;
using Wormhole.Streams;

namespace StdioChildSample;

/// <summary>
/// A child process that serves its parent one portal over its own stdin and stdout (<see cref="Conduit.Stdio"/>):
/// it publishes an "echo" actor and exits when the portal closes (the parent closes our stdin, exits, or says goodbye).
/// The parent connects with <see cref="Conduit.ChildProcess"/>. Everything else this process prints goes to stderr.
/// </summary>
internal static class Program
{
    public const string PublishedName = "echo";

    public static async Task<int> Main()
    {
        // snippet: stdio-child
        // Stdout carries the frames: send every Console.Out write (Akka's logger's too) to stderr instead.
        // Conduit.Stdio() writes to the stdout handle directly, not through Console.Out.
        Console.SetOut(Console.Error);

        var system = ActorSystem.Create("stdio-child", "akka.loglevel = INFO\nakka.stdout-loglevel = WARNING");
        var nexus = Nexus.Create(system);
        nexus.Publish(PublishedName, SpawnEcho(system));

        Portal portal;
        try
        {
            portal = await nexus.ConnectAsync(Conduit.Stdio()).WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (Exception e) when (e is PortalClosedException or TimeoutException)
        {
            Console.Error.WriteLine($"stdio-child {Environment.ProcessId}: no portal ({e.Message})");
            await system.Terminate();
            return 1;
        }

        Console.Error.WriteLine($"stdio-child {Environment.ProcessId}: portal {portal.Id} open");
        var reason = await portal.Completion; // the parent said goodbye, closed our stdin, or exited
        Console.Error.WriteLine($"stdio-child {Environment.ProcessId}: portal closed ({reason})");
        // end snippet

        await nexus.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        await system.Terminate().WaitAsync(TimeSpan.FromSeconds(10));
        return 0;
    }

    private static ActorRef<EchoRequest> SpawnEcho(ActorSystem system) =>
        FnActor.Spawn<EchoRequest>(system, async ctx =>
        {
            await foreach (var request in ctx.Messages)
            {
                var reply = new EchoReply { Text = request.Text, ProcessId = Environment.ProcessId };
                if (request.ReplyTo is { } replyTo)
                {
                    replyTo.Tell(reply);
                }
                else if (request.Reply is { } port)
                {
                    port.Reply(reply);
                }
                else
                {
                    ctx.Sender.Tell(reply);
                }
            }
        }, name: PublishedName);
}
