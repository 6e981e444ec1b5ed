using Chat.Contracts;

namespace Chat.Client;

/// <summary>How the console shows what the server says: one line per event, refusals and problems marked with <c>!</c>.</summary>
internal static class ChatOutput
{
    public static void Welcome(Uri url, Welcome welcome)
    {
        Console.WriteLine($"connected to {url} as {welcome.Alias}");
        Console.WriteLine(OnlineLine(welcome.Online));
        if (welcome.History.Count > 0)
        {
            Console.WriteLine($"recent history ({welcome.History.Count}):");
            foreach (var posted in welcome.History)
            {
                Console.WriteLine($"  {Line(posted)}");
            }
        }

        Console.WriteLine("type a line to post it; /nick ALIAS, /who, /history, /help, /quit");
    }

    public static void Event(ChatClient message) => Console.WriteLine(message switch
    {
        MessagePosted posted => Line(posted),
        UserJoined joined => $"* {joined.Alias} joined",
        UserLeft left => $"* {left.Alias} left",
        UserRenamed renamed => $"* {renamed.From} is now {renamed.To}",
        _ => $"* {message}",
    });

    public static string OnlineLine(IReadOnlyCollection<string> aliases) => $"online ({aliases.Count}): {string.Join(", ", aliases)}";

    public static void Problem(string text) => Console.WriteLine($"! {text}");

    public static string Posts(long count) => count == 1 ? "1 post" : $"{count:N0} posts";

    public static string Line(MessagePosted posted) =>
        $"[{DateTimeOffset.FromUnixTimeMilliseconds(posted.PostedAtUnixMs).ToLocalTime():HH:mm:ss}] {posted.From}: {posted.Text}";
}
