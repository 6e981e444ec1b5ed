namespace Wormhole.Tests.Support;

/// <summary>The one shared pair of test timeouts: a long bound for hangs, a short one for "nothing arrives".</summary>
public static class Bounds
{
    /// <summary>How long to wait for something that should happen; generous, for a loaded 2-core CI machine.</summary>
    public static readonly TimeSpan Long = TimeSpan.FromSeconds(15);

    /// <summary>How long to watch for something that should not happen.</summary>
    public static readonly TimeSpan Short = TimeSpan.FromMilliseconds(300);
}
