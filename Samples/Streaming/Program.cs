using Wormhole.Samples;

namespace StreamingSample;

/// <summary>
/// Streams across the wormhole, as two OS processes over TCP on 127.0.0.1: a live feed the client reads slowly
/// (backpressure reaches the server's producer), then a file upload in chunks. Modes: <c>server [--port N]</c>,
/// <c>client --port N [options]</c>, and no mode for the demo, which runs both as child processes.
/// </summary>
internal static class Program
{
    private const string Usage = """
        usage: Streaming [client options]               run server and client as two processes (the demo)
               Streaming server [--port N]              listen on 127.0.0.1:N (0: any free port) until stdin closes
               Streaming client --port N [client options]
        """;

    private static readonly string[] ClientOptionNames = ["--seconds", "--rate", "--file", "--mib"];

    public static async Task<int> Main(string[] args)
    {
        var mode = args is [var first, ..] && !first.StartsWith("--", StringComparison.Ordinal) ? first : "demo";
        var options = ParseOptions(mode == "demo" ? args : args[1..]);
        var client = options is null ? null : ClientOptions.Parse(options);
        return (mode, options, client) switch
        {
            (_, null, _) or (_, _, null) => Fail(),
            ("demo", _, _) when Only(options, ClientOptionNames) => await TwoProcessDemo.RunAsync(args, client.Duration + TimeSpan.FromSeconds(90)),
            ("server", _, _) when Only(options, "--port") && Port(options, required: false) is { } port => await Server.RunAsync(port),
            ("client", _, _) when Only(options, [.. ClientOptionNames, "--port"]) && Port(options, required: true) is { } port =>
                await Client.RunAsync(port, client),
            _ => Fail(),
        };
    }

    /// <summary><c>--name value</c> pairs, or null when malformed.</summary>
    private static Dictionary<string, string>? ParseOptions(ReadOnlySpan<string> args)
    {
        var options = new Dictionary<string, string>();
        for (var i = 0; i < args.Length; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                return null;
            }

            options[args[i]] = args[i + 1];
        }

        return options;
    }

    private static int? Port(Dictionary<string, string> options, bool required) =>
        !options.TryGetValue("--port", out var text) ? (required ? null : 0)
        : int.TryParse(text, out var port) && port is >= 0 and <= 65535 && (port > 0 || !required) ? port : null;

    private static bool Only(Dictionary<string, string> options, params string[] allowed) => options.Keys.All(allowed.Contains);

    private static int Fail()
    {
        Console.Error.WriteLine(Usage);
        Console.Error.WriteLine(ClientOptions.Usage);
        return 64; // EX_USAGE
    }
}
