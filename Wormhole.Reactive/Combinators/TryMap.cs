namespace Wormhole.Reactive;

/// <summary>Maps an input to an output, or declines to (the input is then dropped), in the shape of <c>int.TryParse</c>.</summary>
/// <typeparam name="TIn">The input type.</typeparam>
/// <typeparam name="TOut">The output type.</typeparam>
/// <param name="input">The input.</param>
/// <param name="output">The output, when the function returns true.</param>
/// <returns>True to forward <paramref name="output"/>; false to drop the input.</returns>
public delegate bool TryMap<in TIn, TOut>(TIn input, out TOut output);
