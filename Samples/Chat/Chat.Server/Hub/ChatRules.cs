using Chat.Contracts;

namespace Chat.Server.Hub;

/// <summary>What the hub accepts from a client, each rule answering with a refusal a person can read, or null.</summary>
public static class ChatRules
{
    /// <summary>Null when <paramref name="text"/> may be posted; otherwise why not.</summary>
    public static string? CheckPost(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return "empty message: there is nothing to post";
        }

        if (text.Length > ChatProtocol.MaxPostLength)
        {
            return $"message of {text.Length:N0} characters exceeds the {ChatProtocol.MaxPostLength:N0}-character limit";
        }

        // Control characters (escape sequences above all) would reach every other client's terminal.
        return text.Any(char.IsControl) ? "message contains control characters" : null;
    }

    /// <summary>Null when <paramref name="alias"/> is well-formed (whether it is free is the hub's business); otherwise why not.</summary>
    public static string? CheckAlias(string? alias)
    {
        if (string.IsNullOrEmpty(alias))
        {
            return "empty alias: /nick needs a name";
        }

        if (alias.Length > ChatProtocol.MaxAliasLength)
        {
            return $"alias of {alias.Length:N0} characters exceeds the {ChatProtocol.MaxAliasLength:N0}-character limit";
        }

        return alias.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')
            ? null
            : $"alias \"{Printable(alias)}\" may hold only letters, digits, '-', '_' and '.'";
    }

    /// <summary><paramref name="text"/> with control characters shown as <c>?</c>, to quote it in a refusal or a log.</summary>
    public static string Printable(string text) => string.Concat(text.Select(c => char.IsControl(c) ? '?' : c));
}
