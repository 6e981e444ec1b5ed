namespace StreamingSample;

/// <summary>What the client does: read the feed for <see cref="Duration"/> at <see cref="Rate"/> quotes a second, then upload <see cref="File"/> (or <see cref="Mib"/> MiB of random bytes).</summary>
internal sealed record ClientOptions(TimeSpan Duration, int Rate, string? File, int Mib)
{
    public const string Usage = """
        client options:
          --seconds S  how long to read the live feed (default 5)
          --rate R     how many quotes to read a second (default 100)
          --file PATH  the file to upload (default: a temporary file of random bytes)
          --mib M      the size of that temporary file in MiB (default 8)
        """;

    /// <summary>The options among <paramref name="options"/> (<c>--name value</c> pairs), or null when one is malformed.</summary>
    public static ClientOptions? Parse(IReadOnlyDictionary<string, string> options)
    {
        int? Number(string name, int fallback, int max) =>
            !options.TryGetValue(name, out var text) ? fallback : int.TryParse(text, out var n) && n > 0 && n <= max ? n : null;

        var file = options.GetValueOrDefault("--file");
        if (Number("--seconds", 5, 3600) is not { } seconds || Number("--rate", 100, 1_000_000) is not { } rate
            || Number("--mib", 8, 1024) is not { } mib || (file is not null && !System.IO.File.Exists(file)))
        {
            return null;
        }

        return new ClientOptions(TimeSpan.FromSeconds(seconds), rate, file, mib);
    }
}
