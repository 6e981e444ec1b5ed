using System.Runtime.InteropServices;
using System.Threading.Channels;
using Akka.Actor;
using Chat.Contracts;
using Wormhole.Reactive;
using Wormhole.Streams;

namespace Chat.Client;

/// <summary>One chat session on the console: connect, join, then post standard input line by line until it ends or the connection does.</summary>
internal sealed class ConsoleChat(Nexus nexus, Uri url, string? nick)
{
    public const int LeftCleanly = 0;
    public const int CannotJoin = 2;
    public const int LostConnection = 3;

    /// <summary>For connecting and joining: a process start and a handshake on a loaded machine.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>For each answer once joined.</summary>
    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(10);

    public async Task<int> RunAsync()
    {
        Portal portal;
        try
        {
            using var connecting = new CancellationTokenSource(Patience);
            portal = await nexus.ConnectAsync(Conduit.WebSocket(url), connecting.Token);
        }
        catch (Exception e) when (e is PortalClosedException or OperationCanceledException)
        {
            Console.Error.WriteLine($"cannot connect to {url}: {e.Message}");
            return CannotJoin;
        }

        var welcomed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var inbox = FnActor.Spawn<ChatClient>(nexus.System, async ctx =>
        {
            await welcomed.Task; // the welcome is printed first, whatever arrives meanwhile
            await foreach (var message in ctx.Messages)
            {
                ChatOutput.Event(message);
            }
        });

        ActorRef<ChatRoom> room;
        try
        {
            var hub = await portal.LookupAsync<ChatHub>(ChatProtocol.HubName).WaitAsync(Patience);
            var welcome = await hub.Ask<Welcome>(port => new Connect { Client = inbox, Reply = port, Alias = nick }, Patience);
            room = welcome.Room ?? throw new InvalidOperationException("the server's welcome has no room");
            ChatOutput.Welcome(url, welcome);
            welcomed.SetResult();
        }
        catch (PortalClosedException e)
        {
            return Lost(e.Reason);
        }
        catch (Exception e) when (e is PublicationNotFoundException or RemoteFailureException or AskTimeoutException or TimeoutException or InvalidOperationException)
        {
            Console.Error.WriteLine($"cannot join the chat at {url}: {e.Message}");
            await portal.CloseAsync().WaitAsync(Patience);
            return CannotJoin;
        }

        using var stop = new CancellationTokenSource();
        void Leave(PosixSignalContext signal)
        {
            signal.Cancel = true; // Ctrl+C or SIGTERM ends the input: leave cleanly
            stop.Cancel();
        }

        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Leave);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Leave);
        var lines = StdinLines.Start(stop.Token);
        if (await PostLinesAsync(portal, room, lines) is { } lost)
        {
            return Lost(lost);
        }

        await portal.CloseAsync().WaitAsync(Patience);
        return LeftCleanly;
    }

    /// <summary>Handles each line until the input ends or <c>/quit</c> (null), or until the portal closes on its own (why).</summary>
    private static async Task<PortalCloseReason?> PostLinesAsync(Portal portal, ActorRef<ChatRoom> room, ChannelReader<string> lines)
    {
        while (true)
        {
            var more = lines.WaitToReadAsync().AsTask();
            if (await Task.WhenAny(portal.Completion, more) == portal.Completion)
            {
                return portal.Completion.Result;
            }

            if (!await more)
            {
                return null; // end of input
            }

            while (lines.TryRead(out var line))
            {
                try
                {
                    if (!await HandleAsync(room, line))
                    {
                        return null;
                    }
                }
                catch (PortalClosedException e)
                {
                    return e.Reason;
                }
            }
        }
    }

    /// <summary>Posts <paramref name="line"/> or carries out the command in it; false for <c>/quit</c>.</summary>
    private static async Task<bool> HandleAsync(ActorRef<ChatRoom> room, string line)
    {
        var (command, argument) = line.StartsWith('/') && !line.StartsWith("//", StringComparison.Ordinal)
            ? (line.Split(' ', 2)[0], line.Split(' ', 2).ElementAtOrDefault(1)?.Trim() ?? "")
            : (null, line.StartsWith('/') ? line[1..] : line); // "//text" posts "/text"
        try
        {
            switch (command)
            {
                case null:
                    Refused(await room.Ask<Ack>(port => new Post { Text = argument, Reply = port }, AnswerTimeout), "not posted");
                    break;
                case "/nick":
                    Refused(await room.Ask<Ack>(port => new Rename { Alias = argument, Reply = port }, AnswerTimeout), "not renamed");
                    break;
                case "/who":
                    Console.WriteLine(ChatOutput.OnlineLine((await room.Ask<Online>(port => new Who { Reply = port }, AnswerTimeout)).Aliases));
                    break;
                case "/history":
                    await PrintHistoryAsync(room);
                    break;
                case "/quit":
                    return false;
                case "/help":
                    Console.WriteLine("a line is posted; /nick ALIAS renames you; /who lists who is online; /history prints every post the server kept; /quit leaves; //text posts /text");
                    break;
                default:
                    ChatOutput.Problem($"unknown command {command}; /help lists them");
                    break;
            }
        }
        catch (AskTimeoutException)
        {
            ChatOutput.Problem($"no answer from the server within {AnswerTimeout.TotalSeconds:0} s");
        }

        return true;
    }

    /// <summary>
    /// Prints the server's history as it streams in. The console's pace is the stream's pace: the server reads its history
    /// only as this loop takes posts, at most a window ahead.
    /// </summary>
    private static async Task PrintHistoryAsync(ActorRef<ChatRoom> room)
    {
        var history = await room.Ask<HistoryLines>(port => new ReadHistory { Reply = port }, AnswerTimeout);
        Console.WriteLine($"history ({ChatOutput.Posts(history.Count)}):");
        var printed = 0L;
        try
        {
            await foreach (var posted in history.Lines ?? AsyncEnumerable.Empty<MessagePosted>())
            {
                Console.WriteLine($"  {ChatOutput.Line(posted)}");
                printed++;
            }

            Console.WriteLine($"end of history ({ChatOutput.Posts(printed)})");
        }
        catch (RemoteStreamException e)
        {
            ChatOutput.Problem($"the history broke off after {ChatOutput.Posts(printed)}: {e.Message}");
        }
    }

    private static void Refused(Ack ack, string what)
    {
        if (!ack.Accepted)
        {
            ChatOutput.Problem($"{what}: {ack.Refusal}");
        }
    }

    private static int Lost(PortalCloseReason reason)
    {
        Console.Error.WriteLine($"lost connection to the server: {reason}");
        return LostConnection;
    }
}
