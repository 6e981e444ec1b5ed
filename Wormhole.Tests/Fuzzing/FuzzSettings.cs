namespace Wormhole.Tests.Fuzzing;

/// <summary>
/// How long a pass runs. CI: 100,000 inputs in all (half per target). A longer pass is opt-in:
/// <c>WORMHOLE_FUZZ_INPUTS=5000000 dotnet test -c Release --filter "FullyQualifiedName~Fuzz"</c>;
/// <c>WORMHOLE_FUZZ_SEED=n</c> picks another (reproducible) sequence of inputs.
/// </summary>
internal static class FuzzSettings
{
    public const long DefaultTotalInputs = 100_000;

    public const int DefaultSeed = 20_251_101;

    /// <summary>Inputs for one of the two targets (frames, payloads).</summary>
    public static long InputsPerTarget =>
        (long.TryParse(Environment.GetEnvironmentVariable("WORMHOLE_FUZZ_INPUTS"), out var total) && total > 0 ? total : DefaultTotalInputs) / 2;

    /// <summary>Rounds of the live-portal stream fuzzer (a connection each); <c>WORMHOLE_FUZZ_LIVE_ROUNDS=n</c> for more.</summary>
    public static int LiveRounds =>
        int.TryParse(Environment.GetEnvironmentVariable("WORMHOLE_FUZZ_LIVE_ROUNDS"), out var rounds) && rounds > 0 ? rounds : 60;

    public static int Seed =>
        int.TryParse(Environment.GetEnvironmentVariable("WORMHOLE_FUZZ_SEED"), out var seed) ? seed : DefaultSeed;
}
