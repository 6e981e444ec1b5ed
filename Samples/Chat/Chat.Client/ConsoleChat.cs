using System.Runtime.InteropServices;
using System.Threading.Channels;
using Akka.Actor;
using Chat.Contracts;
using Wormhole.Reactive;
using Wormhole.Streams;

namespace Chat.Client;

/// <summary>
/// One chat session on the console: connect, join, then post standard input line by line until it ends or the connection
/// does. With <paramref name="reconnect"/>, a lost connection is not the end: it connects again (to the next of
/// <paramref name="urls"/>, with backoff) and joins again under the alias it had, and what is typed meanwhile waits.
/// </summary>
internal sealed class ConsoleChat(Nexus nexus, IReadOnlyList<Uri> urls, string? nick, bool reconnect)
{
    public const int LeftCleanly = 0;
    public const int CannotJoin = 2;
    public const int LostConnection = 3;

    /// <summary>For connecting and joining: a process start and a handshake on a loaded machine.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>For each answer once joined.</summary>
    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The room of the current portal; replaced by a new, pending one while reconnecting.</summary>
    private TaskCompletionSource<ActorRef<ChatRoom>> _room = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The alias the server gave, kept up to date by renames, asked for again on each rejoin.</summary>
    private string? _alias = nick;

    public async Task<int> RunAsync()
    {
        // Without --reconnect, MaxAttempts = 0: the first failure or loss is the end, as with a plain ConnectAsync.
        var policy = new ReconnectPolicy(urls.Select(url => Conduit.WebSocket(url)).ToList()) { MaxAttempts = reconnect ? 100 : 0 };
        ReconnectingPortal connection;
        try
        {
            using var connecting = new CancellationTokenSource(Patience);
            connection = await nexus.ConnectAsync(policy, connecting.Token);
        }
        catch (Exception e) when (e is PortalClosedException or OperationCanceledException)
        {
            Console.Error.WriteLine($"cannot connect to {string.Join(", ", urls)}: {e.Message}");
            return CannotJoin;
        }

        await using (connection)
        {
            var welcomed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var inbox = FnActor.Spawn<ChatClient>(nexus.System, async ctx =>
            {
                await welcomed.Task; // the welcome is printed first, whatever arrives meanwhile
                await foreach (var message in ctx.Messages)
                {
                    ChatOutput.Event(message);
                }
            });

            if (connection.Current is not { } portal)
            {
                return Lost(await connection.Completion); // gone between the connect and this line
            }

            var first = await JoinAsync(portal, inbox, first: true);
            if (first is not null)
            {
                return first.Value;
            }

            welcomed.SetResult();
            using var rejoining = connection.States.Subscribe(state => OnState(state, inbox));
            using var stop = new CancellationTokenSource();
            void Leave(PosixSignalContext signal)
            {
                signal.Cancel = true; // Ctrl+C or SIGTERM ends the input: leave cleanly
                stop.Cancel();
            }

            using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Leave);
            using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Leave);
            var lines = StdinLines.Start(stop.Token);
            if (await PostLinesAsync(connection, lines) is { } lost)
            {
                return Lost(lost);
            }

            await connection.CloseAsync().WaitAsync(Patience);
            return LeftCleanly;
        }
    }

    /// <summary>Joins through <paramref name="portal"/>: the welcome, and the room to post to. Null when joined; else the exit code.</summary>
    private async Task<int?> JoinAsync(Portal portal, ActorRef<ChatClient> inbox, bool first)
    {
        try
        {
            var hub = await portal.LookupAsync<ChatHub>(ChatProtocol.HubName).WaitAsync(Patience);
            var welcome = await hub.Ask<Welcome>(port => new Connect { Client = inbox, Reply = port, Alias = _alias }, Patience);
            var room = welcome.Room ?? throw new InvalidOperationException("the server's welcome has no room");
            _alias = welcome.Alias;
            if (first)
            {
                ChatOutput.Welcome(urls[0], welcome);
            }
            else
            {
                Console.WriteLine($"* rejoined as {welcome.Alias}; {ChatOutput.OnlineLine(welcome.Online)}");
            }

            _room.TrySetResult(room);
            return null;
        }
        catch (PortalClosedException e)
        {
            return first ? Lost(e.Reason) : null; // after a reconnect: the connection goes on to the next portal
        }
        catch (Exception e) when (e is PublicationNotFoundException or RemoteFailureException or AskTimeoutException or TimeoutException or InvalidOperationException)
        {
            Console.Error.WriteLine($"cannot join the chat at {string.Join(", ", urls)}: {e.Message}");
            await portal.CloseAsync().WaitAsync(Patience);
            return CannotJoin;
        }
    }

    /// <summary>Says what the connection does, and joins again on each new portal.</summary>
    private void OnState(ConnectionState state, ActorRef<ChatClient> inbox)
    {
        switch (state)
        {
            case ConnectionState.Reconnecting reconnecting:
                if (_room.Task.IsCompleted)
                {
                    _room = new(TaskCreationOptions.RunContinuationsAsynchronously); // what is typed now waits for the rejoin
                }

                Console.WriteLine($"* connection lost ({reconnecting.Reason}); reconnecting in {reconnecting.Delay.TotalSeconds:0.0} s (attempt {reconnecting.Attempt})");
                break;
            case ConnectionState.Connected { Reconnected: true } connected:
                _ = JoinAsync(connected.Portal, inbox, first: false);
                break;
        }
    }

    /// <summary>Handles each line until the input ends or <c>/quit</c> (null), or until the connection ends for good (why).</summary>
    private async Task<PortalCloseReason?> PostLinesAsync(ReconnectingPortal connection, ChannelReader<string> lines)
    {
        while (true)
        {
            var more = lines.WaitToReadAsync().AsTask();
            if (await Task.WhenAny(connection.Completion, more) == connection.Completion)
            {
                return connection.Completion.Result;
            }

            if (!await more)
            {
                return null; // end of input
            }

            while (lines.TryRead(out var line))
            {
                try
                {
                    var room = await _room.Task.WaitAsync(Patience);
                    if (!await HandleAsync(room, line))
                    {
                        return null;
                    }
                }
                catch (PortalClosedException e) when (!reconnect)
                {
                    return e.Reason;
                }
                catch (PortalClosedException)
                {
                    ChatOutput.Problem($"not sent, the connection was lost: {line}");
                }
                catch (TimeoutException)
                {
                    ChatOutput.Problem($"not sent, not connected for {Patience.TotalSeconds:0} s: {line}");
                }
            }
        }
    }

    /// <summary>Posts <paramref name="line"/> or carries out the command in it; false for <c>/quit</c>.</summary>
    private async Task<bool> HandleAsync(ActorRef<ChatRoom> room, string line)
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
                    var renamed = await room.Ask<Ack>(port => new Rename { Alias = argument, Reply = port }, AnswerTimeout);
                    Refused(renamed, "not renamed");
                    _alias = renamed.Accepted ? argument : _alias;
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
