using Microsoft.Extensions.Options;

namespace Wormhole.Streams;

/// <summary>Validates the options AddWormhole binds, as the nexus will use them (after <see cref="WormholeBuilder.ConfigureOptions"/>), naming the bad key.</summary>
internal sealed class NexusOptionsValidation(WormholeBuilder builder) : IValidateOptions<NexusOptions>
{
    public ValidateOptionsResult Validate(string? name, NexusOptions options)
    {
        try
        {
            Final(builder, options).Validated();
            return ValidateOptionsResult.Success;
        }
        catch (ArgumentOutOfRangeException e)
        {
            var problem = e.Message.Split('\n')[0].Replace($" (Parameter '{e.ParamName}')", "", StringComparison.Ordinal);
            return ValidateOptionsResult.Fail($"{builder.ConfigurationSection}:{e.ParamName} = {e.ActualValue ?? Value(options, e.ParamName)}: {problem}");
        }
    }

    /// <summary>The bound options after every <see cref="WormholeBuilder.ConfigureOptions"/> change.</summary>
    public static NexusOptions Final(WormholeBuilder builder, NexusOptions bound) =>
        builder.OptionChanges.Aggregate(bound, (options, change) => change(options));

    private static object? Value(NexusOptions options, string? property) =>
        property is null ? null : typeof(NexusOptions).GetProperty(property)?.GetValue(options);
}
