using System.Text.RegularExpressions;

namespace Wormhole.Tests.Fuzzing;

/// <summary>
/// The live corpus: the seeds, plus every input that produced an outcome not seen before (a coverage
/// proxy without instrumentation). Bounded: past <see cref="Capacity"/> a new input replaces a random non-seed one.
/// </summary>
internal sealed partial class FuzzCorpus
{
    public const int Capacity = 4_096;

    private readonly List<byte[]> _inputs;
    private readonly int _seedCount;
    private readonly Dictionary<string, long> _outcomes = new(StringComparer.Ordinal);

    public FuzzCorpus(IEnumerable<byte[]> seeds)
    {
        _inputs = [.. seeds];
        _seedCount = _inputs.Count;
        if (_seedCount == 0)
        {
            throw new ArgumentException("a corpus needs at least one seed", nameof(seeds));
        }
    }

    public IReadOnlyList<byte[]> Inputs => _inputs;

    public IReadOnlyDictionary<string, long> Outcomes => _outcomes;

    /// <summary>A parent for the next input: the shorter of two random entries, so small inputs are mutated more (and faster).</summary>
    public byte[] Pick(Random random)
    {
        var one = _inputs[random.Next(_inputs.Count)];
        var other = _inputs[random.Next(_inputs.Count)];
        return one.Length <= other.Length ? one : other;
    }

    /// <summary>Counts an outcome; keeps the input when the outcome is new. Returns whether it was new.</summary>
    public bool Record(byte[] input, string outcome, Random random)
    {
        if (_outcomes.TryGetValue(outcome, out var seen))
        {
            _outcomes[outcome] = seen + 1;
            return false;
        }

        _outcomes[outcome] = 1;
        if (_inputs.Count < Capacity)
        {
            _inputs.Add(input);
        }
        else
        {
            _inputs[_seedCount + random.Next(Capacity - _seedCount)] = input;
        }

        return true;
    }

    /// <summary>An outcome's shape: numbers (sizes, field numbers, ids) folded so that one fault is one outcome.</summary>
    public static string Shape(string outcome)
    {
        var folded = Numbers().Replace(outcome, "#");
        return folded.Length <= 200 ? folded : folded[..200];
    }

    [GeneratedRegex(@"\d[\d,.]*")]
    private static partial Regex Numbers();
}
