using Akka.Actor;
using Wormhole.Streams;

namespace Chat.Client;

/// <summary>
/// <c>Chat.Client [--url ws://HOST:PORT/chat] [--nick ALIAS]</c>: joins the chat, prints the welcome, the history and
/// every event, and posts each line of standard input. Exit codes: 0 at the end of input or <c>/quit</c>;
/// 2 when it cannot connect or join; 3 when the connection is lost; 64 for bad arguments. Ctrl+C and SIGTERM
/// end the input, as the end of the file does.
/// </summary>
internal static class Program
{
    private const string Usage = """
        usage: Chat.Client [--url ws://HOST:PORT/chat] [--nick ALIAS]
          --url   the chat server's WebSocket endpoint (default ws://127.0.0.1:5000/chat)
          --nick  the alias to ask for (default: the server picks guest-N)
        Each line read from standard input is posted; /nick ALIAS, /who, /history, /help and /quit are commands.
        """;

    public static async Task<int> Main(string[] args)
    {
        if (!TryParse(args, out var url, out var nick))
        {
            Console.Error.WriteLine(Usage);
            return 64; // EX_USAGE
        }

        using var system = ActorSystem.Create("chat-client", "akka.loglevel = WARNING\nakka.stdout-loglevel = WARNING");
        var nexus = Nexus.Create(system);
        try
        {
            return await new ConsoleChat(nexus, url, nick).RunAsync();
        }
        finally
        {
            await nexus.DisposeAsync();
            await system.Terminate();
        }
    }

    private static bool TryParse(string[] args, out Uri url, out string? nick)
    {
        url = new Uri("ws://127.0.0.1:5000/chat");
        nick = null;
        for (var i = 0; i < args.Length; i += 2)
        {
            if (i + 1 >= args.Length)
            {
                return false;
            }

            switch (args[i])
            {
                case "--url" when Uri.TryCreate(args[i + 1], UriKind.Absolute, out var parsed) && parsed.Scheme is "ws" or "wss":
                    url = parsed;
                    break;
                case "--nick":
                    nick = args[i + 1];
                    break;
                default:
                    return false;
            }
        }

        return true;
    }
}
