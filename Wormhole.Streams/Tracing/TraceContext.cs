using System.Diagnostics;

namespace Wormhole.Streams.Tracing;

/// <summary>The W3C trace context a <c>Deliver</c> frame may carry: its bounds, and reading it from a peer.</summary>
/// <remarks>
/// Only version <c>00</c> is taken, exactly as W3C Trace Context level 1 writes it: <c>00-&lt;32 lowercase hex&gt;-&lt;16
/// lowercase hex&gt;-&lt;2 lowercase hex&gt;</c>, 55 characters, neither id all zeros. A <c>tracestate</c> is taken only
/// beside a valid <c>traceparent</c> and only up to <see cref="MaxTraceStateLength"/> characters (the 512 that W3C asks
/// every vendor to pass on); a longer one is dropped, the <c>traceparent</c> kept.
/// </remarks>
internal static class TraceContext
{
    public const int TraceParentLength = 55;

    public const int MaxTraceStateLength = 512;

    /// <summary>Reads a peer's trace context.</summary>
    /// <returns>
    /// False when the frame carried none. True otherwise, with <paramref name="context"/> the remote parent (default when
    /// the text was malformed) and <paramref name="malformed"/> true when any of it was ignored.
    /// </returns>
    public static bool TryRead(string? traceParent, string? traceState, out ActivityContext context, out bool malformed)
    {
        context = default;
        malformed = false;
        if (traceParent is null && traceState is null)
        {
            return false;
        }

        if (!IsValidTraceParent(traceParent))
        {
            malformed = true;
            return true;
        }

        if (traceState is { Length: > MaxTraceStateLength })
        {
            malformed = true;
            traceState = null;
        }

        malformed |= !ActivityContext.TryParse(traceParent, traceState, isRemote: true, out context);
        return true;
    }

    /// <summary>
    /// What of a trace context fits in <paramref name="room"/> bytes of a frame: both, the <c>traceparent</c> alone, or
    /// nothing. A message that fits its frame without its trace context goes without it rather than not at all.
    /// </summary>
    public static (string? TraceParent, string? TraceState) Fit(string? traceParent, string? traceState, int room)
    {
        var parentBytes = Protocol.WireBytes.StringFieldSize(traceParent);
        return parentBytes + Protocol.WireBytes.StringFieldSize(traceState) <= room ? (traceParent, traceState)
            : parentBytes <= room ? (traceParent, null)
            : (null, null);
    }

    /// <summary>The <c>traceparent</c> of <paramref name="activity"/>; null when it is not a W3C one.</summary>
    public static string? TraceParentOf(Activity activity) =>
        activity.IdFormat == ActivityIdFormat.W3C ? activity.Id : null;

    /// <summary>The <c>tracestate</c> of <paramref name="activity"/> when it is within bounds, else null (it is not sent).</summary>
    public static string? TraceStateOf(Activity activity) =>
        activity.TraceStateString is { Length: > 0 and <= MaxTraceStateLength } state ? state : null;

    private static bool IsValidTraceParent(string? text)
    {
        if (text is not { Length: TraceParentLength } || !text.StartsWith("00-", StringComparison.Ordinal) || text[35] != '-' || text[52] != '-')
        {
            return false;
        }

        var span = text.AsSpan();
        return IsLowerHex(span[3..35]) && IsLowerHex(span[36..52]) && IsLowerHex(span[53..])
            && span[3..35].ContainsAnyExcept('0') && span[36..52].ContainsAnyExcept('0');
    }

    private static bool IsLowerHex(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (c is not ((>= '0' and <= '9') or (>= 'a' and <= 'f')))
            {
                return false;
            }
        }

        return true;
    }
}
