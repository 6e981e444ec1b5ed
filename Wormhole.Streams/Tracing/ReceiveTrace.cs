using System.Diagnostics;

namespace Wormhole.Streams.Tracing;

/// <summary>
/// The receive span of a request, held by its reply targets until the first of them answers, expires or closes: it ends
/// exactly once, from whichever thread gets there first.
/// </summary>
internal sealed class ReceiveTrace(Activity activity)
{
    private Activity? _activity = activity;

    /// <summary>The span; its context stays readable after it ended.</summary>
    public Activity Activity { get; } = activity;

    public ActivityContext Context => Activity.Context;

    /// <summary>Ends the span (once). <see cref="Activity.Current"/> of the calling thread is left as it was.</summary>
    /// <param name="failed">The reply was a failure.</param>
    public void End(bool failed = false)
    {
        if (Interlocked.Exchange(ref _activity, null) is not { } activity)
        {
            return;
        }

        if (failed)
        {
            activity.SetStatus(ActivityStatusCode.Error);
        }

        var current = Activity.Current;
        activity.Stop(); // restores the Activity.Current of the thread that started it, which is not this one's business
        Activity.Current = current;
    }
}
