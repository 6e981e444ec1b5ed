using ProtoBuf.Meta;
using Wormhole.Streams.Transmaterialization;

namespace Wormhole.Streams.Streaming;

/// <summary>
/// The producing end of one stream: pulls the user's source on the thread pool, never further than the portal allows, and
/// hands the elements to the portal's stage one at a time, encoded there (elements may carry references).
/// </summary>
internal interface IStreamPump
{
    /// <summary>Opens the source (it is not touched before) and pulls up to <paramref name="allowed"/> elements in all.</summary>
    void Start(long allowed);

    /// <summary>Raises how many elements the pump may have pulled in all (never lowers it).</summary>
    void Allow(long allowed);

    /// <summary>For the stage: the next element, encoded; when there is none yet, the pump wakes the stage once one comes or the source ends.</summary>
    PumpResult TryTake(RuntimeTypeModel model, IReferenceTable table, out byte[] element);

    /// <summary>True when the source has ended and every element was taken: <paramref name="result"/> says how it ended.</summary>
    bool TryEnd(out PumpResult result);

    /// <summary>Why the source failed, once <see cref="TryTake"/> said <see cref="PumpResult.Failed"/>.</summary>
    Exception? Failure { get; }

    /// <summary>Stops the source: its cancellation token fires and its enumerator is disposed (its <c>finally</c> blocks run).</summary>
    void Cancel();
}

/// <summary>What <see cref="IStreamPump.TryTake"/> found.</summary>
internal enum PumpResult
{
    Element,
    Empty,
    Completed,
    Failed,
}
