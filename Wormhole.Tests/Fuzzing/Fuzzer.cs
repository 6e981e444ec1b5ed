using System.Diagnostics;
using System.Text;

namespace Wormhole.Tests.Fuzzing;

/// <summary>What a target did with one input: its outcome (the coverage proxy) and the bytes its decoder allocated.</summary>
internal readonly record struct FuzzResult(string Outcome, long AllocatedBytes);

/// <summary>Thrown by a target when an input breaks the contract under test.</summary>
internal sealed class FuzzViolation(string message) : Exception(message);

/// <summary>Figures of one pass.</summary>
internal sealed record FuzzReport(
    string Target,
    int Seed,
    long Inputs,
    IReadOnlyDictionary<string, long> Outcomes,
    int CorpusSize,
    double WorstAllocationPerInputByte,
    long WorstAllocatedBytes,
    int WorstAllocationInputLength,
    TimeSpan WorstTime,
    TimeSpan Elapsed,
    TimeSpan InTarget,
    int AllocationPerByte)
{
    public override string ToString()
    {
        var text = new StringBuilder()
            .AppendLine($"{Target}: {Inputs:N0} inputs (seed {Seed}) in {Elapsed.TotalSeconds:N1} s, {Outcomes.Count:N0} distinct outcomes, live corpus {CorpusSize:N0}")
            .AppendLine($"  worst allocation: {WorstAllocatedBytes:N0} bytes for a {WorstAllocationInputLength:N0}-byte input; worst ratio {WorstAllocationPerInputByte:N1} bytes per input byte (bound {AllocationPerByte}x + {Fuzzer.AllocationSlack:N0})")
            .AppendLine($"  slowest input: {WorstTime.TotalMilliseconds:N1} ms; {InTarget.TotalSeconds:N1} s in the target, the rest mutating");
        foreach (var (outcome, count) in Outcomes.OrderByDescending(pair => pair.Value))
        {
            text.AppendLine($"  {count,10:N0}  {outcome}");
        }

        return text.ToString();
    }
}

/// <summary>
/// A seeded mutation fuzzer: the same seed, seeds and target give the same inputs in the same order, so a
/// failure names its seed and input (as hex) and reproduces. Checks, for every input, that the target keeps its
/// contract (it throws <see cref="FuzzViolation"/> otherwise, and any other exception is a failure), allocates at
/// most 64 (or the target's own factor) bytes per input byte plus <see cref="AllocationSlack"/>, and answers within <see cref="TimeBound"/>.
/// </summary>
internal static class Fuzzer
{
    /// <summary>
    /// The constant part of the allocation bound: a refusal at the depth limit unwinds 64 nested readers and records
    /// their frames (about 140 KB, whatever the input's size); a claim of billions still fails the bound by far.
    /// </summary>
    public const long AllocationSlack = 256 * 1024;

    /// <summary>
    /// Inputs are cut to this size, to keep mutation cheap; deep nests still fit. Inputs up to and past the 1 MiB
    /// frame limit have their own tests (a million nested groups, 400,000 nested messages, 20,000 repeated fields).
    /// </summary>
    public const int MaxInputBytes = 64 * 1024;

    /// <summary>Per input; generous for a loaded 2-core machine, far below what a hang or a quadratic blow-up takes.</summary>
    public static readonly TimeSpan TimeBound = TimeSpan.FromSeconds(5);

    /// <summary>The allocation bound of one input: <paramref name="perByte"/> bytes per input byte, plus <see cref="AllocationSlack"/>.</summary>
    public static long AllocationBound(int inputLength, int perByte = 64) => ((long)perByte * inputLength) + AllocationSlack;

