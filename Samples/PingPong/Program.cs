using Wormhole.Samples;

namespace PingPongSample;

/// <summary>
/// The Rust original's ping-pong as two OS processes over TCP on 127.0.0.1. Modes:
/// <c>server [--port N]</c>, <c>client --port N [--rounds R]</c>, and no arguments for the demo, which
/// runs both as child processes.
/// </summary>
internal static class Program
{
    private const string Usage = """
        usage: PingPong                              run server and client as two processes (the demo)
               PingPong server [--port N]            listen on 127.0.0.1:N (0: any free port) until stdin closes
               PingPong client --port N [--rounds R] play R rounds (default 10) against the server on port N
        """;

    public static async Task<int> Main(string[] args)
    {
        if (args.Length == 0)
        {
            return await TwoProcessDemo.RunAsync([], TimeSpan.FromSeconds(60));
        }

        var options = ParseOptions(args.AsSpan(1));
        return (args[0], options) switch
        {
            (_, null) => Fail(),
            ("server", _) when Only(options, "--port") => await Server.RunAsync(options.GetValueOrDefault("--port", 0)),
            ("client", _) when Only(options, "--port", "--rounds") 
                && options.TryGetValue("--port", out var port) && port > 0 && options.GetValueOrDefault("--rounds", 10) is > 0 and var rounds =>
                await Client.RunAsync(port, rounds),
            _ => Fail(),
        };
    }

    /// <summary><c>--name value</c> pairs with non-negative integer values, or null when malformed.</summary>
    private static Dictionary<string, int>? ParseOptions(ReadOnlySpan<string> args)
    {
        var options = new Dictionary<string, int>();
        for (var i = 0; i < args.Length; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length || !int.TryParse(args[i + 1], out var value) || value < 0)
            {
                return null;
            }

            options[args[i]] = value;
        }

        return options;
    }

    private static bool Only(Dictionary<string, int> options, params string[] allowed) => options.Keys.All(allowed.Contains);

    private static int Fail()
    {
        Console.Error.WriteLine(Usage);
        return 64; // EX_USAGE
    }
}
