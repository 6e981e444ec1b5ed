using Akka.Actor;
using Wormhole.Streams;

namespace Chat.Client;

/// <summary>
/// <c>Chat.Client [--url ws://HOST:PORT/chat]… [--nick ALIAS] [--reconnect]</c>: joins the chat, prints the welcome, the
/// history and every event, and posts each line of standard input. Exit codes: 0 at the end of input or <c>/quit</c>;
/// 2 when it cannot connect or join; 3 when the connection is lost (with <c>--reconnect</c>: when 100 attempts in a row
/// failed); 64 for bad arguments. Ctrl+C and SIGTERM end the input, as the end of the file does.
/// </summary>
internal static class Program
{
    private const string Usage = """
        usage: Chat.Client [--url ws://HOST:PORT/chat]... [--nick ALIAS] [--reconnect]
          --url        the chat server's WebSocket endpoint (default ws://127.0.0.1:5000/chat); several: tried in turn
          --nick       the alias to ask for (default: the server picks guest-N)
          --reconnect  when the connection is lost, connect again (the next --url, with backoff) and rejoin
        Each line read from standard input is posted; /nick ALIAS, /who, /history, /help and /quit are commands.
        """;

    public static async Task<int> Main(string[] args)
    {
        if (!TryParse(args, out var urls, out var nick, out var reconnect))
        {
            Console.Error.WriteLine(Usage);
            return 64; // EX_USAGE
        }

        using var system = ActorSystem.Create("chat-client", "akka.loglevel = WARNING\nakka.stdout-loglevel = WARNING");
        var nexus = Nexus.Create(system);
        try
        {
            return await new ConsoleChat(nexus, urls, nick, reconnect).RunAsync();
        }
        finally
        {
            await nexus.DisposeAsync();
            await system.Terminate();
        }
    }

    private static bool TryParse(string[] args, out IReadOnlyList<Uri> urls, out string? nick, out bool reconnect)
    {
        var given = new List<Uri>();
        urls = given;
        nick = null;
        reconnect = false;
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--reconnect")
            {
                reconnect = true;
                continue;
            }

            if (i + 1 >= args.Length)
            {
                return false;
            }

            switch (args[i++])
            {
                case "--url" when Uri.TryCreate(args[i], UriKind.Absolute, out var parsed) && parsed.Scheme is "ws" or "wss":
                    given.Add(parsed);
                    break;
                case "--nick":
                    nick = args[i];
                    break;
                default:
                    return false;
            }
        }

        if (given.Count == 0)
        {
            given.Add(new Uri("ws://127.0.0.1:5000/chat"));
        }

        return true;
    }
}