    public static FuzzReport Run(string target, int seed, long inputs, IReadOnlyList<byte[]> seeds, IReadOnlyList<int> nestDepths, Func<byte[], FuzzResult> run, int allocationPerByte = 64)
    {
        var random = new Random(seed);
        var corpus = new FuzzCorpus(seeds);
        var mutator = new ProtobufMutator(random, nestDepths);
        var started = Stopwatch.GetTimestamp();
        var worstRatio = 0.0;
        var worstBytes = 0L;
        var worstLength = 0;
        var worstTime = TimeSpan.Zero;
        var inTarget = TimeSpan.Zero;

        foreach (var input in seeds)
        {
            _ = Check(input, -1); // warm up (JIT, lazy caches); seeds keep the contract too
        }

        for (long i = 0; i < inputs; i++)
        {
            var input = mutator.Mutate(corpus.Pick(random), corpus.Inputs);
            if (input.Length > MaxInputBytes)
            {
                input = input[..MaxInputBytes];
            }

            var (result, elapsed) = Check(input, i);
            var ratio = (double)result.AllocatedBytes / Math.Max(1, input.Length);
            if (result.AllocatedBytes > worstBytes)
            {
                worstBytes = result.AllocatedBytes;
                worstLength = input.Length;
            }

            worstRatio = Math.Max(worstRatio, ratio);
            worstTime = elapsed > worstTime ? elapsed : worstTime;
            inTarget += elapsed;
            corpus.Record(input, result.Outcome, random);
        }

        return new FuzzReport(target, seed, inputs, corpus.Outcomes, corpus.Inputs.Count, worstRatio, worstBytes, worstLength, worstTime, Stopwatch.GetElapsedTime(started), inTarget, allocationPerByte);

        (FuzzResult Result, TimeSpan Elapsed) Check(byte[] input, long index)
        {
            var (result, elapsed) = Attempt(input, index);
            if (result.AllocatedBytes > AllocationBound(input.Length, allocationPerByte) || elapsed > TimeBound)
            {
                (result, elapsed) = Attempt(input, index); // once more: a first-time cache fill or a busy machine is not a finding
                if (result.AllocatedBytes > AllocationBound(input.Length, allocationPerByte))
                {
                    throw Failure(target, seed, index, input, $"allocated {result.AllocatedBytes:N0} bytes for a {input.Length:N0}-byte input (bound {AllocationBound(input.Length, allocationPerByte):N0}); outcome: {result.Outcome}");
                }

                if (elapsed > TimeBound)
                {
                    throw Failure(target, seed, index, input, $"took {elapsed.TotalSeconds:N1} s (bound {TimeBound.TotalSeconds:N0} s); outcome: {result.Outcome}");
                }
            }

            return (result, elapsed);
        }

        (FuzzResult, TimeSpan) Attempt(byte[] input, long index)
        {
            var begun = Stopwatch.GetTimestamp();
            try
            {
                var result = run(input);
                return (result, Stopwatch.GetElapsedTime(begun));
            }
            catch (FuzzViolation violation)
            {
                throw Failure(target, seed, index, input, violation.Message);
            }
            catch (Exception e) when (e is not FuzzFailureException)
            {
                throw Failure(target, seed, index, input, $"the target threw {e}");
            }
        }
    }

    /// <summary>Hex, for failure messages and regression tests.</summary>
    public static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexString(bytes);

    private static FuzzFailureException Failure(string target, int seed, long index, byte[] input, string what)
    {
        var file = Path.Combine(Path.GetTempPath(), $"wormhole-fuzz-{target}-seed{seed}-input{index}.bin");
        File.WriteAllBytes(file, input);
        const int shown = 16 * 1024;
        var hex = input.Length <= shown ? Hex(input) : Hex(input.AsSpan(0, shown)) + $"… ({input.Length - shown:N0} more bytes in the file)";
        return new FuzzFailureException(
            $"{target} fuzz failure at input #{index} (WORMHOLE_FUZZ_SEED={seed}): {what}{Environment.NewLine}" +
            $"input ({input.Length:N0} bytes, also written to {file}):{Environment.NewLine}{hex}");
    }
}

/// <summary>A contract violation found by the fuzzer, with the seed and the input that reproduce it.</summary>
internal sealed class FuzzFailureException(string message) : Exception(message);
